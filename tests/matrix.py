"""The URL role matrix: for every URL pattern, what each role gets.

Each app declares its cases in ``tests/<app>/matrix.py`` as ``CASES = [Case(...), ...]``; patterns that are
deliberately not requested (e.g. the Django admin's hundreds of model URLs) go into ``EXEMPT`` there with a
reason. ``tests/test_role_matrix.py`` requests every case as every role and fails when a URL pattern of the
project is in no case and not exempt, so no new URL escapes the matrix.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

A, LA, LB, CO, OC, ST = "anonymous", "lotse_a", "lotse_b", "coordinator", "other_coordinator", "staff"
ROLES_ORDER = [A, LA, LB, CO, OC, ST]
LOGIN = 302  # anonymous users are sent to the login page


def expect(anonymous=LOGIN, lotse_a=200, lotse_b=200, coordinator=200, other_coordinator=200, staff=200):
    return {A: anonymous, LA: lotse_a, LB: lotse_b, CO: coordinator, OC: other_coordinator, ST: staff}


#: Everyone logged in (dashboards, own lists that are scoped by the queryset).
ANY_USER = expect()
#: A record of Lotse A in OWL: Lotse A, the OWL coordinator and staff see it, the others get 404.
OWN_RECORD = expect(lotse_b=404, other_coordinator=404)
#: An OWL record that Lotsen never see (organisation internals, contracts, claims queue entries).
REGION_RECORD = expect(lotse_a=404, lotse_b=404, other_coordinator=404)
#: A page for coordinators and staff only.
COORDINATORS_ONLY = expect(lotse_a=403, lotse_b=403)
#: A page for Lotsen only (their self-service).
LOTSEN_ONLY = expect(coordinator=403, other_coordinator=403, staff=403)
#: Programme staff only.
STAFF_ONLY = expect(lotse_a=403, lotse_b=403, coordinator=403, other_coordinator=403)
#: Public pages (login, verification): everyone gets 200, also anonymous.
PUBLIC = expect(anonymous=200)


@dataclass
class Case:
    url_name: str
    expected: dict[str, int]
    kwargs: Callable = field(default=lambda w: {})
    method: str = "get"
    data: Callable | None = None  # for POST: lambda world: {...}
    query: str = ""
    #: whether the anonymous 302 must lead to the login page (False for e.g. the language switch)
    login_redirect: bool = True
    #: for a write: ``wrote(world) -> bool`` looks at the database after the request. A 302 alone may be a
    #: refusal with a message, so the matrix also asserts the write happened for exactly the ``writers``.
    wrote: Callable | None = None
    writers: frozenset = frozenset()
    #: request after a fresh re-authentication (password), as sensitive actions need; without it they
    #: redirect to the re-authentication page (tests/lotsen/test_sensitive_actions.py)
    fresh: bool = False

    def __post_init__(self):
        assert set(self.expected) == {A, LA, LB, CO, OC, ST}, self.url_name
        assert set(self.writers) <= set(self.expected), self.url_name
