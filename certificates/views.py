from django.core.paginator import Paginator
from django.shortcuts import render

from certificates.models import Certificate


def certificate_list(request):
    certificates = Certificate.objects.visible_to(request.user).select_related("lotse", "lotse__region")
    page = Paginator(certificates, 50).get_page(request.GET.get("page"))
    return render(
        request, "certificates/certificate_list.html", {"page_obj": page, "certificates": page.object_list}
    )
