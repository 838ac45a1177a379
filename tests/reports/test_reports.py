"""The programme report: hand-counted figures, scoping, perturbed counts, exports, PDF, query count.

Consultation counts are shown perturbed by the cell-key method (``reports.privacy``, tested on its own in
``test_privacy.py``); ``shown(n, **filters)`` is what the report must show for n hand-counted consultations.
"""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import load_workbook

from lotsen.models import Consultation
from reports.models import ReportExport
from tests import factories as f
from tests.reports.conftest import YEAR, shown

YEAR_QUERY = {"period": "year", "year": YEAR}


def _report(client, **params):
    response = client.get(reverse("reports:index"), {**YEAR_QUERY, **params})
    assert response.status_code == 200
    return response, response.context["report"]


def _german(*texts):
    """The German UI text (whether or not the catalogues are compiled, exports must use the German one)."""
    with translation.override("de"):
        return [gettext(text) for text in texts]


def _values(table, label):
    return [str(v) for v in next(row for row in table.all_rows if row.label == label).values]


IN_YEAR = {"date__year": YEAR}


def _owl(figures, n, **filters):
    return shown(n, region=figures.owl, **IN_YEAR, **filters)


def _siegen(figures, n, **filters):
    return shown(n, region=figures.siegen, **IN_YEAR, **filters)


def test_report_figures_match_hand_counted_fixtures(staff_client, figures):
    _response, report = _report(staff_client)
    regions = report.tables["regions"]
    # organisations, active Lotsen, consultations, trainings, hours, participations, certificates,
    # approved €, paid €, allowance months, share of cap %
    assert _values(regions, "Ostwestfalen-Lippe") == [
        "1",
        "2",
        str(_owl(figures, 12)),
        "1",
        "3.0",
        "2",
        "0",
        "60.00",
        "120.00",
        "3",
        "85.7",
    ]
    assert _values(regions, "Siegen-Wittgenstein/Olpe") == [
        "1",
        "1",
        str(_siegen(figures, 7)),
        "0",
        "0.0",
        "0",
        "1",
        "0.00",
        "0.00",
        "0",
        "None",
    ]
    assert _values(regions, str(regions.totals.label))[:3] == ["2", "3", str(shown(19, **IN_YEAR))]
    topics = report.tables["topics"]
    columns = [c.key for c in topics.columns]
    owl = dict(zip(columns, _values(topics, "Ostwestfalen-Lippe"), strict=True))
    assert owl["job_search"] == str(_owl(figures, 11, topic_job_search=True))
    assert owl["recognition"] == str(_owl(figures, 3, topic_recognition=True))
    assert owl["other"] == str(_owl(figures, 1, topic_other=True))
    assert owl["consultations"] == str(_owl(figures, 12))


def test_every_consultation_count_is_perturbed_by_its_records_keys(staff_client, figures):
    _response, report = _report(staff_client)
    modes = report.tables["modes"]
    # OWL: 8 in person, 3 by phone, 1 by video; each cell and the total perturbed on its own.
    assert _values(modes, "Ostwestfalen-Lippe") == [
        str(_owl(figures, 8, mode="in_person")),
        str(_owl(figures, 3, mode="phone")),
        str(_owl(figures, 1, mode="video")),
        "0",
        str(_owl(figures, 12)),
    ]
    siegen = str(_siegen(figures, 7))
    assert _values(modes, "Siegen-Wittgenstein/Olpe") == [siegen, "0", "0", "0", siegen]
    languages = report.tables["languages"]
    assert [c.label for c in languages.columns][:3] == [str(f.language(c)) for c in ("ar", "ru", "tr")]
    arabic, turkish = f.language("ar"), f.language("tr")
    # OWL: 10 Arabic, 2 Turkish (shown as 0, 3 or 4, never as 2)
    assert _values(languages, "Ostwestfalen-Lippe") == [
        str(_owl(figures, 10, language=arabic)),
        "0",
        str(_owl(figures, 2, language=turkish)),
        "0",
        "0",
        str(_owl(figures, 12)),
    ]
    assert _values(languages, "Siegen-Wittgenstein/Olpe") == [
        "0",
        siegen,  # all 7 of Siegen's consultations are in Russian: the same records, the same number
        "0",
        "0",
        "0",
        siegen,
    ]
    # the totals row is perturbed as cells of its own: all regions' Arabic consultations, …
    assert _values(languages, str(languages.totals.label)) == [
        str(shown(10, language=arabic, **IN_YEAR)),
        siegen,
        str(shown(2, language=turkish, **IN_YEAR)),
        "0",
        "0",
        str(shown(19, **IN_YEAR)),
    ]
    trend = report.tables["trend"]
    march, may = _owl(figures, 12, date__month=3), _siegen(figures, 7, date__month=5)
    assert [row.values[0] for row in trend.rows] == [0, 0, march, 0, may, *[0] * 7]
    for table in ("topics", "languages", "modes", "referrals", "trend"):
        for row in report.tables[table].all_rows:
            counts = [
                v for v, c in zip(row.values, report.tables[table].columns, strict=True) if c.kind == "count"
            ]
            assert not {1, 2} & set(counts), f"{table}: {row.label} shows a 1 or 2"


def test_coordinator_sees_only_own_region(coordinator_client, figures):
    response, report = _report(coordinator_client)
    assert [r.name for r in report.regions] == ["Ostwestfalen-Lippe"]
    assert b"Siegen" not in response.content
    assert report.tables["regions"].totals is None  # the one region is the total
    assert _values(report.tables["regions"], "Ostwestfalen-Lippe")[2] == str(_owl(figures, 12))


def test_coordinator_cannot_choose_another_region(coordinator_client, figures):
    response, report = _report(coordinator_client, region=figures.siegen.pk)
    assert [r.name for r in report.regions] == ["Ostwestfalen-Lippe"]
    assert any(m.level_tag == "warning" for m in response.context["messages"])


def test_invalid_filters_fall_back_to_defaults_with_a_message(staff_client, figures):
    response = staff_client.get(reverse("reports:index"), {"period": "custom", "date_from": "2023-05-01"})
    assert response.status_code == 200
    assert any(m.level_tag == "warning" for m in response.context["messages"])
    assert response.context["report"].period.start == datetime.date(datetime.date.today().year, 1, 1)


@pytest.mark.parametrize(
    ("params", "start", "end"),
    [
        (
            {"period": "month", "year": YEAR, "month": 3},
            datetime.date(YEAR, 3, 1),
            datetime.date(YEAR, 3, 31),
        ),
        (
            {"period": "quarter", "year": YEAR, "quarter": 2},
            datetime.date(YEAR, 4, 1),
            datetime.date(YEAR, 6, 30),
        ),
        (
            {"period": "custom", "date_from": f"{YEAR}-03-01", "date_to": f"{YEAR}-05-31"},
            datetime.date(YEAR, 3, 1),
            datetime.date(YEAR, 5, 31),
        ),
    ],
)
def test_period_filters(staff_client, figures, params, start, end):
    response = staff_client.get(reverse("reports:index"), params)
    report = response.context["report"]
    assert (report.period.start, report.period.end) == (start, end)


def test_quarter_filter_counts_only_its_months(staff_client, figures):
    _response, report = _report(staff_client, period="quarter", quarter=2)
    assert _values(report.tables["regions"], "Siegen-Wittgenstein/Olpe")[2] == str(_siegen(figures, 7))
    assert _values(report.tables["regions"], "Ostwestfalen-Lippe")[2] == "0"


def test_charts_are_inline_accessible_svg(staff_client, figures):
    response, _report_ = _report(staff_client)
    html = response.content.decode()
    for chart in ("chart-consultations", "chart-lotsen", "chart-topics"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
    assert html.count('role="img"') == 3
    assert "<script" not in html.split("<main", 1)[1]
    assert '<th scope="row">' in html and '<caption id="caption-regions">' in html
    # wide tables scroll sideways: the scrolling box can be reached with the keyboard and is named
    assert '<div class="table-wrap" tabindex="0" role="region" aria-labelledby="caption-regions">' in html


def test_unfiltered_report_shows_the_year_it_is_for(staff_client, figures):
    response = staff_client.get(reverse("reports:index"))
    form = response.context["form"]
    assert form["year"].value() == str(datetime.date.today().year)
    # quarter and month are not preselected (a first-time user read "Q1 / January" as the period)
    assert form["quarter"].value() in (None, "") and form["month"].value() in (None, "")


def test_long_topic_labels_are_shortened_in_the_chart():
    from reports.charts import LABEL_CHARS, bar_chart

    label = "Angelegenheiten mit Jobcenter / Agentur für Arbeit und noch mehr Text"
    svg = bar_chart(chart_id="c", title="t", description="d", labels=[label], values=[3])
    assert label not in svg and label[: LABEL_CHARS - 1] + "…" in svg


def _csv_rows(response):
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_parses_back_to_the_screen_figures(staff_client, figures):
    url = reverse("reports:export", kwargs={"table": "regions", "fmt": "csv"})
    rows = _csv_rows(staff_client.get(url, YEAR_QUERY))
    assert rows[0][:4] == _german("Region", "Organisations involved", "Active Lotsen", "Consultations")
    owl = next(r for r in rows if r[0] == "Ostwestfalen-Lippe")
    consultations = str(_owl(figures, 12))
    assert owl[1:] == ["1", "2", consultations, "1", "3,0", "2", "0", "60,00", "120,00", "3", "85,7"]
    assert rows[-1][3] == str(shown(19, **IN_YEAR))
    languages = _csv_rows(
        staff_client.get(reverse("reports:export", kwargs={"table": "languages", "fmt": "csv"}), YEAR_QUERY)
    )
    owl = next(r for r in languages if r[0] == "Ostwestfalen-Lippe")
    arabic = str(_owl(figures, 10, language=f.language("ar")))
    turkish = str(_owl(figures, 2, language=f.language("tr")))
    assert owl[1:] == [arabic, "0", turkish, "0", "0", consultations]


def test_xlsx_export_has_numeric_cells_and_the_same_figures(staff_client, figures):
    url = reverse("reports:export", kwargs={"table": "regions", "fmt": "xlsx"})
    response = staff_client.get(url, YEAR_QUERY)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][3] == _german("Consultations")[0]
    owl = next(r for r in rows if r[0] == "Ostwestfalen-Lippe")
    assert owl[1:4] == (1, 2, _owl(figures, 12)) and owl[5] == 3.0 and owl[9] == 120.0
    assert sheet.cell(2, 10).number_format.startswith("#,##0.00")
    trend = load_workbook(
        io.BytesIO(
            staff_client.get(
                reverse("reports:export", kwargs={"table": "trend", "fmt": "xlsx"}), YEAR_QUERY
            ).content
        )
    ).worksheets[0]
    march = trend.cell(4, 1)
    assert march.value == datetime.datetime(YEAR, 3, 1) and march.number_format == "MM.YYYY"
    assert trend.cell(4, 2).value == _owl(figures, 12, date__month=3)
    modes = load_workbook(
        io.BytesIO(
            staff_client.get(
                reverse("reports:export", kwargs={"table": "modes", "fmt": "xlsx"}), YEAR_QUERY
            ).content
        )
    ).worksheets[0]
    assert [c.value for c in modes[2]][1:] == [
        _owl(figures, 8, mode="in_person"),
        _owl(figures, 3, mode="phone"),
        _owl(figures, 1, mode="video"),
        0,
        _owl(figures, 12),
    ]


def _age_labels():
    """The age groups' column headers as the German report shows them: "Unter 25", …, "Keine Angabe"."""
    return [
        capfirst(text)
        for text in _german("under 25", "25–34", "35–44", "45–54", "55 and older", "not stated")
    ]


def _set_ages(figures):
    """OWL's 12 March consultations: 4 under 25, 6 aged 25–34 (the factory's), 2 without an age; Siegen's 7
    all 25–34. Saved one by one, as a Lotse's correction would be: the rollups must follow the age alone."""
    owl = Consultation.objects.filter(region=figures.owl, date__year=YEAR).order_by("pk")
    for index, consultation in enumerate(owl):
        if index < 4 or index >= 10:
            consultation.age_band = "u25" if index < 4 else Consultation.AgeBand.NOT_STATED
            consultation.save(update_fields=["age_band"])


def test_consultations_by_age_group_hand_counted_on_screen_and_in_exports(staff_client, figures):
    _set_ages(figures)
    response, report = _report(staff_client)
    ages = report.tables["ages"]
    assert [c.label for c in ages.columns] == [*_age_labels(), *_german("Consultations")]
    owl = [
        _owl(figures, 4, age_band="u25"),
        _owl(figures, 6, age_band="25_34"),
        0,
        0,
        0,
        _owl(figures, 2, age_band="na"),
        _owl(figures, 12),
    ]
    siegen = _siegen(figures, 7)
    assert [row.values for row in ages.all_rows] == [
        owl,
        [0, siegen, 0, 0, 0, 0, siegen],
        # the totals row: cells of their own (all regions' records in the band)
        [
            owl[0],
            shown(13, age_band="25_34", **IN_YEAR),
            0,
            0,
            0,
            owl[5],
            shown(19, **IN_YEAR),
        ],
    ]
    assert _german("Consultations by age group")[0] in response.content.decode()
    assert reverse("reports:export", kwargs={"table": "ages", "fmt": "csv"}) in response.content.decode()

    url = reverse("reports:export", kwargs={"table": "ages", "fmt": "csv"})
    rows = _csv_rows(staff_client.get(url, YEAR_QUERY))
    assert rows[0] == [*_german("Region"), *_age_labels(), *_german("Consultations")]
    assert rows[1:] == [
        ["Ostwestfalen-Lippe", *map(str, owl)],
        ["Siegen-Wittgenstein/Olpe", "0", str(siegen), "0", "0", "0", "0", str(siegen)],
        [_german("Total")[0], *map(str, ages.totals.values)],
    ]
    xlsx = staff_client.get(reverse("reports:export", kwargs={"table": "ages", "fmt": "xlsx"}), YEAR_QUERY)
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet.title == _german("Consultations by age group")[0]
    assert [c.value for c in sheet[2]] == ["Ostwestfalen-Lippe", *owl]


def test_a_coordinators_age_groups_are_their_regions_only(coordinator_client, figures):
    _set_ages(figures)
    url = reverse("reports:export", kwargs={"table": "ages", "fmt": "csv"})
    rows = _csv_rows(coordinator_client.get(url, YEAR_QUERY))
    assert [r[0] for r in rows[1:]] == ["Ostwestfalen-Lippe"]  # one region: no totals row of others
    assert rows[1][1:] == [str(_owl(figures, 4, age_band="u25")), str(_owl(figures, 6, age_band="25_34"))] + [
        "0",
        "0",
        "0",
        str(_owl(figures, 2, age_band="na")),
        str(_owl(figures, 12)),
    ]


def test_coordinator_export_contains_only_own_region(coordinator_client, figures):
    url = reverse("reports:export", kwargs={"table": "regions", "fmt": "csv"})
    rows = _csv_rows(coordinator_client.get(url, {**YEAR_QUERY, "region": figures.siegen.pk}))
    assert [r[0] for r in rows[1:]] == ["Ostwestfalen-Lippe"]


def test_pdf_summary_is_rendered_by_the_task(staff_client, figures, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("reports:pdf_request"), YEAR_QUERY)
    export = ReportExport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:pdf_status", args=[export.pk]
    )
    assert export.status == ReportExport.Status.DONE and export.finished_at
    status = staff_client.get(reverse("reports:pdf_status", args=[export.pk]), headers={"HX-Request": "true"})
    assert reverse("reports:pdf_download", args=[export.pk]).encode() in status.content
    assert b"every 2s" not in status.content  # finished: no more polling
    download = staff_client.get(reverse("reports:pdf_download", args=[export.pk]))
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    total = str(shown(19, **IN_YEAR))
    assert "Ostwestfalen-Lippe" in text and total in text and _german("Consultations")[0] in text
    # the side tables: consultations by topic, mode and age group (a title may wrap in its column)
    words = " ".join(text.split())
    assert all(label in words for label in [*_german("Consultations by age group"), *_age_labels()])
    assert str(YEAR) in text


# Where a word was split in the PDF: a hyphen (U+2010 as WeasyPrint writes it, or "-") or a soft hyphen
# at the end of a line.
SPLIT_WORD = re.compile(r"\w[\u2010\u00ad-]\n\w")


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def test_pdf_table_headers_are_whole_words_and_the_table_fits_the_page(figures):
    """Issue #9: "Bera-tun-gen" in the funders' PDF. The overview's headers (German compounds such as
    Teilnahmebescheinigungen) wrap only between words, and the table still fits the A4 page."""
    from pypdf import PdfReader

    from reports.forms import resolve_filters
    from reports.selectors import build_report
    from reports.services import pdf_context, summary_document

    export = ReportExport.objects.create(requested_by=figures.staff, params=YEAR_QUERY)
    with translation.override("de"):
        _form, period, regions, _valid = resolve_filters(figures.staff, YEAR_QUERY)
        report = build_report(user=figures.staff, regions=regions, period=period)
        overview = pdf_context(report)["overview"]
    headers = [overview["row_header"], *overview["headers"]]
    document = summary_document(export)
    text = PdfReader(io.BytesIO(document.write_pdf())).pages[0].extract_text()
    assert "Ostwestfalen-Lippe" in text, f"region name broken up (headers leave it no room): {text!r}"
    # The overview's header row: from the table's title to its first region.
    header_text = text[
        text.index(overview["title"]) + len(overview["title"]) : text.index("Ostwestfalen-Lippe")
    ]
    assert not SPLIT_WORD.search(header_text), f"hyphenated header: {header_text!r}"
    words = header_text.split()
    for header in headers:
        for word in header.split():
            assert word in words, f"header {header!r}: {word!r} is broken up in the PDF: {header_text!r}"
    assert {"Beratungen", "Teilnahmebescheinigungen", "Qualifizierungsstunden"} <= set(words)
    # Nothing runs past the right margin (an unbreakable header would push the table off the page), and no
    # word runs out of its cell or figure card into the next one.
    page = document.pages[0]._page_box  # WeasyPrint's layout tree: positions in CSS px
    right = page.margin_width() - page.margin_right
    overflowing = []
    for box in _boxes(page):
        if getattr(box, "element_tag", None) not in {"table", "th", "td", "li"}:
            continue
        if box.position_x + box.margin_width() > right + 0.5:
            overflowing.append(
                f"<{box.element_tag}> ends at {box.position_x + box.margin_width():.0f} > {right:.0f}"
            )
        if box.element_tag != "table":
            inner_right = box.content_box_x() + box.width
            for text in _boxes(box):
                if getattr(text, "text", None) and text.position_x + text.width > inner_right + 0.5:
                    overflowing.append(f"<{box.element_tag}> {text.text!r} runs out of its box")
    assert not overflowing, list(dict.fromkeys(overflowing))


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="https://example.com/tracker.png">',
        '<img src="file:///etc/hostname">',
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
        '<img src="../../../../etc/hostname">',
    ],
)
def test_pdf_summary_fetches_nothing_from_outside(figures, monkeypatch, markup):
    """Whatever ends up in the summary's HTML, the renderer neither calls a URL nor reads a server file."""
    from weasyprint.urls import FatalURLFetchingError

    from reports import services

    real_render = services.render_to_string
    monkeypatch.setattr(
        services,
        "render_to_string",
        lambda *args, **kwargs: real_render(*args, **kwargs).replace("</body>", markup + "</body>"),
    )
    export = ReportExport.objects.create(requested_by=figures.staff, params=YEAR_QUERY)
    with pytest.raises(FatalURLFetchingError):
        services.render_pdf_bytes(export)


def test_pdf_task_is_idempotent(staff_client, figures):
    from reports.tasks import render_report_pdf

    export = ReportExport.objects.create(requested_by=figures.staff, params=YEAR_QUERY)
    render_report_pdf.delay(export.pk)
    export.refresh_from_db()
    first = export.file.name
    render_report_pdf.delay(export.pk)  # a redelivered message finds the row done and does nothing
    export.refresh_from_db()
    assert export.status == ReportExport.Status.DONE and export.file.name == first


def test_pending_pdf_status_polls(staff_client, figures):
    export = ReportExport.objects.create(requested_by=figures.staff, params=YEAR_QUERY)
    response = staff_client.get(reverse("reports:pdf_status", args=[export.pk]))
    assert b'hx-trigger="every 2s"' in response.content
    assert staff_client.get(reverse("reports:pdf_download", args=[export.pk])).status_code == 404


def _drop_broker_connections(app):
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)  # real commits, so on_commit runs inside the request
def test_broker_down_leaves_nothing_behind(staff_client, figures):
    from portal.celery import app

    # Redis is "down": a broker address where nothing listens, and no in-process shortcut.
    old = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, "redis://127.0.0.1:1/0"
    _drop_broker_connections(app)
    try:
        response = staff_client.post(reverse("reports:pdf_request"), YEAR_QUERY, follow=True)
    finally:
        app.conf.task_always_eager, app.conf.broker_url = old
        _drop_broker_connections(app)
    assert ReportExport.objects.count() == 0
    assert any(m.level_tag == "error" for m in response.context["messages"])


def _consultations(world, n):
    rows = [
        Consultation(
            lotse=world.lotse_a,
            region=world.owl,
            date=datetime.date(YEAR, 1 + i % 12, 1 + i % 28),
            duration_minutes=30,
            topic_job_search=bool(i % 2),
            mode="phone" if i % 3 else "in_person",
        )
        for i in range(n)
    ]
    Consultation.objects.bulk_create(rows)


def _count_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:index"), YEAR_QUERY)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_query_count_does_not_grow_with_the_data(staff_client, world):
    _consultations(world, 10)
    few = _count_queries(staff_client)
    _consultations(world, 990)
    assert Consultation.objects.filter(date__year=YEAR).count() == 1000
    assert _count_queries(staff_client) == few
