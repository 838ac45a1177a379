from tests.matrix import ANY_USER, Case, expect

CASES = [
    Case("organisations:list", ANY_USER),
    # Lotsen see the organisations they belong to (both OWL Lotsen are members of this one).
    Case("organisations:detail", expect(other_coordinator=404), kwargs=lambda w: {"pk": w.organisation.pk}),
]
