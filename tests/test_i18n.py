"""Languages: which locale a visitor gets, complete catalogs, and catalogs inside a built wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from consentkit.config.durations import parse_duration
from consentkit.messages import MESSAGES, UNIT_MESSAGES, placeholders
from consentkit.render.i18n import negotiate_locale, pick_locale, translations
from consentkit.render.texts import Texts

ROOT = Path(__file__).parent.parent
ALL = ("nb", "sv", "en")
#: Every language consentkit writes.
EVERY = ("nb", "nn", "sv", "da", "fi", "en")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("no", "nb"),
        ("nn", "nb"),
        ("nn-NO", "nb"),
        ("nb-NO,nb;q=0.9,en;q=0.8", "nb"),
        ("no-NO", "nb"),
        ("sv-FI", "sv"),
        ("sv_SE", "sv"),
        ("SV", "sv"),
        ("en-US,en;q=0.9", "en"),
        ("de-DE,de;q=0.9,sv;q=0.5", "sv"),
        ("sv;q=0.4,en;q=0.6", "en"),
        ("da", "nb"),  # not offered here: the default
        ("fi-FI,en;q=0.5", "en"),
        ("*", "nb"),
        ("en;q=0,sv", "sv"),
        ("en;q=abc,sv;q=0.5", "sv"),
        ("", "nb"),
    ],
)
def test_accept_language(header: str, expected: str) -> None:
    assert negotiate_locale(header, ALL, "nb") == expected


@pytest.mark.parametrize(
    ("header", "offered", "expected"),
    [
        ("nn", EVERY, "nn"),
        ("nn-NO,nn;q=0.9", EVERY, "nn"),
        ("nn", ALL, "nb"),  # a nynorsk reader is better served by bokmål than by any other language
        ("no", EVERY, "nb"),
        ("nb-NO", EVERY, "nb"),
        ("nb", ("nn", "en"), "nn"),
        ("da-DK,da;q=0.9", EVERY, "da"),
        ("fi-FI", EVERY, "fi"),
        ("sv-FI,fi;q=0.8", EVERY, "sv"),
        ("de,da;q=0.3", EVERY, "da"),
    ],
)
def test_every_nordic_language_is_reached(header: str, offered: tuple[str, ...], expected: str) -> None:
    assert negotiate_locale(header, offered, offered[0]) == expected


def test_only_the_configured_locales_are_offered() -> None:
    assert negotiate_locale("en", ("nb", "sv"), "sv") == "sv"


@given(st.text(max_size=300))
def test_any_header_gives_a_configured_locale(header: str) -> None:
    assert negotiate_locale(header, ALL, "nb") in ALL


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("nb_NO", "nb"),
        ("no", "nb"),
        ("nn_NO", "nn"),
        ("sv-FI", "sv"),
        ("da_DK", "da"),
        ("fi", "fi"),
        ("de", None),
        ("", None),
    ],
)
def test_pick_locale(requested: str, expected: str | None) -> None:
    assert pick_locale(requested, EVERY) == expected


@pytest.mark.parametrize("locale", ["nb", "nn", "sv", "da", "fi"])
def test_every_text_is_translated_with_the_same_placeholders(locale: str) -> None:
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "consentkit.po").open("rb") as po:
        catalog = read_po(po)
    wanted = set(MESSAGES.values()) | set(UNIT_MESSAGES.values())
    found = {message.id for message in catalog if message.id}
    assert found == wanted, "run `make messages` after changing texts.py"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{locale}: {ids[0]!r} is not translated"
        assert {name for text in strings for name in placeholders(text)} == placeholders(ids[0]), ids[0]
        assert all(string != ids[0] for string in strings if len(string) > 12), f"{locale}: {ids[0]!r} left in English"


@pytest.mark.parametrize("locale", EVERY)
def test_the_compiled_catalogs_match_the_sources(locale: str) -> None:
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "consentkit.po").open("rb") as po:
        catalog = read_po(po)
    loaded = translations(locale)
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.string:
            assert loaded.gettext(message.id) == message.string, "run `make catalogs`"


@pytest.mark.parametrize(
    ("locale", "written", "shown"),
    [
        ("nb", "1 day", "1 dag"),
        ("nb", "365 days", "1 år"),
        ("nb", "395 days", "13 måneder"),
        ("sv", "390 days", "13 månader"),
        ("nb", "24 hours", "1 dag"),
        ("nb", "13 months", "13 måneder"),
        ("nb", "session", "Til du lukker nettleseren"),
        ("nb", "persistent", "Til den slettes"),
        ("sv", "1 day", "1 dag"),
        ("sv", "13 months", "13 månader"),
        ("sv", "2 years", "2 år"),
        ("sv", "30 minutes", "30 minuter"),
        ("sv", "session", "Tills du stänger webbläsaren"),
        ("nn", "1 day", "1 dag"),
        ("nn", "395 days", "13 månader"),
        ("nn", "2 weeks", "2 veker"),
        ("nn", "session", "Til du lukkar nettlesaren"),
        ("da", "1 day", "1 dag"),
        ("da", "13 months", "13 måneder"),
        ("da", "2 years", "2 år"),
        ("da", "session", "Indtil du lukker browseren"),
        ("fi", "1 day", "1 päivä"),
        ("fi", "13 months", "13 kuukautta"),
        ("fi", "1 year", "1 vuosi"),
        ("fi", "30 minutes", "30 minuuttia"),
        ("fi", "session", "Kunnes suljet selaimen"),
        ("en", "1 hour", "1 hour"),
        ("en", "2 weeks", "2 weeks"),
    ],
)
def test_durations_read_naturally(locale: str, written: str, shown: str) -> None:
    """docs/compliance.md, 'Durations and words': "1 dag", not Babel's "1 døgn"."""
    assert Texts(locale, translations(locale), {}).duration(parse_duration(written)) == shown


def test_purposes_are_joined_the_way_each_language_joins_a_list() -> None:
    three = ("functional", "analytics", "marketing")
    assert Texts("nb", translations("nb"), {}).purposes(three) == (
        "huske innstillingene dine, måle hvordan nettstedet brukes og vise deg tilpassede annonser"
    )
    assert Texts("sv", translations("sv"), {}).purposes(three[:2]) == (
        "komma ihåg dina inställningar och mäta hur webbplatsen används"
    )
    assert Texts("fi", translations("fi"), {}).purposes(three) == (
        "muistaa asetuksesi, mitata, miten sivustoa käytetään ja näyttää sinulle kohdennettuja mainoksia"
    )
    assert Texts("da", translations("da"), {}).purposes(three[1:]) == (
        "måle, hvordan hjemmesiden bliver brugt og vise dig tilpassede annoncer"
    )


def test_a_wheel_installed_elsewhere_speaks_swedish(tmp_path: Path) -> None:
    """The issue: compiled .mo files inside the installed package."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("consentkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for locale in ALL:
        assert f"consentkit/locales/{locale}/LC_MESSAGES/consentkit.mo" in names
    assert "consentkit/data/open-cookie-database.csv" in names
    assert "consentkit/data/services.toml" in names
    assert "consentkit/py.typed" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import consentkit, sys\n"
        f"assert consentkit.__file__.startswith({str(site)!r}), consentkit.__file__\n"
        "from consentkit.render.i18n import translations\n"
        "print(translations('sv').gettext('Reject all'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n" + script],
        check=True,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "Avvisa alla"
