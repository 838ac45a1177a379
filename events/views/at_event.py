"""At the event (issue #13): the participant list with its exports, name badges and the check-in at the
door. Everything here is for those who may edit the event (its region's coordinators, programme staff;
programme-wide events: staff); writes go through events.checkin and events.badges."""

import io
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import record_export
from events import badges as badge_services
from events import checkin as checkin_services
from events.filters import ParticipantFilter
from events.forms import CheckinForm, CheckinSearchForm
from events.models import BadgeBatch, Event, GuestRegistration
from events.participants import checkin_counts, guests_of, lotsen_of, participants
from portal.access import coordinators_only, get_editable_or_403
from portal.exports import excel_csv, spreadsheet_text
from portal.queue import QueueUnavailable

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
#: results of the name search at the door: enough for a common first name, short enough for a phone
CHECKIN_RESULTS = 20
#: the check-in page may use the camera (the QR scanner of static/js/checkin-scan.js); every other page not
CHECKIN_PERMISSIONS = ", ".join(
    f"{feature}=({'self' if feature == 'camera' else ' '.join(origins)})"
    for feature, origins in settings.PERMISSIONS_POLICY.items()
)


def checkin_url_prefix() -> str:
    return f"{settings.SITE_URL}{reverse('events:checkin_scan', args=['x'])[:-2]}"


def _editable_event(request, pk: int) -> Event:
    # 404 for an event the user does not see, 403 for one they see but may not edit (programme-wide).
    return get_editable_or_403(Event.objects.select_related("region"), request.user, pk=pk)


def _filtered(request, event):
    participant_filter = ParticipantFilter(request.GET or None, event=event, request=request)
    return participant_filter, participants(event, request.user, participant_filter.values)


# -- the participant list and its exports ----------------------------------------------------------
@coordinators_only
def participant_list(request, pk: int):
    event = _editable_event(request, pk)
    participant_filter, rows = _filtered(request, event)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/participant_list.html",
        {
            "event": event,
            "filter": participant_filter,
            "page_obj": page,
            "participants": page.object_list,
            "query": query.urlencode(),
            "counts": checkin_counts(event, request.user),
            "batches": BadgeBatch.objects.visible_to(request.user).filter(event=event)[:3],
        },
    )


EXPORT_HEADERS = [
    "Name",
    "Organisation / Region",
    "Art der Einrichtung",
    "Workshop",
    "Status",
    "Eingecheckt",
    "Barrierefreiheit / Ernährung",
]


def _export_rows(request, event, file_format: str) -> list[list]:
    """The rows of an export (German, like every export's headers), recorded in the audit trail."""
    _filter, rows = _filtered(request, event)
    record_export(
        actor=request.user,
        export="event_participants",
        file_format=file_format,
        rows=len(rows),
        region_ids={event.region_id},
    )
    logger.info(
        "user %s exported %s participants of event %s (%s)", request.user.pk, len(rows), event.pk, file_format
    )
    return [
        [
            spreadsheet_text(row.name),
            spreadsheet_text(row.organisation),
            row.institution_label,
            spreadsheet_text(str(row.workshop)) if row.workshop else "",
            row.status_label,
            "ja" if row.checked_in else "nein",
            spreadsheet_text(row.needs),
        ]
        for row in rows
    ]


def _filename(event: Event, extension: str) -> str:
    # No personal data and no free text in the name: the event's id and today's date.
    return f"teilnehmende-{event.pk}-{timezone.localdate():%Y-%m-%d}.{extension}"


@coordinators_only
def participants_csv(request, pk: int):
    event = _editable_event(request, pk)
    response = HttpResponse(
        excel_csv(EXPORT_HEADERS, _export_rows(request, event, "csv")), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(event, "csv")}"'
    return response


@coordinators_only
def participants_xlsx(request, pk: int):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    event = _editable_event(request, pk)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Teilnehmende"
    sheet.append(EXPORT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _export_rows(request, event, "xlsx"):
        sheet.append(row)
    for letter, width in zip("ABCDEFG", (28, 34, 30, 40, 26, 12, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(event, "xlsx")}"'
    return response


# -- name badges ---------------------------------------------------------------------------------------
@require_POST
@coordinators_only
def badges_create(request, pk: int):
    """Name badges for the participants the list's filters (sent along in the query) show."""
    event = _editable_event(request, pk)
    _filter, rows = _filtered(request, event)
    try:
        batch = badge_services.request_badges(event=event, participants=rows, acting_user=request.user)
    except QueueUnavailable:
        messages.error(
            request, _("The PDF service is not reachable right now. Please try again in a few minutes.")
        )
        return redirect("events:participants", pk=event.pk)
    logger.info("user %s requested badge batch %s for event %s", request.user.pk, batch.pk, event.pk)
    return redirect("events:badge_batch", pk=batch.pk)


def _visible_batch(request, pk: int) -> BadgeBatch:
    return get_object_or_404(BadgeBatch.objects.visible_to(request.user).select_related("event"), pk=pk)


@coordinators_only
def badge_batch(request, pk: int):
    """Progress of the badge PDF; htmx polls the #progress partial until it is ready."""
    batch = _visible_batch(request, pk)
    template = "events/badge_batch.html#progress" if request.htmx else "events/badge_batch.html"
    return render(request, template, {"batch": batch, "event": batch.event})


@coordinators_only
def badge_download(request, pk: int):
    batch = _visible_batch(request, pk)
    if batch.status != BadgeBatch.Status.DONE or not batch.file:
        raise Http404
    try:
        handle = batch.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"namensschilder-{batch.event_id}-{batch.pk}.pdf",
        content_type="application/pdf",
    )


# -- check-in at the door ------------------------------------------------------------------------------
def _check_in(request, *, guest=None, attendance=None) -> None:
    """Check one person in and say so (a message); errors become messages too."""
    try:
        if guest is not None:
            checkin_services.check_in_guest(registration=guest, acting_user=request.user)
            name = guest.name
        else:
            checkin_services.check_in_lotse(attendance=attendance, acting_user=request.user)
            name = attendance.lotse.full_name
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        logger.info(
            "user %s checked in %s",
            request.user.pk,
            f"guest {guest.pk}" if guest else f"attendance {attendance.pk}",
        )
        messages.success(request, _("%(name)s is checked in.") % {"name": name})


@coordinators_only
def checkin(request, pk: int):
    """The door: a name search with a big "Check in" button per person, and the counter."""
    event = _editable_event(request, pk)
    if request.method == "POST":
        form = CheckinForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please choose whom to check in."))
            return redirect("events:checkin", pk=event.pk)
        if guest_pk := form.cleaned_data["guest"]:
            _check_in(request, guest=get_object_or_404(guests_of(event, request.user), pk=guest_pk))
        else:
            attendance = get_object_or_404(lotsen_of(event, request.user), pk=form.cleaned_data["lotse"])
            _check_in(request, attendance=attendance)
        q = form.cleaned_data["q"]
        url = reverse("events:checkin", kwargs={"pk": event.pk})
        return redirect(f"{url}?{urlencode({'q': q})}" if q else url)
    search = CheckinSearchForm(request.GET)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    results = participants(event, request.user, {"q": q})[:CHECKIN_RESULTS] if q else []
    context = {
        "event": event,
        "q": q,
        "search_errors": search.errors.get("q", []),
        "results": results,
        "counts": checkin_counts(event, request.user),
        # what a guest's QR code starts with (events.guests.checkin_url); the scanner opens nothing else
        "checkin_prefix": checkin_url_prefix(),
    }
    if request.htmx:
        return render(request, "events/checkin.html#results", context)
    response = render(request, "events/checkin.html", context)
    response["Permissions-Policy"] = CHECKIN_PERMISSIONS
    return response


def checkin_scan(request, token: str):
    """What the guest's QR code opens: the guest with a "Check in" button, for those who may edit the event's
    guests; anyone else 404 (also a Lotse, and another region's coordinator). GET never changes anything."""
    guest = get_object_or_404(
        GuestRegistration.objects.editable_by(request.user).select_related("event", "session"),
        checkin_token=token[:64],
    )
    if request.method == "POST":
        _check_in(request, guest=guest)
        return redirect("events:checkin_scan", token=guest.checkin_token)
    guest.refresh_from_db(fields=["checked_in_at", "status"])
    return render(request, "events/checkin_scan.html", {"guest": guest, "event": guest.event})
