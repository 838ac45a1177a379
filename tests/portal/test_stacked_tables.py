"""On a phone, stacked tables (`table.stack`) hide their header row: every cell must name its column."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class _StackedCells(HTMLParser):
    """Collects, for each `<td>` inside a `<table class="... stack ...">`, its data-label (or None)."""

    def __init__(self):
        super().__init__()
        self.labels, self._stacked = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._stacked.append("stack" in (attrs.get("class") or "").split())
        elif tag == "td" and self._stacked and self._stacked[-1]:
            self.labels.append(attrs.get("data-label"))

    def handle_endtag(self, tag):
        if tag == "table":
            self._stacked.pop()


def _pages(world):
    return {
        "lotsen list": reverse("lotsen:list"),
        "lotse detail": reverse("lotsen:detail", args=[world.lotse_a.pk]),
        "organisation list": reverse("organisations:list"),
        "organisation detail": reverse("organisations:detail", args=[world.organisation.pk]),
        "event list": reverse("events:list"),
        "event detail": reverse("events:detail", args=[world.event.pk]),
        "claims queue": reverse("claims:list") + "?status=",
    }


@pytest.mark.parametrize(
    "page",
    [
        "lotsen list",
        "lotse detail",
        "organisation list",
        "organisation detail",
        "event list",
        "event detail",
        "claims queue",
    ],
)
def test_every_cell_of_a_stacked_coordinator_table_names_its_column(coordinator_client, world, page):
    response = coordinator_client.get(_pages(world)[page])
    assert response.status_code == 200
    cells = _StackedCells()
    cells.feed(response.content.decode())
    assert cells.labels, f"{page}: no stacked table with rows"
    assert all(cells.labels), f"{page}: {cells.labels.count(None)} cell(s) without data-label"
