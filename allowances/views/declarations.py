"""The self-declarations: the year's list, record one, correct one, download its PDF.

For coordinators (their regions) and programme staff; Lotsen get 403, another region's declaration is a 404.
Nobody records or corrects their own (allowances.services.claims, forbid_self). The PDF is stored and
served like the signed contract: a generated name, a neutral download name, a sandbox CSP.
"""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from allowances.filters import SelfDeclarationFilter
from allowances.forms.declarations import CorrectSelfDeclarationForm, SelfDeclarationForm
from allowances.models import SelfDeclaration
from allowances.selectors import lotsen_with_declaration
from allowances.services import claims as services
from allowances.views.claims import queue_url_from_next
from lotsen.models import Lotse
from portal.access import coordinators_only, get_editable_or_403
from portal.forms import apply_service_errors
from portal.middleware import DOWNLOAD_CSP

logger = logging.getLogger(__name__)
PAGE_SIZE = 50


def _list_url(year: int) -> str:
    return f"{reverse('claims:self_declarations')}?year={year}"


@coordinators_only
def self_declaration_list(request):
    """Every Lotse with a contract in the year, with or without the year's declaration."""
    this_year = timezone.localdate().year
    declaration_filter = SelfDeclarationFilter(
        request.GET or None, queryset=Lotse.objects.none(), request=request
    )
    year = declaration_filter.chosen_year(default=this_year)
    declaration_filter.queryset = lotsen_with_declaration(Lotse.objects.visible_to(request.user), year)
    page = Paginator(declaration_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "allowances/declarations/declaration_list.html",
        {
            "filter": declaration_filter,
            "year": year,
            "page_obj": page,
            "lotsen": page.object_list,
            "current_url": request.get_full_path(),
        },
    )


@coordinators_only
def self_declaration_create(request):
    if request.method == "POST":
        form = SelfDeclarationForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                declaration = services.record_self_declaration(
                    lotse=form.cleaned_data["lotse"],
                    year=form.cleaned_data["year"],
                    received_on=form.cleaned_data["received_on"],
                    document=form.cleaned_data["document"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                logger.info("self-declaration %s recorded by user %s", declaration.pk, request.user.pk)
                messages.success(
                    request,
                    _("The self-declaration of %(lotse)s for %(year)s is on file.")
                    % {"lotse": declaration.lotse.full_name, "year": declaration.year},
                )
                return redirect(queue_url_from_next(request) or _list_url(declaration.year))
    else:
        initial = {"year": timezone.localdate().year, "received_on": timezone.localdate()}
        for key in ("lotse", "year"):
            if request.GET.get(key, "").isdigit() and len(request.GET[key]) <= 9:
                initial[key] = int(request.GET[key])
        form = SelfDeclarationForm(initial=initial, user=request.user)
    return render(
        request,
        "allowances/claims/self_declaration_form.html",
        {"form": form, "next": queue_url_from_next(request)},
    )


@coordinators_only
def self_declaration_edit(request, pk: int):
    declaration = get_editable_or_403(
        SelfDeclaration.objects.select_related("lotse__region"), request.user, pk=pk
    )
    if request.method == "POST":
        form = CorrectSelfDeclarationForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                declaration = services.correct_self_declaration(
                    declaration=declaration,
                    year=form.cleaned_data["year"],
                    received_on=form.cleaned_data["received_on"],
                    document=form.cleaned_data["document"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                logger.info("self-declaration %s corrected by user %s", declaration.pk, request.user.pk)
                messages.success(
                    request,
                    _("The self-declaration of %(lotse)s for %(year)s has been corrected.")
                    % {"lotse": declaration.lotse.full_name, "year": declaration.year},
                )
                return redirect(queue_url_from_next(request) or _list_url(declaration.year))
    else:
        form = CorrectSelfDeclarationForm(
            initial={"year": declaration.year, "received_on": declaration.received_on}
        )
    return render(
        request,
        "allowances/declarations/declaration_edit.html",
        {"form": form, "declaration": declaration, "next": queue_url_from_next(request)},
    )


@never_cache
@coordinators_only
def self_declaration_document(request, pk: int):
    """Stream the signed declaration to the coordinators of the Lotse's region and staff, as a download."""
    declaration = get_object_or_404(SelfDeclaration.objects.visible_to(request.user), pk=pk)
    if not declaration.document:
        raise Http404
    try:
        handle = declaration.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # A neutral name: the stored name is random and the person's name stays out of downloads folders.
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"self-declaration-{declaration.pk}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response
