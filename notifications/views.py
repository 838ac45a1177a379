from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from notifications import services, tokens
from notifications.forms import ReminderSettingsForm
from notifications.models import Kind


def kinds_for(user) -> list[str]:
    """The reminders a user's roles can bring: Lotsen events and claims, coordinators the digest."""
    kinds = []
    if user.is_lotse:
        kinds += [Kind.EVENT, Kind.CLAIM_MONTH]
    if user.is_coordinator:
        kinds.append(Kind.DIGEST)
    return [Kind(kind).value for kind in Kind.values if kind in kinds]


@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    """/accounts/reminders/: the user's own reminder settings (nobody else's)."""
    kinds = kinds_for(request.user)
    current = services.settings_for(request.user)
    initial = {"language": current.language, **{kind: getattr(current, kind) for kind in kinds}}
    form = ReminderSettingsForm(request.POST or None, initial=initial, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        services.save_settings(acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("Your e-mail reminder settings are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form, "kinds": kinds})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """The link in a reminder e-mail, without login. GET only shows a button (mail scanners and link
    previews open links); the POST switches that kind of reminder off."""
    payload = tokens.read(token)
    if payload is None or not services.recipient_exists(payload):
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        services.unsubscribe(payload)
        return redirect("notifications:unsubscribe", token=token)
    context = {
        "kind_label": Kind(payload["k"]).label,
        "done": services.is_unsubscribed(payload),
        "is_guest": "g" in payload,
    }
    return render(request, "notifications/unsubscribe.html", context)
