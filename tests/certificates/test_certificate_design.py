"""What a certificate shows: the programme's and the region's logos, the region's signature image (uploaded by
programme staff, with defaults when there is none), the person's own form of address and the issuer once.
Images come only from the bundled folder and the regions' image folder below MEDIA_ROOT."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from certificates import rendering
from certificates.selectors import certificate_contents
from lotsen.models import Lotse
from regions.images import MAX_IMAGE_BYTES, validate_region_image
from tests import factories as f

pytestmark = pytest.mark.django_db


def png(width=120, height=60, colour=(11, 92, 142)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _pdf_of(certificate) -> PdfReader:
    [pdf] = rendering.render_certificates(certificate_contents([certificate]))
    return PdfReader(io.BytesIO(pdf))


def _text(reader: PdfReader) -> str:
    return " ".join(reader.pages[0].extract_text().split())


def _images(reader: PdfReader) -> int:
    return len(reader.pages[0].images)


@pytest.fixture
def owl_signs(world):
    # As in the demo data: the signatory's function names the Regionalagentur already.
    world.owl.signatory_name = "Dr. Henrike Albers"
    world.owl.signatory_function = "Leitung der Regionalagentur OWL"
    world.owl.save()
    return world.owl


@pytest.mark.parametrize(
    ("address_form", "expected", "not_expected"),
    [
        (Lotse.AddressForm.LOTSIN, "als ehrenamtliche Arbeitsmarktlotsin im Rahmen", "Arbeitsmarktlotse "),
        (Lotse.AddressForm.LOTSE, "als ehrenamtlicher Arbeitsmarktlotse im Rahmen", "Arbeitsmarktlotsin"),
        (Lotse.AddressForm.NEUTRAL, "im Rahmen des ehrenamtlichen Engagements im Programm", "bzw."),
    ],
)
def test_the_certificate_uses_the_persons_own_form_of_address(
    world, owl_signs, address_form, expected, not_expected
):
    Lotse.objects.filter(pk=world.lotse_a.pk).update(address_form=address_form)
    text = _text(_pdf_of(world.certificate))
    assert expected in text
    assert not_expected not in text
    assert "Arbeitsmarktlotsin bzw." not in text


def test_a_lotse_without_a_choice_gets_the_neutral_form(world):
    assert Lotse().address_form == Lotse.AddressForm.NEUTRAL == f.LotseFactory(region=world.owl).address_form


def test_the_issuer_is_named_once(world, owl_signs):
    text = _text(_pdf_of(world.certificate))
    assert text.count("Regionalagentur OWL") == 1
    assert "Dr. Henrike Albers Leitung der Regionalagentur OWL" in text


def test_the_issuer_is_printed_when_the_function_does_not_name_it(world):
    text = _text(_pdf_of(world.certificate))
    assert "Leitung der Regionalagentur Regionalagentur OWL" in text  # function, then the body, once each
    assert text.count("Regionalagentur OWL") == 1


def test_without_uploads_the_programme_logo_and_an_empty_signature_line(world, owl_signs):
    reader = _pdf_of(world.certificate)
    # the programme's logo is a bundled vector drawing; the only raster image is the QR code
    assert _images(reader) == 1
    content = reader.pages[0].get_contents().get_data()
    assert content.count(b" re") + content.count(b" l") > 0  # drawn paths (logo, lines)


def test_the_regions_logo_and_signature_image_are_embedded(world, owl_signs):
    owl_signs.logo.save("Logo OWL.png", ContentFile(png()), save=False)
    owl_signs.signature_image.save(
        "unterschrift albers.png", ContentFile(png(300, 80, (0, 0, 0))), save=False
    )
    owl_signs.save()
    assert owl_signs.logo.name.startswith("region-images/") and "OWL" not in owl_signs.logo.name
    reader = _pdf_of(world.certificate)
    assert _images(reader) == 3  # region logo, signature, QR code
    assert "Regionalagentur OWL" in _text(reader)


def test_a_missing_image_file_leaves_the_image_out_instead_of_failing(world, owl_signs):
    owl_signs.logo.save("logo.png", ContentFile(png()), save=True)
    owl_signs.logo.storage.delete(owl_signs.logo.name)
    reader = _pdf_of(world.certificate)
    assert _images(reader) == 1


def test_a_replaced_image_file_is_deleted(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world.owl.logo.save("first.png", ContentFile(png()), save=True)
    first = world.owl.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        world.owl.logo.save("second.png", ContentFile(png()), save=True)
    assert not world.owl.logo.storage.exists(first)
    assert world.owl.logo.storage.exists(world.owl.logo.name)


def test_the_fetcher_reads_region_images_but_no_other_uploaded_file(world, settings):
    fetcher = rendering._url_fetcher()
    world.owl.logo.save("logo.png", ContentFile(png()), save=True)
    assert fetcher.fetch(f"file://{world.owl.logo.path}").read() == png()
    other = settings.MEDIA_ROOT / "certificates" / "ABC.pdf"
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_bytes(b"%PDF-1.7")
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch(other.as_uri())
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch(f"file://{world.owl.logo.path}/../../certificates/ABC.pdf")
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch("https://example.org/logo.png")


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("logo.png", b"not an image at all", "PNG oder JPEG"),
        ("logo.png", b"GIF89a" + b"\0" * 20, "PNG oder JPEG"),
        ("logo.png", b"\x89PNG" + b"\0" * (MAX_IMAGE_BYTES + 1), "zu groß .höchstens 1 MB"),
        ("logo.png", png(5000, 10), "4000 Pixel"),
    ],
)
def test_uploaded_images_are_checked(name, content, error):
    with translation.override("de"), pytest.raises(ValidationError, match=error):
        validate_region_image(SimpleUploadedFile(name, content))


def test_a_gif_or_svg_is_refused_by_its_name_too(world):
    world.owl.logo = SimpleUploadedFile("logo.svg", b"<svg/>")
    with pytest.raises(ValidationError):
        world.owl.full_clean()
    world.owl.logo = SimpleUploadedFile("logo.png", png())
    world.owl.full_clean()
