"""Classification: the site's declarations, then services, then built-ins, then the Open Cookie Database."""

from __future__ import annotations

import logging

import pytest

from consentkit.config.cookiedb import CookieDatabase, KnownCookie, bundled_database
from consentkit.config.load import Config
from consentkit.gate.classify import BUILTIN, DATABASE, PRESET, SERVICE, SITE, Classifier

from .conftest import config_from


def classifier_for(config: Config, *necessary: str) -> Classifier:
    services = [cookie for service in config.services for cookie in service.cookies]
    return Classifier(config.cookies, services, ["consentkit", *necessary])


@pytest.mark.parametrize(
    ("name", "category", "source"),
    [
        pytest.param("session", "necessary", SITE, id="site-exact"),
        pytest.param("lang", "functional", SITE, id="site-functional"),
        pytest.param("tracker_abc", "marketing", SITE, id="site-glob"),
        pytest.param("_ga", "analytics", SERVICE, id="service-exact"),
        pytest.param("_ga_ABC123", "analytics", SERVICE, id="service-glob"),
        pytest.param("_fbp", "marketing", SERVICE, id="meta"),
        pytest.param("consentkit", "necessary", BUILTIN, id="consent-cookie"),
        pytest.param("flask_session", "necessary", BUILTIN, id="app-session"),
        # Hotjar is not enabled, but a preset knows it better than the database does.
        pytest.param("_hjSessionUser_123", "analytics", PRESET, id="preset-over-database"),
        pytest.param("NID", "marketing", DATABASE, id="database-exact"),
        pytest.param("__utmz", "analytics", DATABASE, id="database-analytics"),
        pytest.param("PHPSESSID", "necessary", DATABASE, id="database-necessary"),
    ],
)
def test_classification_order(name: str, category: str, source: str) -> None:
    found = classifier_for(config_from(), "flask_session").classify(name)
    assert found is not None
    assert (found.category, found.source) == (category, source)


def test_the_site_wins_over_a_service_and_the_database() -> None:
    config = config_from(
        cookies=[{"name": "_ga", "category": "functional", "duration": "1 day", "purpose": {"en": "Overridden."}}]
    )
    found = classifier_for(config).classify("_ga")
    assert found is not None
    assert (found.category, found.source) == ("functional", SITE)


def test_an_unknown_name_is_undeclared() -> None:
    assert classifier_for(config_from()).classify("totally_unknown_cookie_zz") is None


def test_undeclared_cookies_are_warned_about_once_per_name(caplog: pytest.LogCaptureFixture) -> None:
    classifier = classifier_for(config_from())
    with caplog.at_level(logging.WARNING, logger="consentkit"):
        classifier.warn_undeclared("mystery", "set by GET /")
        classifier.warn_undeclared("mystery", "set by GET /other")
        classifier.warn_undeclared("enigma", "set by GET /")
    messages = [record.getMessage() for record in caplog.records if "undeclared" in record.getMessage()]
    assert len(messages) == 2
    assert "'mystery'" in messages[0]
    assert '[[cookies]] name = "mystery"' in messages[0]


def test_results_are_cached() -> None:
    classifier = classifier_for(config_from())
    first = classifier.classify("_ga_XYZ")
    assert classifier.classify("_ga_XYZ") is first


def test_the_database_prefers_the_stricter_category_when_rows_disagree() -> None:
    database = CookieDatabase(
        [
            KnownCookie("token", "necessary", "A", False),
            KnownCookie("token", "marketing", "B", False),
            KnownCookie("ab", "analytics", "C", True),
            KnownCookie("abc", "necessary", "D", True),
        ]
    )
    token = database.lookup("token")
    assert token is not None
    assert token.category == "marketing"
    longest = database.lookup("abcdef")
    assert longest is not None
    assert longest.platform == "D"  # the longest matching prefix wins


def test_the_bundled_database_loads_with_its_mapping() -> None:
    database = bundled_database()
    assert len(database) > 2000
    ga = database.lookup("_ga")
    assert ga is not None
    assert ga.category == "analytics"
    # The database's "Functional" means strictly necessary (SOURCE.md).
    session = database.lookup("PHPSESSID")
    assert session is not None
    assert session.category == "necessary"
