"""The region's images for certificates (logo, signature image): a page for programme staff and the region's
coordinators instead of the admin. Changing an image asks for a fresh login, is recorded in the audit trail
(which image, never the file) and deletes the file it replaces."""

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from audit.models import AuditEntry
from regions import services
from regions.images import MAX_IMAGE_BYTES
from regions.models import Region
from tests import factories as f
from tests.auth import reauthenticate
from tests.portal.test_german_pages import problems_of

PAGE = "regions:certificate_images"


def _page(region) -> str:
    return reverse(PAGE, args=[region.slug])


def _remove(region, image: str) -> str:
    return reverse("regions:certificate_image_remove", args=[region.slug, image])


def _image(region, image: str) -> str:
    return reverse("regions:certificate_image", args=[region.slug, image])


def _entries():
    return AuditEntry.objects.filter(action=AuditEntry.Action.REGION_IMAGE)


@pytest.fixture
def fresh_coordinator(client, world):
    client.force_login(world.coordinator)
    reauthenticate(client)
    return client


@pytest.fixture
def owl_logo(world):
    world.owl.logo.save("logo.png", ContentFile(f.png_bytes()), save=True)
    return world.owl.logo.name


# -- who reaches the page ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "shown"), [("coordinator", True), ("staff", True), ("lotse_a", False)])
def test_the_region_page_links_to_the_images_for_those_who_may_change_them(client, world, role, shown):
    client.force_login(world.user_for(role))
    html = client.get(reverse("regions:detail", args=[world.owl.slug])).content.decode()
    assert (_page(world.owl) in html) is shown


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("staff", 200), ("other_coordinator", 404), ("lotse_a", 404), ("lotse_b", 404)],
)
def test_only_staff_and_the_regions_coordinators_see_the_page_and_the_images(
    client, world, owl_logo, role, status
):
    client.force_login(world.user_for(role))
    assert client.get(_page(world.owl)).status_code == status
    assert client.get(_image(world.owl, "logo")).status_code == status
    assert client.get(_remove(world.owl, "logo")).status_code == status


def test_anonymous_is_sent_to_the_login(client, world, owl_logo):
    for url in (_page(world.owl), _image(world.owl, "logo"), _remove(world.owl, "logo")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_another_regions_coordinator_changes_nothing_even_after_a_fresh_login(client, world, owl_logo):
    client.force_login(world.other_coordinator)
    reauthenticate(client)
    assert client.post(_page(world.owl), {"signature_image": f.png_upload()}).status_code == 404
    assert client.post(_remove(world.owl, "logo")).status_code == 404
    world.owl.refresh_from_db()
    assert world.owl.logo.name == owl_logo and not world.owl.signature_image
    assert not _entries().exists()
    with pytest.raises(PermissionDenied):
        services.remove_certificate_image(region=world.owl, image="logo", acting_user=world.other_coordinator)


# -- the fresh login --------------------------------------------------------------------------------------
def test_the_page_shows_the_images_and_asks_for_a_fresh_login_before_changes(
    coordinator_client, world, owl_logo
):
    html = coordinator_client.get(_page(world.owl)).content.decode()
    assert _image(world.owl, "logo") in html
    assert 'type="file"' not in html and _remove(world.owl, "logo") not in html
    assert reverse("account_reauthenticate") in html
    assert "Anmeldung bestätigen" in html


def test_changing_or_removing_needs_a_fresh_login(coordinator_client, world, owl_logo):
    upload = coordinator_client.post(_page(world.owl), {"signature_image": f.png_upload()})
    remove = coordinator_client.post(_remove(world.owl, "logo"))
    for response in (upload, remove):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
    world.owl.refresh_from_db()
    assert world.owl.logo.name == owl_logo and not world.owl.signature_image
    assert not _entries().exists()


def test_after_the_fresh_login_the_removal_goes_ahead(coordinator_client, world, owl_logo):
    response = coordinator_client.post(_remove(world.owl, "logo"))
    response = coordinator_client.post(
        response["Location"], {"password": f.TEST_PASSWORD}, follow=True, HTTP_ACCEPT_LANGUAGE="de"
    )
    world.owl.refresh_from_db()
    assert not world.owl.logo
    assert "Das Bild wurde entfernt." in response.content.decode()


# -- uploading --------------------------------------------------------------------------------------------
def test_upload_a_logo(fresh_coordinator, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = fresh_coordinator.post(_page(world.owl), {"logo": f.png_upload("Logo Petra Programm.png")})
    assert response.status_code == 302 and response["Location"] == _page(world.owl)
    world.owl.refresh_from_db()
    assert world.owl.logo.name.startswith("region-images/") and world.owl.logo.name.endswith(".png")
    assert "Petra" not in world.owl.logo.name  # a generated name, nothing of the uploader's
    assert world.owl.logo.storage.exists(world.owl.logo.name) and not world.owl.signature_image
    entry = _entries().get()
    assert entry.actor == world.coordinator and entry.region == world.owl
    assert (entry.target_type, entry.target_id) == ("regions.region", str(world.owl.pk))
    assert entry.details == {"image": "logo", "operation": "upload", "replaced": False}
    page = fresh_coordinator.get(_page(world.owl), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Die Bilder für Teilnahmebescheinigungen sind gespeichert." in page
    assert _image(world.owl, "logo") in page and _remove(world.owl, "logo") in page


def test_staff_upload_both_images_at_once(client, world):
    client.force_login(world.staff)
    reauthenticate(client)
    buffer = BytesIO()
    Image.new("RGB", (300, 100), (0, 0, 0)).save(buffer, format="JPEG")
    jpeg = f.png_upload("unterschrift.jpg", buffer.getvalue())
    response = client.post(_page(world.owl), {"logo": f.png_upload(), "signature_image": jpeg})
    assert response.status_code == 302
    world.owl.refresh_from_db()
    assert world.owl.logo.name.endswith(".png") and world.owl.signature_image.name.endswith(".jpg")
    assert sorted(_entries().values_list("details__image", flat=True)) == ["logo", "signature_image"]
    shown = client.get(_image(world.owl, "signature"))
    assert shown["Content-Type"] == "image/jpeg"
    assert b"".join(shown.streaming_content) == buffer.getvalue()


def test_a_new_image_replaces_the_old_file(
    fresh_coordinator, world, owl_logo, django_capture_on_commit_callbacks
):
    storage = world.owl.logo.storage
    with django_capture_on_commit_callbacks(execute=True):
        fresh_coordinator.post(_page(world.owl), {"logo": f.png_upload()})
    world.owl.refresh_from_db()
    assert world.owl.logo.name != owl_logo
    assert storage.exists(world.owl.logo.name) and not storage.exists(owl_logo)
    assert _entries().get().details == {"image": "logo", "operation": "upload", "replaced": True}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"not an image at all", "Bitte ein Bild im Format PNG oder JPEG hochladen."),
        ("logo.png", b"GIF89a" + b"\0" * 20, "Bitte ein Bild im Format PNG oder JPEG hochladen."),
        ("logo.png", b"\x89PNG" + b"\0" * (MAX_IMAGE_BYTES + 1), "Das Bild ist zu groß (höchstens 1 MB)."),
        ("logo.png", f.png_bytes(5000, 10), "Das Bild ist zu groß (höchstens 4000 Pixel breit und hoch)."),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "Dateiendung „svg“ ist nicht erlaubt"),
    ],
    ids=["not-an-image", "gif", "too-large", "too-many-pixels", "svg"],
)
def test_a_bad_upload_is_refused_with_a_message_and_changes_nothing(
    fresh_coordinator, world, owl_logo, django_capture_on_commit_callbacks, name, content, message
):
    with django_capture_on_commit_callbacks(execute=True):
        response = fresh_coordinator.post(
            _page(world.owl),
            {"logo": f.png_upload(name, content), "signature_image": f.png_upload()},
            HTTP_ACCEPT_LANGUAGE="de",
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'class="error"' in html
    world.owl.refresh_from_db()
    # not even the valid signature image of the same request is stored
    assert world.owl.logo.name == owl_logo and world.owl.logo.storage.exists(owl_logo)
    assert not world.owl.signature_image
    assert not _entries().exists()


@pytest.mark.parametrize("data", [{}, {"logo": "\x00", "signature_image": "9" * 25}], ids=["empty", "text"])
def test_nothing_chosen_is_a_message(fresh_coordinator, world, data):
    response = fresh_coordinator.post(_page(world.owl), data, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert (
        "Bitte ein Logo oder ein Bild der Unterschrift zum Hochladen auswählen." in response.content.decode()
    )
    assert not _entries().exists()


def test_the_service_checks_the_image_too(world):
    with pytest.raises(Exception, match="PNG"):
        services.upload_certificate_images(
            region=world.owl, acting_user=world.staff, logo=f.png_upload("logo.png", b"no image")
        )
    world.owl.refresh_from_db()
    assert not world.owl.logo and not _entries().exists()


# -- removing ---------------------------------------------------------------------------------------------
def test_remove_the_logo_after_confirming(
    fresh_coordinator, world, owl_logo, django_capture_on_commit_callbacks
):
    question = fresh_coordinator.get(_remove(world.owl, "logo"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Logo entfernen" in question and 'method="post"' in question
    with django_capture_on_commit_callbacks(execute=True):
        response = fresh_coordinator.post(_remove(world.owl, "logo"))
    assert response.status_code == 302 and response["Location"] == _page(world.owl)
    world.owl.refresh_from_db()
    assert not world.owl.logo and not world.owl.logo.storage.exists(owl_logo)
    entry = _entries().get()
    assert entry.details == {"image": "logo", "operation": "remove"} and entry.region == world.owl
    assert fresh_coordinator.get(_image(world.owl, "logo")).status_code == 404


def test_removing_what_is_not_there_records_nothing(fresh_coordinator, world):
    assert fresh_coordinator.get(_remove(world.owl, "signature")).status_code == 404
    response = fresh_coordinator.post(_remove(world.owl, "signature"), follow=True, HTTP_ACCEPT_LANGUAGE="de")
    assert "Es gab kein Bild zum Entfernen." in response.content.decode()
    assert not _entries().exists()


def test_an_unknown_image_is_not_found(fresh_coordinator, world, owl_logo):
    for url in (
        reverse("regions:certificate_image", args=[world.owl.slug, "logo_x"]),
        reverse("regions:certificate_image_remove", args=[world.owl.slug, "signature_image"]),
    ):
        assert fresh_coordinator.get(url).status_code == 404
        assert fresh_coordinator.post(url).status_code == 404
    world.owl.refresh_from_db()
    assert world.owl.logo.name == owl_logo


# -- the image itself -------------------------------------------------------------------------------------
def test_the_image_is_streamed_inline_with_its_type(coordinator_client, world, owl_logo):
    response = coordinator_client.get(_image(world.owl, "logo"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == f.png_bytes()


def test_a_missing_file_is_not_found(coordinator_client, world, owl_logo):
    world.owl.logo.storage.delete(owl_logo)
    assert coordinator_client.get(_image(world.owl, "logo")).status_code == 404


# -- language ---------------------------------------------------------------------------------------------
def test_the_pages_read_as_german_with_the_form(fresh_coordinator, world, owl_logo):
    for url in (_page(world.owl), _remove(world.owl, "logo")):
        response = fresh_coordinator.get(url, HTTP_ACCEPT_LANGUAGE="de")
        html = response.content.decode()
        assert problems_of(html, url) == [], problems_of(html, url)
    html = fresh_coordinator.get(_page(world.owl), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    for text in ("Bilder für Teilnahmebescheinigungen", "Logo auf Teilnahmebescheinigungen", "Hochladen"):
        assert text in html


def test_the_pages_in_english(fresh_coordinator, world, owl_logo):
    fresh_coordinator.post(reverse("set_language"), {"language": "en"})
    html = fresh_coordinator.get(_page(world.owl)).content.decode()
    for text in ("Images for certificates", "Logo on certificates", "Remove the logo", "Upload new images"):
        assert text in html
    assert "Teilnahmebescheinigung" not in html
    html = fresh_coordinator.get(_remove(world.owl, "logo")).content.decode()
    assert "Certificates already issued stay as they are." in html


def test_the_regions_table_holds_no_stale_name_after_removal(world):
    # the service leaves the row consistent for the certificate renderer: an empty name, not a missing file
    world.owl.signature_image.save("s.png", ContentFile(f.png_bytes()), save=True)
    services.remove_certificate_image(region=world.owl, image="signature_image", acting_user=world.staff)
    assert Region.objects.get(pk=world.owl.pk).signature_image.name == ""
