from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from events.models import Event


def event_list(request):
    events = Event.objects.visible_to(request.user).select_related("region")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "events/event_list.html", {"page_obj": page, "events": page.object_list})


def event_detail(request, pk: int):
    event = get_object_or_404(Event.objects.visible_to(request.user).select_related("region"), pk=pk)
    return render(request, "events/event_detail.html", {"event": event})
