"""Name badges: one PDF for the chosen participants of an event, 8 badges (105 × 74 mm) per A4 page,
rendered by the worker (events.tasks.render_badges) with WeasyPrint and the bundled fonts only.

Life of a batch: pending → rendering → done (or failed). The request stores only ids of the participants
(chosen through the user's scope); the worker renders them page by page, counting ``done`` for the
progress page, and writes the file under a random name in one step. Rerunning a finished batch does
nothing; rerunning one a dead worker left half-way renders it again from the start.
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import get_template
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from events.models import Attendance, BadgeBatch, Event, GuestRegistration
from events.participants import GUEST, Participant
from portal.access import require_editable
from portal.queue import QueueUnavailable

logger = logging.getLogger(__name__)

PER_PAGE = 8
_FONT_FACES = (
    ("Badge Sans", "normal", "NotoSans-Regular.ttf"),
    ("Badge Sans", "bold", "NotoSans-Bold.ttf"),
    ("Badge Arabic", "normal", "NotoNaskhArabic-Regular.ttf"),
    ("Badge Arabic", "bold", "NotoNaskhArabic-Bold.ttf"),
)


@transaction.atomic
def request_badges(*, event: Event, participants: list[Participant], acting_user) -> BadgeBatch:
    """Create the batch for these participants (those holding a place) and hand it to the worker once
    committed. QueueUnavailable (after the batch is marked failed) if the broker refuses."""
    require_editable(event, acting_user)
    chosen = [row for row in participants if row.takes_a_place]
    batch = BadgeBatch.objects.create(
        event=event,
        requested_by=acting_user,
        guest_ids=[row.pk for row in chosen if row.kind == GUEST],
        attendance_ids=[row.pk for row in chosen if row.kind != GUEST],
        total=len(chosen),
    )

    def publish():
        from events.tasks import render_badges

        try:
            render_badges.apply_async(args=[batch.pk])
        except BrokerError as exc:
            BadgeBatch.objects.filter(pk=batch.pk).update(status=BadgeBatch.Status.FAILED)
            logger.warning("Badge queue unavailable: %s", exc)
            raise QueueUnavailable from exc

    transaction.on_commit(publish)
    return batch


def _badges(batch: BadgeBatch) -> list[dict]:
    """Name, organisation and workshop of each badge, sorted by name (two queries). Runs in the worker,
    without a user: the ids were chosen in the scoped request, the event narrows them again."""
    guests = GuestRegistration.objects.filter(
        event_id=batch.event_id, pk__in=batch.guest_ids, status__in=GuestRegistration.TAKES_A_PLACE
    ).select_related("session")
    lotsen = Attendance.objects.filter(
        event_id=batch.event_id, pk__in=batch.attendance_ids, status__in=Attendance.TAKES_A_PLACE
    ).select_related("lotse__region", "session")
    badges = [{"name": g.name, "organisation": g.organisation, "workshop": g.session} for g in guests] + [
        {
            "name": a.lotse.full_name,
            "organisation": _("Lotse · %(region)s") % {"region": a.lotse.region.name},
            "workshop": a.session,
        }
        for a in lotsen
    ]
    return sorted(badges, key=lambda badge: badge["name"].casefold())


def render_pdf(event: Event, badges: list[dict], progress=None) -> bytes:
    """The badges as one PDF, laid out page by page (``progress(done)`` after each page)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from portal.pdf import FONTS_DIR, local_only_fetcher

    font_config = FontConfiguration()
    faces = "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: url("{(FONTS_DIR / name).as_uri()}"); }}'
        for family, weight, name in _FONT_FACES
    )
    fonts = CSS(string=faces, font_config=font_config, url_fetcher=local_only_fetcher())
    template = get_template("events/badges.html")
    documents = []
    for start in range(0, max(len(badges), 1), PER_PAGE):
        page = badges[start : start + PER_PAGE]
        html = template.render({"event": event, "badges": page})
        documents.append(
            HTML(string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=local_only_fetcher()).render(
                stylesheets=[fonts], font_config=font_config
            )
        )
        if progress is not None:
            progress(start + len(page))
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def render_batch(batch_id: int) -> str:
    """The worker's part. Idempotent: a batch already done or failed is left alone."""
    with transaction.atomic():
        batch = (
            BadgeBatch.objects.select_for_update(skip_locked=True)
            .select_related("event")
            .filter(pk=batch_id, status__in=[BadgeBatch.Status.PENDING, BadgeBatch.Status.RENDERING])
            .first()
        )
        if batch is None:
            return "skipped"
        BadgeBatch.objects.filter(pk=batch.pk).update(status=BadgeBatch.Status.RENDERING, done=0)
    badges = _badges(batch)

    def progress(done: int) -> None:
        BadgeBatch.objects.filter(pk=batch.pk).update(done=min(done, len(badges)))

    try:
        pdf = render_pdf(batch.event, badges, progress)
    except Exception:
        logger.exception("Rendering name badge batch %s failed", batch.pk)
        BadgeBatch.objects.filter(pk=batch.pk).update(status=BadgeBatch.Status.FAILED)
        return "failed"
    batch.file.save("badges.pdf", ContentFile(pdf), save=False)
    BadgeBatch.objects.filter(pk=batch.pk).update(
        file=batch.file.name, status=BadgeBatch.Status.DONE, done=len(badges), total=len(badges)
    )
    return "done"
