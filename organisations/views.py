from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from organisations.models import Organisation


def organisation_list(request):
    organisations = Organisation.objects.visible_to(request.user).select_related("region", "district")
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(
        request, "organisations/organisation_list.html", {"page_obj": page, "organisations": page.object_list}
    )


def organisation_detail(request, pk: int):
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    return render(request, "organisations/organisation_detail.html", {"organisation": organisation})
