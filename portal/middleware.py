"""Middleware of the portal kernel: request size limit, Permissions-Policy and Cache-Control."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.cache import add_never_cache_headers


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than ``MAX_REQUEST_BYTES`` with 413, unread.

    Django's own limits act only when the body is parsed (DATA_UPLOAD_MAX_MEMORY_SIZE ignores files; uploads
    are checked by the forms after the whole file has arrived). This answers from the Content-Length header
    alone, before anything reads ``request.body``. A body without Content-Length (chunked) is not read by
    Django's WSGI handler at all; the proxy in front limits it too (``client_max_body_size``).
    Runs after authentication (which reads no body) so that the page can show the layout and navigation.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads no body for a malformed length either
        if declared > settings.MAX_REQUEST_BYTES:
            return render(
                request,
                "413.html",
                {"limit": filesizeformat(settings.MAX_CONTRACT_UPLOAD_BYTES)},
                status=413,
            )
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Permissions-Policy from settings.PERMISSIONS_POLICY: no camera, microphone, location, payment ...

    A feature listed with no origins is off for the page and every frame in it; WebAuthn (passkeys) stays
    allowed for our own origin.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


#: A file handed out as a download never needs to run, load or submit anything, even if a browser shows it.
DOWNLOAD_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"


class PrivateResponseMiddleware:
    """Every response of the application is ``Cache-Control: private, no-store``; downloads are sandboxed.

    Pages and exports show names, IBANs, claims and consultations: neither a shared proxy nor the browser's
    disk cache may keep them (a shared office computer, the back button after logging out). The rule is
    deliberately not "only pages with personal data": the public verification page shows a holder's name,
    and a rule per view would be forgotten on the next one. Static files are served by WhiteNoise, which
    sits before this middleware, so they stay cacheable.

    Must come after csp.middleware.CSPMiddleware in MIDDLEWARE: it sets the download policy first, and
    django-csp leaves an existing header alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        if response.get("Content-Disposition", "").lower().startswith("attachment"):
            response["Content-Security-Policy"] = DOWNLOAD_CSP
        return response
