"""Public events and guests, without login: the list of public events, an event's page with the
registration form, the double opt-in and the guest's personal page (reached by the secret token alone).

Reads go through events.guests (public events, a registration by token): guests have no user to scope by.
Nothing personal is logged.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import guests
from events.forms import GuestRegistrationForm, GuestSessionForm
from events.services import seats_taken
from portal.net import rate_limit_source


def _public_event(pk: int):
    return get_object_or_404(guests.public_events().select_related("region"), pk=pk)


def _places_left(event) -> int | None:
    return None if event.capacity is None else max(event.capacity - seats_taken(event), 0)


def _render_detail(request, event, form, status=200):
    return render(
        request,
        "events/public_detail.html",
        {
            "event": event,
            "form": form,
            "sessions": guests.sessions_with_places(event),
            "places_left": _places_left(event),
            "registration_open": event.registration_open(),
        },
        status=status,
    )


@login_not_required
def public_list(request):
    events = list(guests.upcoming_public_events()[:100])
    return render(request, "events/public_list.html", {"events": events})


@login_not_required
def public_detail(request, pk: int):
    event = _public_event(pk)
    return _render_detail(request, event, GuestRegistrationForm(event=event))


@login_not_required
def public_privacy(request):
    from django.conf import settings

    return render(request, "events/public_privacy.html", {"retention_days": settings.GUEST_RETENTION_DAYS})


@login_not_required
@require_POST
def public_register(request, pk: int):
    event = _public_event(pk)
    form = GuestRegistrationForm(request.POST, event=event)
    if form.is_spam:
        # The honeypot was filled in: answer like a success and store nothing.
        return redirect("events:public_registered", pk=event.pk)
    if guests.rate_limited(source=rate_limit_source(request), email=request.POST.get("email", "")[:254]):
        response = render(request, "429.html", status=429)
        response["Retry-After"] = "3600"
        return response
    if not event.registration_open():
        form.add_error(None, _("Registration for this event has closed."))
        return _render_detail(request, event, form)
    if not form.is_valid():
        return _render_detail(request, event, form)
    try:
        guests.register_guest(
            event=event, data=form.cleaned_data, language=translation.get_language() or "de"
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_detail(request, event, form)
    # The same page whether or not the address was registered before (nothing to learn from it).
    return redirect("events:public_registered", pk=event.pk)


@login_not_required
def public_registered(request, pk: int):
    """ "Please confirm with the link we sent": after every registration, new, known address or honeypot."""
    return render(request, "events/public_registered.html", {"event": _public_event(pk)})


def _registration(token: str):
    registration = guests.registration_for_token(token)
    if registration is None or not registration.event.is_public:
        raise Http404
    return registration


@login_not_required
def guest_confirm(request, token: str):
    """GET shows a button (link checkers and prefetchers must not confirm); POST confirms."""
    registration = _registration(token)
    expired = guests.pending_expired(registration)
    if request.method == "POST" and registration.status == registration.Status.PENDING:
        try:
            guests.confirm_guest(registration=registration)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("events:guest_manage", token=token)
    if registration.status != registration.Status.PENDING:
        return redirect("events:guest_manage", token=token)
    return render(
        request,
        "events/guest_confirm.html",
        {"registration": registration, "event": registration.event, "expired": expired},
    )


@login_not_required
def guest_manage(request, token: str):
    registration = _registration(token)
    confirmed = registration.status == registration.Status.CONFIRMED
    return render(
        request,
        "events/guest_manage.html",
        {
            "registration": registration,
            "event": registration.event,
            "session_form": GuestSessionForm(
                initial={"session": registration.session_id}, event=registration.event
            ),
            "sessions": guests.sessions_with_places(registration.event),
            "qr": guests.qr_data_uri(registration) if confirmed else "",
            "checkin_url": guests.checkin_url(registration) if confirmed else "",
            "can_change": registration.status != registration.Status.CANCELLED
            and registration.event.registration_open(),
        },
    )


@login_not_required
@require_POST
def guest_change(request, token: str):
    registration = _registration(token)
    form = GuestSessionForm(request.POST, event=registration.event)
    if not form.is_valid():
        messages.error(request, _("Please choose one of this event's workshops."))
        return redirect("events:guest_manage", token=token)
    try:
        guests.change_session(registration=registration, session=form.cleaned_data["session"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your workshop was changed."))
    return redirect("events:guest_manage", token=token)


@login_not_required
@require_POST
def guest_cancel(request, token: str):
    registration = _registration(token)
    guests.cancel_guest(registration=registration)
    messages.success(request, _("Your registration was cancelled."))
    return redirect("events:guest_manage", token=token)


@login_not_required
def guest_ics(request, token: str):
    registration = _registration(token)
    if registration.status != registration.Status.CONFIRMED:
        raise Http404
    response = HttpResponse(guests.ics_for(registration), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="event.ics"'
    return response
