from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from lotsen.models import Lotse


def lotse_list(request):
    lotsen = (
        Lotse.objects.visible_to(request.user).select_related("region").order_by("last_name", "first_name")
    )
    page = Paginator(lotsen, 50).get_page(request.GET.get("page"))
    return render(request, "lotsen/lotse_list.html", {"page_obj": page, "lotsen": page.object_list})


def lotse_detail(request, pk: int):
    lotse = get_object_or_404(Lotse.objects.visible_to(request.user).select_related("region"), pk=pk)
    return render(request, "lotsen/lotse_detail.html", {"lotse": lotse, "iban": lotse.iban_for(request.user)})
