"""Fixes after the review of the day-of branch: the batch's preview and issue share one scope, a region with a
missing image file can still be saved, the signature image takes no session off the page, and the PDF
fetcher's file cache follows changes and stays bounded."""

import dataclasses
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.forms import modelform_factory
from django.utils import timezone
from PIL import Image

from certificates import rendering
from certificates.selectors import batch_preview, batch_scope, certificate_contents
from certificates.services import issue_batch
from lotsen.models import Lotse
from portal import pdf
from regions.models import Region

pytestmark = pytest.mark.django_db


def png(width, height, colour=(0, 0, 0)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


# -- 1. preview and issue agree: an anonymised Lotse is in neither ------------------------------------
def test_the_batch_issues_for_exactly_those_the_preview_marks_eligible(
    world, trained, django_capture_on_commit_callbacks
):
    Lotse.objects.filter(pk=trained.natalya.pk).update(anonymised_at=timezone.now())
    scope = batch_scope(acting_user=world.coordinator, region=world.owl)
    previewed = {row.pk for row in batch_preview(scope, programme_year=trained.year) if row.eligible}

    with django_capture_on_commit_callbacks(execute=True):
        batch = issue_batch(programme_year=trained.year, acting_user=world.coordinator, region=world.owl)

    issued = set(batch.certificates.values_list("lotse_id", flat=True))
    assert issued == previewed == {trained.fatima.pk}
    assert batch.total == 1


# -- 2. a stored image whose file went missing does not stop a change of the region --------------------
def test_a_region_whose_image_file_is_missing_can_still_be_changed(world):
    world.owl.logo.save("logo.png", ContentFile(png(120, 60)), save=True)
    world.owl.logo.storage.delete(world.owl.logo.name)
    region = Region.objects.get(pk=world.owl.pk)
    form_class = modelform_factory(Region, fields=["name", "slug", "coordinating_body", "logo"])
    data = {"name": "OWL (neu)", "slug": region.slug, "coordinating_body": region.coordinating_body}
    form = form_class(data, instance=region)  # as the admin: no new upload, the stored name stays
    assert form.is_valid(), form.errors
    form.save()
    assert Region.objects.get(pk=region.pk).name == "OWL (neu)"


def test_checking_a_region_opens_no_stored_image(world):
    world.owl.logo.save("logo.png", ContentFile(png(120, 60)), save=True)
    region = Region.objects.get(pk=world.owl.pk)
    region.full_clean()
    assert region.logo.closed  # the stored file was checked when it was uploaded, not again


# -- 3. as many sessions fit with the region's logo and signature image as without ---------------------
def _fits(data) -> bool:
    try:
        rendering.render_certificates([data])
    except RuntimeError:
        return False
    return True


def _with_sessions(data, count):
    session = (timezone.localdate(), "Anerkennung ausländischer Berufsabschlüsse", Decimal("2.5"))
    return dataclasses.replace(data, sessions=[session] * count)


def test_the_signature_image_takes_no_session_off_the_page(world, trained):
    region = world.owl
    region.signatory_name = "Dr. Henrike Albers"
    region.signatory_function = "Leitung der Regionalagentur OWL"
    region.save()
    plain = certificate_contents([world.certificate])[0]
    assert not plain.signature_uri and not plain.region_logo_uri
    most = next(n for n in range(8, 40) if not _fits(_with_sessions(plain, n))) - 1

    # a wide logo (as wide as allowed) and a tall signature (as high as allowed)
    region.logo.save("logo.png", ContentFile(png(900, 150, (11, 92, 142))), save=False)
    region.signature_image.save("signature.png", ContentFile(png(300, 200)), save=False)
    region.save()
    signed = certificate_contents([world.certificate])[0]
    assert signed.signature_uri and signed.region_logo_uri

    assert _fits(_with_sessions(signed, most))


# -- 4. a save of other fields never deletes an image --------------------------------------------------
def test_saving_other_fields_of_a_stale_region_keeps_the_stored_image(
    world, django_capture_on_commit_callbacks
):
    stale = Region.objects.get(pk=world.owl.pk)  # read before the logo was uploaded
    with django_capture_on_commit_callbacks(execute=True):
        world.owl.logo.save("logo.png", ContentFile(png(120, 60)), save=True)
    stored = world.owl.logo.name

    stale.certificate_place = "Bielefeld"
    with django_capture_on_commit_callbacks(execute=True):
        stale.save(update_fields=["certificate_place"])

    assert world.owl.logo.storage.exists(stored)
    assert Region.objects.get(pk=world.owl.pk).logo.name == stored


# -- 6. the PDF fetcher's file cache ---------------------------------------------------------------------
def test_the_pdf_fetcher_reads_a_changed_file_anew(tmp_path):
    fetcher = pdf.LocalOnlyURLFetcher(tmp_path)
    image = tmp_path / "logo.png"
    image.write_bytes(png(10, 10))
    assert fetcher.fetch(image.as_uri()).read() == png(10, 10)
    image.write_bytes(png(20, 20))
    assert fetcher.fetch(image.as_uri()).read() == png(20, 20)


def test_the_pdf_fetcher_keeps_a_bounded_number_of_files(tmp_path):
    fetcher = pdf.LocalOnlyURLFetcher(tmp_path)
    for number in range(pdf.FILE_CACHE_SIZE + 20):
        image = tmp_path / f"{number}.png"
        image.write_bytes(b"x" * number)
        assert fetcher.fetch(image.as_uri()).read() == b"x" * number
    assert pdf.cached_file_count() <= pdf.FILE_CACHE_SIZE
