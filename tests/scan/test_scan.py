"""``consentkit scan`` against the fixture shop: every tracker found, with its party, category and setter."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from consentkit.config.load import load_config
from consentkit.scan.classify import ScanClassifier

from .conftest import MANAGE_PY_CONSENTKIT, ROOT, DjangoPortal, consentkit
from .fixture_site import FixtureSite

GTAG = "www.googletagmanager.com/gtag/js?id=G-FIX1"
PIXEL = "connect.facebook.net/en_US/fbevents.js"
INSIGHT = "snap.licdn.com/li.lms-analytics/insight.min.js"

MINIMAL_CONFIG = """policy_version = "1"
locales = ["nb", "sv"]

[controller]
name = "Fixture AS"
email = "personvern@fixture.test"
country = "NO"

[[cookies]]
name = "fixture_cart"
category = "necessary"
duration = "session"
purpose.nb = "Husker handlekurven."
purpose.sv = "Kommer ihåg kundvagnen."
"""


@pytest.fixture(scope="module")
def scanned(shop: FixtureSite, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """One scan with a second pass after a click on the shop's accept button, writing to its config."""
    config = tmp_path_factory.mktemp("scan") / "consentkit.toml"
    config.write_text(MINIMAL_CONFIG, encoding="utf-8")
    done = consentkit(
        "scan", shop.url, "--format", "json", "--accept-selector", "#accept", "--config", str(config), "--write"
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), config


def cookie(report: dict[str, Any], name: str) -> dict[str, Any]:
    found = [entry for entry in report["cookies"] if entry["name"] == name]
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


@pytest.mark.parametrize(
    ("name", "party", "category", "classified_by", "set_by", "source", "page", "before_consent"),
    [
        pytest.param(
            "_gcl_au",
            "first",
            "marketing",
            "service:google-ads",
            "set-cookie",
            "shop/",
            "/",
            True,
            id="server-set-cookie",
        ),
        pytest.param(
            "fixture_cart", "first", "necessary", "config", "set-cookie", "shop/", "/", True, id="declared-in-config"
        ),
        pytest.param(
            "_ga",
            "first",
            "analytics",
            "service:google-analytics",
            "script",
            GTAG,
            "/",
            True,
            id="document-cookie-from-tracker-script",
        ),
        pytest.param(
            "_ga_FIX1",
            "first",
            "analytics",
            "service:google-analytics",
            "script",
            GTAG,
            "/",
            True,
            id="after-1.5-seconds",
        ),
        pytest.param(
            "VISITOR_INFO1_LIVE",
            "third",
            "marketing",
            "service:youtube",
            "set-cookie",
            "www.youtube.com/embed/fixture",
            "/",
            True,
            id="third-party-iframe",
        ),
        pytest.param(
            "_fbp",
            "first",
            "marketing",
            "service:meta-pixel",
            "script",
            PIXEL,
            "/products/widget",
            True,
            id="two-links-deep",
        ),
        pytest.param(
            "fixture_newsletter",
            "first",
            "unknown",
            "unknown",
            "set-cookie",
            "shop/from-sitemap",
            "/from-sitemap",
            True,
            id="only-in-sitemap",
        ),
        pytest.param(
            "fixture_consent", "first", "unknown", "unknown", "script", "shop/", "/", False, id="inline-script-on-click"
        ),
        pytest.param(
            "li_fat_id",
            "first",
            "marketing",
            "service:linkedin-insight",
            "script",
            INSIGHT,
            "/",
            False,
            id="after-consent",
        ),
    ],
)
def test_scan_finds_every_cookie_and_who_set_it(
    scanned: tuple[dict[str, Any], Path],
    shop: FixtureSite,
    name: str,
    party: str,
    category: str,
    classified_by: str,
    set_by: str,
    source: str,
    page: str,
    before_consent: bool,
) -> None:
    report, _ = scanned
    found = cookie(report, name)
    host, _, rest = source.partition("/")
    expected_source = shop.page("/" + rest) if host == "shop" else f"https://{host}:{shop.port}/{rest}"
    assert (found["party"], found["category"], found["classified_by"]) == (party, category, classified_by)
    assert (found["set_by"], found["source_url"]) == (set_by, expected_source)
    assert found["first_page"] == shop.page(page)
    assert found["before_consent"] is before_consent
    assert found["declared"] is (classified_by == "config")


def test_scan_reports_lifetimes_flags_and_domains(scanned: tuple[dict[str, Any], Path]) -> None:
    report, _ = scanned
    assert cookie(report, "_ga")["expires_days"] == 400  # Chromium caps two years at 400 days
    assert cookie(report, "_ga")["domain"] == ".fixture.test"
    youtube = cookie(report, "VISITOR_INFO1_LIVE")
    assert (youtube["domain"], youtube["secure"], youtube["same_site"], youtube["expires_days"]) == (
        ".youtube.com",
        True,
        "None",
        180,
    )
    cart = cookie(report, "fixture_cart")
    assert (cart["domain"], cart["http_only"], cart["expires_days"]) == ("shop.fixture.test", True, None)
    assert len(report["cookies"]) == 9


def test_scan_crawls_links_breadth_first_and_the_sitemap(
    scanned: tuple[dict[str, Any], Path], shop: FixtureSite
) -> None:
    report, _ = scanned
    assert report["pages"] == [
        shop.page(path) for path in ("/", "/products", "/about", "/from-sitemap", "/products/widget")
    ]  # no mailto:, no PDF, /about#team once
    assert report["consent_method"] == "selector"


def test_scan_lists_storage_keys_per_origin(scanned: tuple[dict[str, Any], Path], shop: FixtureSite) -> None:
    report, _ = scanned
    storage = {(entry["kind"], entry["key"]): entry for entry in report["storage"]}
    assert set(storage) == {("local_storage", "_hjid"), ("session_storage", "fixture_draft")}
    assert storage["local_storage", "_hjid"]["origin"] == shop.page("").rstrip("/")
    assert (storage["local_storage", "_hjid"]["category"], storage["local_storage", "_hjid"]["classified_by"]) == (
        "analytics",
        "database",
    )
    assert all(entry["before_consent"] for entry in storage.values())


def test_scan_counts_requests_to_known_services(scanned: tuple[dict[str, Any], Path]) -> None:
    report, _ = scanned
    requests = {entry["host"]: entry for entry in report["requests"]}
    assert {
        host: (entry["service"], entry["category"], entry["before_consent"]) for host, entry in requests.items()
    } == {
        "www.googletagmanager.com": ("google-analytics", "analytics", True),
        "static.hotjar.com": ("hotjar", "analytics", True),
        "www.youtube.com": ("youtube", "marketing", True),
        "connect.facebook.net": ("meta-pixel", "marketing", True),
        "snap.licdn.com": ("linkedin-insight", "marketing", False),
        "bat.bing.com": ("Bing / Microsoft", "marketing", True),  # known by the Open Cookie Database's domains
    }
    assert requests["www.googletagmanager.com"]["count"] >= 10  # five pages, two passes


def test_scan_write_adds_what_the_config_lacks(scanned: tuple[dict[str, Any], Path]) -> None:
    report, config_path = scanned
    text = config_path.read_text(encoding="utf-8")
    assert "# Added by `consentkit scan https://shop.fixture.test:" in text
    added = tomllib.loads(text)
    services = {service["preset"]: service for service in added["services"]}
    assert set(services) == {"google-ads", "google-analytics", "youtube", "meta-pixel", "hotjar", "linkedin-insight"}
    assert services["google-analytics"]["measurement_id"] == "G-ABC123XYZ"  # the preset's example, marked TODO
    cookies = {entry["name"]: entry for entry in added["cookies"]}
    assert cookies["fixture_newsletter"] == {
        "name": "fixture_newsletter",
        "category": "functional",
        "duration": "1 day",
        "purpose": {
            "nb": cookies["fixture_newsletter"]["purpose"]["nb"],
            "sv": cookies["fixture_newsletter"]["purpose"]["sv"],
        },
    }
    assert cookies["fixture_consent"]["duration"] == "1 year"
    assert cookies["fixture_draft"]["storage"] == "session_storage"
    # Hotjar's preset does not list _hjid; the Open Cookie Database does, so it gets an entry of its own.
    assert (cookies["_hjid"]["category"], cookies["_hjid"]["duration"], cookies["_hjid"]["storage"]) == (
        "analytics",
        "persistent",
        "local_storage",
    )
    classifier = ScanClassifier(load_config(config_path))
    for found in report["cookies"]:
        assert classifier.name(found["name"]).declared, found["name"]


def test_scan_html_report_is_self_contained(shop: FixtureSite, tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    done = consentkit(
        "scan",
        shop.url,
        "--format",
        "html",
        "--output",
        str(output),
        "--pages",
        "2",
        "--wait",
        "0",
        "--exclude",
        "/about",
    )
    assert done.returncode == 0, done.stderr
    html = output.read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,iVBOR' in html  # the first page, as a new visitor saw it
    assert "<script" not in html
    assert "VISITOR_INFO1_LIVE" in html
    assert "/about" not in html.split("<h2>Pages</h2>")[1]


def test_scan_without_playwright_names_the_extra() -> None:
    program = (
        "import sys; sys.modules['playwright'] = None; "
        "from consentkit.cli.main import main; sys.exit(main(sys.argv[1:]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, "scan", "https://example.test/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "pip install 'consentkit[scan]'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["scan", "example.test"], "expected an http:// or https:// URL", id="not-a-url"),
        pytest.param(["scan", "https://example.test/", "--pages", "0"], "at least 1", id="no-pages"),
        pytest.param(["scan", "https://example.test/", "--write"], "--write needs --config", id="write-without-config"),
    ],
)
def test_scan_rejects_bad_arguments_clearly(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "consentkit", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_scan_of_a_consentkit_site_consents_with_a_post(portal: tuple[str, Path]) -> None:
    """A consentkit site is scanned again after a POST of accept_all; its trackers come only then."""
    url, config = portal
    done = consentkit("scan", url, "--config", str(config), "--pages", "2", "--wait", "0", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["consent_method"] == "consentkit"
    consent = cookie(report, "consentkit")
    assert (consent["category"], consent["classified_by"], consent["declared"]) == ("necessary", "framework", True)
    assert (consent["set_by"], consent["before_consent"], consent["http_only"]) == ("set-cookie", False, True)
    assert consent["source_url"].endswith("/consentkit/consent")
    lang = cookie(report, "lang")
    assert (lang["category"], lang["classified_by"], lang["declared"], lang["before_consent"]) == (
        "functional",
        "config",
        True,
        False,
    )
    requests = {entry["host"]: entry for entry in report["requests"]}
    assert requests["www.googletagmanager.com"]["before_consent"] is False  # asked, only after consent
    assert requests["connect.facebook.net"]["service"] == "meta-pixel"


def test_manage_py_scan_knows_what_the_django_settings_declare(django_portal: DjangoPortal) -> None:
    """Under Django, ``manage.py consentkit scan`` judges the site against settings.CONSENTKIT_CONFIG, as
    ``audit`` does: the portal's CSRF cookie (declared only there) is reported as declared."""
    done = consentkit(
        "scan", django_portal.url, "--offline", "--pages", "2", "--wait", "0", "--format", "json",
        program=MANAGE_PY_CONSENTKIT, env=django_portal.env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    csrf = cookie(json.loads(done.stdout), "csrftoken")
    assert (csrf["category"], csrf["classified_by"], csrf["declared"]) == ("necessary", "config", True)


def test_scan_offline_answers_trackers_locally_and_still_counts_them(shop: FixtureSite) -> None:
    """With --offline no request leaves the site (a CI without internet): the trackers' hosts are still
    reported as asked, but their empty answers set nothing; the shop's own cookies are there."""
    done = consentkit("scan", shop.url, "--offline", "--pages", "1", "--wait", "0", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {entry["name"] for entry in report["cookies"]} == {"_gcl_au", "fixture_cart"}
    requests = {entry["host"]: entry["before_consent"] for entry in report["requests"]}
    assert requests == dict.fromkeys(
        ("www.googletagmanager.com", "static.hotjar.com", "www.youtube.com", "bat.bing.com"), True
    )


def test_scan_of_an_unreachable_site_says_so(shop: FixtureSite) -> None:
    done = consentkit("scan", "https://closed.fixture.test:1/", "--wait", "0", "--timeout", "10")
    assert done.returncode == 2
    assert "error: could not open https://closed.fixture.test:1/" in done.stderr
    assert "Traceback" not in done.stderr
