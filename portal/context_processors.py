from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, roles that see it). Apps add their entries here.
NAV_ITEMS = [
    ("dashboard", _("Overview"), {"staff", "coordinator", "lotse"}),
    ("organisations:list", _("Organisations"), {"staff", "coordinator"}),
    ("lotsen:list", _("Lotsen"), {"staff", "coordinator"}),
    ("claims:list", _("Claims"), {"staff", "coordinator"}),
    ("me:consultations", _("My consultations"), {"lotse"}),
    ("me:claims", _("My claims"), {"lotse"}),
    ("me:events", _("Events"), {"lotse"}),
    ("events:list", _("Events"), {"staff", "coordinator"}),
    ("certificates:list", _("Certificates"), {"staff", "coordinator", "lotse"}),
    ("reports:index", _("Reports"), {"staff", "coordinator"}),
    ("audit:list", _("Audit trail"), {"staff", "coordinator"}),
    ("me:profile", _("My profile"), {"lotse"}),
    # password, second factor: for everyone (in the navigation row, which scrolls on a phone)
    ("account_email", _("My account"), {"staff", "coordinator", "lotse", "none"}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = user.role
    path = request.path
    items = []
    for name, label, roles in NAV_ITEMS:
        if role not in roles:
            continue
        url = reverse(name)
        active = path == url if name == "dashboard" else path.startswith(url)
        items.append({"url": url, "label": label, "active": active})
    if user.is_staff:
        items.append({"url": reverse("admin:index"), "label": _("Administration"), "active": False})
    return {"nav_items": items}
