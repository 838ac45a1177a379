from tests.matrix import ANY_USER, Case, expect

CASES = [
    Case("events:list", ANY_USER),
    Case("events:detail", expect(other_coordinator=404), kwargs=lambda w: {"pk": w.event.pk}),
]
