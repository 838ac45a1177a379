"""Small builders shared by the certificate tests and the role matrix."""

import hashlib
import io

from pypdf import PdfWriter

from certificates.models import Certificate, CertificateBatch
from certificates.services import store_atomically


def tiny_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def issued_with_file(certificate: Certificate, content: bytes | None = None) -> Certificate:
    """Give an issued certificate a stored file (as the worker would), without rendering."""
    content = content if content is not None else tiny_pdf()
    name = store_atomically(f"certificates/{certificate.verification_code}.pdf", content)
    Certificate.objects.filter(pk=certificate.pk).update(
        file=name, sha256=hashlib.sha256(content).hexdigest(), status=Certificate.Status.ISSUED
    )
    certificate.refresh_from_db()
    return certificate


def batch_for(world, with_file: bool = False) -> CertificateBatch:
    batch = CertificateBatch.objects.create(
        region=world.owl,
        programme_year=world.certificate.programme_year,
        requested_by=world.coordinator,
        total=1,
    )
    Certificate.objects.filter(pk=world.certificate.pk).update(batch=batch)
    if with_file:
        issued_with_file(world.certificate)
    return batch
