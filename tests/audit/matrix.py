"""Role matrix of the audit trail's pages (audit/urls.py): coordinators and staff, Lotsen 403."""

from tests.matrix import COORDINATORS_ONLY, Case

CASES = [
    Case("audit:list", COORDINATORS_ONLY),
    Case("audit:list", COORDINATORS_ONLY, query="?action=view_iban&date_from=2026-01-01&person=owl&page=2"),
    Case("audit:export_csv", COORDINATORS_ONLY),
]
