"""An organisation's page: the record with its Lotsen and their consultations and trainings (events), so
it is composed here above the apps that own that data.

A coordinator and programme-staff page: a Lotse gets 403 (it shows other Lotsen's activity), an
organisation of another region is a 404.
"""

from django.shortcuts import render

from events.selectors import with_activity
from lotsen.models import Lotse
from organisations.models import Organisation
from portal.access import get_editable_or_403


def organisation_detail(request, pk: int):
    organisation = get_editable_or_403(
        Organisation.objects.select_related("region", "district", "created_by").prefetch_related("languages"),
        request.user,
        pk=pk,
    )
    lotsen = with_activity(
        Lotse.objects.visible_to(request.user).filter(organisations=organisation).select_related("district"),
        user=request.user,
    ).order_by("last_name", "first_name", "pk")
    return render(
        request, "organisations/organisation_detail.html", {"organisation": organisation, "lotsen": lotsen}
    )
