"""The Lotse's events under /me/ (namespace "me"): upcoming events to register for or cancel, and the
trainings attended.

Every view answers 403 to a user without a Lotse profile, and every query is the Lotse's own rows
(``visible_to(user)`` narrowed to ``lotse=`` the user's profile).
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import services as event_services
from events.forms import WorkshopChoiceForm
from events.models import Attendance, Event
from portal.access import lotse_required


@lotse_required
def event_list(request):
    lotse = request.lotse
    own = Attendance.objects.filter(event=OuterRef("pk"), lotse=lotse)
    events = (
        Event.objects.visible_to(request.user)
        .upcoming()
        .select_related("region")
        .prefetch_related("sessions")
        .with_places_taken()
        .annotate(
            my_status=Subquery(own.values("status")[:1]),
            my_session_id=Subquery(own.values("session_id")[:1]),
        )
    )
    page = Paginator(events, 20).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for event in page.object_list:
        # The buttons offer what events.services.register / cancel will accept.
        event.can_register = (
            event.registration_open(today)
            and event.my_status not in Attendance.TAKES_A_PLACE
            and not event.is_full
        )
        event.can_cancel = event.my_status == Attendance.Status.REGISTERED and event.registration_open(today)
        workshops = list(event.sessions.all())  # prefetched: one query for the page
        event.workshops = workshops
        event.my_workshop = next((w for w in workshops if w.pk == event.my_session_id), None)
    attended = (
        Attendance.objects.visible_to(request.user)
        .attended_trainings()
        .filter(lotse=lotse)
        .select_related("event")
        .order_by("-event__starts_at")
    )
    attended = list(attended)
    return render(
        request,
        "events/me_event_list.html",
        {
            "page_obj": page,
            "events": page.object_list,
            "attended": attended,
            "attended_hours": sum((a.event.hours_credited for a in attended), start=Decimal("0")),
        },
    )


@lotse_required
@require_POST
def event_register(request, pk: int):
    event = get_object_or_404(Event.objects.visible_to(request.user), pk=pk)
    form = WorkshopChoiceForm(request.POST, event=event)
    if not form.is_valid():
        messages.error(request, _("Please choose one of this event's workshops."))
        return redirect("me:events")
    try:
        event_services.register(
            event=event,
            lotse=request.lotse,
            session=form.cleaned_data["session"],
            acting_user=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You are registered."))
    return redirect("me:events")


@lotse_required
@require_POST
def event_cancel(request, pk: int):
    event = get_object_or_404(Event.objects.visible_to(request.user), pk=pk)
    attendance = get_object_or_404(
        Attendance.objects.visible_to(request.user).filter(lotse=request.lotse), event=event
    )
    try:
        event_services.cancel(attendance=attendance, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your registration was cancelled."))
    return redirect("me:events")
