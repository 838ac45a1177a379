from tests.matrix import ANY_USER, Case

CASES = [
    Case("certificates:list", ANY_USER),
]
