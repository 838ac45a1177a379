from django.shortcuts import get_object_or_404, render

from regions.models import Region


def region_list(request):
    regions = Region.objects.visible_to(request.user).prefetch_related("districts")
    return render(request, "regions/region_list.html", {"regions": regions})


def region_detail(request, slug: str):
    region = get_object_or_404(Region.objects.visible_to(request.user), slug=slug)
    return render(
        request, "regions/region_detail.html", {"region": region, "districts": region.districts.all()}
    )
