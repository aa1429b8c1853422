"""What the visitor sees (issue 9): axe-core finds nothing, focus never lands under the banner,
nothing scrolls sideways, and a visitor can allow YouTube alone.

axe-core comes from npm (`make test` installs it under .cache/npm) and is injected into the page.
Its checks run on consentkit's own markup in nb, sv and en, on a small page that is well-formed
itself (landmarks, headings), so that any violation found is consentkit's: the banner, the banner
with "Customise" open, the dialog, the notice page; one page per language and size.
"""

from __future__ import annotations

import sqlite3
import threading
import tomllib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment
from playwright.sync_api import BrowserContext, Page, expect
from werkzeug.serving import make_server

from consentkit import ConsentExtension, ConsentMiddleware, widgets_for
from consentkit.config import parse_config

from .conftest import EXAMPLE_CONFIG, ROOT, SITE_HOST, Site, Traffic, cookie_names, screenshot_path

Context = Callable[..., BrowserContext]
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
SIZES = [(1280, 800), (375, 667), (320, 568)]
SIZE_IDS = ["1280x800", "375x667", "320x568"]

PAGE = Environment(extensions=[ConsentExtension], autoescape=True).from_string(
    """<!doctype html>
<html lang="{{ consentkit.locale }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Portal</title>{{ consentkit.head() }}</head>
<body>
{{ consentkit.body() }}
<header><nav aria-label="Portal"><a href="/{{ consentkit.locale }}/">Portal</a></nav></header>
<main><h1>Portal</h1>
{% for _ in range(4) %}<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.</p>{% endfor %}
{% consent "marketing" %}<iframe title="Video" src="https://www.youtube-nocookie.com/embed/x"></iframe>{% endconsent %}
</main>
<footer><p>{{ consentkit.settings_link() }}</p></footer>
</body>
</html>"""
)

#: Every focusable element reached by Tab, and whether it is in view and not under the banner.
FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const box = element.getBoundingClientRect();
  const banner = document.getElementById("consentkit-banner");
  const shown = banner && !banner.hidden && banner.getClientRects().length > 0;
  const under = shown && !banner.contains(element) && box.bottom > banner.getBoundingClientRect().top;
  return {
    name: element.tagName + ":" + (element.getAttribute("value") || element.textContent || "").trim().slice(0, 40),
    inView: box.top >= 0 && box.bottom <= innerHeight && box.left >= 0 && box.right <= innerWidth,
    under: !!under,
  };
}"""


def _serve(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{SITE_HOST}:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def own_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example's config in all three languages, around a minimal well-formed page (/nb/, /sv/, /en/)."""
    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["locales"] = ["nb", "sv", "en"]
    data["log"] = {"url": f"sqlite:///{tmp_path_factory.mktemp('log') / 'log.sqlite3'}"}
    config = parse_config(data)

    def page(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        html = PAGE.render(consentkit=widgets_for(environ)).encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html]

    def language(environ: dict[str, Any]) -> str | None:
        return str(environ.get("PATH_INFO", "/")).strip("/")[:2] or None

    yield from _serve(ConsentMiddleware(page, config, "visitor-ui-test-secret-key-32-bytes!", locale_selector=language))


def axe_violations(page: Page, include: str | None = None) -> list[str]:
    """axe-core's WCAG 2.x A/AA (and best-practice) violations on the page, or inside ``include``."""
    if not page.evaluate("typeof window.axe === 'object'"):
        assert AXE.exists(), f"{AXE} is missing: run `make test`, which installs axe-core from npm"
        page.add_script_tag(path=str(AXE))
    context = f"{{include: [{include!r}]}}" if include else "document"
    found: list[dict[str, Any]] = page.evaluate(f"axe.run({context}).then(result => result.violations)")
    return [
        f"{violation['id']}: {node['target']} {node['failureSummary']}"
        for violation in found
        for node in violation["nodes"]
    ]


def equal_choice_buttons(page: Page, where: str) -> None:
    """docs/compliance.md item 3: reject exactly as large as accept."""
    accept = page.locator(f'{where} button[value="accept_all"]').bounding_box()
    reject = page.locator(f'{where} button[value="reject_all"]').bounding_box()
    assert accept is not None
    assert reject is not None
    assert (accept["width"], accept["height"]) == pytest.approx((reject["width"], reject["height"]), abs=0.5)


def no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in a {widths[1]} px window"


@pytest.mark.parametrize("language", ["nb", "sv", "en"])
def test_axe_finds_nothing_in_the_banner_the_dialog_and_the_notice(
    own_site: str, new_context: Context, language: str
) -> None:
    """At each size: the banner with "Customise" open (its switches), the dialog, the notice page.

    One page for the banner and dialog and one for the notice, resized between checks, so that
    axe is injected twice per language rather than once per size.
    """
    # consentkit's own pages send a strict CSP; axe is injected as an inline script.
    page = new_context(bypass_csp=True).new_page()
    page.goto(f"{own_site}/{language}/")
    banner = page.locator("#consentkit-banner")
    expect(banner).to_be_visible()
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        shot = f"{language}-{width}x{height}"
        page.evaluate("document.querySelector('#consentkit-banner details').open = false")
        equal_choice_buttons(page, "#consentkit-banner")
        page.screenshot(path=screenshot_path(f"ui-banner-{shot}.png"))
        page.click("#consentkit-banner summary")  # "Customise" open: the switches
        assert axe_violations(page) == []
        equal_choice_buttons(page, "#consentkit-banner")
        banner.screenshot(path=screenshot_path(f"ui-customise-{shot}.png"))
        page.evaluate("window.consentkit.open()")
        expect(page.locator("#consentkit-dialog")).to_be_visible()
        assert page.evaluate("document.activeElement.id") == "consentkit-dialog-title"  # the heading, not a link
        assert axe_violations(page, "#consentkit-dialog") == []
        equal_choice_buttons(page, "#consentkit-dialog")
        page.screenshot(path=screenshot_path(f"ui-dialog-{shot}.png"))
        page.keyboard.press("Escape")
    page.goto(f"{own_site}/consentkit/notice?lang={language}")
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        assert axe_violations(page) == []
        no_sideways_scroll(page)
    page.screenshot(path=screenshot_path(f"ui-notice-{language}-320x568.png"), full_page=True)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_every_focused_element_is_visible_on_a_first_visit(
    site: Site, new_context: Context, size: tuple[int, int]
) -> None:
    """WCAG 2.2 SC 2.4.11: Tab through the whole page with the banner up; nothing focused is under it."""
    width, height = size
    page = new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(site.page_url("/nb/"))
    expect(page.locator("#consentkit-banner")).to_be_visible()
    reached: list[dict[str, Any]] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (reached and focused["name"] == reached[0]["name"]):
            break
        reached.append(focused)
    names = [focused["name"] for focused in reached]
    assert "A:Logg inn" in names
    assert any(name.startswith("BUTTON:service") for name in names)  # the video's placeholder
    assert any("Innstillinger" in name for name in names)  # the footer's settings link
    hidden = [focused["name"] for focused in reached if focused["under"] or not focused["inView"]]
    assert hidden == []


def test_the_notice_page_does_not_scroll_sideways_at_320_px(site: Site, new_context: Context) -> None:
    page = new_context(viewport={"width": 320, "height": 568}).new_page()
    for path in ("/consentkit/notice?lang=nb", "/consentkit/notice?lang=sv", "/nb/personvern"):
        page.goto(site.page_url(path))
        no_sideways_scroll(page)
        # The tables stack: each cell says which column it is.
        assert page.locator(".consentkit-table td").first.evaluate("cell => getComputedStyle(cell).display") == "block"


def test_a_visitor_can_allow_youtube_alone(site: Site, new_context: Context, traffic: Traffic) -> None:
    """The placeholder's button starts YouTube only: the Meta Pixel stays blocked and the banner keeps asking."""
    context = new_context()
    page = context.new_page()
    page.goto(site.page_url("/nb/"))
    button = page.locator(".consentkit-placeholder button")
    expect(button).to_have_text("Tillat YouTube og vis innholdet")
    button.click()
    video = page.locator("iframe.video")
    expect(video).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    expect(page.locator("#consentkit-banner")).to_be_visible()
    state = page.evaluate("window.consentkit.get()")
    assert state["decided"] is False
    assert state["services"] == {"google-analytics": False, "meta-pixel": False, "youtube": True}
    page.reload()  # the server agrees: the video is live, the banner is up, Meta is inert
    expect(page.locator("#consentkit-banner")).to_be_visible()
    expect(video).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    assert page.locator('script[data-consentkit-category="marketing"][type="text/plain"]').count() >= 1
    assert not any("facebook" in url for url in traffic.requests)
    assert "_fbp" not in cookie_names(context)
    with sqlite3.connect(site.log_path) as log:
        assert ("service",) in log.execute("SELECT method FROM consent_log").fetchall()


def test_global_privacy_control_without_the_header_is_a_refusal(site: Site, new_context: Context) -> None:
    context = new_context()
    context.add_init_script("Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})")
    page = context.new_page()
    page.goto(site.page_url("/sv/"))
    expect(page.locator("#consentkit-banner")).to_be_hidden()
    state = page.evaluate("window.consentkit.get()")
    assert state["decided"] is True
    assert not any(state["categories"][name] for name in ("functional", "analytics", "marketing"))
    page.goto(site.page_url("/sv/"))
    assert page.locator("#consentkit-banner").count() == 0  # stored: no banner on the next page


def test_a_light_site_gets_a_light_banner_in_dark_mode(site: Site, new_context: Context) -> None:
    page = new_context(color_scheme="dark").new_page()
    page.goto(site.page_url("/nb/"))
    background = page.locator("#consentkit-banner").evaluate("banner => getComputedStyle(banner).backgroundColor")
    assert background == "rgb(255, 255, 255)"


def test_the_floating_link_is_in_a_landmark_once_the_visitor_has_chosen(site: Site, page: Page) -> None:
    page.goto(site.page_url("/nb/"))
    page.click('#consentkit-banner button[value="reject_all"]')
    link = page.locator(".consentkit-corner .consentkit-settings-link")
    expect(link).to_be_visible()
    assert link.evaluate("link => link.closest('aside[aria-label]') !== null")
    # The page keeps the link's height free at its end: the footer scrolls clear of it.
    page.keyboard.press("End")
    footer = page.locator("footer").bounding_box()
    corner = page.locator(".consentkit-corner").bounding_box()
    assert footer is not None
    assert corner is not None
    assert footer["y"] + footer["height"] <= corner["y"]


def test_screenshots_for_the_readme(site: Site, new_context: Context) -> None:
    """The README's pictures, regenerated here: copy test-artifacts/screenshots/docs-*.png to docs/."""
    for name, language, (width, height), dialog in (
        ("banner-nb", "nb", (1280, 800), False),
        ("banner-sv-phone", "sv", (375, 667), False),
        ("dialog-sv", "sv", (1280, 800), True),
    ):
        page = new_context(viewport={"width": width, "height": height}).new_page()
        page.goto(site.page_url(f"/{language}/"))
        if dialog:
            page.evaluate("window.consentkit.open()")
        path = screenshot_path(f"docs-{name}.png")
        page.screenshot(path=path)
        assert Path(path).stat().st_size > 5_000
