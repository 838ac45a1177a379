"""Guests of public events: registration without an account, double opt-in, the personal link, the waiting
list, the calendar file and the QR code for the door.

Guests are not users. Their rows are reached by the event being public (the public pages) or by the secret
token of their personal link, never by a user's scope; that is why the public views query through the
functions of this module instead of ``visible_to(user)``. Nothing personal is logged or audited: log lines
carry the registration's id at most.

Seats are shared with the Lotsen (events.services.seats_taken): the event row, then the workshop row, are
locked while they are counted, so a guest confirming and a Lotse registering cannot both take the last one.
"""

import datetime
import hashlib
import io
import logging
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.models import Event, EventSession, GuestRegistration
from events.services import has_free_seat, lock_event_and_session

logger = logging.getLogger(__name__)

#: A pending registration that is not confirmed within this time is void (it never held a seat).
PENDING_HOURS = 24
Status = GuestRegistration.Status


# -- links ------------------------------------------------------------------------------------------
def checkin_url(registration: GuestRegistration) -> str:
    """The absolute URL in the guest's QR code (served by the check-in screens as ``events:checkin_scan``).
    It carries the check-in secret, never the token of the personal link: whoever sees the QR code can at
    most have the guest checked in by someone who may edit the event, not cancel the registration."""
    return f"{settings.SITE_URL}/events/checkin/{registration.checkin_token}/"


def absolute(name: str, registration: GuestRegistration) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"token": registration.token})


def new_token() -> str:
    return secrets.token_urlsafe(32)


def email_key(email: str) -> str:
    return email.strip().casefold()


# -- reads for the public pages (no user scope: see the module docstring) ----------------------------
def public_events():
    return Event.objects.filter(is_public=True)


def upcoming_public_events():
    return public_events().filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")


def registration_for_token(token: str) -> GuestRegistration | None:
    if not token or len(token) > 64:
        return None
    return GuestRegistration.objects.select_related("event", "session").filter(token=token).first()


def pending_expired(registration: GuestRegistration, now=None) -> bool:
    now = now or timezone.now()
    return registration.status == Status.PENDING and registration.created_at < now - datetime.timedelta(
        hours=PENDING_HOURS
    )


def sessions_with_places(event: Event) -> list[EventSession]:
    """The event's workshops with ``places_taken`` and ``places_left`` (None: no limit); two queries."""
    from events.services import seats_taken_by_session

    sessions = list(event.sessions.all())
    taken = seats_taken_by_session(event)
    for session in sessions:
        session.places_taken = taken.get(session.pk, 0)
        session.places_left = (
            None if session.capacity is None else max(session.capacity - session.places_taken, 0)
        )
    return sessions


# -- rate limits ------------------------------------------------------------------------------------
def _hit(key: str, window_seconds: int) -> int:
    """Count one request in a fixed window of the shared cache; 0 if the cache is unreachable (a missing
    Redis must not take the registration down: the limits then simply do not apply)."""
    bucket = f"events:guest-rate:{key}:{int(time.time() // window_seconds)}"
    try:
        cache.add(bucket, 0, timeout=window_seconds * 2)
        try:
            return cache.incr(bucket)
        except ValueError:  # evicted between add and incr
            cache.set(bucket, 1, timeout=window_seconds * 2)
            return 1
    except Exception:  # noqa: BLE001 - the cache (Redis) is down
        logger.warning("guest registration rate limit skipped: cache unavailable")
        return 0


def rate_limited(*, source: str, email: str) -> bool:
    """Registrations per client address (GUEST_RATE_LIMIT_PER_IP an hour) and per e-mail address
    (GUEST_RATE_LIMIT_PER_ADDRESS an hour); the address is hashed before it becomes a cache key."""
    hour = 3600
    address = hashlib.sha256(email_key(email).encode()).hexdigest()
    by_ip = _hit(f"ip:{source}", hour)
    by_address = _hit(f"addr:{address}", hour) if email else 0
    return by_ip > settings.GUEST_RATE_LIMIT_PER_IP or by_address > settings.GUEST_RATE_LIMIT_PER_ADDRESS


# -- the calendar file and the QR code -----------------------------------------------------------
def _ics_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 5545: lines of at most 75 octets, continued with CRLF and a space."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_for(registration: GuestRegistration) -> bytes:
    event, session = registration.event, registration.session
    location = ", ".join(part for part in (event.place, event.address) if part)
    summary = event.title if session is None else f"{event.title} – {session}"
    # The public page of the event, not the personal link: a calendar is often shared with colleagues, and
    # whoever had the personal link could cancel the registration.
    description = settings.SITE_URL + reverse("events:public_detail", kwargs={"pk": event.pk})
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Lotsenportal//Events//DE",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:guest-{registration.pk}-{event.pk}@{settings.SITE_URL.split('://')[-1].split('/')[0]}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(event.starts_at)}",
        f"DTEND:{_utc(event.ends_at)}",
        f"SUMMARY:{_ics_text(summary)}",
        f"LOCATION:{_ics_text(location)}",
        f"DESCRIPTION:{_ics_text(description)}",
        f"URL:{description}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()


def qr_code(registration: GuestRegistration):
    import segno

    return segno.make(checkin_url(registration), error="m")


def qr_png(registration: GuestRegistration) -> bytes:
    buffer = io.BytesIO()
    qr_code(registration).save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def qr_data_uri(registration: GuestRegistration) -> str:
    return qr_code(registration).png_data_uri(scale=6, border=2)


# -- e-mails ------------------------------------------------------------------------------------------
def _mail(registration: GuestRegistration, kind: str) -> None:
    """Send one of the guest e-mails (text and HTML) in the guest's language after the commit."""
    registration_id = registration.pk

    def send():
        current = (
            GuestRegistration.objects.select_related("event", "session").filter(pk=registration_id).first()
        )
        if current is None:
            return
        with translation.override(current.language or settings.LANGUAGE_CODE):
            context = _mail_context(current, kind)
            text = render_to_string("events/email/guest.txt", context)
            html = render_to_string("events/email/guest.html", context)
            message = EmailMultiAlternatives(context["subject"], text, None, [current.email])
            message.attach_alternative(html, "text/html")
            if kind in ("confirmed", "moved_up", "existing") and current.status == Status.CONFIRMED:
                message.attach("event.ics", ics_for(current), "text/calendar")
                message.attach("checkin-qr.png", qr_png(current), "image/png")
            message.send()
        logger.info("guest e-mail %s sent for registration %s", kind, registration_id)

    transaction.on_commit(send)


def _mail_context(registration: GuestRegistration, kind: str) -> dict:
    event = registration.event
    title = event.title
    confirm = kind in ("confirm", "existing_pending")
    link = absolute("events:guest_confirm" if confirm else "events:guest_manage", registration)
    subjects = {
        "confirm": _("Please confirm your registration: %(title)s"),
        "existing_pending": _("Please confirm your registration: %(title)s"),
        "existing": _("Your registration: %(title)s"),
        "confirmed": _("You are registered: %(title)s"),
        "waiting": _("You are on the waiting list: %(title)s"),
        "moved_up": _("A place has become free – you are registered: %(title)s"),
        "cancelled": _("Your registration was cancelled: %(title)s"),
    }
    paragraphs = {
        "confirm": [
            _(
                "Thank you for registering. Please confirm with the link below; without confirmation the "
                "registration lapses after 24 hours."
            ),
            _("If you did not register, ignore this e-mail: nothing happens."),
        ],
        "existing_pending": [
            _(
                "Someone asked to register this address again. Your registration still awaits confirmation: "
                "please confirm with the link below."
            ),
        ],
        "existing": [
            _(
                "Someone asked to register this address again. You are already registered; here is your "
                "personal link to see, change or cancel the registration."
            ),
        ],
        "confirmed": [
            _(
                "Your place is confirmed. Please show the QR code (attached) at the entrance; "
                "the calendar file is attached as well."
            ),
            _("With your personal link you can change the workshop or cancel."),
        ],
        "waiting": [
            _(
                "The event (or the workshop you chose) is fully booked. You are on the waiting list "
                "and move up automatically when a place becomes free; we will write to you."
            ),
        ],
        "moved_up": [
            _(
                "Someone cancelled and you moved up from the waiting list: your place is confirmed. "
                "Please show the QR code (attached) at the entrance."
            ),
        ],
        "cancelled": [_("Your registration was cancelled. You can register again while places are free.")],
    }
    return {
        "subject": subjects[kind] % {"title": title},
        "paragraphs": paragraphs[kind],
        "registration": registration,
        "event": event,
        "link": link,
        "link_label": _("Confirm the registration") if confirm else _("Your registration"),
        "checkin_url": checkin_url(registration) if registration.status == Status.CONFIRMED else "",
        "show_details": kind not in ("cancelled",),
    }


# -- services ---------------------------------------------------------------------------------------
def register_guest(*, event: Event, data: dict, language: str, now=None) -> GuestRegistration | None:
    """A guest asks to register (the public form). Creates a PENDING registration and sends the confirmation
    link; for an address already registered, the existing link goes to that address instead. The page says
    the same in both cases, so this returns nothing the view could tell apart (None for a known address)."""
    now = now or timezone.now()
    key = email_key(data["email"])
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if not event.is_public:
            raise ValidationError(_("This event is not open for registration."))
        if not event.registration_open():
            raise ValidationError(_("Registration for this event has closed."))
        session = data.get("session")
        if session is not None and session.event_id != event.pk:
            raise ValidationError(_("Please choose one of this event's workshops."))
        existing = (
            GuestRegistration.objects.filter(event=event, email_key=key)
            .exclude(status=Status.CANCELLED)
            .first()
        )
        if existing is not None and pending_expired(existing, now):
            existing.delete()
            existing = None
        if existing is not None:
            _mail(existing, "existing_pending" if existing.status == Status.PENDING else "existing")
            return None
        try:
            with transaction.atomic():
                registration = GuestRegistration.objects.create(
                    event=event,
                    session=session,
                    name=data["name"],
                    organisation=data["organisation"],
                    institution_kind=data["institution_kind"],
                    email=data["email"].strip(),
                    email_key=key,
                    needs=data.get("needs", ""),
                    language=language,
                    consent_at=now,
                    token=new_token(),
                )
        except IntegrityError:
            return None  # registered a moment ago in a parallel request: the same answer
    _mail(registration, "confirm")
    logger.info("guest registration %s requested for event %s", registration.pk, event.pk)
    return registration


def _place(registration: GuestRegistration, event: Event, session, now) -> None:
    """Give the seat if one is free (event and workshop locked by the caller), else the waiting list."""
    if has_free_seat(event, session):
        registration.status, registration.confirmed_at = Status.CONFIRMED, now
    else:
        registration.status = Status.WAITING
        registration.waiting_since = registration.waiting_since or now


def _lock(registration: GuestRegistration) -> tuple[Event, GuestRegistration, EventSession | None]:
    """Lock the event, then the registration re-read from the database, then the workshop it holds now
    (the order of lock_event_and_session). The workshop must be read under the locks: a change of workshop
    in another tab between the caller's read and here would otherwise count one workshop and book another."""
    event, _none = lock_event_and_session(registration.event_id, None)
    registration = GuestRegistration.objects.select_for_update().get(pk=registration.pk)
    session = (
        EventSession.objects.select_for_update().get(pk=registration.session_id)
        if registration.session_id
        else None
    )
    registration.event = event
    return event, registration, session


@transaction.atomic
def confirm_guest(*, registration: GuestRegistration, now=None) -> GuestRegistration:
    """The click in the e-mail (POST): CONFIRMED with a seat, or WAITING when the event or workshop is
    full."""
    now = now or timezone.now()
    event, registration, session = _lock(registration)
    if registration.status != Status.PENDING:
        return registration  # a second click changes nothing
    if pending_expired(registration, now):
        raise ValidationError(_("This confirmation link has expired. Please register again."))
    if not event.registration_open():
        raise ValidationError(_("Registration for this event has closed."))
    _place(registration, event, session, now)
    registration.save(update_fields=["status", "confirmed_at", "waiting_since"])
    _mail(registration, "confirmed" if registration.status == Status.CONFIRMED else "waiting")
    logger.info("guest registration %s %s", registration.pk, registration.status)
    return registration


@transaction.atomic
def change_session(*, registration: GuestRegistration, session: EventSession | None, now=None):
    """The guest chooses another workshop (the same seat rules): refused when the new one is full."""
    now = now or timezone.now()
    if session is not None and session.event_id != registration.event_id:
        raise ValidationError(_("Please choose one of this event's workshops."))
    # The event, the registration (re-read: its current workshop is the one given back) and that workshop,
    # then the new one (the event's lock, taken first on every path, keeps this free of deadlocks).
    event, registration, _old = _lock(registration)
    old_session_id = registration.session_id
    new_session = None
    if session is not None:
        new_session = EventSession.objects.select_for_update().get(pk=session.pk)
    if registration.status not in (Status.CONFIRMED, Status.WAITING, Status.PENDING):
        raise ValidationError(_("This registration was cancelled."))
    if not event.registration_open():
        raise ValidationError(_("Registration for this event has closed; the workshop cannot be changed."))
    if registration.session_id == getattr(session, "pk", None):
        return registration
    if registration.status == Status.CONFIRMED and new_session is not None:
        if not has_free_seat(None, new_session):
            raise ValidationError(_("This workshop is fully booked. Your registration is unchanged."))
    registration.session = new_session
    was_waiting = registration.status == Status.WAITING
    if was_waiting:
        _place(registration, event, new_session, now)  # the other workshop may have a seat
    registration.save(update_fields=["session", "status", "confirmed_at", "waiting_since"])
    if was_waiting and registration.status == Status.CONFIRMED:
        _mail(registration, "moved_up")
    if registration.status == Status.CONFIRMED and old_session_id and not was_waiting:
        move_up(event=event, session_id=old_session_id, now=now)
    return registration


@transaction.atomic
def cancel_guest(*, registration: GuestRegistration, now=None) -> GuestRegistration:
    """The guest cancels: the seat is freed and the first on the waiting list moves up."""
    now = now or timezone.now()
    event, registration, _session = _lock(registration)
    if registration.status == Status.CANCELLED:
        return registration
    held_seat = registration.status == Status.CONFIRMED
    registration.status, registration.cancelled_at = Status.CANCELLED, now
    registration.save(update_fields=["status", "cancelled_at"])
    _mail(registration, "cancelled")
    if held_seat:
        move_up(event=event, session_id=registration.session_id, now=now)
    logger.info("guest registration %s cancelled", registration.pk)
    return registration


def move_up(*, event: Event, session_id: int | None = None, now=None) -> list[GuestRegistration]:
    """Give free seats to the waiting list in order (the caller holds the event lock, inside its
    transaction). A guest waiting for a full workshop moves up only when that workshop has a seat."""
    now = now or timezone.now()
    if now >= event.starts_at:
        # Once the event runs, nobody is moved up: a guest would get the e-mail when it is too late to
        # come, and the door's list would change under the check-in.
        return []
    moved = []
    waiting = (
        GuestRegistration.objects.select_for_update()
        .filter(event=event, status=Status.WAITING)
        .order_by("waiting_since", "pk")
    )
    locked_sessions = {}
    for registration in waiting:
        if not has_free_seat(event, None):
            break
        session = None
        if registration.session_id:
            if registration.session_id not in locked_sessions:
                locked_sessions[registration.session_id] = EventSession.objects.select_for_update().get(
                    pk=registration.session_id
                )
            session = locked_sessions[registration.session_id]
            if not has_free_seat(None, session):
                continue
        registration.status, registration.confirmed_at = Status.CONFIRMED, now
        registration.save(update_fields=["status", "confirmed_at"])
        _mail(registration, "moved_up")
        logger.info("guest registration %s moved up from the waiting list", registration.pk)
        moved.append(registration)
    return moved
