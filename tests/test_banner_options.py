"""`[banner]` in consentkit.toml: the floating settings link and the colour scheme."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from consentkit import ConsentMiddleware
from consentkit.config import ConfigError
from consentkit.consent import Consent

from .conftest import config_from
from .html_audit import elements
from .test_rendering import body_html, head_html

Factory = Callable[..., ConsentMiddleware]
DECIDED = Consent(decided=True, consent_id="d" * 22, method="reject_all")


def test_the_floating_link_sits_in_a_labelled_landmark(make_middleware: Factory) -> None:
    html = body_html(make_middleware(), "sv", DECIDED)
    (corner,) = elements(html, "aside", class_="consentkit-corner")
    assert corner.attrs["aria-label"] == "Inställningar för kakor"
    assert elements(html, "a", class_="consentkit-settings-link")  # inside it


def test_a_site_with_its_own_settings_link_turns_the_floating_one_off(make_middleware: Factory) -> None:
    middleware = make_middleware(cfg=config_from(banner={"floating_link": False}))
    html = body_html(middleware, "nb", DECIDED)
    assert not elements(html, "aside")
    assert not elements(html, "a", class_="consentkit-settings-link")
    assert elements(html, "dialog", id="consentkit-dialog")  # the site's own link still opens it


@pytest.mark.parametrize(("scheme", "dark"), [(None, False), ("light", False), ("auto", True)])
def test_dark_mode_only_when_the_site_opts_in(make_middleware: Factory, scheme: str | None, dark: bool) -> None:
    config = config_from(banner={"color_scheme": scheme}) if scheme else config_from()
    html = body_html(make_middleware(cfg=config), "nb")
    for found in (elements(html, "div", id="consentkit-banner"), elements(html, "dialog")):
        assert ("consentkit-auto" in found[0].attrs["class"].split()) is dark
    # The dark palette is a stylesheet of its own, linked only for these sites.
    links = elements(head_html(make_middleware(cfg=config)), "link")
    stylesheets = [link.attrs["href"].split("?")[0] for link in links]
    expected = ["consentkit.css", "consentkit-dark.css"] if dark else ["consentkit.css"]
    assert stylesheets == [f"/consentkit/static/{name}" for name in expected]


@pytest.mark.parametrize(
    ("banner", "message"),
    [
        pytest.param({"color_scheme": "dark"}, 'banner.color_scheme: "dark" is not allowed', id="scheme"),
        pytest.param({"floating_link": "no"}, "banner.floating_link: expected true or false", id="link"),
        pytest.param({"floating": True}, "banner.floating: unknown key", id="unknown"),
    ],
)
def test_a_bad_banner_table_is_a_clear_config_error(banner: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from(banner=banner)
    assert any(problem.startswith(message) for problem in caught.value.problems), caught.value.problems
