"""Every table of a web page scrolls sideways in its own box (never the page) that keyboard users can focus
and screen readers can name: `<div class="table-wrap" tabindex="0" role="region" aria-labelledby="…">`,
labelled by an element of the same template. The browser test (tests/browser/test_no_overflow.py) checks
the rendered pages of the navigation; this one also covers templates no navigation link reaches.

Print documents (WeasyPrint: the certificate, the funders' PDF) have no scrolling and are left out."""

import re
from pathlib import Path

import pytest
from django.conf import settings

PRINT_TEMPLATES = {
    "certificates/certificate.html",
    "reports/pdf/summary.html",
    "billing/pdf/claim_statement.html",
    "billing/pdf/year_end_statement.html",
}
WRAP = re.compile(r'<div class="table-wrap" tabindex="0" role="region" aria-labelledby="([^"]+)">\s*<table\b')


def _screen_templates() -> list[Path]:
    roots = [settings.BASE_DIR / "templates", *settings.BASE_DIR.glob("*/templates")]
    found = []
    for root in roots:
        for path in sorted(root.rglob("*.html")):
            name = path.relative_to(root).as_posix()
            # e-mails are not screens: their layout tables (role="presentation") are what mail clients need
            is_email = "/email/" in f"/{name}"
            if name not in PRINT_TEMPLATES and not is_email and "<table" in path.read_text():
                found.append(path)
    return found


@pytest.mark.parametrize("path", _screen_templates(), ids=lambda path: path.parent.name + "/" + path.name)
def test_every_table_is_in_a_focusable_labelled_scroll_box(path):
    html = path.read_text()
    wraps = WRAP.findall(html)
    assert len(wraps) == html.count("<table"), f"{path}: a <table> without its .table-wrap"
    for label in wraps:
        assert f'id="{label}"' in html, f"{path}: no element #{label} labels the box"
