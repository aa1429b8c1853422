"""The audit's measures in Chromium on pages made for them: the first layer (docs/compliance.md items 2-3)
and what a withdrawal can delete (item 10).

consentkit's own banner passes (tests/scan/test_audit.py); these are the banners that steer.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Playwright

from consentkit.scan.audit import AuditOptions, _Audit
from consentkit.scan.audit_banner import check_buttons
from consentkit.scan.browser import open_context
from consentkit.scan.checks import Check
from consentkit.scan.classify import ScanClassifier

EQUAL = "background: #1d4ed8; color: #fff; border: 0; width: 12rem; height: 3rem; font: 16px sans-serif"
BANNER = """<div id="consentkit-banner" style="background: #fff; padding: 1rem"><form>
<button name="choice" value="accept_all" style="{accept}">Godta alle</button>
<button name="choice" value="reject_all" style="{reject}">Avvis alle</button>
</form></div>"""


@pytest.fixture(scope="module")
def page(playwright: Playwright) -> Iterator[Page]:
    with open_context(playwright) as context:
        yield context.pages[0] if context.pages else context.new_page()


def measure(page: Page, reject: str, accept: str = EQUAL) -> tuple[Check, Check]:
    page.set_content(BANNER.format(accept=accept, reject=reject))
    layer, equal = Check("layer", "", (2,)), Check("equal", "", (3,))
    check_buttons(page, layer, equal)
    return layer, equal


def test_equal_buttons_pass(page: Page) -> None:
    layer, equal = measure(page, EQUAL)
    assert layer.passed, layer.problems
    assert equal.passed, equal.problems
    assert equal.evidence[0] == (
        "accept: <button>, 192×48 px, contrast 6.7:1, fill 6.7:1 against the banner, 16 px weight 400"
    )


@pytest.mark.parametrize(
    ("accept", "reject", "problem"),
    [
        pytest.param(
            EQUAL,
            EQUAL.replace("#1d4ed8", "#fff").replace("#fff; color: #fff", "#fff; color: #595959"),
            "reject is less prominent than accept: fill against the banner 1.0:1 against 6.7:1",
            id="outline-reject-beside-a-filled-accept",
        ),
        pytest.param(
            EQUAL,
            EQUAL.replace("#1d4ed8", "#2563eb"),
            "reject is less prominent than accept: text contrast 5.2:1 against 6.7:1",
            id="paler-reject",
        ),
        pytest.param(EQUAL, EQUAL.replace("16px", "12px"), "reject's text is smaller or lighter: 12 px", id="smaller"),
        pytest.param(
            EQUAL.replace("16px", "bold 16px"), EQUAL, "reject's text is smaller or lighter", id="bold-accept-only"
        ),
        pytest.param(EQUAL, EQUAL.replace("12rem", "8rem"), "accept and reject differ in size", id="narrower"),
        pytest.param(EQUAL, EQUAL.replace("#fff;", "#9ca3af;"), "reject has a text contrast of", id="unreadable"),
    ],
)
def test_a_reject_that_steers_fails(page: Page, accept: str, reject: str, problem: str) -> None:
    """Each banner fails item 3 for its own reason, though both buttons are <button>s on the first layer."""
    layer, equal = measure(page, reject, accept)
    assert layer.passed, layer.problems
    assert any(line.startswith(problem) for line in equal.problems), equal.problems


def test_what_is_stored_is_told_apart_by_party(playwright: Playwright) -> None:
    """A withdrawal must delete the site's own cookies (item 10); a third party's it cannot reach, so the
    withdraw check fails only on first-party ones and, for the rest, on their hosts being asked again."""
    audit = _Audit(playwright, AuditOptions("https://shop.fixture.test/"), ScanClassifier())
    with audit._visitor() as visit:
        visit.context.add_cookies(
            [
                {"name": "_ga", "value": "GA1.1.1", "domain": ".fixture.test", "path": "/"},
                {"name": "VISITOR_INFO1_LIVE", "value": "v1", "domain": ".youtube.com", "path": "/"},
                {"name": "csrftoken", "value": "x", "domain": "shop.fixture.test", "path": "/"},
            ]
        )
        stored = audit._stored(visit)
    assert sorted(stored) == [
        ("analytics", "first", "cookie _ga (analytics, service:google-analytics) on .fixture.test"),
        ("marketing", "third", "cookie VISITOR_INFO1_LIVE (marketing, service:youtube) on .youtube.com"),
    ]
