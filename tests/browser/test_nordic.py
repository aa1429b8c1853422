"""The banner and the notice in nynorsk, Danish and Finnish, in Chromium, with screenshots."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext
from werkzeug.serving import make_server

from consentkit import ConsentMiddleware, load_config
from examples.wsgi_app import site as plain_site

from .conftest import EXAMPLE_CONFIG, SITE_HOST, screenshot_path

TITLES = {"nn": "Får vi bruke informasjonskapslar?", "da": "Må vi bruge cookies?", "fi": "Saammeko käyttää evästeitä?"}
NOTICE_HEADINGS = {"nn": "Kva er informasjonskapslar?", "da": "Hvad er cookies?", "fi": "Mitä evästeet ovat?"}


@pytest.fixture(scope="module")
def nordic_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The plain WSGI example (no site language of its own), offering every Nordic language."""
    config = tmp_path_factory.mktemp("nordic") / "consentkit.toml"
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    config.write_text(text.replace('locales = ["nb", "sv"]', 'locales = ["nb", "nn", "sv", "da", "fi"]'), "utf-8")
    app = ConsentMiddleware(plain_site, load_config(config), secret_key="nordic-test-key-" + "x" * 32)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://{SITE_HOST}:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize(("locale", "browser_locale"), [("nn", "nn-NO"), ("da", "da-DK"), ("fi", "fi-FI")])
def test_banner_and_notice_speak_the_visitors_language(
    nordic_site: str, new_context: Callable[..., BrowserContext], locale: str, browser_locale: str
) -> None:
    page = new_context(locale=browser_locale, viewport={"width": 375, "height": 667}).new_page()
    page.goto(nordic_site + "/")
    banner = page.locator("#consentkit-banner")
    assert banner.get_attribute("lang") == locale
    assert page.locator("#consentkit-banner-title").inner_text() == TITLES[locale]
    page.screenshot(path=screenshot_path(f"banner-{locale}-phone.png"))
    page.goto(nordic_site + f"/consentkit/notice?lang={locale}")
    assert NOTICE_HEADINGS[locale] in page.locator("main").inner_text()
    page.screenshot(path=screenshot_path(f"notice-{locale}-phone.png"), full_page=True)
