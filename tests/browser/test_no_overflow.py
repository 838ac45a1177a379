"""Issue #9, criterion 4: German that fits a phone.

Every page a role reaches from its navigation (and one level deeper: the first link of each kind on those
pages, e.g. list → detail or → "new" form) is looked at 320 px and 375 px wide in Chromium with Debian's
default fonts. The page must not scroll sideways, and no element or text may stick out of the viewport,
except inside a designated scrolling box (a table's `.table-wrap`, the phone navigation row). No text
container may clip its words either (an ellipsis or `overflow: hidden` cutting "Teilnahmebescheinigungen").

The page list is read from the rendered navigation, not written down here: a new page in the navigation is
checked without touching this test. One browser context per role; the viewport is resized, not re-logged in.
"""

import re
from urllib.parse import urlsplit

import pytest

from tests import factories as f
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

WIDTHS = (320, 375)
ROLES = ["lotse_a", "coordinator", "other_coordinator", "staff"]
# Boxes that are meant to scroll sideways; what is inside them may lie beyond the viewport.
SCROLL_BOXES = ".table-wrap, .main-nav ul"
# Links not to follow: downloads, files, other apps' own styling (Django admin), actions in disguise.
SKIP = re.compile(r"^/(admin|i18n|accounts/logout)/|\.(pdf|csv|xlsx|zip)$|/(download|export|zip|pdf)/")

# Every element and every piece of text outside a scroll box that reaches beyond [0, width], every element
# that clips its own content (overflow hidden / ellipsis) outside a scroll box, and controls lying on top of
# each other (a squeezed row pushes one over its neighbour instead of out of the page).
FIND_OVERFLOW = """([width, scrollBoxes]) => {
    const describe = (el) => {
        const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/) : [];
        const cls = classes.filter(Boolean).map(name => '.' + name).join('');
        const text = (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
        return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}> "${text}"`;
    };
    const ignored = (el) => el.closest(scrollBoxes + ', .visually-hidden, .skip-link, script, style, head');
    const problems = [];
    const seen = new Set();
    const add = (el, what) => {
        if (seen.has(el)) return;
        seen.add(el);
        problems.push(`${what}: ${describe(el)}`);
    };
    for (const el of document.body.querySelectorAll('*')) {
        if (ignored(el)) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (box.right > width + 0.5 || box.left < -0.5) {
            add(el, `sticks out (${Math.round(box.left)}..${Math.round(box.right)} px)`);
            continue;
        }
        const style = getComputedStyle(el);
        if (['hidden', 'clip'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1
                && !['SELECT', 'INPUT', 'TEXTAREA'].includes(el.tagName)) {
            add(el, `clips its content (${el.scrollWidth} > ${el.clientWidth} px)`);
        }
    }
    // Text wider than its box does not widen the box: measure the text itself.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!node.textContent.trim() || !parent || ignored(parent)) continue;
        range.selectNodeContents(node);
        for (const rect of range.getClientRects()) {
            if (rect.width && (rect.right > width + 0.5 || rect.left < -0.5)) {
                add(parent, `text sticks out (${Math.round(rect.left)}..${Math.round(rect.right)} px)`);
                break;
            }
        }
    }
    // Controls drawn over each other (the language switch over the brand on a narrow header).
    // Every table scrolls in its own labelled box that a keyboard user can focus (and so scroll).
    for (const table of document.querySelectorAll('main table')) {
        const box = table.closest('.table-wrap');
        const label = box && document.getElementById(box.getAttribute('aria-labelledby'));
        if (!box || box.getAttribute('tabindex') !== '0' || box.getAttribute('role') !== 'region' || !label) {
            add(table, 'is not in a focusable, labelled .table-wrap');
        }
    }
    // A sticky or fixed bar (the form's "Speichern" row) lies over the content on purpose.
    const floating = (el) => {
        for (let node = el; node && node !== document.body; node = node.parentElement) {
            if (['sticky', 'fixed'].includes(getComputedStyle(node).position)) return true;
        }
        return false;
    };
    const fields = 'a, button, select, input:not([type=hidden]), textarea';
    const controls = [...document.body.querySelectorAll(fields)]
        .filter(el => !ignored(el) && el.getClientRects().length && !floating(el))
        .map(el => [el, el.getBoundingClientRect()])
        .filter(([, box]) => box.width > 2 && box.height > 2);
    for (let i = 0; i < controls.length; i++) {
        for (let j = i + 1; j < controls.length; j++) {
            const [a, boxA] = controls[i], [b, boxB] = controls[j];
            if (a.contains(b) || b.contains(a)) continue;
            const overlapX = Math.min(boxA.right, boxB.right) - Math.max(boxA.left, boxB.left);
            const overlapY = Math.min(boxA.bottom, boxB.bottom) - Math.max(boxA.top, boxB.top);
            if (overlapX > 1 && overlapY > 1) add(a, `overlapped by ${describe(b)}`);
        }
    }
    return {scrollWidth: document.documentElement.scrollWidth, problems};
}"""


def _pattern(path: str) -> str:
    """/lotsen/12/ and /lotsen/13/ are the same kind of page: look at one of them."""
    return re.sub(r"/[0-9A-Za-z]*\d[0-9A-Za-z-]*/", "/<id>/", path)


def _local_links(page, selector: str, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        selector, "links => links.filter(a => !a.hasAttribute('download')).map(a => a.href)"
    )
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base or SKIP.search(parts.path):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def _pages_from_navigation(page, base: str) -> list[str]:
    """The navigation's pages, then the first link of each kind found in their main content."""
    page.goto(f"{base}/")
    nav = list(dict.fromkeys(_local_links(page, ".main-nav a", base)))
    assert len(nav) >= 4, nav
    pages = {_pattern(urlsplit(path).path): path for path in nav}
    for path in nav:
        page.goto(f"{base}{path}")
        for link in _local_links(page, "main a[href]", base):
            pages.setdefault(_pattern(urlsplit(link).path), link)
    return list(pages.values())


def _check(page, base: str, paths: list[str], not_found: tuple[str, ...] = ()) -> dict[str, list[str]]:
    failures = {}
    for path in paths:
        page.set_viewport_size({"width": WIDTHS[-1], "height": 812})
        response = page.goto(f"{base}{path}")
        expected = 404 if path in not_found else 200
        assert response and response.status == expected, f"{path}: HTTP {response and response.status}"
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        page.wait_for_load_state("load")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 812})
            result = page.evaluate(FIND_OVERFLOW, [width, SCROLL_BOXES])
            problems = result["problems"][:5]
            if result["scrollWidth"] > width:
                problems.insert(0, f"the page is {result['scrollWidth']} px wide")
            if problems:
                failures[f"{width}px {path}"] = problems
    return failures


def _report(failures: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}:\n  " + "\n  ".join(problems) for where, problems in failures.items())


def _phone_context(chromium):
    context = chromium.new_context(
        viewport={"width": WIDTHS[-1], "height": 812}, locale="de-DE", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.mark.parametrize("role", ROLES)
def test_no_page_of_a_role_overflows_a_phone(chromium, live_server, transactional_db, world, role):
    context, page = _phone_context(chromium)
    try:
        user = world.user_for(role)
        log_in(page, live_server, user.email, f.TEST_PASSWORD)
        paths = _pages_from_navigation(page, live_server.url)
        failures = _check(page, live_server.url, paths)
    finally:
        context.close()
    assert not failures, f"{role}: {len(failures)} of {len(paths) * len(WIDTHS)} views overflow\n" + _report(
        failures
    )


def test_no_public_page_overflows_a_phone(chromium, live_server, transactional_db, world):
    context, page = _phone_context(chromium)
    base = live_server.url
    try:
        page.goto(f"{base}/accounts/login/")
        # The login page's own links (password reset, …) and the public verification pages.
        paths = ["/accounts/login/", *_local_links(page, "main a[href]", base)]
        unknown = "/verify/ZZZZZZZZZZ/"
        paths += ["/verify/", f"/verify/{world.certificate.verification_code}/", unknown]
        failures = _check(page, base, list(dict.fromkeys(paths)), not_found=(unknown,))
    finally:
        context.close()
    assert not failures, _report(failures)
