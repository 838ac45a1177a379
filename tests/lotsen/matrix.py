from tests.matrix import ANY_USER, OWN_RECORD, Case

CASES = [
    Case("lotsen:list", ANY_USER),
    Case("lotsen:detail", OWN_RECORD, kwargs=lambda w: {"pk": w.lotse_a.pk}),
]
