from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.services import record_export
from certificates import selectors, services
from certificates.filters import CertificateFilter
from certificates.forms import BatchForm, IssueForLotseForm, ReasonForm
from certificates.models import Certificate, CertificateBatch
from lotsen.models import Lotse
from portal.access import get_editable_or_403, require_coordination, works_in_coordination
from portal.queue import QueueUnavailable
from portal.zipstream import zip_stream

QUEUE_DOWN = gettext_lazy(
    "The certificate service is not reachable right now, so nothing was issued. Please try again in a few "
    "minutes; if it persists, tell the programme office."
)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# -- list and detail -----------------------------------------------------------------------------------
def certificate_list(request):
    certificates = _certificates().visible_to(request.user)
    if not works_in_coordination(request.user):
        # A Lotse: their own certificates, newest first, no filters needed.
        return render(
            request,
            "certificates/certificate_list_lotse.html",
            {"certificates": certificates.order_by("-programme_year", "-version")},
        )
    filterset = CertificateFilter(request.GET, queryset=certificates, request=request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    batches = (
        CertificateBatch.objects.visible_to(request.user)
        .with_progress()
        .select_related("region", "event")[:5]
    )
    return render(
        request,
        "certificates/certificate_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "certificates": page.object_list,
            "batches": batches,
            "is_filtered": any(request.GET.get(name) for name in filterset.form.fields),
        },
    )


def _certificates():
    return Certificate.objects.select_related("lotse", "lotse__region", "batch")


def _visible_certificate(request, pk: int) -> Certificate:
    return get_object_or_404(_certificates().visible_to(request.user), pk=pk)


def certificate_detail(request, pk: int, reason_form: ReasonForm | None = None, status: int = 200):
    certificate = _visible_certificate(request, pk)
    can_edit = Certificate.objects.editable_by(request.user).filter(pk=certificate.pk).exists()
    versions = Certificate.objects.visible_to(request.user).filter(
        lotse_id=certificate.lotse_id, programme_year=certificate.programme_year
    )
    return render(
        request,
        "certificates/certificate_detail.html",
        {
            "certificate": certificate,
            "can_edit": can_edit,
            "versions": versions.order_by("-version") if can_edit else [],
            "reason_form": reason_form or ReasonForm(),
        },
        status=status,
    )


def certificate_download(request, pk: int):
    certificate = _visible_certificate(request, pk)
    if not certificate.is_downloadable:
        raise Http404
    try:
        handle = certificate.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"Teilnahmebescheinigung-{certificate.verification_code}.pdf",
        content_type="application/pdf",
    )


# -- issuing -------------------------------------------------------------------------------------------
def _back_to(request, default):
    """The page that sent the POST (e.g. the Lotse's page, via a hidden `next`), if it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return default


@require_POST
def issue_for_lotse(request, lotse_pk: int):
    """Issue the certificate of one Lotse (linked from the Lotse's page).

    POST fields: programme_year (optional, default this year), next (optional, where to go afterwards)."""
    lotse = get_editable_or_403(Lotse.objects.all(), request.user, pk=lotse_pk)
    form = IssueForLotseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a valid programme year."))
        return _back_to(request, redirect("certificates:list"))
    try:
        certificate = services.issue_certificate(
            lotse=lotse, programme_year=form.year(), acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _back_to(request, redirect("certificates:list"))
    except QueueUnavailable:
        messages.error(request, QUEUE_DOWN)
        return _back_to(request, redirect("certificates:list"))
    messages.success(request, _("The certificate is being created."))
    return _back_to(request, redirect("certificates:detail", pk=certificate.pk))


def batch_create(request):
    """Choose a region or an event. "Show who is eligible" (and htmx on every change, swapping #preview) POSTs
    with ``preview``: it lists everyone in scope with their count against the requirement and issues nothing.
    Everything is a POST, so neither the CSRF token nor the choice ends up in a URL."""
    require_coordination(request.user)
    form = BatchForm(request.POST if request.method == "POST" else None, user=request.user)
    valid = form.is_valid()  # False when unbound
    if valid and "preview" not in request.POST:
        try:
            batch = services.issue_batch(
                programme_year=form.cleaned_data["programme_year"],
                region=form.cleaned_data["region"],
                event=form.cleaned_data["event"],
                acting_user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        except QueueUnavailable:
            form.add_error(None, QUEUE_DOWN)
        else:
            # No "being created" message here: the batch page says so while it runs and "done" when it is.
            return redirect("certificates:batch_detail", pk=batch.pk)
    preview = None
    # Also after a refused issue ("nobody is eligible"): the list then shows who is short of what.
    data = getattr(form, "cleaned_data", {}) if form.is_bound else {}
    if (data.get("region") or data.get("event")) and data.get("programme_year"):
        scope = selectors.batch_scope(acting_user=request.user, region=data["region"], event=data["event"])
        preview = list(selectors.batch_preview(scope, programme_year=data["programme_year"]))
    context = {
        "form": form,
        "preview": preview,
        "will_be_issued": sum(
            1 for lotse in preview or [] if lotse.eligible and not lotse.has_valid_certificate
        ),
    }
    template = "certificates/batch_form.html#preview" if request.htmx else "certificates/batch_form.html"
    return render(request, template, context)


def _visible_batch(request, pk: int) -> CertificateBatch:
    # Lotsen see no batch at all (404), like any other record outside their scope.
    return get_object_or_404(
        CertificateBatch.objects.visible_to(request.user).select_related("region", "event", "requested_by"),
        pk=pk,
    )


def _batch_certificates(request, batch: CertificateBatch):
    # The batch is the region's, but each certificate is scoped by its Lotse: a Lotse who has since moved to
    # another region is no longer listed or zipped for the old region's coordinators.
    return Certificate.objects.visible_to(request.user).filter(batch=batch)


def batch_detail(request, pk: int):
    """The batch's progress; htmx polls the #progress partial until every certificate is done or failed."""
    batch = _visible_batch(request, pk)
    progress = batch.progress()
    certificates = []
    if progress["finished"]:
        certificates = (
            _batch_certificates(request, batch)
            .select_related("lotse")
            .order_by("lotse__last_name", "lotse__first_name")
        )
    template = "certificates/batch_detail.html#progress" if request.htmx else "certificates/batch_detail.html"
    return render(request, template, {"batch": batch, "progress": progress, "certificates": certificates})


def _archive_name(certificate) -> str:
    name = slugify(certificate.lotse.full_name, allow_unicode=True) or "lotse"
    return f"{name}-{certificate.verification_code}.pdf"


def batch_zip(request, pk: int):
    """All issued certificates of the batch as one ZIP, built while it is sent (never held in memory)."""
    batch = _visible_batch(request, pk)
    certificates = list(
        _batch_certificates(request, batch)
        .filter(status=Certificate.Status.ISSUED)
        .exclude(file="")
        .select_related("lotse")
        .order_by("lotse__last_name", "lotse__first_name")
    )
    if not certificates:
        raise Http404
    record_export(
        actor=request.user,
        export="certificates_zip",
        file_format="zip",
        rows=len(certificates),
        region_ids={batch.region_id} if batch.region_id else {c.lotse.region_id for c in certificates},
    )
    response = StreamingHttpResponse(
        zip_stream((_archive_name(c), c.file) for c in certificates), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="certificates-{batch.pk}.zip"'
    return response


# -- revoking and re-issuing ---------------------------------------------------------------------------
@require_POST
def certificate_revoke(request, pk: int):
    certificate = get_editable_or_403(_certificates(), request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return certificate_detail(request, pk, reason_form=form, status=400)
    try:
        services.revoke_certificate(
            certificate=certificate, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The certificate has been revoked."))
    return redirect("certificates:detail", pk=certificate.pk)


@require_POST
def certificate_reissue(request, pk: int):
    certificate = get_editable_or_403(_certificates(), request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return certificate_detail(request, pk, reason_form=form, status=400)
    try:
        new = services.reissue_certificate(
            certificate=certificate, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("certificates:detail", pk=certificate.pk)
    except QueueUnavailable:
        messages.error(request, QUEUE_DOWN)
        return redirect("certificates:detail", pk=certificate.pk)
    messages.success(request, _("A new version is being created; the old one is revoked."))
    return redirect("certificates:detail", pk=new.pk)
