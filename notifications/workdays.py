"""Working days: Monday to Friday, without Germany's nationwide public holidays (regional ones, such as
Corpus Christi in NRW, are not skipped: the reminder then comes a day early, which does no harm)."""

import datetime


def easter_sunday(year: int) -> datetime.date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def nationwide_holidays(year: int) -> set[datetime.date]:
    easter = easter_sunday(year)
    days = datetime.timedelta
    return {
        datetime.date(year, 1, 1),  # Neujahr
        easter - days(2),  # Karfreitag
        easter + days(1),  # Ostermontag
        datetime.date(year, 5, 1),  # Tag der Arbeit
        easter + days(39),  # Christi Himmelfahrt
        easter + days(50),  # Pfingstmontag
        datetime.date(year, 10, 3),  # Tag der Deutschen Einheit
        datetime.date(year, 12, 25),
        datetime.date(year, 12, 26),
    }


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in nationwide_holidays(day.year)


def first_working_day_of_month(day: datetime.date) -> datetime.date:
    first = day.replace(day=1)
    while not is_working_day(first):
        first += datetime.timedelta(days=1)
    return first
