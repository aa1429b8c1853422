"""The built-in service presets: complete, valid, and in three languages."""

from __future__ import annotations

import re

import pytest

from consentkit.config.durations import UNIT_SECONDS
from consentkit.config.services import builtin_presets, parse_presets

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
    assert set(preset.descriptions) == {"nb", "sv", "en"}
    assert preset.cookies
    assert preset.script_hosts or preset.iframe_hosts or key == "matomo"
    for cookie in preset.cookies:
        assert set(cookie.purposes) == {"nb", "sv", "en"}, cookie.name
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
    assert hooks["analytics"] == {"flags": ["ga-disable-G-ABC123"]}
    assert hooks["marketing"]["calls"] == [["_hsp.push", ["revokeCookieConsent"]]]
    assert "www.youtube-nocookie.com" in hooks["marketing"]["frames"]
