"""The public verification page (/verify/<code>/): no login, rate limited per client address.

The code printed on the certificate is the only key: the page answers for issued and revoked
certificates and shows holder, programme, region, issue date and validity, nothing more.
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.shortcuts import redirect, render

from certificates.forms import VerifyLookupForm, VerifyUploadForm
from certificates.models import Certificate
from certificates.services import sha256_of
from certificates.verification import lookups
from portal.net import rate_limit_source

#: requests per IP and minute on the public verification pages
DEFAULT_RATE_LIMIT = 30
RATE_WINDOW_SECONDS = 60


def rate_limited(view):
    """At most CERTIFICATE_VERIFY_RATE_LIMIT requests per client address (portal.net) per minute (a fixed
    window in the shared cache), then HTTP 429: codes cannot be guessed by brute force."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        limit = getattr(settings, "CERTIFICATE_VERIFY_RATE_LIMIT", DEFAULT_RATE_LIMIT)
        window = int(time.time() // RATE_WINDOW_SECONDS)
        key = f"certificates:verify-rate:{rate_limit_source(request)}:{window}"
        cache.add(key, 0, timeout=RATE_WINDOW_SECONDS * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=RATE_WINDOW_SECONDS * 2)
            count = 1
        if count > limit:
            response = render(request, "certificates/verify_rate_limited.html", status=429)
            response["Retry-After"] = str(RATE_WINDOW_SECONDS)
            return response
        return view(request, *args, **kwargs)

    return wrapper


@login_not_required
@rate_limited
def verify_lookup(request):
    """A form to type the code from a paper certificate."""
    form = VerifyLookupForm(request.GET or None)
    if form.is_valid():
        return redirect("verify:code", code=form.cleaned_data["code"].upper())
    return render(request, "certificates/verify_lookup.html", {"form": form, "unknown_code": False})


@login_not_required
@rate_limited
def verify_code(request, code: str):
    # Deliberately not scoped to a user: the public page is reached by the code alone. Pending, rendering
    # and failed certificates were never handed out, so their codes are unknown here (404).
    certificate = (
        Certificate.objects.filter(status__in=[Certificate.Status.ISSUED, Certificate.Status.REVOKED])
        .select_related("lotse", "lotse__region")
        .only(
            "status",
            "verification_code",
            "created_at",
            "revoked_at",
            "sha256",
            "programme_year",
            "lotse__first_name",
            "lotse__last_name",
            "lotse__region__name",
        )
        .filter(verification_code=code.upper())
        .first()
    )
    if certificate is None:
        for lookup in lookups():  # other documents with codes (certificates/verification.py)
            if (response := lookup(request, code.upper())) is not None:
                return response
        # Not a bare "Not found": say what happened and let the person correct a typo.
        form = VerifyLookupForm(initial={"code": code.upper()})
        return render(
            request, "certificates/verify_lookup.html", {"form": form, "unknown_code": True}, status=404
        )
    upload_form = VerifyUploadForm(request.POST or None, request.FILES or None)
    file_matches = None
    if request.method == "POST" and upload_form.is_valid():
        uploaded = sha256_of(upload_form.cleaned_data["file"])
        file_matches = bool(certificate.sha256) and uploaded == certificate.sha256
    return render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            "programme_name": settings.PROGRAMME_NAME,
            "upload_form": upload_form,
            "file_matches": file_matches,
        },
    )
