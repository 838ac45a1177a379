from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: Where an item is shown. TAB: on a phone in the bottom tab bar, on a desktop in the header row.
#: ROW: on a desktop in the header row, on a phone in the "More" menu. MENU: in the "More" menu everywhere.
TAB, ROW, MENU = "tab", "row", "menu"


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: Promise
    roles: frozenset[str]
    place: str
    #: the label in the phone's tab bar (a fifth of 320 px), when the full one is longer
    short_label: Promise | None = None


def _entry(url_name, label, roles, place, short_label=None) -> NavEntry:
    return NavEntry(url_name, label, frozenset(roles), place, short_label)


COORDINATION = {"staff", "coordinator"}
EVERYONE = {"staff", "coordinator", "lotse", "none"}

# In display order. A role has at most four TAB entries: with "More" they fill the phone's tab bar. The
# soft hyphens in the short labels (German) let a long word break inside its fifth of a 320 px phone.
NAV_ITEMS = [
    _entry("dashboard", _("Overview"), EVERYONE, TAB, pgettext_lazy("navigation tab", "Start")),
    _entry(
        "me:consultations",
        _("My consultations"),
        {"lotse"},
        TAB,
        pgettext_lazy("navigation tab", "Consultations"),
    ),
    _entry("me:claims", _("My claims"), {"lotse"}, TAB, pgettext_lazy("navigation tab", "Claims")),
    _entry("me:events", _("Events"), {"lotse"}, TAB, pgettext_lazy("navigation tab", "Events")),
    _entry("lotsen:list", _("Lotsen"), COORDINATION, TAB, pgettext_lazy("navigation tab", "Lotsen")),
    _entry("claims:list", _("Claims"), COORDINATION, TAB, pgettext_lazy("navigation tab", "Claims")),
    _entry("events:list", _("Events"), COORDINATION, TAB, pgettext_lazy("navigation tab", "Events")),
    _entry("organisations:list", _("Organisations"), COORDINATION, ROW),
    _entry("certificates:list", _("Certificates"), {"staff", "coordinator", "lotse"}, ROW),
    _entry("reports:index", _("Reports"), COORDINATION, ROW),
    _entry("me:profile", _("My profile"), {"lotse"}, ROW),
    _entry("audit:list", _("Audit trail"), COORDINATION, MENU),
    # password, second factor: for everyone
    _entry("account_email", _("My account"), EVERYONE, MENU),
]


def navigation_for(user, path: str) -> list[dict]:
    """The navigation entries of ``user``'s role, in display order, the current place marked ``active``."""
    role = user.role
    items = []
    for entry in NAV_ITEMS:
        if role not in entry.roles:
            continue
        url = reverse(entry.url_name)
        active = path == url if entry.url_name == "dashboard" else path.startswith(url)
        items.append(
            {
                "url": url,
                "label": entry.label,
                "short_label": entry.short_label or entry.label,
                "place": entry.place,
                "active": active,
            }
        )
    if user.is_staff:
        items.append(
            {
                "url": reverse("admin:index"),
                "label": _("Administration"),
                "short_label": _("Administration"),
                "place": MENU,
                "active": path.startswith(reverse("admin:index")),
            }
        )
    return items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = navigation_for(user, request.path)
    return {
        "nav_items": items,
        "nav_tabs": [item for item in items if item["place"] == TAB],
        "nav_row": [item for item in items if item["place"] == ROW],
        "nav_menu": [item for item in items if item["place"] == MENU],
        # "More" is marked as the current place when it holds the current page (a ROW item only on a phone)
        "nav_more_current_row": any(item["active"] for item in items if item["place"] == ROW),
        "nav_more_current_menu": any(item["active"] for item in items if item["place"] == MENU),
    }
