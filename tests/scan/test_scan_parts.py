"""The scanner's parts that need no browser: sites, lifetimes, host lookup, the progress bar, page filters."""

from __future__ import annotations

import io

import pytest

from consentkit.config.cookiedb import parse_hosts
from consentkit.config.durations import parse_duration
from consentkit.scan.classify import ScanClassifier
from consentkit.scan.crawler import ScanOptions, _wanted
from consentkit.scan.lifetimes import as_written, outlives
from consentkit.scan.progress import Progress
from consentkit.scan.sites import party, registrable_domain


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        pytest.param("shop.fixture.test", "fixture.test", id="subdomain"),
        pytest.param(".fixture.test", "fixture.test", id="cookie-domain-dot"),
        pytest.param("www.bbc.co.uk", "bbc.co.uk", id="two-label-suffix"),
        pytest.param("Example.NO", "example.no", id="case"),
        pytest.param("127.0.0.1", "127.0.0.1", id="ip"),
        pytest.param("localhost", "localhost", id="single-label"),
    ],
)
def test_registrable_domain(host: str, expected: str) -> None:
    assert registrable_domain(host) == expected


def test_party_is_measured_against_the_registrable_domain() -> None:
    assert party(".fixture.test", "fixture.test") == "first"
    assert party("cdn.fixture.test", "fixture.test") == "first"
    assert party(".youtube.com", "fixture.test") == "third"
    assert party("fixture.test.evil.example", "fixture.test") == "third"


@pytest.mark.parametrize(
    ("days", "kind", "written"),
    [
        pytest.param(None, "cookie", "session", id="session-cookie"),
        pytest.param(400.0, "cookie", "13 months", id="cap"),
        pytest.param(730.0, "cookie", "2 years", id="two-years"),
        pytest.param(90.0, "cookie", "3 months", id="ninety-days"),
        pytest.param(30.0, "cookie", "30 days", id="thirty-days"),
        pytest.param(1.0, "cookie", "1 day", id="one-day"),
        pytest.param(0.0208, "cookie", "30 minutes", id="half-hour"),
        pytest.param(0.5, "cookie", "12 hours", id="hours"),
        pytest.param(None, "local_storage", "persistent", id="local-storage"),
        pytest.param(None, "session_storage", "session", id="session-storage"),
    ],
)
def test_lifetimes_are_written_as_people_write_them(days: float | None, kind: str, written: str) -> None:
    assert str(as_written(days, kind)) == written


@pytest.mark.parametrize(
    ("declared", "days", "problem"),
    [
        pytest.param("13 months", 395.0, None, id="consentkits-own-395-days-are-13-months"),
        pytest.param(
            "13 months", 400.0, "declared to last 13 months (395 days) but lasts 13 months (400 days)", id="cap"
        ),
        pytest.param("1 year", 364.0, None, id="djangos-csrf-cookie"),
        pytest.param("30 days", 90.0, "declared to last 30 days (30 days) but lasts 3 months (90 days)", id="longer"),
        pytest.param("2 hours", 0.09, None, id="within-a-days-slack"),
        pytest.param("session", 30.0, "declared to last session but lasts 30 days (30 days)", id="not-a-session"),
        pytest.param("session", None, None, id="a-session-cookie"),
        pytest.param("2 years", None, None, id="a-session-cookie-declared-longer"),
    ],
)
def test_a_cookie_outlives_its_declared_lifetime_as_people_count_it(
    declared: str, days: float | None, problem: str | None
) -> None:
    assert outlives(parse_duration(declared), days) == problem


def test_hosts_of_presets_and_of_the_cookie_database() -> None:
    classifier = ScanClassifier()
    assert classifier.host("region1.google-analytics.com") is not None
    assert classifier.host("region1.google-analytics.com").name == "google-analytics"  # type: ignore[union-attr]
    assert classifier.host("www.googletagmanager.com").name == "google-analytics"  # type: ignore[union-attr]
    assert classifier.host("shop.fixture.test") is None
    hosts = parse_hosts(
        "ID,Platform,Category,Cookie / Data Key name,Domain,Description,Retention period,Data Controller,"
        "User Privacy & GDPR Rights Portals,Wildcard match\n"
        "1,Tracker,Marketing,tr,.tracker.example (3rd party) or cdn.tracker.example,,,,,0\n"
        "2,Other,Functional,x,tracker.example,,,,,0\n"
    )
    assert {domain: host.category for domain, host in hosts.items()} == {
        "tracker.example": "marketing",  # the strictest of the two rows
        "cdn.tracker.example": "marketing",
    }


def test_a_name_nobody_knows_takes_the_category_of_the_service_host_that_set_it() -> None:
    verdict = ScanClassifier().name("zz_made_up", "static.hotjar.com")
    assert (verdict.category, verdict.classified_by, verdict.declared) == ("analytics", "preset", False)
    assert ScanClassifier().name("zz_made_up").classified_by == "unknown"
    assert ScanClassifier().name("consentkit").classified_by == "framework"


@pytest.mark.parametrize(
    ("path", "include", "exclude", "wanted"),
    [
        pytest.param("/shop/a", (), (), True, id="no-filters"),
        pytest.param("/shop/a", ("/shop/*",), (), True, id="included"),
        pytest.param("/blog/a", ("/shop/*",), (), False, id="not-included"),
        pytest.param("/shop/admin", (), ("*/admin",), False, id="excluded"),
    ],
)
def test_include_and_exclude_globs_match_the_path(
    path: str, include: tuple[str, ...], exclude: tuple[str, ...], wanted: bool
) -> None:
    options = ScanOptions("https://shop.test/", include=include, exclude=exclude)
    assert _wanted(f"https://shop.test{path}?q=1", options) is wanted


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal() -> None:
    terminal = _Terminal()
    progress = Progress(terminal)
    progress.update("new visitor", 3, 12, "https://shop.test/a")
    assert "new visitor [######..................] 3/12 https://shop.test/a" in terminal.getvalue()
    progress.finish()
    assert terminal.getvalue().endswith("\r")
    piped = io.StringIO()
    Progress(piped).update("new visitor", 3, 12, "https://shop.test/a")
    assert piped.getvalue() == ""
