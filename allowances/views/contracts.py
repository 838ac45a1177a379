"""Contracts of a Lotse: create, renew, end, upload the signed PDF, download it.

Writing is for the coordinators of the Lotse's region and programme staff. The signed PDF may be downloaded by
everyone who may see the contract, which includes the Lotse themself: it is their own agreement.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from allowances import rules
from allowances.forms.contracts import ContractDocumentForm, ContractForm, EndContractForm
from allowances.models import Contract
from allowances.services import contracts as services
from lotsen.models import Lotse
from portal.access import get_editable_or_403
from portal.forms import apply_service_errors
from portal.middleware import DOWNLOAD_CSP


def _warn_about_cap(request, contract: Contract) -> None:
    """Saved, but the contract alone passes a year's tax-free cap: said once, not blocking (the claims are
    checked against the cap when they are decided)."""
    if warning := rules.first_contract_cap_warning(contract):
        messages.warning(request, warning)


def contract_create(request, pk: int):
    lotse = get_editable_or_403(Lotse.objects.select_related("region"), request.user, pk=pk)
    form = ContractForm(request.POST if request.method == "POST" else None, lotse=lotse)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.create_contract(lotse=lotse, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The contract has been created."))
            _warn_about_cap(request, contract)
            return redirect("lotsen:detail", pk=lotse.pk)
    return render(request, "allowances/contract_form.html", {"form": form, "lotse": lotse, "renewing": None})


def contract_renew(request, pk: int):
    contract = get_editable_or_403(
        Contract.objects.select_related("lotse", "lotse__region"), request.user, pk=pk
    )
    form = ContractForm(
        request.POST if request.method == "POST" else None, lotse=contract.lotse, renewing=contract
    )
    if request.method == "POST" and form.is_valid():
        try:
            renewed = services.renew_contract(
                contract=contract, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The contract has been renewed; the previous one has ended."))
            _warn_about_cap(request, renewed)
            return redirect("lotsen:detail", pk=contract.lotse_id)
    return render(
        request,
        "allowances/contract_form.html",
        {"form": form, "lotse": contract.lotse, "renewing": contract},
    )


def contract_end(request, pk: int):
    contract = get_editable_or_403(Contract.objects.select_related("lotse"), request.user, pk=pk)
    form = EndContractForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_contract(
                contract=contract, ended_on=form.cleaned_data["ended_on"], acting_user=request.user
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The contract has been ended."))
            return redirect("lotsen:detail", pk=contract.lotse_id)
    return render(
        request, "allowances/contract_end.html", {"form": form, "contract": contract, "lotse": contract.lotse}
    )


def contract_upload(request, pk: int):
    contract = get_editable_or_403(Contract.objects.select_related("lotse"), request.user, pk=pk)
    form = ContractDocumentForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attach_signed_document(
                contract=contract, document=form.cleaned_data["document"], acting_user=request.user
            )
        except ValidationError as error:  # e.g. one's own contract
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The signed contract has been uploaded."))
            return redirect("lotsen:detail", pk=contract.lotse_id)
    return render(
        request,
        "allowances/contract_upload.html",
        {
            "form": form,
            "contract": contract,
            "lotse": contract.lotse,
            "max_bytes": settings.MAX_CONTRACT_UPLOAD_BYTES,
        },
    )


@never_cache
def contract_document(request, pk: int):
    """Stream the signed PDF to those who may see the contract, the Lotse included, as a download."""
    contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=pk)
    if not contract.signed_document:
        raise Http404
    try:
        handle = contract.signed_document.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # A neutral name: the stored name is random and the person's name stays out of downloads folders.
    response = FileResponse(
        handle, as_attachment=True, filename=f"contract-{contract.pk}.pdf", content_type="application/pdf"
    )
    # As every download (portal.middleware.PrivateResponseMiddleware), said here too: this file was uploaded.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response
