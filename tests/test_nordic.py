"""Every Nordic language: nynorsk, Danish and Finnish beside bokmål and Swedish.

The banner, the dialog and the notice are rendered with every preset enabled,
and each text a visitor reads is compared with the English rendering: only
names (companies, services, cookies, hosts) may be the same in both.
"""

from __future__ import annotations

import re
import tomllib
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

import pytest

from consentkit.cli.main import main
from consentkit.config import Config, load_config
from consentkit.config.services import builtin_presets
from consentkit.consent import Consent
from consentkit.render.renderer import Renderer

from .conftest import config_from

#: Only what consentkit writes: the site declares no cookies of its own here.
PRESETS_ONLY = """
policy_version = "2026-11-01"

[controller]
name = "placeholder"
email = "a@b.no"

[log]
retention = "5 years"
"""

NORDIC = ("nb", "nn", "sv", "da", "fi")
EVERY = (*NORDIC, "en")
CONTROLLERS = {
    "NO": ("Eksempel AS", "personvern@eksempel.no"),
    "SE": ("Exempel AB", "integritet@exempel.se"),
    "DK": ("Eksempel ApS", "privatliv@eksempel.dk"),
    "FI": ("Esimerkki Oy", "tietosuoja@esimerkki.fi"),
}


class _Texts(HTMLParser):
    """The texts a reader sees or hears: text nodes and the labels of controls."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.texts += [value for name, value in attrs if name in ("aria-label", "title", "alt") and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return set(parser.texts)


def everything_config(country: str) -> Config:
    """All six languages, every preset with its options, and the controller of ``country``."""
    name, email = CONTROLLERS[country]
    services = []
    for key, preset in builtin_presets().items():
        service: dict[str, str] = {"preset": key}
        service.update({option.name: option.example for option in preset.options})
        services.append(service)
    return config_from(
        PRESETS_ONLY,
        locales=list(EVERY),
        controller={
            "name": name,
            "email": email,
            "country": country,
            "phone": "+47 12 34 56 78",
            "address": "Storgata 1, 0155 Oslo",
            "url": "https://eksempel.no/",
            "privacy_policy_url": "https://eksempel.no/personvern",
        },
        services=services,
    )


def rendered(config: Config, locale: str) -> str:
    renderer = Renderer(config)
    decided = Consent(decided=True, granted=frozenset({"necessary", "analytics"}), consent_id="a" * 32)
    return "".join(
        (
            str(renderer.banner(locale=locale, base="/consentkit", next_path="/")),
            str(renderer.dialog(locale=locale, base="/consentkit", consent=decided, next_path="/")),
            str(renderer.notice(locale=locale, base="/consentkit", consent=decided, next_path="/", page=True)),
        )
    )


def names_in(config: Config) -> set[str]:
    """Words that are names in every language: services, companies, cookies, hosts, addresses."""
    names = {config.controller.name, *CONTROLLERS_WORDS}
    for service in config.services:
        preset = service.preset
        names |= {service.name, service.provider(config.controller.name), *preset.script_hosts, *preset.iframe_hosts}
    names |= {cookie.name for cookie in config.declarations} | {cookie.provider for cookie in config.declarations}
    return names


#: Words that are the same in English and in the language itself ("Marketing" is Danish too).
SAME_IN_ENGLISH = {"da": {"Marketing"}}
#: Proper names and codes that stay as they are in every language.
CONTROLLERS_WORDS = {"Google Analytics", "Global Privacy Control", "GPC", "ID", "consentkit"}
_NAME_LIKE = re.compile(r"^[\W\d_]*$|^https?://|@|^\+?\d[\d ]+$|^[a-z0-9_*.-]+$|^[A-Z]{2,}$")


@pytest.mark.parametrize("country", sorted(CONTROLLERS))
@pytest.mark.parametrize("locale", NORDIC)
def test_no_english_is_left_in_banner_dialog_and_notice(locale: str, country: str) -> None:
    config = everything_config(country)
    english = visible_texts(rendered(config, "en"))
    ours = visible_texts(rendered(config, locale))
    names = names_in(config)
    left = sorted(
        text
        for text in ours & english
        if text not in names | SAME_IN_ENGLISH.get(locale, set())
        and not _NAME_LIKE.search(text)
        and not any(text == f"{name}." for name in names)
    )
    assert left == [], f"{locale}: still in English"


@pytest.mark.parametrize(
    ("country", "locale", "authority", "url", "law"),
    [
        ("DK", "da", "Datatilsynet", "https://www.datatilsynet.dk/", "cookiebekendtgørelsen"),
        ("DK", "da", "Digitaliseringsstyrelsen", "https://digst.dk/", "cookiebekendtgørelsen"),
        ("FI", "fi", "Tietosuojavaltuutetun toimisto", "https://tietosuoja.fi/", "917/2014"),
        ("FI", "fi", "Traficom", "https://www.traficom.fi/", "205 §"),
        ("FI", "sv", "Dataombudsmannens byrå", "https://tietosuoja.fi/", "917/2014"),
        ("NO", "nn", "Datatilsynet", "https://www.datatilsynet.no/", "ekomlova § 3-15"),
        ("NO", "nn", "Nkom", "https://www.nkom.no/", "ekomlova"),
    ],
)
def test_authorities_and_the_cookie_law_by_country(
    country: str, locale: str, authority: str, url: str, law: str
) -> None:
    html = str(Renderer(everything_config(country)).notice(locale=locale, base="/consentkit", consent=None, page=True))
    assert authority in html
    assert f'href="{url}"' in html
    assert law in html


@pytest.mark.parametrize(("locale", "time"), [("nn", "kl. 15.07"), ("da", "kl. 15.07"), ("fi", "klo 15.07")])
def test_decision_times_are_written_the_local_way(locale: str, time: str) -> None:
    from datetime import UTC, datetime

    config = everything_config("NO")
    decided = Consent(
        decided=True,
        granted=frozenset({"necessary"}),
        consent_id="b" * 32,
        decided_at=datetime(2026, 3, 5, 14, 7, 33, tzinfo=UTC),
    )
    html = str(Renderer(config).notice(locale=locale, base="/consentkit", consent=decided, next_path="/", page=True))
    assert time in html
    assert "15.07.33" not in html


@pytest.mark.parametrize("locale", ["nn", "da", "fi"])
def test_init_writes_a_native_starter_that_loads(locale: str, tmp_path: Path) -> None:
    path = tmp_path / "consentkit.toml"
    assert main(["init", "--locale", locale, "--config", str(path)]) == 0
    config = load_config(path)
    assert config.default_locale == locale
    assert all(locale in cookie.purposes for cookie in config.cookies)


@pytest.mark.parametrize("locale", ["nn", "da", "fi"])
def test_starter_comments_are_native(locale: str) -> None:
    text = files("consentkit").joinpath("data", f"starter.{locale}.toml").read_text(encoding="utf-8")
    english = files("consentkit").joinpath("data", "starter.en.toml").read_text(encoding="utf-8")
    comments = {line.strip() for line in text.splitlines() if line.strip().startswith("#")}
    assert comments
    assert comments.isdisjoint(line.strip() for line in english.splitlines() if line.strip().startswith("#"))
    tomllib.loads(text)
