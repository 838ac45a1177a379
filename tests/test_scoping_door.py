"""The scoping door is enforced, not just habitual.

Every view, form, filter, export and task that reads a scoped model (one whose QuerySet derives from
``portal.scoping.ScopedQuerySet``) must go through ``visible_to(user)``, ``editable_by(user)`` or
``owned_by(user)``. This test reads the code (AST) and fails on a query that starts at ``Model.objects`` (or
``get_object_or_404(Model, ...)``) without one of them in the same chain. The rare legitimate exception goes
into ``ALLOWED`` with a reason.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

from portal.scoping import ScopedQuerySet

ROOT = Path(settings.BASE_DIR)
APPS = [
    "accounts",
    "regions",
    "organisations",
    "lotsen",
    "events",
    "allowances",
    "certificates",
    "reports",
    "audit",
    "privacy",
    "notifications",
    "portal",
    "home",
]
#: modules that serve requests or run for users: views, forms, filters, exports, tasks
KINDS = ("views", "forms", "filters", "exports", "tasks")
DOORS = {"visible_to", "editable_by", "owned_by", "none"}
#: helpers of portal.access that apply the door to the queryset they are given
DOOR_HELPERS = {"get_editable_or_403"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}

#: (path relative to the project, model name, function) -> why it may query without a door
ALLOWED: dict[tuple[str, str, str], str] = {
    ("organisations/forms.py", "Organisation", "clean"): (
        "the duplicate-name check must see every organisation of the chosen region, which the user may edit; "
        "it tells only that the name is taken"
    ),
}


def _scoped_models() -> set[str]:
    return {
        model.__name__
        for model in apps.get_models()
        if isinstance(model._default_manager.get_queryset(), ScopedQuerySet)
    }


def _modules() -> list[Path]:
    files = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT / app)
            if "migrations" in relative.parts or "management" in relative.parts:
                continue
            if relative.parts[0].startswith(KINDS):
                files.append(path)
    return files


def _function_of(node: ast.AST, parents: dict) -> str:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node.name
    return "<module>"


def _chain_above(node: ast.AST, parents: dict) -> tuple[set[str], ast.AST]:
    """Names of the attributes called on ``node`` in the same expression (Model.objects.filter().visible_to())
    and the whole expression."""
    names = set()
    while node in parents:
        parent = parents[node]
        if isinstance(parent, ast.Attribute) and parent.value is node:
            names.add(parent.attr)
        elif not (isinstance(parent, ast.Call) and parent.func is node):
            break
        node = parent
    return names, node


def _correlated(expression: ast.AST) -> bool:
    """A subquery tied to its outer query by OuterRef: its rows are limited by the (scoped) outer query."""
    return any(isinstance(n, ast.Name) and n.id == "OuterRef" for n in ast.walk(expression))


def _is_doored(start: ast.AST, parents: dict) -> bool:
    names, expression = _chain_above(start, parents)
    if names & DOORS or _correlated(expression):
        return True
    parent = parents.get(expression)
    return (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Name)
        and parent.func.id in DOOR_HELPERS
        and parent.args[:1] == [expression]
    )


def _returned_by(start: ast.AST, parents: dict) -> str | None:
    """The function whose ``return`` is this chain (a base queryset helper such as ``_events()``)."""
    _names, expression = _chain_above(start, parents)
    parent = parents.get(expression)
    if isinstance(parent, ast.Return):
        function = parents.get(parent)
        if isinstance(function, ast.FunctionDef):
            return function.name
    return None


def _manager_of(node: ast.AST, scoped: set[str]) -> str | None:
    """The model name if ``node`` is ``Model.objects`` of a scoped model."""
    if (
        isinstance(node, ast.Attribute)
        and node.attr in MANAGERS
        and isinstance(node.value, ast.Name)
        and node.value.id in scoped
    ):
        return node.value.id
    return None


def _violations(path: Path, scoped: set[str]) -> list[tuple[str, str, str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    relative = str(path.relative_to(ROOT))
    found = []
    # A module's helper that returns an undoored base queryset counts as a manager: each call needs the door.
    helpers: dict[str, str] = {}
    for node in ast.walk(tree):
        if _manager_of(node, scoped) and not _is_doored(node, parents):
            function = _returned_by(node, parents)
            if function:
                helpers[function] = _manager_of(node, scoped)
    for node in ast.walk(tree):
        model = None
        if _manager_of(node, scoped):
            model = _manager_of(node, scoped)
            if _is_doored(node, parents) or _returned_by(node, parents) in helpers:
                continue
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers:
            model = helpers[node.func.id]
            if _is_doored(node, parents):
                continue
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"get_object_or_404", "get_list_or_404"}
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in scoped
        ):
            model = node.args[0].id
        if model:
            found.append((relative, model, _function_of(node, parents), node.lineno))
    return found


def test_the_scan_sees_the_scoped_models_and_the_modules():
    scoped = _scoped_models()
    assert {"Lotse", "Consultation", "Organisation", "Event", "Certificate"} <= scoped
    names = {str(path.relative_to(ROOT)) for path in _modules()}
    assert {
        "lotsen/views/me.py",
        "events/forms.py",
        "events/views/me.py",
        "home/filters.py",
        "home/views/lotsen.py",
        "certificates/tasks.py",
    } <= names


def test_the_scan_finds_a_query_without_a_door(tmp_path):
    """The check itself can fail: a view that reads Lotse.objects directly is reported."""
    module = tmp_path / "views.py"
    module.write_text(
        "def leak(request, pk):\n"
        "    a = Lotse.objects.filter(pk=pk).first()\n"
        "    b = Lotse.objects.visible_to(request.user).get(pk=pk)\n"
        "    c = get_object_or_404(Consultation, pk=pk)\n"
        "    d = get_editable_or_403(Lotse.objects.all(), request.user, pk=pk)\n"
        "    e = Exists(Consultation.objects.filter(lotse=OuterRef('pk')))\n"
        "    return Lotse.objects.filter(region=1).editable_by(request.user)\n"
        "def _base():\n"
        "    return Lotse.objects.select_related('region')\n"
        "def fine(request):\n"
        "    return _base().owned_by(request.user)\n"
        "def leaks_too(request):\n"
        "    return _base().filter(pk=1)\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = _violations(module, {"Lotse", "Consultation"})
    finally:
        ROOT = saved
    found = sorted((line, model) for _path, model, _function, line in found)
    assert found == [(2, "Lotse"), (4, "Consultation"), (13, "Lotse")]


def test_every_query_of_a_scoped_model_goes_through_a_door():
    scoped = _scoped_models()
    violations = [v for path in _modules() for v in _violations(path, scoped) if v[:3] not in ALLOWED]
    assert not violations, "queries of scoped models without visible_to/editable_by/owned_by:\n" + "\n".join(
        f"  {path}:{line} {model}.objects in {function}()" for path, model, function, line in violations
    )


def test_every_allowed_exception_still_exists():
    scoped = _scoped_models()
    seen = {v[:3] for path in _modules() for v in _violations(path, scoped)}
    stale = sorted(set(ALLOWED) - seen)
    assert not stale, f"ALLOWED entries that no longer match any code (remove them): {stale}"


def _hand_made_ownership_checks(path: Path) -> list[int]:
    """Lines comparing ``<something>.user_id`` with ``acting_user.pk``/``request.user.pk`` by hand."""
    tree = ast.parse(path.read_text(), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.Eq | ast.NotEq):
            sides = [node.left, *node.comparators]
            texts = [ast.unparse(side) for side in sides]
            if any(t.endswith(".user_id") for t in texts) and any(t.endswith("user.pk") for t in texts):
                lines.append(node.lineno)
    return lines


def test_ownership_is_asked_through_the_door_not_by_hand():
    """A Lotse's own writes use ``owned_by`` (portal.access.require_own, is_own), not a user_id compare."""
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        # portal/access.py is the one place that answers "is this the user's own?" (acts_for_self)
        if "migrations" not in path.parts and path != ROOT / "portal" / "access.py"
        for line in _hand_made_ownership_checks(path)
    ]
    assert not found, f"ownership compared by hand (use owned_by / require_own / is_own): {found}"
