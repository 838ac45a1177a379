"""allauth.mfa pages (MFA_REQUIRED off, nobody enrolled; enforcement: tests/accounts/test_mfa.py)."""

from tests.matrix import ANY_USER, Case, expect

#: Pages for something not set up yet (no app, no codes, no key with that id): 404 for everyone.
NOTHING_ENROLLED = expect(lotse_a=404, lotse_b=404, coordinator=404, other_coordinator=404, staff=404)
#: Redirects for everyone logged in (to the login, to the start page or to the password re-authentication).
REDIRECTED = expect(lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302, staff=302)

CASES = [
    Case("mfa_index", ANY_USER),
    # Setting up a second factor asks for the password again first (allauth: MFA_REAUTHENTICATION_REQUIRED).
    Case("mfa_activate_totp", REDIRECTED),
    Case("mfa_activate_totp", ANY_USER, fresh=True),
    Case("mfa_add_webauthn", ANY_USER, fresh=True),
    Case("mfa_generate_recovery_codes", ANY_USER, fresh=True),
    Case("mfa_list_webauthn", ANY_USER),
    Case("mfa_deactivate_totp", NOTHING_ENROLLED),
    Case("mfa_view_recovery_codes", NOTHING_ENROLLED),
    Case("mfa_download_recovery_codes", NOTHING_ENROLLED),
    Case("mfa_edit_webauthn", NOTHING_ENROLLED, kwargs=lambda w: {"pk": 999999}, fresh=True),
    Case("mfa_remove_webauthn", NOTHING_ENROLLED, kwargs=lambda w: {"pk": 999999}, fresh=True),
    # The second step of a login: without a password step in this session it sends back.
    Case("mfa_authenticate", REDIRECTED),
    # Without a second factor, re-authentication is by password (accounts.views.reauthenticate).
    Case("mfa_reauthenticate", REDIRECTED),
    Case("mfa_reauthenticate_webauthn", REDIRECTED),
]
