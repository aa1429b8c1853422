"""Classification: the site's declarations, then services, then built-ins, then the Open Cookie Database."""

from __future__ import annotations

import logging

import pytest

from consentkit.config.cookiedb import CookieDatabase, KnownCookie, bundled_database
from consentkit.config.load import Config
from consentkit.gate.classify import BUILTIN, DATABASE, FRAMEWORK, PRESET, SERVICE, SITE, Classifier

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
        # Frameworks' own cookies, before the database (which files sessionid under Instagram).
        pytest.param("sessionid", "necessary", FRAMEWORK, id="django-session"),
        pytest.param("csrftoken", "necessary", FRAMEWORK, id="django-csrf"),
        pytest.param("__Host-csrftoken", "necessary", FRAMEWORK, id="restricting-prefix"),
        pytest.param("PHPSESSID", "necessary", FRAMEWORK, id="php-session"),
        pytest.param("_shop_session", "necessary", FRAMEWORK, id="rails-session-pattern"),
        # A framework's wildcard yields to a tracker the database names exactly.
        pytest.param("_rd_wa_first_session", "marketing", DATABASE, id="database-over-framework-wildcard"),
        pytest.param("__utmz", "analytics", DATABASE, id="database-analytics"),
        pytest.param("__AntiXsrfToken", "necessary", DATABASE, id="database-necessary"),
    ],
)
def test_classification_order(name: str, category: str, source: str) -> None:
    found = classifier_for(config_from(), "flask_session").classify(name)
    assert found is not None
    assert (found.category, found.source) == (category, source)


def test_a_database_row_of_a_third_partys_own_domain_does_not_classify_the_sites_cookie() -> None:
    """NID is Google's cookie on google.com; a site's own NID is the site's, so it is undeclared."""
    assert bundled_database().lookup("NID") is not None
    assert classifier_for(config_from()).classify("NID") is None


def test_the_undeclared_warning_names_the_third_party_row_it_did_not_use(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="consentkit"):
        classifier_for(config_from()).warn_undeclared("NID", "set by GET /")
    assert "only as a cookie of Google on google.com" in caplog.text


def test_a_decision_of_the_database_is_logged_once_with_the_rows_platform(caplog: pytest.LogCaptureFixture) -> None:
    classifier = classifier_for(config_from())
    with caplog.at_level(logging.WARNING, logger="consentkit"):
        classifier.classify("__utmz")
        classifier.classify("__utmz")
        classifier._cache.clear()  # as when the cache fills up with names visitors sent
        classifier.classify("__utmz")
    explained = [record.getMessage() for record in caplog.records if "Open Cookie Database" in record.getMessage()]
    assert len(explained) == 1
    assert "'__utmz'" in explained[0]
    assert "Google Analytics" in explained[0]


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
