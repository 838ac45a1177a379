"""Every URL of the portal, requested as every role (see tests/matrix.py); every answer also carries the
security headers (tests/headers.py)."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.auth import reauthenticate
from tests.headers import assert_security_headers
from tests.matrix import ROLES_ORDER, Case


def _collect() -> tuple[list[Case], dict[str, str]]:
    cases, exempt = [], {}
    # Every module named matrix*.py in a test package contributes CASES and EXEMPT.
    for package in pkgutil.iter_modules(tests.__path__):
        if not package.ispkg:
            continue
        subpackage = importlib.import_module(f"tests.{package.name}")
        for module_info in pkgutil.iter_modules(subpackage.__path__):
            if module_info.name.startswith("matrix"):
                module = importlib.import_module(f"tests.{package.name}.{module_info.name}")
                cases.extend(getattr(module, "CASES", []))
                exempt.update(getattr(module, "EXEMPT", {}))
    return cases, exempt


CASES, EXEMPT = _collect()


def _all_url_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _all_url_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern):
            names.add(
                f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>"
            )
    return names


def test_every_url_is_in_the_role_matrix():
    covered = {case.url_name for case in CASES}
    exempt_prefixes = tuple(name for name in EXEMPT if name.endswith(":"))
    missing = sorted(
        name
        for name in _all_url_names()
        if name not in covered and name not in EXEMPT and not name.startswith(exempt_prefixes)
    )
    assert not missing, f"URL patterns without a role-matrix case: {missing}"


def test_matrix_names_exist():
    names = _all_url_names()
    unknown = sorted({case.url_name for case in CASES} - names)
    assert not unknown, f"role-matrix cases for URL names that do not exist: {unknown}"


@pytest.mark.parametrize("role", ROLES_ORDER)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method}:{c.url_name}{c.query}")
def test_role_matrix(case: Case, role: str, client, world):
    user = world.user_for(role)
    if user is not None:
        client.force_login(user)
        if case.fresh:
            reauthenticate(client)
    url = reverse(case.url_name, kwargs=case.kwargs(world)) + case.query
    data = case.data(world) if case.data else {}
    response = client.post(url, data) if case.method == "post" else client.get(url, data)
    expected = case.expected[role]
    assert response.status_code == expected, (
        f"{case.method.upper()} {url} as {role}: expected {expected}, got {response.status_code}"
    )
    assert_security_headers(
        response, logged_in=user is not None, label=f"{case.method.upper()} {url} as {role}"
    )
    if case.wrote is not None:
        should = role in case.writers
        assert case.wrote(world) == should, (
            f"{case.method.upper()} {url} as {role}: the write {'did not happen' if should else 'happened'}"
        )
    if role == "anonymous" and expected == 302 and case.login_redirect:
        assert response["Location"].startswith(reverse("account_login")), response["Location"]
