"""The certificates list for coordinators and for Lotsen; downloads."""

import pytest
from django.urls import reverse

from certificates.models import Certificate
from tests import factories as f
from tests.certificates.helpers import issued_with_file

pytestmark = pytest.mark.django_db


def _list(client, **params):
    return client.get(reverse("certificates:list"), params)


def _many_certificates(world, n):
    for _ in range(n):
        f.CertificateFactory(lotse=f.LotseFactory(region=world.owl))


def test_list_queries_do_not_grow_with_rows(coordinator_client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(12) as one_row:
        _list(coordinator_client)
    _many_certificates(world, 40)
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        response = _list(coordinator_client)
    assert len(response.context["certificates"]) == 41


def test_coordinator_sees_own_region_only(client, world):
    siegen = f.CertificateFactory(lotse=world.lotse_siegen)
    client.force_login(world.coordinator)
    owl_codes = {c.verification_code for c in _list(client).context["certificates"]}
    client.force_login(world.other_coordinator)
    siegen_codes = {c.verification_code for c in _list(client).context["certificates"]}
    assert owl_codes == {world.certificate.verification_code}
    assert siegen_codes == {siegen.verification_code}


def test_filters_by_status_and_year(coordinator_client, world):
    failed = f.CertificateFactory(lotse=world.lotse_b, status=Certificate.Status.FAILED, programme_year=2023)

    by_status = _list(coordinator_client, status="failed").context["certificates"]
    by_year = _list(coordinator_client, programme_year=2023).context["certificates"]

    assert list(by_status) == [failed]
    assert list(by_year) == [failed]


def test_region_filter_only_for_those_who_see_several_regions(client, world):
    from accounts.models import User

    f.CertificateFactory(lotse=world.lotse_siegen)
    client.force_login(world.coordinator)
    assert "region" not in _list(client).context["filter"].form.fields
    # A coordinator of two regions gets the filter, like on every other list.
    f.CoordinationFactory(user=world.coordinator, region=world.siegen)
    client.force_login(User.objects.get(pk=world.coordinator.pk))
    assert "region" in _list(client).context["filter"].form.fields
    client.force_login(world.staff)
    assert "region" in _list(client).context["filter"].form.fields
    in_siegen = _list(client, region=world.siegen.pk).context["certificates"]
    assert [c.lotse for c in in_siegen] == [world.lotse_siegen]


def test_empty_filter_result_is_explained(coordinator_client, world):
    response = _list(coordinator_client, status="failed")
    assert response.context["is_filtered"]
    assert reverse("certificates:list") in response.content.decode()


def test_lotse_sees_own_certificate_with_download(lotse_client, world):
    issued_with_file(world.certificate)
    html = _list(lotse_client).content.decode()
    assert reverse("certificates:download", args=[world.certificate.pk]) in html


def test_lotse_without_certificate_sees_none_yet(lotse_b_client, world):
    response = _list(lotse_b_client)
    assert list(response.context["certificates"]) == []
    assert 'class="empty"' in response.content.decode()


def test_pending_certificate_is_not_downloadable(lotse_client, world):
    Certificate.objects.filter(pk=world.certificate.pk).update(status=Certificate.Status.PENDING)
    response = lotse_client.get(reverse("certificates:download", args=[world.certificate.pk]))
    assert response.status_code == 404


def test_download_is_the_stored_file(lotse_client, world):
    certificate = issued_with_file(world.certificate, b"%PDF-1.7 content")
    response = lotse_client.get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 content"
    assert certificate.verification_code in response["Content-Disposition"]


def test_batch_page_and_zip_leave_out_a_lotse_who_moved_to_another_region(client, world):
    """The batch belongs to OWL, but a Lotse who has since moved to Siegen is Siegen's: the OWL coordinator
    no longer gets their name on the batch page nor their certificate in the ZIP."""
    import io
    import zipfile

    from tests.certificates.helpers import batch_for

    batch = batch_for(world, with_file=True)
    moved = issued_with_file(f.CertificateFactory(lotse=world.lotse_b, batch=batch))
    world.lotse_b.region = world.siegen
    world.lotse_b.save(update_fields=["region"])
    client.force_login(world.coordinator)

    page = client.get(reverse("certificates:batch_detail", args=[batch.pk]))
    assert [c.pk for c in page.context["certificates"]] == [world.certificate.pk]
    assert world.lotse_b.last_name not in page.content.decode()
    archive = client.get(reverse("certificates:batch_zip", args=[batch.pk]))
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as zipped:
        names = zipped.namelist()
    assert len(names) == 1
    assert world.certificate.verification_code in names[0]
    assert moved.verification_code not in names[0]
