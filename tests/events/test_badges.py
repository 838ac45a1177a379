"""Name badges (issue #13): one PDF of the filtered participants holding a place, rendered by the worker
(in-process in the tests: CELERY_TASK_ALWAYS_EAGER without a broker), with a progress page."""

import datetime
import io

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from events import badges
from events.models import BadgeBatch
from privacy import retention
from tests import factories as f
from tests.events.helpers import make_guest


def _request(client, event, query="", capture=None):
    url = reverse("events:badges_create", args=[event.pk]) + query
    with capture(execute=True):
        return client.post(url)


def test_badges_end_to_end(coordinator_client, world, django_capture_on_commit_callbacks):
    f.AttendanceFactory(event=world.event, lotse=world.lotse_b)
    for i in range(9):
        make_guest(world.event, f"Gast Nummer {i}", organisation="Kommunales Integrationszentrum Gütersloh")
    make_guest(world.event, "Wanda Wartend", status="waiting")  # no place: no badge
    response = _request(coordinator_client, world.event, capture=django_capture_on_commit_callbacks)
    batch = BadgeBatch.objects.get()
    assert response["Location"] == reverse("events:badge_batch", args=[batch.pk])
    assert (batch.status, batch.done, batch.total) == ("done", 11, 11)  # 2 Lotsen + 9 guests
    assert "Gast" not in batch.file.name and "badges/" in batch.file.name

    page = coordinator_client.get(reverse("events:badge_batch", args=[batch.pk]))
    html = page.content.decode()
    assert reverse("events:badge_download", args=[batch.pk]) in html
    assert "hx-trigger" not in html  # finished: no more polling

    download = coordinator_client.get(reverse("events:badge_download", args=[batch.pk]))
    assert (
        download["Content-Disposition"]
        == f'attachment; filename="namensschilder-{world.event.pk}-{batch.pk}.pdf"'
    )
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert len(reader.pages) == 2  # 8 per A4 page
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Ayşe Güllüoğlu" in text and "Gast Nummer 8" in text and "Integrationszentrum" in text
    assert "Wanda" not in text


def test_badges_follow_the_filters(coordinator_client, world, django_capture_on_commit_callbacks):
    make_guest(world.event, "Gast Jobcenter", kind="jobcenter")
    make_guest(world.event, "Gast Verein", kind="mo")
    _request(coordinator_client, world.event, "?kind=mo", capture=django_capture_on_commit_callbacks)
    batch = BadgeBatch.objects.get()
    assert batch.total == 1 and len(batch.guest_ids) == 1 and batch.attendance_ids == []


def test_progress_page_polls_while_rendering(coordinator_client, world):
    batch = BadgeBatch.objects.create(event=world.event, total=16, done=8, status=BadgeBatch.Status.RENDERING)
    response = coordinator_client.get(reverse("events:badge_batch", args=[batch.pk]))
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="8"' in html
    assert reverse("events:badge_download", args=[batch.pk]) not in html
    assert coordinator_client.get(reverse("events:badge_download", args=[batch.pk])).status_code == 404
    partial = coordinator_client.get(reverse("events:badge_batch", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="badge-progress"')


def test_the_task_is_idempotent(world):
    make_guest(world.event, "Gast Eins")
    batch = BadgeBatch.objects.create(
        event=world.event, guest_ids=[], attendance_ids=[world.attendance.pk], total=1
    )
    assert badges.render_batch(batch.pk) == "done"
    batch.refresh_from_db()
    first = batch.file.name
    assert badges.render_batch(batch.pk) == "skipped"
    batch.refresh_from_db()
    assert batch.file.name == first and batch.status == "done"


def test_another_region_sees_no_badges(other_coordinator_client, world):
    batch = BadgeBatch.objects.create(event=world.event, total=0)
    assert other_coordinator_client.get(reverse("events:badge_batch", args=[batch.pk])).status_code == 404


def test_badge_files_are_deleted_after_a_few_days(world, settings):
    batch = BadgeBatch.objects.create(event=world.event, total=1)
    batch.file.save("badges.pdf", io.BytesIO(b"%PDF"), save=True)
    path = batch.file.path
    rule = next(r for r in retention.RULES if r.name == "badges")
    today = timezone.localdate()
    assert rule.due(today).count() == 0
    later = today + datetime.timedelta(days=settings.BADGE_RETENTION_DAYS + 1)
    assert rule.apply(later) == 1
    assert not BadgeBatch.objects.exists()
    import os

    assert not os.path.exists(path)
