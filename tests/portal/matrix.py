from tests.matrix import PUBLIC, STAFF_ONLY, Case

CASES = [
    # Readiness is public (a proxy or orchestrator asks it) and shows states only (test_health.py).
    Case("healthz_ready", PUBLIC),
    Case("system_status", STAFF_ONLY),
]
