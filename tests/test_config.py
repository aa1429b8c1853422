"""The config file: loads as the issue writes it; every mistake is named with its key path."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from consentkit.config.durations import Duration
from consentkit.config.load import ConfigError, load_config, parse_config

from .conftest import BASE_TOML, CONFIGS


def base_data() -> dict[str, Any]:
    return tomllib.loads(BASE_TOML)


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    return caught.value.problems


def test_issue_example_loads_as_written() -> None:
    config = load_config(CONFIGS / "issue_example.toml")

    assert config.policy_version == "2026-11-01"
    assert config.locales == ("nb", "sv", "en")
    assert config.default_locale == "nb"
    assert config.consent_max_age_days == 365
    assert config.undeclared_cookies == "block"
    assert config.honor_gpc is True
    assert config.controller.name == "Eksempel Inkasso AS"
    assert config.controller.country == "NO"
    # marketing = false: not offered at all.
    assert config.categories == ("functional", "analytics")
    assert [cookie.name for cookie in config.cookies] == ["session", "lang"]
    assert config.cookies[1].duration == Duration(365, "day")
    assert config.cookies[0].purposes["sv"].startswith("Håller dig inloggad")
    assert [service.key for service in config.services] == ["google-analytics"]
    assert config.services[0].options == {"measurement_id": "G-DEMO123"}
    # The default log sits next to the config file.
    assert config.log_url == f"sqlite:///{(CONFIGS / 'consentkit-log.sqlite3').resolve()}"


def test_the_issues_error_message_for_a_wrong_category() -> None:
    data = base_data()
    data["cookies"][1]["category"] = "stats"
    assert problems_of(data)[0].startswith(
        'cookies[1].category: "stats" is not a category; expected one of necessary, functional, analytics, marketing'
    )


def mutate(path: str, value: Any) -> dict[str, Any]:
    """base_data() with the value at a dotted path (``cookies.0.duration``) set; None deletes it."""
    data = base_data()
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    if value is None:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param(
            "polciy_version", "x", 'polciy_version: unknown key; did you mean "policy_version"?', id="typo-top"
        ),
        pytest.param(
            "controller.emial", "a@b.no", 'controller.emial: unknown key; did you mean "email"?', id="typo-nested"
        ),
        pytest.param(
            "categories.marketing", "yes", 'categories.marketing: expected true or false, got "yes"', id="not-a-bool"
        ),
        pytest.param(
            "categories.necessary",
            True,
            "categories.necessary: necessary is always on and cannot be listed here",
            id="necessary-listed",
        ),
        pytest.param("categories.statistics", True, "categories.statistics: unknown key", id="unknown-category"),
        pytest.param(
            "consent_max_age_days",
            400,
            "consent_max_age_days: 400 is out of range; expected 1 to 395",
            id="over-13-months",
        ),
        pytest.param(
            "consent_max_age_days",
            "a year",
            "consent_max_age_days: expected a whole number from 1 to 395",
            id="days-text",
        ),
        pytest.param(
            "undeclared_cookies",
            "maybe",
            'undeclared_cookies: "maybe" is not allowed; expected one of block, allow',
            id="undeclared-value",
        ),
        pytest.param("honor_gpc", 1, "honor_gpc: expected true or false, got 1", id="gpc-number"),
        pytest.param(
            "locales",
            ["nb", "de"],
            'locales[1]: "de" is not a supported locale; expected one of nb, nn, sv, da, fi, en',
            id="locale",
        ),
        pytest.param("default_locale", "da", 'default_locale: "da" is not allowed', id="default-locale"),
        pytest.param("policy_version", None, "policy_version: is required", id="no-policy-version"),
        pytest.param("policy_version", "", "policy_version: expected a non-empty string", id="empty-policy-version"),
        pytest.param(
            "controller.country", "US", 'controller.country: "US" is not an EU/EEA country code', id="country"
        ),
        pytest.param(
            "controller.email", "not-an-email", 'controller.email: "not-an-email" is not an email', id="email"
        ),
        pytest.param(
            "cookies.0.duration",
            "forever",
            'cookies[0].duration: "forever" is not a duration; expected "session", "persistent" or a whole number',
            id="duration-word",
        ),
        pytest.param("cookies.0.duration", 30, "cookies[0].duration: expected a string", id="duration-number"),
        pytest.param("cookies.0.duration", None, "cookies[0].duration: is required", id="duration-missing"),
        pytest.param("cookies.0.duration", "0 days", 'cookies[0].duration: "0 days" is zero', id="duration-zero"),
        pytest.param(
            "cookies.0.name", "my cookie", 'cookies[0].name: "my cookie" is not a valid cookie name', id="name"
        ),
        pytest.param("cookies.0.purpose", None, "cookies[0].purpose: is required in at least one locale", id="purpose"),
        pytest.param("cookies.0.purpose.de", "Hallo", "cookies[0].purpose.de: unknown key", id="purpose-locale"),
        pytest.param("cookies.0.transfer", "SE", 'cookies[0].transfer: "SE" is inside the EU/EEA', id="transfer-eea"),
        pytest.param("cookies.0.transfer", "USA", 'cookies[0].transfer: "USA" is not a two-letter', id="transfer-code"),
        pytest.param(
            "cookies.0.domain", "exa mple.no", 'cookies[0].domain: "exa mple.no" is not a domain', id="domain"
        ),
        pytest.param("cookies.0.path", "account", 'cookies[0].path: "account" is not a cookie path', id="path"),
        pytest.param(
            "cookies.0.thirdparty", True, 'cookies[0].thirdparty: unknown key; did you mean "third_party"?', id="typo"
        ),
        pytest.param("cookies.0", "session", "cookies[0]: expected a table", id="cookie-not-table"),
        pytest.param(
            "services.0.preset",
            "google-analytic",
            'services[0].preset: "google-analytic" is not a known service; did you mean "google-analytics"?',
            id="preset-typo",
        ),
        pytest.param(
            "services.0.measurement_id",
            "UA-1234-1",
            'services[0].measurement_id: "UA-1234-1" does not look like a google-analytics measurement_id',
            id="option-pattern",
        ),
        pytest.param(
            "services.0.measurment_id",
            "G-X",
            'services[0].measurment_id: unknown key; did you mean "measurement_id"?',
            id="option-typo",
        ),
        pytest.param(
            "services.1.category",
            "necessary",
            'services[1].category: "necessary" is not allowed; expected one of functional, analytics, marketing',
            id="service-necessary",
        ),
        pytest.param("log.url", "mysql://db/consent", 'log.url: "mysql://db/consent" is not a supported', id="log"),
        pytest.param("log.ulr", "x", 'log.ulr: unknown key; did you mean "url"?', id="log-typo"),
        pytest.param("log.path", "x", "log.path: unknown key; allowed keys: url, retention", id="log-unknown"),
        pytest.param("log.retention", "forever", 'log.retention: "forever" is not a duration', id="log-retention-word"),
        pytest.param(
            "log.retention", "session", 'log.retention: "session" is not a length of time', id="log-retention-session"
        ),
        pytest.param("log.retention", 5, 'log.retention: expected a string such as "5 years"', id="log-retention-int"),
        pytest.param(
            "log.retention", "999999 years", 'log.retention: "999999 years" is longer than 100 years', id="log-too-long"
        ),
        pytest.param(
            "controller.privacy_policy_url",
            "eksempel.no/personvern",
            'controller.privacy_policy_url: "eksempel.no/personvern" is not a web address',
            id="privacy-policy-url",
        ),
        pytest.param(
            "controller.url",
            "javascript:alert(1)",
            'controller.url: "javascript:alert(1)" is not a web address',
            id="url",
        ),
        pytest.param(
            "cookies.0.transfer_safeguard",
            "dfp",
            'cookies[0].transfer_safeguard: "dfp" is not allowed; expected one of adequacy, dpf, scc; '
            'did you mean "dpf"?',
            id="safeguard-typo",
        ),
        pytest.param(
            "cookies.0.transfer_safeguard",
            "scc",
            'cookies[0].transfer_safeguard: "scc" is given, but there is no transfer outside the EU/EEA',
            id="safeguard-without-transfer",
        ),
        pytest.param(
            "services.0.transfer_safeguard",
            "standard clauses",
            'services[0].transfer_safeguard: "standard clauses" is not allowed; expected one of adequacy, dpf, scc',
            id="service-safeguard",
        ),
        pytest.param(
            "cookie_domain", "http://x.no", 'cookie_domain: "http://x.no" is not a domain', id="cookie-domain"
        ),
        pytest.param("texts", {"de": {}}, 'texts.de: "de" is not a supported locale', id="texts-locale"),
        pytest.param(
            "texts",
            {"nb": {"banner_titel": "Hei"}},
            'texts.nb.banner_titel: unknown key; did you mean "banner_title"?',
            id="t",
        ),
        pytest.param(
            "texts",
            {"nb": {"banner_purposes": "Vi bruker dem til %(formaal)s."}},
            "texts.nb.banner_purposes: uses %(formaal)s, which this text does not have; "
            "allowed placeholders: %(purposes)s",
            id="texts-placeholder",
        ),
        pytest.param(
            "texts", {"nb": {"banner_title": "100% trygt"}}, "texts.nb.banner_title: has a lone %", id="texts-percent"
        ),
    ],
)
def test_each_mistake_names_its_key_path(path: str, value: Any, expected: str) -> None:
    problems = problems_of(mutate(path, value))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_the_data_privacy_framework_covers_the_us_only() -> None:
    data = mutate("cookies.0.transfer", ["US", "CN"])
    data["cookies"][0]["transfer_safeguard"] = "dpf"
    assert problems_of(data) == [
        'cookies[0].transfer_safeguard: "dpf" covers transfers to the US only, not to CN; use "scc" or "adequacy" '
        "instead"
    ]


def test_a_transfer_without_a_safeguard_warns() -> None:
    """The notice must say what protects data sent outside the EU/EEA (GDPR Art. 13(1)(f))."""
    config = parse_config(mutate("cookies.0.transfer", "US"))
    assert config.cookies[0].transfer_safeguard is None
    assert [warning for warning in config.warnings if warning.startswith("cookies[0].transfer_safeguard: data goes")]
    data = mutate("cookies.0.transfer", "GB")
    data["cookies"][0]["transfer_safeguard"] = "adequacy"
    config = parse_config(data)
    assert config.cookies[0].transfer_safeguard == "adequacy"
    assert not [warning for warning in config.warnings if "transfer_safeguard" in warning]


def test_presets_carry_their_safeguard_and_a_site_may_override_it() -> None:
    config = parse_config(base_data())
    assert {cookie.transfer_safeguard for cookie in config.services[0].cookies} == {"dpf"}
    data = mutate("services.0.transfer_safeguard", "scc")
    config = parse_config(data)
    assert config.services[0].transfer_safeguard == "scc"
    assert {cookie.transfer_safeguard for cookie in config.services[0].cookies} == {"scc"}


def test_log_retention_defaults_to_five_years_and_warns_when_shorter_than_consent() -> None:
    assert parse_config(base_data()).log_retention == Duration(5, "year")
    config = parse_config(mutate("log.retention", "6 months"))
    assert config.log_retention == Duration(6, "month")
    assert any(warning.startswith("log.retention: 6 months is shorter than") for warning in config.warnings)


def test_all_problems_are_reported_at_once() -> None:
    data = mutate("categories.marketing", "yes")
    data["cookies"][0]["category"] = "stats"
    data["honor_gpc"] = "no"
    problems = problems_of(data)
    assert len(problems) == 3
    message = str(ConfigError(problems))
    assert message.startswith("consentkit.toml is not valid:\n  - ")


def test_duplicate_cookie_and_service_declarations_are_errors() -> None:
    data = base_data()
    data["cookies"].append(dict(data["cookies"][1]))
    data["services"].append({"preset": "meta-pixel", "pixel_id": "123456789"})
    problems = problems_of(data)
    assert 'cookies[3].name: "lang" is already declared in cookies[1]' in problems
    assert 'services: "meta-pixel" is listed more than once' in problems


@pytest.mark.parametrize("name", ["_ga", "_ga_*", "_fbp", "IDE"])
def test_a_known_tracker_declared_necessary_warns_loudly(name: str) -> None:
    """docs/compliance.md item 9: "necessary" means strictly necessary."""
    data = base_data()
    data["cookies"][0]["name"] = name
    config = parse_config(data)
    warning = next(warning for warning in config.warnings if warning.startswith("cookies[0]:"))
    assert f'"{name}" is a known' in warning
    assert "declared necessary" in warning
    assert "docs/compliance.md item 9" in warning


def test_a_plain_session_cookie_declared_necessary_does_not_warn() -> None:
    config = parse_config(base_data())
    assert not any(warning.startswith("cookies[0]:") for warning in config.warnings)


def test_unlisted_categories_are_offered_only_when_something_uses_them() -> None:
    data = base_data()
    del data["categories"]
    data["services"] = [service for service in data["services"] if service["preset"] != "meta-pixel"]
    data["cookies"] = data["cookies"][:2]
    assert parse_config(data).categories == ("functional", "analytics")


def test_a_category_switched_on_but_unused_warns() -> None:
    data = base_data()
    data["cookies"] = data["cookies"][:1]
    data["services"] = []
    config = parse_config(data)
    assert config.categories == ("functional", "analytics", "marketing")
    assert any("categories.analytics: is offered but no cookie or service uses it" in w for w in config.warnings)


def test_a_switched_off_category_warns_about_what_it_blocks() -> None:
    config = parse_config(mutate("categories.marketing", False))
    assert "marketing" not in config.categories
    assert any(w.startswith("services[1]: Meta Pixel is in marketing") for w in config.warnings)


def test_missing_purpose_translations_warn() -> None:
    data = base_data()
    del data["cookies"][1]["purpose"]["sv"]
    config = parse_config(data)
    assert "cookies[1].purpose: no text for sv; visitors in that language see the purpose in another language" in (
        config.warnings
    )


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("session", Duration()),
        ("persistent", Duration(None, "persistent")),
        ("1 minute", Duration(1, "minute")),
        ("30 minutes", Duration(30, "minute")),
        ("24 hours", Duration(24, "hour")),
        ("1 day", Duration(1, "day")),
        ("2 weeks", Duration(2, "week")),
        ("13 months", Duration(13, "month")),
        ("1 year", Duration(1, "year")),
        ("2 Years", Duration(2, "year")),
    ],
)
def test_durations_take_every_unit_singular_or_plural(written: str, expected: Duration) -> None:
    data = mutate("cookies.1.duration", written)
    assert parse_config(data).cookies[1].duration == expected


def test_optional_cookie_keys() -> None:
    data = base_data()
    data["cookies"][1].update(third_party=True, domain=".Example.com", transfer=["us", "GB"], path="/app")
    cookie = parse_config(data).cookies[1]
    assert cookie.third_party is True
    assert cookie.domain == ".example.com"
    assert cookie.transfer == ("US", "GB")
    assert cookie.path == "/app"


def test_a_service_may_override_its_category() -> None:
    data = base_data()
    data["services"][1]["category"] = "analytics"
    config = parse_config(data)
    meta = config.services[1]
    assert meta.category == "analytics"
    assert {cookie.category for cookie in meta.cookies} == {"analytics"}


def test_matomo_adds_its_own_host_to_the_script_hosts() -> None:
    data = base_data()
    data["services"] = [{"preset": "matomo", "url": "https://stats.eksempel.no/", "site_id": "3"}]
    service = parse_config(data).services[0]
    assert "stats.eksempel.no" in service.script_hosts
    assert service.cookies[0].provider == "Eksempel Inkasso AS"


def test_site_texts_override_the_defaults_per_locale() -> None:
    config = parse_config(mutate("texts", {"sv": {"banner_title": "Kakor hos oss"}}))
    assert config.texts == {"sv": {"banner_title": "Kakor hos oss"}}


def test_log_urls(tmp_path: Path) -> None:
    absolute = parse_config(mutate("log", {"url": "sqlite:////var/lib/consent.sqlite3"}))
    assert absolute.log_url == "sqlite:////var/lib/consent.sqlite3"
    relative = parse_config(mutate("log", {"url": "sqlite:///logs/consent.sqlite3"}), base_dir=tmp_path)
    assert relative.log_url == f"sqlite:///{tmp_path / 'logs' / 'consent.sqlite3'}"


def test_a_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "consentkit.toml")
    assert f"file not found; create one with `consentkit init --locale nb --config {tmp_path}" in str(caught.value)


def test_broken_toml_is_a_config_error_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "consentkit.toml"
    path.write_text('policy_version = "1"\n[controller\nname = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "is not valid TOML" in str(caught.value)
    assert "line 2" in str(caught.value)


def test_a_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "consentkit.toml"
    path.write_bytes(b'policy_version = "\xff"\n')
    with pytest.raises(ConfigError, match="line 1: byte 0xff is not UTF-8; save the file as UTF-8"):
        load_config(path)
