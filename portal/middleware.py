"""Middleware of the portal kernel: request size limit, Permissions-Policy and Cache-Control."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat


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
