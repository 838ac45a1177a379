"""Role matrix of the organisations pages: coordinator / programme-staff pages.

Lotsen get 403 on every page, also on the organisation they belong to (the detail shows the other Lotsen's
activity); another region's organisation is a 404.
"""

from tests.matrix import COORDINATORS_ONLY, Case, expect

#: The OWL organisation both OWL Lotsen belong to (so they can see it, but not on these pages).
OWL_ORGANISATION_PAGE = expect(lotse_a=403, lotse_b=403, other_coordinator=404)


def _organisation_data(w) -> dict:
    return {
        "name": "Afghanischer Frauenverein Minden e.V.",
        "region": w.owl.pk,
        "legal_form": "ev",
        "cooperation_status": "preparing",
    }


CASES = [
    Case("organisations:list", COORDINATORS_ONLY),
    Case(
        "organisations:list",
        COORDINATORS_ONLY,
        query="?cooperation_status=active&ordering=-district&q=verein",
    ),
    Case("organisations:detail", OWL_ORGANISATION_PAGE, kwargs=lambda w: {"pk": w.organisation.pk}),
    Case(
        "organisations:detail",
        expect(lotse_a=404, lotse_b=404, coordinator=404),
        kwargs=lambda w: {"pk": w.organisation_siegen.pk},
    ),
    Case("organisations:create", COORDINATORS_ONLY),
    Case(
        "organisations:create",
        expect(lotse_a=403, lotse_b=403, coordinator=302, other_coordinator=302, staff=302),
        method="post",
        data=_organisation_data,
    ),
    Case("organisations:edit", OWL_ORGANISATION_PAGE, kwargs=lambda w: {"pk": w.organisation.pk}),
    Case(
        "organisations:edit",
        expect(lotse_a=403, lotse_b=403, other_coordinator=404, coordinator=302, staff=302),
        kwargs=lambda w: {"pk": w.organisation.pk},
        method="post",
        data=lambda w: {**_organisation_data(w), "name": "Türkischer Elternverein Bielefeld e.V."},
    ),
]
