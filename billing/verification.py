"""The year-end statements on the public page /verify/<code>/ (registered with certificates.verification).

Reached by the code alone, without a login (rate limited by the certificates' view): holder, year, version,
issue date and whether it is current or superseded by a newer version; nothing about the amounts."""

from django.conf import settings
from django.shortcuts import render

from billing.models import YearEndStatement
from certificates.forms import VerifyUploadForm
from certificates.services import sha256_of


def verify_year_end_statement(request, code: str):
    # Deliberately not scoped to a user: the public page is reached by the code alone (pending and failed
    # statements were never handed out, so their codes are unknown).
    statement = (
        YearEndStatement.objects.filter(status__in=YearEndStatement.HANDED_OUT, verification_code=code)
        .select_related("lotse__region")
        .first()
    )
    if statement is None:
        return None
    upload_form = VerifyUploadForm(request.POST or None, request.FILES or None)
    file_matches = None
    if request.method == "POST" and upload_form.is_valid():
        file_matches = (
            bool(statement.sha256) and sha256_of(upload_form.cleaned_data["file"]) == statement.sha256
        )
    return render(
        request,
        "billing/verify_statement.html",
        {
            "statement": statement,
            "programme_name": settings.PROGRAMME_NAME,
            "upload_form": upload_form,
            "file_matches": file_matches,
        },
    )
