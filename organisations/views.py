"""The organisations pages of the coordinator workspace: list, create, edit (the detail, which shows its
Lotsen with their activity, is composed in home.views.organisations).

Coordinator and programme-staff pages: a Lotse gets 403, an organisation of another region is a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from organisations.filters import OrganisationFilter
from organisations.forms import OrganisationForm
from organisations.models import Organisation
from portal.access import get_editable_or_403, require_coordination

PAGE_SIZE = 25


def organisation_list(request):
    require_coordination(request.user)
    organisations = (
        Organisation.objects.visible_to(request.user)
        .select_related("region", "district")
        .prefetch_related("languages")
        .annotate(lotsen_count=Count("lotsen", distinct=True))
    )
    filterset = OrganisationFilter(request.GET, queryset=organisations, user=request.user)
    # An invalid filter (e.g. another region's organisation) shows its error and no rows, never all rows.
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    rows = rows.order_by(*(rows.query.order_by or ("name",)), "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/organisation_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "organisations": page.object_list,
            "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "ordering"}),
        },
    )


def organisation_create(request):
    require_coordination(request.user)
    form = OrganisationForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        organisation = form.save()
        messages.success(request, _("The organisation has been added."))
        return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/organisation_form.html", {"form": form, "organisation": None})


def organisation_edit(request, pk: int):
    organisation = get_editable_or_403(Organisation.objects.select_related("region"), request.user, pk=pk)
    form = OrganisationForm(
        request.POST if request.method == "POST" else None, instance=organisation, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes have been saved."))
        return redirect("organisations:detail", pk=organisation.pk)
    return render(
        request, "organisations/organisation_form.html", {"form": form, "organisation": organisation}
    )
