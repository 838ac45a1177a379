from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def report_index(request):
    if request.user.role not in {"staff", "coordinator"}:
        raise PermissionDenied
    return render(request, "reports/index.html", {})
