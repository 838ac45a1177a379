"""The cell-key method of the reports (reports/privacy.py): its published table, and the attack of issue #11.

The attack: as the OWL coordinator, the report for 1 November alone showed Turkish "< 5" and Arabic "< 5", but
languages.csv for 1 August–1 November minus the same export ending 31 October gave Turkish 2 and Arabic 1
exactly (and the modes table video 1). With the cell-key method both exports are perturbed with the keys of
their own records, so their difference is the true count plus the difference of two unknown deviations.
"""

import csv
import datetime
import io
import random
from collections import Counter
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from lotsen.models import Consultation
from portal.cellkey import KEY_SPACE
from reports.privacy import (
    LARGEST_ROW,
    MAX_DEVIATION,
    PERTURBATION,
    SMALLEST_SHOWN,
    deviation,
    perturbed,
)
from tests import factories as f
from tests.reports.conftest import seed_cell_keys

# -- the published table ------------------------------------------------------------------------------


def test_every_row_of_the_table_is_a_probability_distribution():
    for count, row in PERTURBATION.items():
        assert sum(p for _shift, p in row) == 1, count
        assert all(p > 0 for _shift, p in row), count


@pytest.mark.parametrize("count", range(0, 40))
def test_no_count_is_shown_negative_small_or_far_from_the_truth(count):
    shifts = {shift for shift, _p in PERTURBATION[min(count, LARGEST_ROW)]} if count else {0}
    for shift in shifts:
        shown = count + shift
        assert shown >= 0
        assert shown == 0 or shown >= SMALLEST_SHOWN, f"{count} could be shown as {shown}"
        assert abs(shift) <= MAX_DEVIATION


def test_the_expected_deviation_is_zero_except_for_three():
    expected = {count: sum(shift * p for shift, p in row) for count, row in PERTURBATION.items()}
    # 3 cannot go down without showing a 2 or moving by 3: on average a quarter too high (README says so)
    assert expected == {1: 0, 2: 0, 3: Fraction(1, 4), 4: 0, 5: 0}


def test_the_cell_key_picks_deviations_with_the_tables_probabilities():
    positions = 6000  # the table's probabilities are multiples of 1/60
    for count in (1, 2, 3, 4, 5, 250):
        seen = Counter(deviation(count, position * KEY_SPACE // positions) for position in range(positions))
        for shift, probability in PERTURBATION[min(count, LARGEST_ROW)]:
            assert abs(seen[shift] - probability * positions) <= 1, (count, shift, seen)


def test_the_same_records_always_get_the_same_noise_and_zero_stays_zero():
    rng = random.Random(11)
    keys = [rng.randrange(KEY_SPACE) for _ in range(7)]
    assert perturbed(7, sum(keys)) == perturbed(7, sum(reversed(keys))) == perturbed(7, sum(keys) % KEY_SPACE)
    assert perturbed(0, 0) == 0 and deviation(0, 12345) == 0


def test_differencing_does_not_recover_a_small_count_for_most_keys():
    """Over many random key draws (the records' keys are unknown to the attacker), the difference of two
    overlapping periods is rarely the true count, and its values are spread out: an attacker cannot tell
    which draw they are in."""
    rng = random.Random(2026)
    for earlier, new in ((40, 2), (12, 2), (6, 1), (0, 2)):
        differences = Counter()
        for _ in range(3000):
            earlier_keys = sum(rng.randrange(KEY_SPACE) for _ in range(earlier))
            new_keys = sum(rng.randrange(KEY_SPACE) for _ in range(new))
            longer = perturbed(earlier + new, earlier_keys + new_keys)
            shorter = perturbed(earlier, earlier_keys)
            differences[longer - shorter] += 1
        exact = differences[new] / 3000
        assert exact < 0.45, (earlier, new, differences)
        assert len(differences) >= 3, (earlier, new, differences)


# -- the attack of issue #11, through the exports --------------------------------------------------

NOVEMBER_FIRST = datetime.date(2026, 11, 1)
#: The seed of the record keys. With it, all three small counts of 1 November are off in the difference; for
#: a random seed each one is off about three times in four, all three at once about four times in ten (the
#: attacker cannot tell which case they are in, see test_differencing_does_not_recover_a_small_count_...).
SEED = 1


@pytest.fixture
def november(world):
    """OWL in autumn 2026: August–October 30 Arabic (6 by video) and 12 Turkish consultations; on 1 November
    2 Turkish (in person) and 1 Arabic (by video)."""
    arabic, turkish = f.language("ar"), f.language("tr")
    # the world's own consultation is logged today: keep it out of the periods compared
    Consultation.objects.update(date=datetime.date(2025, 1, 15))
    for index in range(42):
        f.ConsultationFactory(
            lotse=world.lotse_a,
            date=datetime.date(2026, 8 + index % 3, 1 + index % 28),
            language=arabic if index < 30 else turkish,
            mode=Consultation.Mode.VIDEO if index < 6 else Consultation.Mode.IN_PERSON,
        )
    for _ in range(2):
        f.ConsultationFactory(lotse=world.lotse_a, date=NOVEMBER_FIRST, language=turkish)
    f.ConsultationFactory(
        lotse=world.lotse_a, date=NOVEMBER_FIRST, language=arabic, mode=Consultation.Mode.VIDEO
    )
    seed_cell_keys(SEED)
    return world


def _period(start: datetime.date, end: datetime.date) -> dict:
    return {"period": "custom", "date_from": start.isoformat(), "date_to": end.isoformat()}


def _export(client, table: str, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """The OWL row of a CSV export as {column header: number}."""
    response = client.get(
        reverse("reports:export", kwargs={"table": table, "fmt": "csv"}), _period(start, end)
    )
    assert response.status_code == 200
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    assert [row[0] for row in rows] == ["Ostwestfalen-Lippe"]  # the coordinator's one region
    return {name: int(value) for name, value in zip(header[1:], rows[0][1:], strict=True)}


def _german(obj) -> str:
    with translation.override("de"):
        return str(obj)


def _true(**filters) -> int:
    return Consultation.objects.filter(region__slug="owl", **filters).count()


AUGUST_FIRST, OCTOBER_LAST = datetime.date(2026, 8, 1), datetime.date(2026, 10, 31)


def test_the_single_day_report_shows_no_1_or_2(coordinator_client, november):
    response = coordinator_client.get(reverse("reports:index"), _period(NOVEMBER_FIRST, NOVEMBER_FIRST))
    languages = response.context["report"].tables["languages"]
    owl = dict(zip([c.label for c in languages.columns], languages.all_rows[0].values, strict=True))
    turkish, arabic = str(f.language("tr")), str(f.language("ar"))
    assert _true(date=NOVEMBER_FIRST, language__code="tr") == 2
    assert _true(date=NOVEMBER_FIRST, language__code="ar") == 1
    assert owl[turkish] in {0, 3, 4} and owl[arabic] in {0, 3}


@pytest.mark.parametrize(
    ("table", "column", "filters", "true_small_count"),
    [
        ("languages", lambda: _german(f.language("tr")), {"language__code": "tr"}, 2),
        ("languages", lambda: _german(f.language("ar")), {"language__code": "ar"}, 1),
        ("modes", lambda: _german(Consultation.Mode.VIDEO.label), {"mode": "video"}, 1),
    ],
)
def test_subtracting_overlapping_exports_no_longer_gives_the_small_count(
    coordinator_client, november, table, column, filters, true_small_count
):
    longer = _export(coordinator_client, table, AUGUST_FIRST, NOVEMBER_FIRST)
    shorter = _export(coordinator_client, table, AUGUST_FIRST, OCTOBER_LAST)
    # the records really differ by the small count (what "< 5" plus subtraction gave away exactly) …
    true_longer = _true(date__range=(AUGUST_FIRST, NOVEMBER_FIRST), **filters)
    true_shorter = _true(date__range=(AUGUST_FIRST, OCTOBER_LAST), **filters)
    assert true_longer - true_shorter == true_small_count
    # … but the exports' difference does not give it back, and each export stays near the truth
    assert longer[column()] - shorter[column()] != true_small_count
    assert abs(longer[column()] - true_longer) <= MAX_DEVIATION
    assert abs(shorter[column()] - true_shorter) <= MAX_DEVIATION


@pytest.mark.parametrize("table", ["languages", "modes"])
def test_exports_repeat_exactly_and_their_totals_stay_plausible(coordinator_client, november, table):
    first = _export(coordinator_client, table, AUGUST_FIRST, NOVEMBER_FIRST)
    assert (
        _export(coordinator_client, table, AUGUST_FIRST, NOVEMBER_FIRST) == first
    )  # no fresh noise to average
    assert all(value >= 0 and value not in {1, 2} for value in first.values()), first
    total = first[_german(gettext_lazy("Consultations"))]
    assert abs(total - _true(date__range=(AUGUST_FIRST, NOVEMBER_FIRST))) <= MAX_DEVIATION


def test_the_xlsx_hinweise_sheet_explains_the_method_in_german(coordinator_client, november):
    response = coordinator_client.get(
        reverse("reports:export", kwargs={"table": "languages", "fmt": "xlsx"}),
        _period(AUGUST_FIRST, NOVEMBER_FIRST),
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[-1] == "Hinweise"
    text = " ".join(str(cell.value) for row in workbook["Hinweise"].iter_rows() for cell in row if cell.value)
    assert "Cell-Key-Verfahren" in text and "höchstens um 2" in text
    assert "1 und 2 werden nie angezeigt" in text
    assert "nicht immer genau ihre Summe" in text
    assert "< 5" not in text


def test_the_report_page_explains_the_method(coordinator_client, november):
    from reports.privacy import METHOD_NOTE, TOTALS_NOTE

    response = coordinator_client.get(reverse("reports:index"), _period(AUGUST_FIRST, NOVEMBER_FIRST))
    html = response.content.decode()
    assert str(METHOD_NOTE) in html and str(TOTALS_NOTE) in html
    assert "&lt; 5" not in html
