"""Events: the list and detail every logged-in user sees (scoped), and the coordinators' screens to plan
events, register Lotsen and take attendance. Writes go through events.services (row locks on the event)."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from events import services
from events.filters import EventFilter
from events.forms import (
    AttendanceStatusForm,
    EventForm,
    RegisterLotsenForm,
    SessionFormSet,
    WalkInForm,
    WalkInSearchForm,
)
from events.models import Attendance, Event
from events.selectors import attendances_with_training_hours
from portal.access import coordinators_only, get_editable_or_403, works_in_coordination
from portal.filters import search_words

logger = logging.getLogger(__name__)
PAGE_SIZE = 25
#: The buttons on the attendance list, one tap each.
ATTENDANCE_CHOICES = [Attendance.Status.ATTENDED, Attendance.Status.EXCUSED, Attendance.Status.ABSENT]
#: results of the walk-in search: enough for a common first name, short enough for a phone
WALK_IN_RESULTS = 10


def _events():
    return Event.objects.select_related("region").with_places_taken()


def _visible_event(request, pk):
    return get_object_or_404(_events().visible_to(request.user), pk=pk)


# -- list and detail (everyone, scoped) ----------------------------------------------------------
def event_list(request):
    event_filter = EventFilter(request.GET, queryset=_events().visible_to(request.user), request=request)
    page = Paginator(event_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "events/event_list.html",
        {
            "filter": event_filter,
            "page_obj": page,
            "events": page.object_list,
            "can_create": works_in_coordination(request.user),
            "filtered": any(value for key, value in request.GET.items() if key not in ("page", "o")),
        },
    )


def _registrations(request, event):
    return (
        attendances_with_training_hours(Attendance.objects.visible_to(request.user).filter(event=event))
        .select_related("lotse", "session")
        .order_by("lotse__last_name", "lotse__first_name", "pk")
    )


def _render_detail(request, event, register_form=None):
    manages = works_in_coordination(request.user)
    context = {
        "event": event,
        "manages": manages,
        "can_edit": Event.objects.editable_by(request.user).filter(pk=event.pk).exists(),
        "registrations": _registrations(request, event) if manages else [],
        "register_form": register_form,
    }
    if manages and register_form is None:
        context["register_form"] = RegisterLotsenForm(event=event, user=request.user)
    return render(request, "events/event_detail.html", context)


def event_detail(request, pk: int):
    return _render_detail(request, _visible_event(request, pk))


# -- plan events ----------------------------------------------------------------------------------
def _session_formset(request, event):
    """The event's workshops; a POST without them (an older form, a script) leaves them unchanged."""
    posted = request.method == "POST" and any(key.startswith("sessions-") for key in request.POST)
    return SessionFormSet(request.POST if posted else None, instance=event, prefix="sessions")


def _valid(form, formset) -> bool:
    form_valid = form.is_valid()  # both validated, so all errors show at once
    return (formset.is_valid() if formset.is_bound else True) and form_valid


def _save_event_form(request, form, formset, *, created: bool):
    event = services.save_event(
        form=form, sessions_formset=formset, acting_user=request.user, created=created
    )
    logger.info("event %s %s by user %s", event.pk, "created" if created else "changed", request.user.pk)
    return event


@coordinators_only
def event_create(request):
    form = EventForm(request.POST or None, user=request.user)
    formset = _session_formset(request, Event())
    if request.method == "POST" and _valid(form, formset):
        event = _save_event_form(request, form, formset, created=True)
        messages.success(request, _("The event “%(title)s” was created.") % {"title": event.title})
        return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form, "formset": formset, "event": None})


@coordinators_only
def event_edit(request, pk: int):
    # 403 e.g. for a programme-wide event, which a coordinator sees but may not change.
    event = get_editable_or_403(_events(), request.user, pk=pk)
    form = EventForm(request.POST or None, instance=event, user=request.user)
    formset = _session_formset(request, event)
    if request.method == "POST" and _valid(form, formset):
        _save_event_form(request, form, formset, created=False)
        messages.success(request, _("The event “%(title)s” was saved.") % {"title": event.title})
        return redirect("events:detail", pk=event.pk)
    return render(request, "events/event_form.html", {"form": form, "formset": formset, "event": event})


# -- registrations --------------------------------------------------------------------------------
@require_POST
@coordinators_only
def event_register(request, pk: int):
    event = _visible_event(request, pk)
    form = RegisterLotsenForm(request.POST, event=event, user=request.user)
    if form.is_valid():
        try:
            registered = services.register_many(
                event=event,
                lotsen=form.cleaned_data["lotsen"],
                session=form.cleaned_data.get("session"),
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            logger.info(
                "user %s registered %s Lotsen for event %s", request.user.pk, len(registered), event.pk
            )
            messages.success(
                request,
                ngettext(
                    "%(count)s Lotse registered: %(names)s.",
                    "%(count)s Lotsen registered: %(names)s.",
                    len(registered),
                )
                % {"count": len(registered), "names": ", ".join(a.lotse.full_name for a in registered)},
            )
            return redirect("events:detail", pk=event.pk)
    return _render_detail(request, event, register_form=form)


# -- attendance -----------------------------------------------------------------------------------
def _attendance_rows(request, event):
    return (
        attendances_with_training_hours(Attendance.objects.editable_by(request.user).filter(event=event))
        .select_related("lotse")
        .order_by("lotse__last_name", "lotse__first_name", "pk")
    )


@coordinators_only
def event_attendance(request, pk: int):
    """The attendance list with one tap per person, "all present", and a name search to add a walk-in."""
    event = _visible_event(request, pk)
    search = WalkInSearchForm(request.GET)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    # After the day (services.on_the_day_closed) the page says so instead of offering walk-ins, all present
    closed = services.on_the_day_closed_message(event) if services.on_the_day_closed(event) else ""
    walk_ins = []
    if q and not closed:
        candidates = services.walk_in_candidates(event=event, acting_user=request.user)
        walk_ins = search_words(candidates, ("first_name", "last_name"), q).order_by(
            "last_name", "first_name", "pk"
        )[:WALK_IN_RESULTS]
    return render(
        request,
        "events/event_attendance.html",
        {
            "event": event,
            "attendances": _attendance_rows(request, event),
            "choices": ATTENDANCE_CHOICES,
            "row_error": None,
            "search": search,
            "q": q,
            "walk_ins": walk_ins,
            "open_count": 0 if closed else services.still_open(event=event, acting_user=request.user).count(),
            "on_the_day_closed": closed,
        },
    )


def _back_to_attendance(event_id: int, q: str = ""):
    url = reverse("events:attendance", kwargs={"pk": event_id})
    return redirect(f"{url}?{urlencode({'q': q})}" if q else url)


@require_POST
@coordinators_only
def attendance_walk_in(request, pk: int):
    """Add a Lotse found by the name search as attended (registering them if they were not)."""
    event = _visible_event(request, pk)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose whom to add."))
        return _back_to_attendance(event.pk)
    lotse = get_object_or_404(
        services.walk_in_candidates(event=event, acting_user=request.user), pk=form.cleaned_data["lotse"]
    )
    try:
        attendance = services.add_walk_in(event=event, lotse=lotse, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_to_attendance(event.pk, form.cleaned_data["q"])
    logger.info("walk-in attendance %s added by user %s", attendance.pk, request.user.pk)
    messages.success(request, _("%(lotse)s was added as attended.") % {"lotse": lotse.full_name})
    url = reverse("events:attendance", kwargs={"pk": event.pk})
    return redirect(f"{url}#attendance-{attendance.pk}")


@require_POST
@coordinators_only
def attendance_all_present(request, pk: int):
    """Mark everyone without a recorded attendance as attended (excused and absent stay)."""
    event = _visible_event(request, pk)
    try:
        changed = services.mark_all_present(event=event, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        logger.info("user %s marked %s attendances of event %s", request.user.pk, len(changed), event.pk)
        if changed:
            messages.success(
                request,
                ngettext(
                    "%(count)s Lotse marked as attended.",
                    "%(count)s Lotsen marked as attended.",
                    len(changed),
                )
                % {"count": len(changed)},
            )
        else:
            messages.info(request, _("Everyone's attendance was recorded already."))
    return _back_to_attendance(event.pk)


@require_POST
@coordinators_only
def attendance_set(request, pk: int):
    attendance = get_object_or_404(Attendance.objects.visible_to(request.user), pk=pk)
    form = AttendanceStatusForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("Please choose attended, excused or absent.")
    else:
        try:
            services.set_attendance(
                attendance=attendance, status=form.cleaned_data["status"], acting_user=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            logger.info("attendance %s set by user %s", attendance.pk, request.user.pk)
    if request.htmx:
        # Answer with the one row, re-read with the Lotse's new training hours; errors shown in the row.
        event = _visible_event(request, attendance.event_id)
        row = _attendance_rows(request, event).get(pk=attendance.pk)
        return render(
            request,
            "events/event_attendance.html#row",
            {"event": event, "attendance": row, "choices": ATTENDANCE_CHOICES, "row_error": error},
        )
    if error:
        messages.error(request, error)
    else:
        attendance.refresh_from_db(fields=["status"])
        messages.success(
            request,
            _("%(lotse)s: %(status)s.")
            % {"lotse": attendance.lotse.full_name, "status": attendance.get_status_display()},
        )
    url = reverse("events:attendance", kwargs={"pk": attendance.event_id})
    return redirect(f"{url}#attendance-{attendance.pk}")


@require_POST
@coordinators_only
def registration_remove(request, pk: int):
    """A coordinator takes a Lotse off an event (also after the deadline), unless attendance was recorded."""
    attendance = get_object_or_404(Attendance.objects.visible_to(request.user).select_related("lotse"), pk=pk)
    try:
        services.cancel(attendance=attendance, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        logger.info("registration %s removed by user %s", pk, request.user.pk)
        messages.success(
            request, _("%(lotse)s is no longer registered.") % {"lotse": attendance.lotse.full_name}
        )
    return redirect(reverse("events:detail", kwargs={"pk": attendance.event_id}) + "#registrations")
