"""Calendar months, the unit of claims, consultation lists and reports: one implementation for all apps."""

import datetime

ONE_DAY = datetime.timedelta(days=1)


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    """The first day of the month after ``day``'s (day 28 + 4 days is in the next month for every month)."""
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(day: datetime.date) -> datetime.date:
    """The first day of the month before ``day``'s."""
    return (day.replace(day=1) - ONE_DAY).replace(day=1)


def last_of_month(day: datetime.date) -> datetime.date:
    return next_month(day) - ONE_DAY
