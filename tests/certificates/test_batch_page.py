"""The batch form and page as a coordinator uses them: an event overrides the preselected region, the preview
is a POST that lists everyone in scope with "2 of 3", and the progress ends in a clear "done" with the
downloads."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from certificates.models import CertificateBatch
from tests import factories as f
from tests.certificates.conftest import attend

pytestmark = pytest.mark.django_db


class _Forms(HTMLParser):
    """Every form of the page: (method, action, [names of its inputs and buttons])."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"method": attrs.get("method", "get"), "attrs": attrs, "buttons": []})
        elif tag == "button" and self.forms:
            self.forms[-1]["buttons"].append(attrs)


def _german(client):
    client.cookies["django_language"] = "de"
    return client


def test_the_region_is_preselected_and_choosing_an_event_overrides_it(
    coordinator_client, world, trained, django_capture_on_commit_callbacks
):
    url = reverse("certificates:batch_create")
    page = coordinator_client.get(url).content.decode()
    assert f'<option value="{world.owl.pk}" selected>' in page
    closing = f.EventFactory(region=world.owl, kind="closing", title="Abschlussveranstaltung")
    f.AttendanceFactory(event=closing, lotse=trained.natalya)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, {"region": world.owl.pk, "event": closing.pk})
    batch = CertificateBatch.objects.get()
    assert response["Location"] == reverse("certificates:batch_detail", args=[batch.pk])
    assert batch.event == closing and batch.total == 1  # only the event's participant, not all of OWL
    assert [c.lotse for c in batch.certificates.all()] == [trained.natalya]


def test_the_preview_is_a_post_and_puts_no_token_in_a_url(coordinator_client, world, trained):
    url = reverse("certificates:batch_create")
    parser = _Forms()
    parser.feed(coordinator_client.get(url).content.decode())
    [form] = [form for form in parser.forms if "hx-post" in form["attrs"]]
    assert form["method"] == "post"
    assert "hx-get" not in form["attrs"] and form["attrs"]["hx-post"] == url
    assert all("formmethod" not in button for button in form["buttons"])
    assert {"name": "preview", "value": "1"}.items() <= next(
        b for b in form["buttons"] if "name" in b
    ).items()

    response = coordinator_client.post(url, {"region": world.owl.pk, "preview": "1"})
    assert response.status_code == 200
    assert not CertificateBatch.objects.exists()  # previewing issues nothing
    assert "csrfmiddlewaretoken" not in response.wsgi_request.get_full_path()
    # a GET with a choice in the query (an old bookmark) shows the empty form, never a preview
    old = coordinator_client.get(url, {"region": world.owl.pk, "csrfmiddlewaretoken": "x"})
    assert 'id="eligible-heading"' not in old.content.decode()


def test_the_preview_lists_everyone_in_scope_with_their_count(coordinator_client, world, trained):
    attend(world.lotse_b, trained.sessions[:1])
    response = _german(coordinator_client).post(
        reverse("certificates:batch_create"), {"region": world.owl.pk, "preview": "1"}
    )
    html = response.content.decode()
    for lotse in (trained.fatima, trained.natalya, trained.partial, world.lotse_a, world.lotse_b):
        assert lotse.last_name in html
    assert html.count('data-eligible="yes"') == 2
    assert "2 von 3" in html  # Jürgen Weißmann
    assert "1 von 3" in html and "0 von 3" in html
    assert "noch nicht: 1 Qualifizierungstreffen fehlt" in html
    assert "noch nicht: 2 Qualifizierungstreffen fehlen" in html
    assert "2 von 5 Lotsinnen und Lotsen erhalten eine Teilnahmebescheinigung." in html
    assert html.count("data-eligible=") == 5  # not the Lotse of another region


def test_the_preview_of_an_event_lists_its_participants(coordinator_client, world, trained):
    closing = f.EventFactory(region=world.owl, kind="closing")
    f.AttendanceFactory(event=closing, lotse=trained.partial)
    html = (
        _german(coordinator_client)
        .post(
            reverse("certificates:batch_create"),
            {"region": world.owl.pk, "event": closing.pk, "preview": "1"},
        )
        .content.decode()
    )
    assert "Weißmann" in html and "2 von 3" in html
    assert "Смирнова" not in html


def test_the_batch_page_ends_in_done_with_the_downloads(
    coordinator_client, world, trained, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _german(coordinator_client).post(
            reverse("certificates:batch_create"), {"region": world.owl.pk}
        )
    batch = CertificateBatch.objects.get()
    html = coordinator_client.get(response["Location"]).content.decode()
    assert "werden erstellt" not in html
    assert "Fertig" in html
    assert reverse("certificates:batch_zip", args=[batch.pk]) in html
    for certificate in batch.certificates.all():
        assert reverse("certificates:download", args=[certificate.pk]) in html
    # the partial htmx polls: finished, it stops polling and says "done"
    partial = coordinator_client.get(
        reverse("certificates:batch_detail", args=[batch.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-trigger" not in partial
    assert 'data-state="done"' in partial and "Fertig" in partial


def test_the_batch_page_says_it_is_working_while_it_runs(coordinator_client, world, trained):
    batch = CertificateBatch.objects.create(region=world.owl, programme_year=trained.year, total=2)
    f.CertificateFactory(lotse=trained.fatima, batch=batch, status="pending")
    with translation.override("de"):
        html = (
            _german(coordinator_client)
            .get(reverse("certificates:batch_detail", args=[batch.pk]), headers={"HX-Request": "true"})
            .content.decode()
        )
    assert 'hx-trigger="every 1s"' in html and 'data-state="running"' in html
    assert "Fertig" not in html
