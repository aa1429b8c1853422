"""The cookie notice, rendered from the config alone (docs/compliance.md items 11, 13, 14 and 15)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.test import Client

from consentkit import ConsentMiddleware, load_config
from consentkit.cli.main import main
from consentkit.config.load import Config
from consentkit.consent import Consent
from consentkit.render.renderer import Renderer, escape_markdown

from .conftest import config_from
from .html_audit import elements
from .seed_fingerprints import fingerprint, known_fingerprints, sentences

Factory = Callable[..., ConsentMiddleware]
ROOT = Path(__file__).parent.parent
SEED_CONFIGS = sorted((ROOT / "examples" / "notices").glob("*.toml"))

AUTHORITIES = {"NO": "https://www.datatilsynet.no/", "SE": "https://www.imy.se/"}


def rows(html: str) -> list[list[str]]:
    """Each table body row as its cells' text."""
    cells: list[list[str]] = []
    for element in elements(html):
        if element.tag == "tr" and "tbody" in element.parents:
            cells.append([])
        elif element.tag == "td" and cells:
            cells[-1].append(" ".join(element.text.split()))
    return cells


def static_notice(config: Config, locale: str) -> str:
    return str(Renderer(config).notice(locale=locale, base="/consentkit", consent=None, page=True))


@pytest.mark.parametrize("path", SEED_CONFIGS, ids=[path.stem for path in SEED_CONFIGS])
def test_each_seed_company_gets_a_complete_notice_in_each_of_its_languages(path: Path) -> None:
    """docs/compliance.md items 14 and 15: every cookie with its duration and party; the right authority."""
    config = load_config(path)
    assert config.warnings == ()
    for locale in config.locales:
        html = static_notice(config, locale)
        table = rows(html)
        names = [row[0].split(" (")[0] for row in table]
        declared = {cookie.name for cookie in config.declarations} | {"consentkit"}
        assert declared <= set(names), declared - set(names)
        for row in table:
            assert len(row) == 6
            assert all(row), row  # name, provider, purpose, duration, party, transfer
        authority = AUTHORITIES[config.controller.country]
        assert [link for link in elements(html, "a") if link.attrs["href"] == authority]
        assert f'<html lang="{locale}">' in html


def test_no_sentence_is_copied_from_the_seeds() -> None:
    """The seeds' sentences are kept only as fingerprints (tests/seed_fingerprints.py)."""
    seeds = known_fingerprints()
    assert len(seeds) > 100
    ours: list[str] = []
    for path in [*SEED_CONFIGS, ROOT / "examples" / "flask_site" / "consentkit.toml"]:
        config = load_config(path)
        for locale in config.locales:
            html = static_notice(config, locale)
            ours += [" ".join(element.text.split()) for element in elements(html, "p") + elements(html, "td")]
    for po in (ROOT / "locales").glob("*/LC_MESSAGES/consentkit.po"):
        ours += [line for line in po.read_text(encoding="utf-8").splitlines() if line.startswith("msgstr")]
    copied = [sentence for text in ours for sentence in sentences(text) if fingerprint(sentence) in seeds]
    assert copied == []


def test_the_fingerprints_catch_a_copied_sentence() -> None:
    """The check above can fail: a sentence from a seed policy is recognised, however it is spaced."""
    seeds = known_fingerprints()
    copied = "Du har rett til å få vite hvilke opplysninger vi har om deg og hvordan de håndteres."
    assert [fingerprint(sentence) in seeds for sentence in sentences(f"Intro.  {copied.upper()}")] == [True]


@pytest.mark.parametrize(
    ("language", "headings", "authority"),
    [
        (
            "nb",
            [
                "Hva er informasjonskapsler?",
                "Hva har du valgt?",
                "Hvilke informasjonskapsler bruker vi?",
                "Hvilke tjenester fra andre selskaper bruker vi?",
                "Hva er det rettslige grunnlaget?",
                "Hvordan kan du endre eller trekke tilbake samtykket?",
                "Hvordan dokumenterer vi valget ditt?",
                "Hvem er ansvarlig?",
            ],
            "Datatilsynet",
        ),
        (
            "sv",
            [
                "Vad är kakor?",
                "Vad har du valt?",
                "Vilka kakor använder vi?",
                "Vilka tjänster från andra företag använder vi?",
                "Vad är den rättsliga grunden?",
                "Hur kan du ändra eller återkalla ditt samtycke?",
                "Hur dokumenterar vi ditt val?",
                "Vem är ansvarig?",
            ],
            "den norska dataskyddsmyndigheten Datatilsynet",
        ),
        (
            "en",
            [
                "What are cookies?",
                "What have you chosen?",
                "Which cookies do we use?",
                "Which services from other companies do we use?",
                "What is the legal basis?",
                "How can you change or withdraw your consent?",
                "How do we keep proof of your choice?",
                "Who is responsible?",
            ],
            "Datatilsynet, the Norwegian Data Protection Authority",
        ),
    ],
)
def test_the_notice_covers_every_required_part(
    make_middleware: Factory, language: str, headings: list[str], authority: str
) -> None:
    html = Client(make_middleware()).get(f"/consentkit/notice?lang={language}").text
    assert [element.text for element in elements(html, "h2")] == headings
    text = " ".join(" ".join(element.text.split()) for element in elements(html, "p"))
    assert authority in text
    # Services: provider and a link to the provider's privacy policy.
    links = {element.attrs["href"] for element in elements(html, "a")}
    assert {"https://policies.google.com/privacy", "https://www.facebook.com/privacy/policy/"} <= links


def test_the_notice_explains_cookies_storage_and_pixels() -> None:
    """The rule covers local storage and pixels too (EDPB Guidelines 2/2023)."""
    html = static_notice(config_from(), "nb")
    text = " ".join(element.text for element in elements(html, "p"))
    for phrase in (
        "lokal lagring",
        "sporingspiksler",
        "slettes når du lukker nettleseren",
        "Førstepartsinformasjonskapsler",
        "Tredjepartsinformasjonskapsler",
    ):
        assert phrase in text


def test_the_table_shows_duration_party_and_transfer_in_the_locale() -> None:
    config = config_from()
    by_name = {row[0]: row for row in rows(static_notice(config, "sv"))}
    assert by_name["consentkit"][3] == "1 år"
    assert by_name["session"][3] == "Tills du stänger webbläsaren"
    assert by_name["_ga"][3:] == ["2 år", "Förstapart", "USA – Data Privacy Framework (EU–USA)"]
    assert by_name["fr"][4] == "Tredjepart"
    nb = {row[0]: row for row in rows(static_notice(config, "nb"))}
    assert nb["session"][3] == "Til du lukker nettleseren"
    assert nb["_fbp"][3] == "3 måneder"


@pytest.mark.parametrize("locale", ["nb", "sv", "en"])
def test_no_duration_cell_says_session(locale: str) -> None:
    """A lifetime that ends with the browser says so in words; "Økt" or "Session" alone is cryptic."""
    durations = {row[3] for row in rows(static_notice(config_from(), locale))}
    assert not durations & {"Økt", "Session", "Sesjon", "session"}
    assert {"Til du lukker nettleseren", "Tills du stänger webbläsaren", "Until you close the browser"} & durations


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("nb", "5. mars 2026 kl. 15.07"), ("sv", "5 mars 2026 kl. 15.07"), ("en", "5 March 2026 at 15:07")],
)
def test_the_decision_time_reads_as_each_language_writes_it(locale: str, expected: str) -> None:
    """No seconds and no zone abbreviation; the controller's own clock (Oslo in winter is UTC+1)."""
    consent = Consent(
        decided=True,
        granted=frozenset({"necessary", "analytics"}),
        consent_id="c0ffee",
        decided_at=datetime(2026, 3, 5, 14, 7, 59, tzinfo=UTC),
        method="custom",
    )
    html = str(Renderer(config_from()).notice(locale=locale, base="/consentkit", consent=consent))
    assert expected in html
    assert not re.search(r"CES?T|\d\d[:.]\d\d[:.]\d\d", html)


def test_the_notice_names_imy_for_a_swedish_controller() -> None:
    config = config_from(controller={"name": "Exempel AB", "email": "dataskydd@exempel.se", "country": "SE"})
    html = static_notice(config, "sv")
    assert "rätt att lämna klagomål till Integritetsskyddsmyndigheten (IMY)" in html
    assert [link for link in elements(html, "a") if link.attrs["href"] == "https://www.imy.se/"]


def test_another_eea_country_points_to_the_local_authority() -> None:
    config = config_from(controller={"name": "Beispiel GmbH", "email": "a@b.de", "country": "DE"})
    assert "the data protection authority in your country" in static_notice(config, "en")


def test_the_visitors_own_record_is_shown(make_middleware: Factory) -> None:
    client = Client(make_middleware())
    client.post("/consentkit/consent", data={"choice": "custom", "category": ["analytics", "functional"]})
    html = client.get("/consentkit/notice?lang=nb").text
    consent_id = client.get("/consentkit/consent").json["consent_id"]
    text = " ".join(" ".join(element.text.split()) for element in elements(html, "p"))
    assert f"Samtykke-ID: {consent_id}" in text
    assert "Du har tillatt: funksjonelle og statistikk. Du har avslått: markedsføring." in text
    # "5. mars 2026 kl. 15.07": hours and minutes with a point, no seconds, no zone.
    assert re.search(r"Valget ditt ble lagret \d{1,2}\. [a-zæøå]+ 20\d\d kl\. \d\d\.\d\d\. Samtykke-ID", text)
    # The choice can be changed right there, without JavaScript.
    assert elements(html, "form", action="/consentkit/consent")
    headings = [element.text for element in elements(html, "h3")]
    assert "Statistikk · På" in headings
    assert "Markedsføring · Av" in headings


def test_a_gpc_refusal_is_explained(make_middleware: Factory) -> None:
    client = Client(make_middleware())
    client.get("/", headers={"Sec-GPC": "1", "Sec-Fetch-Dest": "document"})
    assert "Global Privacy Control" in client.get("/consentkit/notice?lang=en").text


def test_consent_lifetime_is_stated(make_middleware: Factory) -> None:
    """docs/compliance.md item 13: asked again after the lifetime, a refusal remembered as long."""
    html = static_notice(config_from(consent_max_age_days=395), "sv")
    assert "Vi frågar dig igen efter 13 månader" in html
    assert "Om du tackar nej kommer vi ihåg det lika länge." in html


def test_site_sections_are_placed_where_asked() -> None:
    config = config_from(
        notice_sections=[
            {
                "after": "cookies",
                "heading": {"nb": "Kortbetaling"},
                "text": {"nb": "Første avsnitt.\n\nAndre avsnitt."},
            },
            {"heading": {"nb": "Til slutt"}, "text": {"nb": "Siste ord."}},
        ]
    )
    html = static_notice(config, "nb")
    headings = [element.text for element in elements(html, "h2")]
    assert headings.index("Kortbetaling") == headings.index("Hvilke informasjonskapsler bruker vi?") + 1
    assert headings[-1] == "Til slutt"
    assert [p.text for p in elements(html, "p") if "avsnitt" in p.text] == ["Første avsnitt.", "Andre avsnitt."]


def test_site_texts_override_notice_paragraphs() -> None:
    config = config_from(texts={"nb": {"notice_browser": "Slik sletter du informasjonskapsler hos oss."}})
    assert "Slik sletter du informasjonskapsler hos oss." in static_notice(config, "nb")


def test_no_english_is_left_in_nb_and_sv_notices(make_middleware: Factory) -> None:
    middleware = make_middleware()
    renderer = middleware.renderer
    english = static_notice(middleware.config, "en")
    english_sentences = {
        " ".join(element.text.split())
        for element in elements(english, "p") + elements(english, "h2") + elements(english, "th")
        if len(element.text.split()) > 1
    }
    for locale in ("nb", "sv"):
        html = static_notice(middleware.config, locale)
        assert not [sentence for sentence in english_sentences if sentence in html], locale
    assert renderer is middleware.renderer


def test_markdown_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = ROOT / "examples" / "flask_site" / "consentkit.toml"
    assert main(["notice", "--config", str(config), "--locale", "sv", "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Om kakor\n")
    assert "| `_ga_*` | Google Ireland Limited |" in markdown
    assert "<https://www.datatilsynet.no/>" in markdown
    assert "<form" not in markdown
    assert escape_markdown("a|b *c*\nd") == "a\\|b \\*c\\* d"


@pytest.mark.parametrize(
    ("locale", "form_words"), [("nb", "skjemaet"), ("sv", "formuläret"), ("en", "the form on this page")]
)
def test_the_markdown_notice_speaks_of_no_form(locale: str, form_words: str) -> None:
    """A static page has no settings form: it points to the settings link on every page instead."""
    config = config_from()
    markdown = Renderer(config).notice_markdown(locale)
    assert form_words not in markdown
    texts = Renderer(config).texts(locale)
    assert escape_markdown(texts("notice_withdraw_static", settings=texts("settings_link"))) in markdown
    # The HTML notice carries the form (posting to consentkit on the site), and says so.
    assert form_words in static_notice(config, locale)


def test_the_cli_writes_every_locale_into_a_folder(tmp_path: Path) -> None:
    config = ROOT / "examples" / "flask_site" / "consentkit.toml"
    assert main(["notice", "--config", str(config), "--output-dir", str(tmp_path)]) == 0
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["consentkit.nb.html", "consentkit.sv.html"]
    sv = (tmp_path / "consentkit.sv.html").read_text(encoding="utf-8")
    assert "<h1>Om kakor</h1>" in sv


def test_the_cli_refuses_a_locale_the_config_does_not_offer(capsys: pytest.CaptureFixture[str]) -> None:
    config = ROOT / "examples" / "flask_site" / "consentkit.toml"
    assert main(["notice", "--config", str(config), "--locale", "en"]) == 1
    assert "en is not in the config's locales (nb, sv)" in capsys.readouterr().err
