"""What every response of the portal must say about itself (issue #10): checked for every URL and role by
tests/test_role_matrix.py and for single cases by tests/portal/test_security_headers.py."""

#: The only pages that may use the camera (Permissions-Policy camera=(self)): the QR scanner at the door.
CAMERA_VIEWS = {"events:checkin"}


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name.lower()] = values
    return directives


def assert_security_headers(response, *, logged_in: bool, label: str = "") -> None:
    csp = csp_directives(response) if response.has_header("Content-Security-Policy") else {}
    assert csp, f"{label}: no Content-Security-Policy"
    # A directive missing from the policy falls back to default-src.
    for directive in ("script-src", "style-src", "object-src"):
        sources = csp.get(directive, csp.get("default-src"))
        assert sources, f"{label}: neither {directive} nor default-src in {csp}"
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} & set(sources), (
            f"{label}: {directive} {sources}"
        )
    assert csp.get("object-src", csp.get("default-src")) == ["'none'"], label
    assert csp.get("frame-ancestors") == ["'none'"], label
    permissions = response.get("Permissions-Policy", "")
    match = getattr(response, "resolver_match", None)
    if match is not None and match.view_name in CAMERA_VIEWS and "camera=(self)" in permissions:
        # the check-in page's QR scanner: the camera for our own origin, never for a frame of another
        permissions = permissions.replace("camera=(self)", "camera=()")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions, f"{label}: Permissions-Policy lacks {feature}: {permissions!r}"
    assert response.get("X-Content-Type-Options") == "nosniff", label
    assert response.get("Referrer-Policy") == "same-origin", label
    if logged_in:
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert {"no-store", "private"} <= directives, (
            f"{label}: Cache-Control {response.get('Cache-Control')!r}"
        )
