"""The coordinator's Lotse list and Lotse page: they show a Lotse's contracts, claims, trainings and
certificates next to the record, so they are composed here above the apps that own that data. The rest of
the Lotse pages (create, edit, status, invite, bank data) are lotsen's own views."""

from django.core.paginator import Paginator
from django.shortcuts import render

from certificates.forms import IssueForLotseForm
from events.models import Attendance
from home import selectors as home_selectors
from home.filters import LotseFilter
from lotsen import selectors
from lotsen.forms.lotsen import StatusChangeForm
from lotsen.models import Consultation, Lotse
from lotsen.views.lotsen import payment_details_context
from portal.access import get_editable_or_403, require_coordination

PAGE_SIZE = 25


def lotse_list(request):
    require_coordination(request.user)
    lotsen = home_selectors.with_contract_state(
        Lotse.objects.visible_to(request.user)
        .select_related("region", "district", "user")
        .prefetch_related("organisations")
    )
    filterset = LotseFilter(request.GET, queryset=lotsen, user=request.user)
    # An invalid filter (e.g. another region's organisation) shows its error and no rows, never all rows.
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    if not rows.query.order_by:
        rows = rows.order_by("last_name", "first_name")
    rows = rows.order_by(*rows.query.order_by, "pk")  # a stable order, so no row appears on two pages
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "lotsen/lotse_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "lotsen": page.object_list,
            "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "ordering"}),
        },
    )


def lotse_detail(request, pk: int):
    lotse = get_editable_or_403(
        Lotse.objects.select_related("region", "district", "user").prefetch_related(
            "organisations", "languages"
        ),
        request.user,
        pk=pk,
    )
    trainings = list(
        Attendance.objects.visible_to(request.user)
        .attended_trainings()
        .filter(lotse=lotse)
        .select_related("event")
        .order_by("-event__starts_at")
    )
    # Consultations are scoped by the region they were logged in: after a move to another region the old
    # region's entries stay with the old region's coordinators.
    consultations = Consultation.objects.visible_to(request.user).filter(lotse=lotse)
    context = {
        "lotse": lotse,
        **payment_details_context(request, lotse),
        "login_state": lotse.login_state,
        "contracts": lotse.contracts.select_related("organisation").order_by("-starts_on"),
        "trainings": trainings,
        "training_hours": sum((a.event.hours_credited for a in trainings), 0),
        "consultations_by_month": selectors.consultations_by_month(lotse, user=request.user),
        "consultations_total": consultations.count(),
        "claims": lotse.claims.select_related("contract").order_by("-month")[:24],
        "certificates": lotse.certificates.order_by("-programme_year", "-version"),
        # The page already requires edit access, so whoever sees it may issue (certificates:issue_for_lotse).
        "issue_form": IssueForLotseForm(auto_id="issue_%s"),
        "status_changes": lotse.status_changes.select_related("changed_by"),
        "status_form": StatusChangeForm(lotse=lotse) if Lotse.STATUS_TRANSITIONS.get(lotse.status) else None,
        "can_confirm_bank_data": lotse.bank_data_on_hold() and lotse.can_confirm_bank_data(request.user),
    }
    return render(request, "lotsen/lotse_detail.html", context)
