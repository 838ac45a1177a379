from tests.matrix import ANY_USER, PUBLIC, Case, expect

CASES = [
    Case("dashboard", ANY_USER),
    Case("healthz", PUBLIC),
    Case("robots_txt", PUBLIC),
    # A permanent redirect to the static SVG icon, for everyone (it must not send anonymous users to log in).
    Case(
        "favicon",
        expect(anonymous=301, lotse_a=301, lotse_b=301, coordinator=301, other_coordinator=301, staff=301),
        login_redirect=False,
    ),
    Case(
        "set_language",
        expect(anonymous=302, lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302, staff=302),
        method="post",
        data=lambda w: {"language": "en", "next": "/"},
        login_redirect=False,
    ),
    Case(
        "accept_invitation",
        expect(anonymous=400, lotse_a=400, lotse_b=400, coordinator=400, other_coordinator=400, staff=400),
        kwargs=lambda w: {"uidb64": "MQ", "token": "invalid-token"},
    ),
    # allauth
    Case(
        "account_login",
        expect(anonymous=200, lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302, staff=302),
    ),
    Case("account_logout", expect(anonymous=302)),
    # Sign-up is closed (accounts are created by staff or coordinators): a page that says so.
    Case(
        "account_signup",
        expect(anonymous=200, lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302, staff=302),
    ),
    Case("account_reset_password", PUBLIC),
    Case("account_reset_password_done", PUBLIC),
    Case("account_reset_password_from_key", PUBLIC, kwargs=lambda w: {"uidb36": "1", "key": "invalid"}),
    Case("account_reset_password_from_key_done", PUBLIC),
    Case("account_change_password", ANY_USER),
    Case(
        "account_set_password",
        expect(lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302, staff=302),
    ),
    Case("account_email", ANY_USER),
    Case("account_inactive", PUBLIC),
    Case("account_email_verification_sent", PUBLIC),
    Case("account_confirm_email", PUBLIC, kwargs=lambda w: {"key": "invalid"}),
    Case(
        "account_confirm_login_code",
        expect(anonymous=302, lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302, staff=302),
        login_redirect=False,
    ),
    Case("account_reauthenticate", ANY_USER),
    # allauth 65.22: re-authentication by a code sent by e-mail. The portal re-authenticates by password only:
    # both pages lead a logged-in user back to the password form (tests/accounts/test_login.py).
    Case(
        "account_request_reauthentication_code",
        expect(anonymous=302, lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302, staff=302),
    ),
    Case(
        "account_confirm_reauthentication_code",
        expect(anonymous=302, lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302, staff=302),
    ),
    # The admin: only programme staff (and superusers) get in; everyone else is sent to a login.
    # (anonymous users go to the admin login, which itself hands over to the allauth login)
    Case(
        "admin:index",
        expect(lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302),
        login_redirect=False,
    ),
    Case(
        "admin:lotsen_lotse_changelist",
        expect(lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302),
        login_redirect=False,
    ),
]

EXEMPT = {
    "admin:": "Django admin, guarded by admin.site.has_permission (is_staff); sampled by the cases above.",
}
