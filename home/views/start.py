from django.shortcuts import render

from home import dashboards


def dashboard(request):
    """The start page: what matters today for this user's role."""
    role = request.user.role
    builder = dashboards.BUILDERS.get(role)
    context = builder(request.user) if builder else {}
    return render(request, f"dashboard/{role}.html", context)
