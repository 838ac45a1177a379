"""What the reminder tasks send, to whom, and the once-only sending (README "Reminders").

Runs as the system, from the Celery beat tasks (notifications/tasks.py), without a user: there is no
request and no scope, so no ``visible_to`` here (as privacy/retention.py). Every function takes the moment
from ``timezone.now()`` and is idempotent: each e-mail first claims its ``SentReminder`` row, so running a
schedule twice, or two workers at once, sends it once.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from allowances.models import AllowanceClaim, Contract
from allowances.rules import contract_for_month
from events.models import Attendance, Event, GuestRegistration
from lotsen.models import Lotse
from notifications import tokens
from notifications.models import GuestOptOut, Kind, ReminderSettings, SentReminder
from notifications.workdays import first_working_day_of_month
from regions.models import Coordination

logger = logging.getLogger(__name__)

#: An event is announced once, at the first hourly run at which it starts within 48 hours; runs until 24
#: hours before the start still send what an earlier run could not (the mail server was down, say).
EVENT_REMINDER_BEFORE = datetime.timedelta(hours=48)
EVENT_REMINDER_LAST_CHANCE = datetime.timedelta(hours=24)
#: the digest's three lists
DIGEST_CLAIM_WAITING_DAYS = 7
DIGEST_CONTRACT_ENDING_DAYS = 30
DIGEST_INVITATION_DAYS = 14
#: a claim in one of these states counts as claimed: no reminder
CLAIMED = (AllowanceClaim.Status.SUBMITTED, AllowanceClaim.Status.APPROVED, AllowanceClaim.Status.PAID)


@dataclass(frozen=True)
class Mail:
    kind: str
    key: str
    to: str
    language: str
    template: str  # notifications/email/<template>{_subject.txt,.txt,.html}
    context: dict
    recipient: User | None = None
    unsubscribe_url: str = ""


# -- sending once -----------------------------------------------------------------------------------------
def language_of(user) -> str:
    choice = ReminderSettings.objects.filter(user=user).values_list("language", flat=True).first()
    return choice or settings.LANGUAGE_CODE


def wants(user, kind: str) -> bool:
    choice = ReminderSettings.objects.filter(user=user).first()
    return choice is None or choice.wants(kind)


def render(mail: Mail) -> EmailMultiAlternatives:
    context = {
        **mail.context,
        "site_url": settings.SITE_URL,
        "programme_name": settings.PROGRAMME_NAME,
        "unsubscribe_url": mail.unsubscribe_url,
    }
    with translation.override(mail.language):
        subject = " ".join(
            render_to_string(f"notifications/email/{mail.template}_subject.txt", context).split()
        )
        text = render_to_string(f"notifications/email/{mail.template}.txt", context)
        html = render_to_string(f"notifications/email/{mail.template}.html", context)
    headers = {"List-Unsubscribe": f"<{mail.unsubscribe_url}>"} if mail.unsubscribe_url else {}
    message = EmailMultiAlternatives(subject, text, None, [mail.to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def send_once(mail: Mail) -> bool:
    """Claim the (kind, key) row and send, in one transaction; False when it was sent before.

    The row is inserted first: a second worker's insert waits for this transaction and then fails on the
    unique constraint, so it sends nothing. The e-mail goes out inside the transaction, not after the
    commit: when sending fails the claim is rolled back and the next run tries again (a reminder lost for
    good would be worse than the rare duplicate when the commit itself fails after sending)."""
    try:
        with transaction.atomic():
            SentReminder.objects.create(kind=mail.kind, key=mail.key, recipient=mail.recipient)
            render(mail).send()
    except IntegrityError:
        return False
    except (OSError, ConnectionError) as error:  # smtplib's errors are OSErrors
        logger.warning(
            "reminder %s %s not sent (%s); next run retries", mail.kind, mail.key, type(error).__name__
        )
        return False
    logger.info("reminder %s %s sent", mail.kind, mail.key)
    return True


def _send_all(mails) -> int:
    return sum(send_once(mail) for mail in mails)


# -- events: two days before ------------------------------------------------------------------------------
def _guest_link(registration: GuestRegistration) -> str:
    """The guest's personal link: see the registration, change the workshop, cancel."""
    from events.guests import absolute

    return absolute("events:guest_manage", registration)


def event_reminder_mails(now: datetime.datetime):
    events = Event.objects.filter(
        starts_at__gt=now + EVENT_REMINDER_LAST_CHANCE, starts_at__lte=now + EVENT_REMINDER_BEFORE
    )
    attendances = Attendance.objects.filter(
        event__in=events, status__in=Attendance.TAKES_A_PLACE, lotse__user__is_active=True
    ).select_related("event", "session", "lotse__user")
    for attendance in attendances:
        user = attendance.lotse.user
        key = f"event-2d:{attendance.event_id}:attendance-{attendance.pk}"
        if not wants(user, Kind.EVENT) or SentReminder.objects.filter(kind=Kind.EVENT, key=key).exists():
            continue
        yield Mail(
            kind=Kind.EVENT,
            key=key,
            to=user.email,
            recipient=user,
            language=language_of(user),
            template="event_reminder",
            context={
                "event": attendance.event,
                "session": attendance.session,
                "name": attendance.lotse.first_name,
                "link": settings.SITE_URL + reverse("events:detail", kwargs={"pk": attendance.event_id}),
            },
            unsubscribe_url=tokens.unsubscribe_url_for_user(user.pk, Kind.EVENT),
        )
    opted_out = GuestOptOut.objects.values("registration_id")
    guests = (
        GuestRegistration.objects.filter(event__in=events, status__in=GuestRegistration.TAKES_A_PLACE)
        .exclude(pk__in=opted_out)
        .select_related("event", "session")
    )
    for guest in guests:
        key = f"event-2d:{guest.event_id}:guest-{guest.pk}"
        if SentReminder.objects.filter(kind=Kind.EVENT, key=key).exists():
            continue
        yield Mail(
            kind=Kind.EVENT,
            key=key,
            to=guest.email,
            language=guest.language if guest.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
            template="event_reminder",
            context={
                "event": guest.event,
                "session": guest.session,
                "name": guest.name,
                "link": _guest_link(guest),
            },
            unsubscribe_url=tokens.unsubscribe_url_for_guest(guest.pk),
        )


def send_event_reminders() -> int:
    return _send_all(event_reminder_mails(timezone.now()))


# -- coordinators: the weekly digest ----------------------------------------------------------------------
def digest_for(user, region_ids, now: datetime.datetime) -> dict:
    today = timezone.localdate(now)
    claims = (
        AllowanceClaim.objects.filter(
            lotse__region_id__in=region_ids,
            status=AllowanceClaim.Status.SUBMITTED,
            submitted_at__lte=now - datetime.timedelta(days=DIGEST_CLAIM_WAITING_DAYS),
        )
        .select_related("lotse")
        .order_by("submitted_at")
    )
    contracts = (
        Contract.objects.filter(
            lotse__region_id__in=region_ids,
            status=Contract.Status.ACTIVE,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=DIGEST_CONTRACT_ENDING_DAYS),
        )
        .select_related("lotse")
        .order_by("ends_on")
    )
    invitations = (
        Lotse.objects.filter(
            region_id__in=region_ids,
            user__is_active=True,
            user__invited_at__lte=now - datetime.timedelta(days=DIGEST_INVITATION_DAYS),
            user__invitation_accepted_at__isnull=True,
        )
        .select_related("user")
        .order_by("user__invited_at")
    )
    return {"claims": list(claims), "contracts": list(contracts), "invitations": list(invitations)}


def digest_mails(now: datetime.datetime):
    year, week, _ = timezone.localdate(now).isocalendar()
    regions_by_user: dict[int, set[int]] = {}
    for user_id, region_id in Coordination.objects.filter(user__is_active=True).values_list(
        "user_id", "region_id"
    ):
        regions_by_user.setdefault(user_id, set()).add(region_id)
    for user in User.objects.filter(pk__in=regions_by_user).order_by("pk"):
        key = f"digest:{user.pk}:{year}-W{week:02d}"
        if not wants(user, Kind.DIGEST) or SentReminder.objects.filter(kind=Kind.DIGEST, key=key).exists():
            continue
        digest = digest_for(user, regions_by_user[user.pk], now)
        if not any(digest.values()):
            continue  # nothing to report: no e-mail
        yield Mail(
            kind=Kind.DIGEST,
            key=key,
            to=user.email,
            recipient=user,
            language=language_of(user),
            template="coordinator_digest",
            context={
                **digest,
                "name": user.name,
                "claim_days": DIGEST_CLAIM_WAITING_DAYS,
                "contract_days": DIGEST_CONTRACT_ENDING_DAYS,
                "invitation_days": DIGEST_INVITATION_DAYS,
                "claims_url": settings.SITE_URL + reverse("claims:list") + "?status=submitted",
            },
            unsubscribe_url=tokens.unsubscribe_url_for_user(user.pk, Kind.DIGEST),
        )


def send_coordinator_digests() -> int:
    return _send_all(digest_mails(timezone.now()))


# -- Lotsen: claim the previous month ---------------------------------------------------------------------
def previous_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


#: Days after the first working day on which the monthly claim reminder still goes out if it could not before.
CLAIM_REMINDER_CATCH_UP_DAYS = 3


def claim_month_key(lotse_id: int, month: datetime.date) -> str:
    """The once-key of the e-mail asking a Lotse to claim a month: the monthly reminder and a billing run's
    invitation share it, so a Lotse gets one of them per month, whichever goes out first."""
    return f"claim-month:{lotse_id}:{month:%Y-%m}"


def claim_month_mails(now: datetime.datetime):
    today = timezone.localdate(now)
    # from the first working day, and a few days after it: a run that could not send (mail server down)
    # is made good by the next one; the once-key keeps it to one reminder per Lotse and month
    if not 0 <= (today - first_working_day_of_month(today)).days <= CLAIM_REMINDER_CATCH_UP_DAYS:
        return
    month = previous_month(today)
    next_month = today.replace(day=1)
    # Candidates in one query (an active contract that began before the month ended, no claim made for it);
    # contract_for_month decides as everywhere else in the portal.
    claimed = AllowanceClaim.objects.filter(month=month, status__in=CLAIMED).values("lotse_id")
    lotsen = (
        Lotse.objects.filter(
            user__is_active=True,
            contracts__status=Contract.Status.ACTIVE,
            contracts__starts_on__lt=next_month,
        )
        .filter(Q(contracts__ends_on__isnull=True) | Q(contracts__ends_on__gte=month))
        .exclude(pk__in=claimed)
        .select_related("user")
        .distinct()
        .order_by("pk")
    )
    for lotse in lotsen:
        key = claim_month_key(lotse.pk, month)
        user = lotse.user
        if (
            not wants(user, Kind.CLAIM_MONTH)
            or SentReminder.objects.filter(kind=Kind.CLAIM_MONTH, key=key).exists()
            or contract_for_month(lotse, month) is None
        ):
            continue
        yield Mail(
            kind=Kind.CLAIM_MONTH,
            key=key,
            to=user.email,
            recipient=user,
            language=language_of(user),
            template="claim_month",
            context={
                "name": lotse.first_name,
                "month": month,
                "claim_url": settings.SITE_URL
                + reverse("me:claim_month", kwargs={"year": month.year, "month": month.month}),
            },
            unsubscribe_url=tokens.unsubscribe_url_for_user(user.pk, Kind.CLAIM_MONTH),
        )


def send_claim_month_reminders() -> int:
    return _send_all(claim_month_mails(timezone.now()))
