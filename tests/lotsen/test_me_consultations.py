"""A Lotse logs, lists, changes and deletes their own consultations (/me/consultations/)."""

import datetime
import logging
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.models import Consultation
from lotsen.services import consultations as services
from tests import factories as f
from tests.lotsen.matrix_me import consultation_data


def create_url():
    return reverse("me:consultation_create")


def test_form_offers_no_field_for_a_client_name_contact_or_notes(lotse_client):
    response = lotse_client.get(create_url())
    form = response.context["form"]
    assert set(form.fields) == {
        "date",
        "duration_minutes",
        "mode",
        "language",
        "topics",
        "age_band",
        "gender",
        "country_of_origin",
        "time_in_germany",
        "referral",
        "follow_up_needed",
        "submission_key",
    }
    assert "Textarea" not in {type(field.widget).__name__ for field in form.fields.values()}


def test_date_defaults_to_today_and_own_languages_come_first(lotse_client, world):
    world.lotse_a.languages.set([f.language("ar"), f.language("tr")])
    response = lotse_client.get(create_url())
    html = response.content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html
    choices = response.context["form"].fields["language"].choices
    own_group = choices[1][1]
    assert {label for _pk, label in own_group} == {str(f.language("ar")), str(f.language("tr"))}


def test_logging_saves_the_entry_with_the_lotses_region_and_lists_it(lotse_client, world):
    key = uuid.uuid4()
    response = lotse_client.post(create_url(), consultation_data(world, submission_key=str(key)))
    assert response.status_code == 302
    consultation = Consultation.objects.get(submission_key=key)
    assert consultation.lotse == world.lotse_a
    assert consultation.region == world.owl
    assert consultation.topics == ["job_search", "recognition"]
    assert consultation.referral == world.partner
    listing = lotse_client.get(response["Location"])
    assert consultation in listing.context["consultations"]
    assert listing.context["saved_submission_key"] == str(key)


def test_the_same_submission_key_twice_creates_one_entry(lotse_client, world):
    data = consultation_data(world, submission_key=str(uuid.uuid4()))
    first = lotse_client.post(create_url(), data)
    second = lotse_client.post(create_url(), data)
    assert Consultation.objects.filter(submission_key=data["submission_key"]).count() == 1
    assert first["Location"] == second["Location"]


def test_a_submission_key_of_another_lotse_is_refused(client, world):
    services.log_consultation(
        lotse=world.lotse_a,
        values={"date": timezone.localdate(), "duration_minutes": 30, "topics": ["other"]},
        submission_key=(key := uuid.uuid4()),
        acting_user=world.lotse_a.user,
    )
    client.force_login(world.lotse_b.user)
    response = client.post(create_url(), consultation_data(world, submission_key=str(key)))
    assert response.status_code == 403
    assert not Consultation.objects.filter(lotse=world.lotse_b).exists()


BAD_INPUT = [
    ("date", lambda w: (timezone.localdate() + datetime.timedelta(days=1)).isoformat()),
    ("date", lambda w: (timezone.localdate() - datetime.timedelta(days=400)).isoformat()),
    ("date", lambda w: "31.02.2025"),
    ("duration_minutes", lambda w: "-30"),
    ("duration_minutes", lambda w: "0"),
    ("duration_minutes", lambda w: "6000"),
    ("duration_minutes", lambda w: "abc"),
    ("mode", lambda w: "teleport"),
    ("topics", lambda w: ["astrology"]),
    ("topics", lambda w: []),
    ("age_band", lambda w: "99"),
    ("gender", lambda w: "x"),
    ("country_of_origin", lambda w: "XX"),
    ("time_in_germany", lambda w: "forever"),
    ("language", lambda w: "999999"),
    # a partner institution of another region, and an inactive one of the own region
    ("referral", lambda w: str(f.PartnerInstitutionFactory(region=w.siegen).pk)),
    ("referral", lambda w: str(f.PartnerInstitutionFactory(region=w.owl, is_active=False).pk)),
]


@pytest.mark.parametrize(
    ("field", "value"), BAD_INPUT, ids=[f"{f}-{i}" for i, (f, _v) in enumerate(BAD_INPUT)]
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(lotse_client, world, field, value):
    before = Consultation.objects.count()
    data = consultation_data(world, submission_key=str(uuid.uuid4()))
    data[field] = value(world)
    response = lotse_client.post(create_url(), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Consultation.objects.count() == before


def test_the_service_refuses_another_regions_partner_and_future_dates(world):
    from django.core.exceptions import ValidationError

    values = {"date": timezone.localdate(), "duration_minutes": 30, "topics": ["other"]}
    with pytest.raises(ValidationError):
        services.log_consultation(
            lotse=world.lotse_a,
            values={**values, "referral": f.PartnerInstitutionFactory(region=world.siegen)},
            submission_key=None,
            acting_user=world.lotse_a.user,
        )
    with pytest.raises(ValidationError):
        services.log_consultation(
            lotse=world.lotse_a,
            values={**values, "date": timezone.localdate() + datetime.timedelta(days=2)},
            submission_key=None,
            acting_user=world.lotse_a.user,
        )
    assert Consultation.objects.filter(lotse=world.lotse_a).count() == 1  # only the world's entry


def test_a_lotse_who_left_can_only_catch_up_on_entries_until_leaving(lotse_client, world):
    from lotsen.models import Lotse

    today = timezone.localdate()
    left_on = today - datetime.timedelta(days=10)
    Lotse.objects.filter(pk=world.lotse_a.pk).update(status=Lotse.Status.LEFT, left_on=left_on)
    before = Consultation.objects.count()
    response = lotse_client.post(
        reverse("me:consultation_create"), consultation_data(world, submission_key=str(uuid.uuid4()))
    )
    assert response.status_code == 200 and "date" in response.context["form"].errors
    assert Consultation.objects.count() == before
    lotse_client.post(
        reverse("me:consultation_create"),
        consultation_data(world, date=left_on - datetime.timedelta(days=1), submission_key=str(uuid.uuid4())),
    )
    assert Consultation.objects.count() == before + 1


def test_edit_changes_the_entry(lotse_client, world):
    url = reverse("me:consultation_edit", kwargs={"pk": world.consultation.pk})
    response = lotse_client.post(url, consultation_data(world, duration_minutes="90", mode="video"))
    assert response.status_code == 302
    world.consultation.refresh_from_db()
    assert (world.consultation.duration_minutes, world.consultation.mode) == (90, "video")
    assert world.consultation.region == world.owl


def test_edit_with_bad_input_changes_nothing(lotse_client, world):
    url = reverse("me:consultation_edit", kwargs={"pk": world.consultation.pk})
    other = f.PartnerInstitutionFactory(region=world.siegen)
    response = lotse_client.post(url, consultation_data(world, referral=str(other.pk), duration_minutes="90"))
    assert response.status_code == 200
    world.consultation.refresh_from_db()
    assert (world.consultation.duration_minutes, world.consultation.referral) == (45, world.partner)


def test_another_lotses_entry_is_a_404_for_edit_and_delete(lotse_b_client, world):
    for name in ("me:consultation_edit", "me:consultation_delete"):
        url = reverse(name, kwargs={"pk": world.consultation.pk})
        assert lotse_b_client.get(url).status_code == 404
        assert lotse_b_client.post(url, consultation_data(world)).status_code == 404
    assert Consultation.objects.filter(pk=world.consultation.pk, duration_minutes=45).exists()


def test_delete_removes_the_entry(lotse_client, world):
    url = reverse("me:consultation_delete", kwargs={"pk": world.consultation.pk})
    assert lotse_client.post(url).status_code == 302
    assert not Consultation.objects.filter(pk=world.consultation.pk).exists()


def _age(consultation, days):
    Consultation.objects.filter(pk=consultation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )
    consultation.refresh_from_db()


def test_entries_lock_after_the_edit_window(lotse_client, world, settings):
    _age(world.consultation, settings.CONSULTATION_EDIT_DAYS + 1)
    assert world.consultation.is_locked
    listing = lotse_client.get(reverse("me:consultations"))
    html = listing.content.decode()
    assert reverse("me:consultation_edit", kwargs={"pk": world.consultation.pk}) not in html
    edit_url = reverse("me:consultation_edit", kwargs={"pk": world.consultation.pk})
    response = lotse_client.post(edit_url, consultation_data(world, duration_minutes="90"), follow=True)
    assert response.redirect_chain
    delete_url = reverse("me:consultation_delete", kwargs={"pk": world.consultation.pk})
    lotse_client.post(delete_url)
    world.consultation.refresh_from_db()
    assert world.consultation.duration_minutes == 45


def test_entries_are_editable_on_the_last_day_of_the_window(world, settings):
    _age(world.consultation, settings.CONSULTATION_EDIT_DAYS)
    assert not world.consultation.is_locked


def test_the_service_refuses_locked_entries_and_other_peoples_rows(world, settings):
    from django.core.exceptions import PermissionDenied, ValidationError

    values = {"duration_minutes": 90}
    with pytest.raises(PermissionDenied):
        services.update_consultation(
            consultation=world.consultation, values=values, acting_user=world.lotse_b.user
        )
    with pytest.raises(PermissionDenied):
        services.delete_consultation(consultation=world.consultation, acting_user=world.coordinator)
    _age(world.consultation, settings.CONSULTATION_EDIT_DAYS + 1)
    with pytest.raises(ValidationError):
        services.update_consultation(
            consultation=world.consultation, values=values, acting_user=world.lotse_a.user
        )
    with pytest.raises(ValidationError):
        services.delete_consultation(consultation=world.consultation, acting_user=world.lotse_a.user)
    world.consultation.refresh_from_db()
    assert world.consultation.duration_minutes == 45


def test_list_shows_the_months_totals_and_filters_by_month(lotse_client, world):
    today = timezone.localdate()
    f.ConsultationFactory(lotse=world.lotse_a, duration_minutes=75)
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=5)
    f.ConsultationFactory(lotse=world.lotse_a, date=last_month, duration_minutes=30)
    f.ConsultationFactory(lotse=world.lotse_b, duration_minutes=600)  # not Lotse A's
    response = lotse_client.get(reverse("me:consultations"))
    assert response.context["total_count"] == 2
    assert response.context["total_minutes"] == 120
    assert str(response.context["total_hours"]) == "2.0"
    response = lotse_client.get(reverse("me:consultations"), {"month": f"{last_month:%Y-%m}"})
    assert response.context["total_count"] == 1
    assert [c.date for c in response.context["consultations"]] == [last_month]


def test_list_links_to_the_next_month_but_not_beyond_the_current_one(lotse_client, world):
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    two_months_ago = (last_month - datetime.timedelta(days=1)).replace(day=1)
    html = lotse_client.get(
        reverse("me:consultations"), {"month": f"{two_months_ago:%Y-%m}"}
    ).content.decode()
    assert f'href="?month={last_month:%Y-%m}"' in html
    html = lotse_client.get(reverse("me:consultations"), {"month": f"{last_month:%Y-%m}"}).content.decode()
    assert f'href="?month={this_month:%Y-%m}"' in html
    html = lotse_client.get(reverse("me:consultations")).content.decode()
    next_month = (this_month + datetime.timedelta(days=31)).replace(day=1)
    assert f'href="?month={next_month:%Y-%m}"' not in html
    assert f'href="?month={last_month:%Y-%m}"' in html


def test_list_never_shows_another_lotses_entries(lotse_b_client, world):
    response = lotse_b_client.get(reverse("me:consultations"))
    assert list(response.context["consultations"]) == []
    assert response.context["total_count"] == 0


# session, user with their Lotse (accounts.backends), totals, page count, page rows, coordinations (nav)
QUERIES_FOR_THE_LIST = 6


@pytest.mark.parametrize("rows", [1, 60])
def test_list_needs_the_same_number_of_queries_for_1_and_60_rows(
    lotse_client, world, rows, django_assert_num_queries
):
    partner = world.partner
    for _ in range(rows - 1):
        f.ConsultationFactory(lotse=world.lotse_a, referral=partner, language=f.language("ar"))
    with django_assert_num_queries(QUERIES_FOR_THE_LIST):
        response = lotse_client.get(reverse("me:consultations"))
    assert response.context["total_count"] == rows


def test_saving_logs_ids_only_never_what_was_entered(lotse_client, world, caplog):
    caplog.set_level(logging.DEBUG)
    key = str(uuid.uuid4())
    data = consultation_data(world, submission_key=key, country_of_origin="ER", duration_minutes="137")
    response = lotse_client.post(create_url(), data)
    assert response.status_code == 302
    consultation = Consultation.objects.get(submission_key=key)
    log = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert f"consultation {consultation.pk} logged by lotse {world.lotse_a.pk}" in log
    for entered in ("Eritrea", "'ER'", "137", world.partner.name, "recognition", key):
        assert entered not in log
    # Nothing entered travels in the URL either: the form posts, the redirect carries no data.
    assert "?" not in response["Location"] or "month=" in response["Location"]
