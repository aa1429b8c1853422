"""``consentkit audit``: both example portals pass every check, the fixture shop fails the right ones."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from .conftest import MANAGE_PY_CONSENTKIT, DjangoPortal, consentkit
from .fixture_site import FixtureSite
from .test_scan import MINIMAL_CONFIG

# The shop's config declares its cart cookie, and Google Analytics' _ga for far too short a time.
SHOP_CONFIG = (
    MINIMAL_CONFIG
    + """
[[cookies]]
name = "_ga"
category = "analytics"
duration = "30 days"
purpose.nb = "Teller besøkende."
purpose.sv = "Räknar besökare."
"""
)

CHECKS = [
    "first-visit",
    "no-implied-consent",
    "reject-on-first-layer",
    "equal-buttons",
    "nothing-pre-ticked",
    "reject",
    "accept",
    "withdraw",
    "gpc",
    "declared",
]


def junit_cases(path: Path) -> dict[str, str | None]:
    """Each test case by check key: its failure text, or None when it passed."""
    cases = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):  # noqa: S314 -- our own output
        failure = case.find("failure")
        cases[case.get("name", "").split(":")[0]] = None if failure is None else (failure.text or "")
    return cases


def test_audit_passes_the_example_portal_offline(portal: tuple[str, Path], tmp_path: Path) -> None:
    """With --offline every tracker host gets an empty local answer: the checks still see each request."""
    url, config = portal
    junit, report = tmp_path / "audit.xml", tmp_path / "audit.html"
    done = consentkit(
        "audit", url, "--config", str(config), "--offline", "--wait", "0",
        "--junit", str(junit), "--format", "html", "--output", str(report),
    )  # fmt: skip
    assert done.returncode == 0, junit.read_text(encoding="utf-8") + done.stderr
    assert junit_cases(junit) == dict.fromkeys(CHECKS)
    xml = junit.read_text(encoding="utf-8")
    assert "Google Analytics: requested www.googletagmanager.com" in xml  # loaded after accept, answered locally
    assert "accept: &lt;button&gt;" in xml
    assert "docs/compliance.md item 10" in xml
    html = report.read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 6  # a screenshot of each step
    assert html.count('class="tag pass"') == len(CHECKS)


def test_audit_passes_the_django_portal_with_its_settings_config(django_portal: DjangoPortal, tmp_path: Path) -> None:
    """``manage.py consentkit audit`` checks the site against settings.CONSENTKIT_CONFIG (a dict, not a file),
    as ``check`` and ``notice`` do; the portal runs under gunicorn, its trackers answered offline."""
    junit = tmp_path / "audit.xml"
    done = consentkit(
        "audit", django_portal.url, "--offline", "--wait", "0", "--junit", str(junit),
        program=MANAGE_PY_CONSENTKIT, env=django_portal.env,
    )  # fmt: skip
    assert done.returncode == 0, (junit.read_text(encoding="utf-8") if junit.exists() else "") + done.stderr
    assert "10 of 10 checks passed" in done.stdout
    suite = ElementTree.parse(junit).getroot().find("testsuite")  # noqa: S314 -- our own output
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == (str(len(CHECKS)), "0", "0")
    assert junit_cases(junit) == dict.fromkeys(CHECKS)
    xml = junit.read_text(encoding="utf-8")
    # Declared in the Django settings' config only (the Flask portal's file does not know Django's CSRF cookie).
    assert "csrftoken: declared 1 year, lasts 1 year" in xml
    assert "Meta Pixel: requested connect.facebook.net" in xml
    assert "nothing of analytics, marketing stored or asked afterwards" in xml


def test_audit_fails_the_fixture_shop_with_evidence(shop: FixtureSite, tmp_path: Path) -> None:
    config, junit = tmp_path / "consentkit.toml", tmp_path / "audit.xml"
    config.write_text(SHOP_CONFIG, encoding="utf-8")
    done = consentkit("audit", shop.url, "--config", str(config), "--wait", "0", "--junit", str(junit))
    assert done.returncode == 1, done.stderr
    assert "0 of 10 checks passed" in done.stdout
    cases = junit_cases(junit)
    assert list(cases) == CHECKS
    first_visit = cases["first-visit"] or ""
    assert "stored: cookie _gcl_au (marketing, service:google-ads) on .fixture.test" in first_visit
    assert "stored: cookie VISITOR_INFO1_LIVE (marketing, service:youtube) on .youtube.com" in first_visit
    assert "stored: local_storage _hjid (analytics, database)" in first_visit
    assert "asked: www.googletagmanager.com (google-analytics, analytics)" in first_visit
    assert "cookie _ga (analytics, config)" in (cases["gpc"] or "")
    for key in ("no-implied-consent", "reject-on-first-layer", "equal-buttons", "nothing-pre-ticked"):
        assert "no consentkit banner (#consentkit-banner)" in (cases[key] or ""), key
    for key in ("reject", "accept", "withdraw"):
        assert "no consentkit banner button" in (cases[key] or ""), key
    declared = cases["declared"] or ""
    assert "cookie _ga is declared to last 30 days (30 days) but lasts 13 months (400 days)" in declared
    assert "cookie _gcl_au on .fixture.test is not declared (marketing, service:google-ads)" in declared
    assert "fixture_cart" not in declared  # declared, a session cookie as it says
