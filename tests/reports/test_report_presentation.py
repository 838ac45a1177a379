"""Issue #15, point 5: the report page's presentation: the trend ends at the current month, readable chart
labels, every money column explained in place. (The period inputs: tests/browser/test_report_filters.py.)"""

import re

from django.urls import reverse
from django.utils import timezone

from reports.charts import FONT_SIZE, NARROWEST, WIDTH, bar_chart, column_chart


def test_the_trend_of_this_year_ends_with_the_current_month(staff_client, world):
    today = timezone.localdate()
    response = staff_client.get(reverse("reports:index"), {"year": today.year})
    rows = response.context["trend"].rows
    assert [row.date for row in rows][-1] == today.replace(day=1)
    assert len(rows) == today.month
    svg = str(response.context["chart_consultations"])
    assert svg.count("<rect") == today.month
    # The export is the same table.
    csv = staff_client.get(
        reverse("reports:export", kwargs={"table": "trend", "fmt": "csv"}), {"year": today.year}
    ).content.decode("utf-8-sig")
    assert f"{today:%m.%Y}" in csv
    if today.month < 12:
        assert f"12.{today.year}" not in csv


def test_a_past_year_keeps_all_twelve_months(staff_client, world):
    year = timezone.localdate().year - 1
    assert len(staff_client.get(reverse("reports:index"), {"year": year}).context["trend"].rows) == 12


def test_chart_text_is_at_least_12_px_on_a_phone():
    assert FONT_SIZE * NARROWEST / WIDTH >= 12
    labels = [f"{month:02d}/26" for month in range(1, 13)]
    for svg in (
        column_chart(chart_id="a", title="t", description="d", labels=labels, values=list(range(12))),
        bar_chart(chart_id="b", title="t", description="d", labels=labels, values=list(range(12))),
    ):
        sizes = {int(size) for size in re.findall(r'font-size="(\d+)"', svg)}
        assert sizes == {FONT_SIZE}
        # shown at most WIDTH px wide: never scaled up
        assert f'width="{WIDTH}"' in svg


def test_month_labels_do_not_overlap():
    labels = [f"{month:02d}/26" for month in range(1, 13)]
    svg = column_chart(chart_id="a", title="t", description="d", labels=labels, values=[1] * 12)
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle"', svg)]
    width = len("01/26") * FONT_SIZE * 0.6
    assert len(xs) >= 4
    assert all(b - a >= width for a, b in zip(xs, xs[1:], strict=False))


def test_every_money_column_is_explained_in_place(staff_client, world):
    html = staff_client.get(reverse("reports:index")).content.decode()
    headers = re.findall(r'<th scope="col" class="num" aria-describedby="([^"]+)">([^<]+)<', html)
    described = {label: note_id for note_id, label in headers}
    assert set(described) == {
        "Aufwandsentschädigung genehmigt (EUR)",
        "Aufwandsentschädigung ausgezahlt (EUR)",
    }
    for label, note_id in described.items():
        note = re.search(rf'<p class="help column-note" id="{note_id}">(.*?)</p>', html, re.S).group(1)
        assert label in note
    text = re.sub(r"<[^>]+>", "", html)
    assert "Genehmigt: Abrechnungen für Monate im Zeitraum, die genehmigt, aber noch nicht ausgezahlt" in text
    assert "Ausgezahlt: Abrechnungen für Monate im Zeitraum, deren Zahlungslauf" in text
