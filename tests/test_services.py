"""The built-in service presets: complete, valid, and in three languages."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client

from consentkit.config.durations import UNIT_SECONDS
from consentkit.config.load import Config, ConfigError, parse_config
from consentkit.config.services import builtin_presets, parse_presets
from consentkit.messages import SUPPORTED_LOCALES

from .conftest import BASE_TOML

REQUIRED = [
    "google-analytics",
    "google-tag-manager",
    "google-ads",
    "meta-pixel",
    "linkedin-insight",
    "tiktok-pixel",
    "hotjar",
    "microsoft-clarity",
    "matomo",
    "hubspot",
    "youtube",
    "vimeo",
]


def test_every_required_preset_is_shipped() -> None:
    assert list(builtin_presets()) == REQUIRED


@pytest.mark.parametrize("key", REQUIRED)
def test_each_preset_is_complete(key: str) -> None:
    preset = builtin_presets()[key]
    assert preset.category in ("functional", "analytics", "marketing")
    assert preset.provider
    assert preset.privacy_policy.startswith("https://")
    assert set(preset.descriptions) == set(SUPPORTED_LOCALES)
    assert preset.cookies
    assert preset.script_hosts or preset.iframe_hosts or key == "matomo"
    for cookie in preset.cookies:
        assert set(cookie.purposes) == set(SUPPORTED_LOCALES), cookie.name
        assert all(text.strip() for text in cookie.purposes.values())
        assert cookie.duration.is_session or cookie.duration.is_persistent
        if cookie.duration.unit in UNIT_SECONDS:
            # Nothing a preset declares lives longer than its provider documents (at most 2 years).
            assert (cookie.duration.seconds or 0) <= 2 * 365 * 86_400
    for option in preset.options:
        assert option.pattern.fullmatch(option.example)


def test_transfers_are_outside_the_eea() -> None:
    for preset in builtin_presets().values():
        assert not set(preset.transfer) & {"NO", "SE", "DK", "FI", "DE", "IE", "NL"}


def test_the_preset_file_is_validated_strictly() -> None:
    broken = {"x": {"name": "X", "provider": "P", "category": "stats", "privacy_policy": "https://x", "colour": 1}}
    with pytest.raises(ValueError, match=re.escape('x.category: "stats" is not allowed')) as caught:
        parse_presets(broken)
    assert "x.colour: unknown key" in str(caught.value)


def test_withdrawal_hooks_are_filled_in_with_the_sites_options() -> None:
    from .conftest import config_from

    config = config_from(
        services=[
            {"preset": "google-analytics", "measurement_id": "G-ABC123"},
            {"preset": "hubspot", "portal_id": "123456"},
            {"preset": "youtube"},
        ]
    )
    from consentkit.render.renderer import Renderer

    hooks = Renderer(config).stop_hooks
    # Keyed by service, since a service may be allowed (and withdrawn) on its own.
    assert hooks["google-analytics"] == {"flags": ["ga-disable-G-ABC123"]}
    assert hooks["hubspot"]["calls"] == [["_hsp.push", ["revokeCookieConsent"]]]
    assert "www.youtube-nocookie.com" in hooks["youtube"]["frames"]


def services_config(*services: dict[str, str]) -> Config:
    data = tomllib.loads(BASE_TOML)
    data["services"] = list(services)
    return parse_config(data)


@pytest.mark.parametrize("key", REQUIRED)
def test_a_service_may_be_declared_without_its_ids(key: str) -> None:
    """A site that only declares the services it runs need not look up ids consentkit never uses."""
    config = services_config({"preset": key})
    assert [service.key for service in config.services] == [key]


def test_an_id_consentkit_uses_is_asked_for_with_a_warning_that_says_what_is_lost() -> None:
    config = services_config({"preset": "google-analytics"}, {"preset": "meta-pixel"})
    [warning] = [warning for warning in config.warnings if warning.startswith("services[")]
    assert warning.startswith("services[0].measurement_id: not given, so withdrawing cannot switch Google Analytics")
    assert "G-ABC123XYZ" in warning
    assert config.services[0].revoke_flags == []
    given = services_config({"preset": "google-analytics", "measurement_id": "G-ABC123"})
    assert given.services[0].revoke_flags == ["ga-disable-G-ABC123"]


def test_a_page_renders_for_a_service_without_its_ids(make_middleware: Callable[..., Any]) -> None:
    config = services_config({"preset": "google-analytics"}, {"preset": "meta-pixel"})
    response = Client(make_middleware(cfg=config)).get("/consentkit/notice")
    assert response.status_code == 200
    assert "Meta Pixel" in response.text


@pytest.mark.parametrize(
    ("alias", "preset"),
    [
        ("facebook-pixel", "meta-pixel"),
        ("fb-pixel", "meta-pixel"),
        ("ga4", "google-analytics"),
        ("gtag", "google-analytics"),
        ("gtm", "google-tag-manager"),
    ],
)
def test_the_names_people_type_are_aliases(alias: str, preset: str) -> None:
    assert [service.key for service in services_config({"preset": alias}).services] == [preset]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("facebok-pixel", "meta-pixel"),  # the alias is closer than tiktok-pixel
        ("facebook", "meta-pixel"),
        ("gtn", "google-tag-manager"),
        ("google-analytic", "google-analytics"),
        ("hotjr", "hotjar"),
    ],
)
def test_did_you_mean_prefers_the_aliases(typed: str, meant: str) -> None:
    with pytest.raises(ConfigError) as caught:
        services_config({"preset": typed})
    assert f'is not a known service; did you mean "{meant}"?' in caught.value.problems[0]


def test_an_alias_and_its_preset_together_are_one_service_listed_twice() -> None:
    with pytest.raises(ConfigError) as caught:
        services_config({"preset": "gtm"}, {"preset": "google-tag-manager"})
    assert any("listed more than once" in problem for problem in caught.value.problems)


def test_a_revoke_flag_must_name_one_of_the_presets_options() -> None:
    preset = {
        "name": "X",
        "provider": "P",
        "category": "analytics",
        "privacy_policy": "https://x",
        "description": {"nb": "x", "sv": "x", "en": "x"},
        "revoke_flags": ["x-off-{site}"],
    }
    with pytest.raises(ValueError, match=re.escape("x.revoke_flags: {site} is not one of the preset's options")):
        parse_presets({"x": preset})


def test_each_preset_says_what_it_collects_and_what_protects_its_transfers() -> None:
    """The notice names both for every service (GDPR Art. 13(1)(e)-(f), issue 9)."""
    for preset in builtin_presets().values():
        assert "ip_address" in preset.personal_data, preset.key
        assert (preset.transfer_safeguard is not None) == bool(preset.transfer), preset.key
    assert builtin_presets()["google-analytics"].transfer_safeguard == "dpf"
    assert builtin_presets()["tiktok-pixel"].transfer_safeguard == "scc"  # SG and CN are outside the DPF


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"transfer": ["US"]}, "x.transfer_safeguard: data goes to US; name the safeguard"),
        ({"transfer": ["CN"], "transfer_safeguard": "dpf"}, 'x.transfer_safeguard: "dpf" covers transfers to the US'),
        ({"personal_data": ["ip_address", "shoe_size"]}, "x.personal_data: 'shoe_size' is not a kind of personal data"),
        ({"personal_data": None}, "x.personal_data: is required"),
    ],
)
def test_a_preset_must_name_its_safeguard_and_known_kinds_of_data(changes: dict[str, Any], expected: str) -> None:
    preset: dict[str, Any] = {
        "name": "X",
        "provider": "P",
        "category": "analytics",
        "privacy_policy": "https://x",
        "description": {"nb": "x", "sv": "x", "en": "x"},
        "personal_data": ["ip_address"],
    }
    preset.update(changes)
    preset = {key: value for key, value in preset.items() if value is not None}
    with pytest.raises(ValueError, match=re.escape(expected)):
        parse_presets({"x": preset})
