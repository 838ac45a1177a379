"""Data-subject rights in the portal: a Lotse's copy of their data, staff's copy for a Lotse, anonymising."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.reauth import is_fresh, require_fresh_login
from audit.services import Action, record
from lotsen.models import Lotse
from portal.access import lotse_required
from privacy import services
from privacy.exports import subject_data_zip
from privacy.forms import AnonymiseForm
from privacy.selectors import SECTIONS, subject_data


def _zip_response(request, lotse: Lotse, *, own: bool) -> HttpResponse:
    data = subject_data(lotse=lotse, viewer=request.user, include_iban=own and is_fresh(request))
    content = subject_data_zip(data)
    record(
        Action.DATA_REQUEST,
        actor=request.user,
        target=lotse,
        by="self" if own else "staff",
        format="zip",
        sections=list(SECTIONS),
    )
    response = HttpResponse(content, content_type="application/zip")
    name = f"lotsenportal-daten-{lotse.pk}-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@lotse_required
def my_data(request):
    """The Lotse's own copy (GDPR Art. 15/20), bank details included: it needs a fresh login."""
    require_fresh_login(request)
    return _zip_response(request, request.lotse, own=True)


def _lotse_for_staff(request, pk: int) -> Lotse:
    """Programme staff only: others who may see the record get 403, the rest 404."""
    lotse = get_object_or_404(Lotse.objects.visible_to(request.user), pk=pk)
    if not request.user.sees_everything:
        raise PermissionDenied
    return lotse


def lotse_data(request, pk: int):
    """Programme staff produce a Lotse's copy (e.g. for a request by post); bank details stay masked."""
    lotse = _lotse_for_staff(request, pk)
    require_fresh_login(request)
    return _zip_response(request, lotse, own=False)


@require_http_methods(["GET", "POST"])
def anonymise(request, pk: int):
    """Anonymise a Lotse who has left (GDPR Art. 17), after a confirmation with the name typed."""
    lotse = _lotse_for_staff(request, pk)
    refused = services.anonymisation_refused(lotse, timezone.localdate())
    form = AnonymiseForm(request.POST if request.method == "POST" else None, lotse=lotse)
    if request.method == "POST" and refused is None and form.is_valid():
        try:
            services.anonymise_lotse(lotse=lotse, acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The Lotse's personal data have been removed."))
            return redirect("lotsen:detail", pk=lotse.pk)
    return render(request, "privacy/anonymise.html", {"lotse": lotse, "form": form, "refused": refused})
