"""Issuing, rendering, revoking and re-issuing participation certificates.

Life of a certificate: pending → rendering → issued (or failed), later possibly revoked. Rows are created in
the web request; the PDF is rendered by a Celery worker that is told about the rows only after the
transaction has committed. Every rendering step is idempotent, so a task that runs twice (a worker killed
mid-batch, a redelivered message) overwrites instead of duplicating.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from certificates.models import Certificate, CertificateBatch, certificate_upload_to
from certificates.selectors import batch_scope, eligible_lotsen, training_record
from events.models import Event
from lotsen.models import Lotse
from portal.access import forbid_self, require_editable
from portal.queue import QueueUnavailable
from portal.signals import coalesced, rows_updated
from regions.models import Region

logger = logging.getLogger(__name__)

Status = Certificate.Status

#: Certificates per worker task: small enough that two worker processes share a batch, large enough that
#: the fonts are subset once for many certificates (see certificates/rendering.py).
CHUNK_SIZE = 25


# -- enqueueing ----------------------------------------------------------------------------------------
def chunked(ids: Sequence[int], size: int | None = None) -> list[list[int]]:
    size = size or getattr(settings, "CERTIFICATE_CHUNK_SIZE", CHUNK_SIZE)
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def _publish(certificate_ids: list[int]) -> None:
    from certificates.tasks import render_certificates

    options = {}
    if queue := getattr(settings, "CERTIFICATE_TASK_QUEUE", None):
        options["queue"] = queue
    render_certificates.apply_async(args=[certificate_ids], **options)


def _enqueue_after_commit(
    certificate_ids: list[int], batch_id: int | None = None, undo: Callable[[], None] | None = None
) -> None:
    """Publish the rendering tasks once the rows are committed (else the worker may not find them yet).

    If the broker refuses (Redis down), the rows that never reached the queue are deleted again (and
    ``undo`` reverts what else the request changed, e.g. the revocation of a re-issued certificate), so
    nothing waits forever as 'pending'; the caller gets QueueUnavailable and says so. The callback is not
    robust on purpose: the exception must reach the view."""

    def publish():
        unpublished = list(certificate_ids)
        try:
            for chunk in chunked(certificate_ids):
                _publish(chunk)
                unpublished = unpublished[len(chunk) :]
        except BrokerError as exc:
            _withdraw_unpublished(unpublished, batch_id)
            if undo is not None and len(unpublished) == len(certificate_ids):
                undo()
            logger.warning(
                "Certificate queue unavailable, withdrew %s certificates: %s", len(unpublished), exc
            )
            raise QueueUnavailable from exc

    transaction.on_commit(publish)


def requeue_stale(older_than_seconds: int) -> int:
    """Queue again the certificates still waiting to be rendered after that long, in chunks
    (portal.queue.requeue_stale_work); render_and_store skips what another run has done meanwhile."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    ids = list(
        Certificate.objects.filter(status=Status.PENDING, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for chunk in chunked(ids):
        _publish(chunk)
    return len(ids)


@coalesced()
def _withdraw_unpublished(certificate_ids: list[int], batch_id: int | None) -> None:
    # Only rows no worker has touched (still pending) are withdrawn.
    Certificate.objects.filter(pk__in=certificate_ids, status=Status.PENDING).delete()
    if batch_id is not None:
        batch = CertificateBatch.objects.select_for_update().get(pk=batch_id)
        remaining = batch.certificates.count()
        if remaining == 0:
            batch.delete()
        else:
            batch.total = remaining
            batch.save(update_fields=["total"])


# -- issuing -------------------------------------------------------------------------------------------
def _next_version(lotse_id: int, programme_year: int) -> int:
    latest = Certificate.objects.filter(lotse_id=lotse_id, programme_year=programme_year).aggregate(
        v=Max("version")
    )["v"]
    return (latest or 0) + 1


@transaction.atomic
def issue_certificate(*, lotse: Lotse, programme_year: int, acting_user) -> Certificate:
    """Issue the certificate of one Lotse for a programme year (rendered by the worker)."""
    require_editable(lotse, acting_user)
    forbid_self(acting_user, lotse)
    # Lock the Lotse so two clicks cannot both pick the same next version.
    lotse = Lotse.objects.select_for_update().get(pk=lotse.pk)
    record = training_record(lotse, programme_year=programme_year)
    if record.has_valid_certificate:
        raise ValidationError(
            _("%(name)s already has a certificate for %(year)s. Re-issue it to change it.")
            % {"name": lotse.full_name, "year": programme_year}
        )
    if record.trainings_attended < record.trainings_required:
        raise ValidationError(
            _(
                "%(name)s attended %(attended)s of the %(required)s training sessions required "
                "for a certificate in %(year)s."
            )
            % {
                "name": lotse.full_name,
                "attended": record.trainings_attended,
                "required": record.trainings_required,
                "year": programme_year,
            }
        )
    certificate = _create(lotse_id=lotse.pk, programme_year=programme_year, acting_user=acting_user)
    _enqueue_after_commit([certificate.pk])
    return certificate


def _create(*, lotse_id: int, programme_year: int, acting_user, batch=None) -> Certificate:
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                lotse_id=lotse_id,
                programme_year=programme_year,
                version=_next_version(lotse_id, programme_year),
                issued_by=acting_user,
                batch=batch,
            )
    except IntegrityError as exc:
        # The database's one-valid-certificate rule caught a concurrent issue.
        raise ValidationError(
            _("A certificate for this Lotse and year was issued at the same time.")
        ) from exc


@transaction.atomic
def issue_batch(
    *, programme_year: int, acting_user, region: Region | None = None, event: Event | None = None
) -> CertificateBatch:
    """Issue certificates for every eligible Lotse of a region, or of an event's participants, who has
    no valid certificate for the year yet. Raises ValidationError if there is nobody to issue for."""
    if (region is None) == (event is None):
        raise ValueError("Give either a region or an event.")
    require_editable(region or event, acting_user)
    # Nobody issues their own certificate (portal.access.forbid_self): a batch leaves the issuer out.
    lotsen = batch_scope(acting_user=acting_user, region=region, event=event)
    candidates = list(
        eligible_lotsen(lotsen, programme_year=programme_year)
        .filter(has_valid_certificate=False)
        .values_list("pk", flat=True)
    )
    # No row lock here (PostgreSQL refuses FOR UPDATE with GROUP BY): a concurrent batch for the same
    # Lotsen hits the one-valid-certificate constraint below and this batch is rolled back as a whole.
    if not candidates:
        raise ValidationError(_("No Lotse is eligible for a new certificate here."))
    batch = CertificateBatch.objects.create(
        region=region if region is not None else event.region,
        event=event,
        programme_year=programme_year,
        requested_by=acting_user,
        total=len(candidates),
    )
    versions = _next_versions(candidates, programme_year)
    try:
        with transaction.atomic():
            certificates = Certificate.objects.bulk_create(
                Certificate(
                    lotse_id=lotse_id,
                    programme_year=programme_year,
                    version=versions.get(lotse_id, 0) + 1,
                    issued_by=acting_user,
                    batch=batch,
                )
                for lotse_id in candidates
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Certificates for some of these Lotsen were issued at the same time.")
        ) from exc
    _enqueue_after_commit([c.pk for c in certificates], batch_id=batch.pk)
    return batch


def _next_versions(lotse_ids: Iterable[int], programme_year: int) -> dict[int, int]:
    rows = (
        Certificate.objects.filter(lotse_id__in=lotse_ids, programme_year=programme_year)
        .values("lotse_id")
        .annotate(v=Max("version"))
    )
    return {row["lotse_id"]: row["v"] for row in rows}


# -- revoking and re-issuing ---------------------------------------------------------------------------
def _locked_editable(certificate: Certificate, acting_user) -> Certificate:
    certificate = (
        Certificate.objects.editable_by(acting_user)
        .select_for_update(of=("self",))
        .filter(pk=certificate.pk)
        .first()
    )
    if certificate is None:
        raise PermissionDenied
    forbid_self(acting_user, certificate.lotse)
    return certificate


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give a reason.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Please keep the reason under 500 characters.")})
    return reason


@transaction.atomic
def revoke_certificate(*, certificate: Certificate, reason: str, acting_user) -> Certificate:
    reason = _clean_reason(reason)
    certificate = _locked_editable(certificate, acting_user)
    if certificate.status != Status.ISSUED:
        raise ValidationError(_("Only an issued certificate can be revoked."))
    certificate.status = Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = acting_user
    certificate.revocation_reason = reason
    certificate.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])
    logger.info("Certificate %s revoked by user %s", certificate.pk, acting_user.pk)
    return certificate


@transaction.atomic
def reissue_certificate(*, certificate: Certificate, reason: str, acting_user) -> Certificate:
    """Revoke the certificate (if issued) and issue a new version with fresh data and a new code.

    A failed certificate can be re-issued as well (it is simply replaced)."""
    reason = _clean_reason(reason)
    certificate = _locked_editable(certificate, acting_user)
    undo = None
    if certificate.status == Status.ISSUED:
        certificate = revoke_certificate(certificate=certificate, reason=reason, acting_user=acting_user)
        undo = functools.partial(_unrevoke, certificate.pk)
    elif certificate.status != Status.FAILED:
        raise ValidationError(_("Only an issued or failed certificate can be re-issued."))
    if (
        Certificate.objects.valid()
        .filter(lotse_id=certificate.lotse_id, programme_year=certificate.programme_year)
        .exists()
    ):
        raise ValidationError(_("A newer certificate for this Lotse and year already exists."))
    new = _create(
        lotse_id=certificate.lotse_id, programme_year=certificate.programme_year, acting_user=acting_user
    )
    _enqueue_after_commit([new.pk], undo=undo)
    return new


def _unrevoke(certificate_id: int) -> None:
    """Undo the revocation of a re-issue whose new version never reached the queue."""
    Certificate.objects.filter(pk=certificate_id, status=Status.REVOKED).update(
        status=Status.ISSUED, revoked_at=None, revoked_by=None, revocation_reason=""
    )
    rows_updated.send(sender=Certificate, pks=[certificate_id])


# -- rendering (runs in the worker) --------------------------------------------------------------------
def claim_for_rendering(certificate_ids: list[int]) -> None:
    """Mark the rows as rendering so the progress bar shows it (a rerun finds them rendering again)."""
    Certificate.objects.filter(pk__in=certificate_ids, status=Status.PENDING).update(status=Status.RENDERING)


def render_and_store(certificate_ids: list[int]) -> dict[str, int]:
    """Render the certificates that still need it and store each as its own PDF.

    Idempotent: rows are locked with SKIP LOCKED (a duplicate task running at the same time skips them),
    only pending/rendering rows are touched, files are written under their final name by an atomic
    rename, and file + SHA-256 + status go into the row in one UPDATE. A worker killed half-way leaves
    the rows pending/rendering and at worst a complete file that the rerun overwrites."""
    from certificates.rendering import render_certificate, render_certificates
    from certificates.selectors import certificate_contents

    claim_for_rendering(certificate_ids)
    issued = failed = 0
    issued_pks = []
    with coalesced():  # one transaction; the reports' rollups are refreshed once, at its end
        certificates = list(
            Certificate.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=certificate_ids, status__in=[Status.PENDING, Status.RENDERING])
            .order_by("pk")
        )
        if not certificates:
            return {"issued": 0, "failed": 0}
        data = certificate_contents(certificates)
        try:
            pdfs = render_certificates(data)
        except SoftTimeLimitExceeded:
            raise  # the task marks the chunk failed; no slow one-by-one attempt after the time is up
        except Exception:
            # One broken certificate must not fail the whole chunk: render them one by one.
            logger.warning("Chunk rendering failed, rendering %s certificates one by one", len(data))
            pdfs = []
            for item in data:
                try:
                    pdfs.append(render_certificate(item))
                except Exception:
                    logger.exception("Rendering certificate %s failed", item.certificate_id)
                    pdfs.append(None)
        now = timezone.now()
        for certificate, pdf in zip(certificates, pdfs, strict=True):
            if pdf is None:
                Certificate.objects.filter(pk=certificate.pk).update(status=Status.FAILED)
                failed += 1
                continue
            name = store_atomically(certificate_upload_to(certificate, "certificate.pdf"), pdf)
            Certificate.objects.filter(pk=certificate.pk).update(
                status=Status.ISSUED, file=name, sha256=hashlib.sha256(pdf).hexdigest(), issued_at=now
            )
            issued_pks.append(certificate.pk)
            issued += 1
        rows_updated.send(sender=Certificate, pks=issued_pks)  # once for the chunk (the reports count them)
    return {"issued": issued, "failed": failed}


def mark_failed(certificate_ids: list[int]) -> None:
    Certificate.objects.filter(pk__in=certificate_ids, status__in=[Status.PENDING, Status.RENDERING]).update(
        status=Status.FAILED
    )


def store_atomically(name: str, content: bytes) -> str:
    """Write the file under MEDIA_ROOT so that its final name only ever holds complete content:
    a temporary file in the same directory, fsync, then an atomic rename over the final name."""
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return name


def sha256_of(uploaded) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    return digest.hexdigest()
