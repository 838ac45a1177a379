from tests.matrix import COORDINATORS_ONLY, Case

CASES = [
    Case("reports:index", COORDINATORS_ONLY),
]
