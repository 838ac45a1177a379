from tests.matrix import ANY_USER, Case, expect

CASES = [
    Case("regions:list", ANY_USER),
    Case("regions:detail", expect(other_coordinator=404), kwargs=lambda w: {"slug": w.owl.slug}),
    Case(
        "regions:detail",
        expect(lotse_a=404, lotse_b=404, coordinator=404),
        kwargs=lambda w: {"slug": w.siegen.slug},
    ),
]
