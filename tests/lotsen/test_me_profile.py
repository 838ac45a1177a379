"""A Lotse keeps their own profile: contact details, languages, expertise, availability - nothing else."""

import logging

from django.urls import reverse

from lotsen.models import Lotse
from tests import factories as f


def test_a_lotse_changes_contact_details_languages_and_expertise(lotse_client, world):
    response = lotse_client.post(
        reverse("me:profile"),
        {
            "email": "ayse.kontakt@example.org",
            "phone": "+49 521 123456",
            "availability": "Dienstags nachmittags",
            "languages": [f.language("tr").pk, f.language("ar").pk],
            "expertise": ["recognition", "job_search"],
        },
    )
    assert response.status_code == 302
    lotse = Lotse.objects.get(pk=world.lotse_a.pk)
    assert (lotse.email, lotse.phone, lotse.availability) == (
        "ayse.kontakt@example.org",
        "+49 521 123456",
        "Dienstags nachmittags",
    )
    assert set(lotse.languages.values_list("code", flat=True)) == {"tr", "ar"}
    assert lotse.expertise == ["job_search", "recognition"]


def test_region_organisation_status_and_bank_details_cannot_be_changed(lotse_client, world):
    before = Lotse.objects.get(pk=world.lotse_a.pk)
    lotse_client.post(
        reverse("me:profile"),
        {
            "email": "neu@example.org",
            "region": world.siegen.pk,
            "district": "",
            "organisations": [world.organisation_siegen.pk],
            "status": "left",
            "iban": "DE02120300000000202051",
            "first_name": "Eve",
            "user": world.staff.pk,
        },
    )
    lotse = Lotse.objects.get(pk=world.lotse_a.pk)
    assert lotse.email == "neu@example.org"
    assert (lotse.region, lotse.status, lotse.iban, lotse.first_name, lotse.user) == (
        before.region,
        before.status,
        before.iban,
        before.first_name,
        before.user,
    )
    assert list(lotse.organisations.all()) == [world.organisation]


def test_bad_input_is_refused_and_changes_nothing(lotse_client, world):
    for data in (
        {"email": "not-an-address"},
        {"phone": "call me maybe"},
        {"expertise": ["astrology"]},
        {"languages": ["999999"]},
        {"availability": "x" * 201},
    ):
        response = lotse_client.post(reverse("me:profile"), data)
        assert response.status_code == 200
        assert set(data) <= set(response.context["form"].errors)
    lotse = Lotse.objects.get(pk=world.lotse_a.pk)
    assert (lotse.email, lotse.phone, lotse.availability) == ("", "", "")


def test_profile_shows_but_does_not_offer_region_and_organisations(lotse_client, world):
    response = lotse_client.get(reverse("me:profile"))
    assert set(response.context["form"].fields) == {
        "email",
        "phone",
        "availability",
        "languages",
        "expertise",
        "address_form",
    }
    html = response.content.decode()
    assert world.owl.name in html
    assert world.organisation.name in html


def test_saving_the_profile_logs_no_entered_values(lotse_client, world, caplog):
    caplog.set_level(logging.DEBUG)
    lotse_client.post(
        reverse("me:profile"),
        {"email": "geheim.kontakt@example.org", "phone": "0170 9876543", "availability": "Samstags früh"},
    )
    log = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert f"lotse {world.lotse_a.pk} updated their profile" in log
    for entered in ("geheim.kontakt", "9876543", "Samstags"):
        assert entered not in log


def test_a_lotse_chooses_how_the_certificate_names_them(lotse_client, world):
    assert Lotse.objects.get(pk=world.lotse_a.pk).address_form == Lotse.AddressForm.NEUTRAL
    data = {"email": "ayse@example.org", "availability": "", "phone": "", "expertise": []}
    response = lotse_client.post(reverse("me:profile"), {**data, "address_form": "lotsin"})
    assert response.status_code == 302
    assert Lotse.objects.get(pk=world.lotse_a.pk).address_form == Lotse.AddressForm.LOTSIN
    lotse_client.post(reverse("me:profile"), data)  # not sent: the choice stays
    assert Lotse.objects.get(pk=world.lotse_a.pk).address_form == Lotse.AddressForm.LOTSIN
    response = lotse_client.post(reverse("me:profile"), {**data, "address_form": "Frau"})
    assert response.status_code == 200 and response.context["form"].errors["address_form"]


def test_a_coordinator_sets_the_form_of_address(coordinator_client, world):
    page = coordinator_client.get(reverse("lotsen:edit", args=[world.lotse_b.pk])).content.decode()
    assert 'name="address_form" value="lotse"' in page
