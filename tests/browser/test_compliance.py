"""The compliance suite: the example portal in real Chromium, each rule of docs/compliance.md as a test."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import Site, Traffic, cookie_names, screenshot_path

Context = Callable[..., BrowserContext]
TRACKER_COOKIES = {"_ga", "_ga_DEMO123", "_fbp"}

# WCAG 2.x contrast ratio of an element's text on its own background.
CONTRAST = """element => {
  const channels = value => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = rgb => {
    const [r, g, b] = rgb.map(c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(element);
  const [a, b] = [luminance(channels(style.color)), luminance(channels(style.backgroundColor))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""

DATA_LAYER = "() => (window.dataLayer || []).map(entry => Array.from(entry))"


def wait_until(page: Page, expression: str, timeout: float = 5.0) -> None:
    """Poll ``expression`` from outside the page: the example's strict CSP forbids in-page eval."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(50)


def eventually(page: Page, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for something seen from the test's side, such as a request reaching a stub."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


def banner(page: Page) -> Any:
    return page.locator("#consentkit-banner")


def choose(page: Page, choice: str, where: str = "#consentkit-banner") -> None:
    page.locator(f'{where} button[name="choice"][value="{choice}"]').click()


def state(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("window.consentkit.get()")
    return result


def logged_methods(site: Site, *expected_tail: str) -> list[str]:
    """The logged methods ("reject_all+withdrew" for one that took consent back), once the tail is as expected.

    Decisions reach the SQLite file from the spool's background writer, a moment after the response.
    """
    deadline = time.monotonic() + 5
    while True:
        with closing(sqlite3.connect(site.log_path)) as log:
            rows = log.execute("SELECT method, withdrawn FROM consent_log ORDER BY id").fetchall()
        methods = [method + ("+withdrew" if withdrawn else "") for method, withdrawn in rows]
        if methods[-len(expected_tail) :] == list(expected_tail) or time.monotonic() > deadline:
            return methods
        time.sleep(0.05)


def test_first_visit_stores_nothing_optional_and_calls_no_tracker(
    site: Site, new_context: Context, traffic: Traffic
) -> None:
    """docs/compliance.md items 1 and 6: nothing before a clear act; scrolling and browsing on are no consent."""
    context = new_context()
    page = context.new_page()
    page.goto(site.page_url("/nb/"))
    expect(banner(page)).to_be_visible()
    page.mouse.wheel(0, 1500)
    page.goto(site.page_url("/nb/personvern"))
    page.locator("form.login, a").first.wait_for()
    page.goto(site.page_url("/nb/logg-inn"))
    page.fill('input[name="case"]', "12345678")
    page.fill('input[name="pin"]', "1234")
    page.click("form.login button")
    expect(page.locator("h1")).to_have_text("Sak 12345678")
    assert cookie_names(context) == site.login_cookies  # the login, strictly necessary
    assert traffic.requests == []  # no tracker, nor any other host
    assert state(page)["decided"] is False
    expect(banner(page)).to_be_visible()


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        pytest.param("accept_all", {"functional": True, "analytics": True, "marketing": True}, id="accept"),
        pytest.param("reject_all", {"functional": False, "analytics": False, "marketing": False}, id="reject"),
        pytest.param("custom", {"functional": False, "analytics": True, "marketing": False}, id="custom"),
    ],
)
def test_the_banner_works_with_javascript_disabled(
    site: Site, new_context: Context, choice: str, expected: dict[str, bool]
) -> None:
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.page_url("/sv/"))
    expect(banner(page)).to_be_visible()
    expect(banner(page)).to_contain_text("Får vi använda kakor?")
    if choice == "custom":
        page.click("#consentkit-banner summary")
        page.check('#consentkit-banner input[value="analytics"]')
        choose(page, "custom")
    else:
        choose(page, choice)
    page.wait_for_url(site.page_url("/sv/"))  # the 303 led back to the page
    expect(banner(page)).to_have_count(0)
    response = page.goto(site.page_url("/consentkit/consent"))
    assert response is not None
    assert response.json()["categories"] == {"necessary": True, **expected}


def test_reject_keeps_trackers_away_and_the_site_working(site: Site, new_context: Context, traffic: Traffic) -> None:
    """docs/compliance.md item 7: no cookie wall."""
    context = new_context()
    page = context.new_page()
    page.goto(site.page_url("/nb/"))
    choose(page, "reject_all")
    expect(banner(page)).to_be_hidden()
    for path in ("/nb/", "/sv/personvern", "/nb/logg-inn"):
        page.goto(site.page_url(path))
    page.fill('input[name="case"]', "12345678")
    page.fill('input[name="pin"]', "1234")
    page.click("form.login button")
    expect(page.locator("h1")).to_have_text("Sak 12345678")
    assert traffic.to_trackers() == []
    assert not cookie_names(context) & TRACKER_COOKIES
    assert logged_methods(site, "reject_all")[-1] == "reject_all"


@pytest.mark.django_db(transaction=True)
def test_django_admin_login_after_reject(
    make_site: Callable[..., Site], new_context: Context, traffic: Traffic
) -> None:
    """Django's session and CSRF cookies are strictly necessary, whatever the visitor refused."""
    from django.contrib.auth.models import User

    site = make_site("django")
    User.objects.create_superuser("saksbehandler", "saksbehandler@eksempel.no", "korrekt-hest-batteri-stift")
    page = new_context().new_page()
    page.goto(site.page_url("/nb/"))
    choose(page, "reject_all")
    expect(banner(page)).to_be_hidden()
    page.goto(site.page_url("/admin/"))
    page.fill("#id_username", "saksbehandler")
    page.fill("#id_password", "korrekt-hest-batteri-stift")
    page.click('#login-form [type="submit"]')
    expect(page.locator("#user-tools")).to_contain_text("saksbehandler")
    assert {"sessionid", "csrftoken"} <= cookie_names(page.context)
    assert not cookie_names(page.context) & TRACKER_COOKIES
    assert traffic.to_trackers() == []


def test_accept_loads_everything_without_a_reload(site: Site, page: Page, traffic: Traffic) -> None:
    page.goto(site.page_url("/nb/"))
    page.evaluate("window.__samePage = true")
    choose(page, "accept_all")
    wait_until(page, "window.__gtagLoads === 1 && window.__fbeventsLoads === 1")
    assert page.evaluate("window.__samePage") is True
    layer = page.evaluate(DATA_LAYER)
    consent = [entry for entry in layer if entry and entry[0] == "consent"]
    # The default comes first, everything optional denied; the update grants what was chosen.
    assert consent[0][1] == "default"
    assert set(consent[0][2].values()) == {"denied", "granted"}
    assert consent[0][2]["analytics_storage"] == "denied"
    assert consent[0][2]["security_storage"] == "granted"
    assert consent[-1][1] == "update"
    assert consent[-1][2]["analytics_storage"] == "granted"
    assert consent[-1][2]["ad_user_data"] == "granted"
    first_tag = next(index for index, entry in enumerate(layer) if entry and entry[0] in ("js", "config"))
    assert layer.index(consent[0]) < first_tag
    assert {"_ga", "_ga_DEMO123", "_fbp"} <= cookie_names(page.context)
    expect(page.locator("iframe.video")).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    eventually(page, lambda: any("youtube-nocookie" in url for url in traffic.to_trackers()))


def test_custom_analytics_only(site: Site, page: Page, traffic: Traffic) -> None:
    """docs/compliance.md item 5: granular consent."""
    page.goto(site.page_url("/nb/"))
    page.click("#consentkit-banner summary")
    page.check('#consentkit-banner input[value="analytics"]')
    choose(page, "custom")
    wait_until(page, "window.__gtagLoads === 1")
    eventually(page, lambda: any("google-analytics.com" in url for url in traffic.to_trackers()))
    page.wait_for_timeout(300)
    hosts = {url.split("/")[2] for url in traffic.to_trackers()}
    assert hosts == {"www.googletagmanager.com", "region1.google-analytics.com"}
    assert "_fbp" not in cookie_names(page.context)
    expect(page.locator(".consentkit-placeholder")).to_be_visible()
    assert page.locator("iframe.video").get_attribute("src") is None


def test_withdrawing_on_another_page_deletes_cookies_and_stops_trackers(
    site: Site, page: Page, traffic: Traffic
) -> None:
    """docs/compliance.md item 10: as easy as consenting, from a link on every page; storage gone, trackers stopped."""
    page.goto(site.page_url("/nb/"))
    choose(page, "accept_all")
    wait_until(page, "window.__gtagLoads === 1 && window.__fbeventsLoads === 1")
    page.evaluate("localStorage.setItem('_ga_probe', '1')")  # a storage key of the withdrawn category
    assert {"_ga", "_ga_DEMO123", "_fbp"} <= cookie_names(page.context)

    page.goto(site.page_url("/nb/personvern"))  # another page, with the trackers now live
    wait_until(page, "window.__gtagLoads === 1 && window.__fbeventsLoads === 1")
    page.evaluate("window.__samePage = true")
    page.locator(".site-footer [data-consentkit-open]").click()
    dialog = page.locator("#consentkit-dialog")
    expect(dialog).to_be_visible()
    traffic.clear()
    dialog.locator('button[value="reject_all"]').click()
    expect(dialog).to_be_hidden()
    wait_until(page, "!document.cookie.includes('_ga')")
    assert page.evaluate("window.__samePage") is True  # no reload
    assert not cookie_names(page.context) & TRACKER_COOKIES
    assert page.evaluate("localStorage.getItem('_ga_probe')") is None
    # The running services were told to stop: GA's opt-out flag, Meta's consent revocation.
    assert page.evaluate("window['ga-disable-G-DEMO123']") is True
    assert ["consent", "revoke"] in page.evaluate("window.__fbqCalls")
    consent = [entry for entry in page.evaluate(DATA_LAYER) if entry and entry[0] == "consent"]
    assert consent[-1][2]["analytics_storage"] == "denied"
    page.wait_for_timeout(300)
    assert traffic.to_trackers() == []
    page.goto(site.page_url("/nb/"))
    page.goto(site.page_url("/sv/personvern"))
    page.wait_for_timeout(300)
    assert traffic.to_trackers() == []
    # The button pressed, and that it took consent back (issue 8 item 15).
    assert logged_methods(site, "accept_all", "reject_all+withdrew")[-2:] == ["accept_all", "reject_all+withdrew"]


def test_withdrawing_marketing_unloads_its_embeds(site: Site, page: Page) -> None:
    page.goto(site.page_url("/nb/"))
    choose(page, "accept_all")
    frame = page.locator("iframe.video")
    expect(frame).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    page.evaluate("window.consentkit.set(['functional', 'analytics'])")
    expect(frame).not_to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    expect(frame).to_be_hidden()
    assert page.evaluate("window.__gtagLoads") == 1  # analytics, still allowed, kept running


def test_a_new_policy_version_brings_the_banner_back(site: Site, make_site: Callable[..., Site], page: Page) -> None:
    """docs/compliance.md item 13: asked again when the policy version changes."""
    page.goto(site.page_url("/nb/"))
    choose(page, "accept_all")
    expect(banner(page)).to_be_hidden()
    page.reload()
    expect(banner(page)).to_have_count(0)
    bumped = make_site(site.kind, policy_version="2026-12-24")  # same host, so the same cookie is sent
    page.goto(bumped.page_url("/nb/"))
    expect(banner(page)).to_be_visible()
    assert state(page)["decided"] is False


def test_global_privacy_control_refuses_without_forcing_a_banner(
    site: Site, new_context: Context, traffic: Traffic
) -> None:
    """docs/compliance.md, 'Signals from the browser': Sec-GPC: 1 is a refusal, never consent; a later choice wins."""
    page = new_context(extra_http_headers={"Sec-GPC": "1"}).new_page()
    page.goto(site.page_url("/nb/"))
    expect(banner(page)).to_have_count(0)
    assert state(page)["decided"] is True
    assert not any(state(page)["categories"][name] for name in ("functional", "analytics", "marketing"))
    page.goto(site.page_url("/nb/personvern"))
    assert traffic.to_trackers() == []
    assert logged_methods(site, "gpc")[-1] == "gpc"
    # The settings link still lets the visitor opt in.
    page.locator(".site-footer [data-consentkit-open]").click()
    page.locator('#consentkit-dialog button[value="accept_all"]').click()
    wait_until(page, "window.__gtagLoads === 1")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accept_and_reject_are_equal_and_readable_and_nothing_is_pre_ticked(
    site: Site, new_context: Context, scheme: str
) -> None:
    """docs/compliance.md items 2, 3 and 4."""
    page = new_context(color_scheme=scheme).new_page()
    page.goto(site.page_url("/nb/"))
    accept = page.locator('#consentkit-banner button[value="accept_all"]')
    reject = page.locator('#consentkit-banner button[value="reject_all"]')
    accept_box, reject_box = accept.bounding_box(), reject.bounding_box()
    assert accept_box is not None
    assert reject_box is not None
    assert accept_box["width"] == pytest.approx(reject_box["width"], abs=0.5)
    assert accept_box["height"] == pytest.approx(reject_box["height"], abs=0.5)
    assert accept_box["y"] == pytest.approx(reject_box["y"], abs=0.5)  # side by side, one click each
    assert accept.evaluate(CONTRAST) >= 4.5
    assert reject.evaluate(CONTRAST) >= 4.5
    assert accept.evaluate("b => getComputedStyle(b).cssText") == reject.evaluate("b => getComputedStyle(b).cssText")
    page.click("#consentkit-banner summary")
    boxes = page.locator('#consentkit-banner input[name="category"]')
    expect(boxes).to_have_count(3)
    for index in range(3):
        expect(boxes.nth(index)).not_to_be_checked()
    necessary = page.locator("#consentkit-banner input[type=checkbox]:not([name])")
    expect(necessary).to_be_checked()
    expect(necessary).to_be_disabled()


def focused(page: Page) -> str:
    descriptor: str = page.evaluate(
        "() => { const e = document.activeElement; return e.tagName + ':' + (e.value || e.textContent.trim()); }"
    )
    return descriptor


def test_everything_works_from_the_keyboard(site: Site, page: Page) -> None:
    page.goto(site.page_url("/nb/"))
    reached = []
    for _ in range(8):
        page.keyboard.press("Tab")
        reached.append(focused(page))
        if reached[-1] == "SUMMARY:Tilpass":
            break
    assert "BUTTON:accept_all" in reached
    assert "BUTTON:reject_all" in reached
    assert reached[-1] == "SUMMARY:Tilpass"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "BUTTON:accept_all"
    page.keyboard.press("Enter")
    expect(banner(page)).to_be_hidden()
    assert state(page)["categories"]["analytics"] is True
    # The settings link, then the dialog: focus goes in, Escape closes it, focus comes back.
    link = page.locator(".consentkit-corner .consentkit-settings-link")
    link.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#consentkit-dialog")
    expect(dialog).to_be_visible()
    assert page.evaluate("document.getElementById('consentkit-dialog').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement === document.querySelector('.consentkit-corner a')")


def test_a_custom_choice_from_the_keyboard_alone(site: Site, page: Page) -> None:
    """Tab reaches every choice inside Customise too; Space ticks, Enter saves."""
    page.goto(site.page_url("/sv/"))
    for _ in range(8):
        page.keyboard.press("Tab")
        if focused(page) == "SUMMARY:Anpassa":
            break
    assert focused(page) == "SUMMARY:Anpassa"
    page.keyboard.press("Enter")  # opens the details
    reached = []
    for _ in range(7):
        page.keyboard.press("Tab")
        reached.append(focused(page))
    # Each category's switch, then its services' own switches.
    assert reached == [
        "INPUT:functional",
        "INPUT:analytics",
        "INPUT:google-analytics",
        "INPUT:marketing",
        "INPUT:meta-pixel",
        "INPUT:youtube",
        "BUTTON:custom",
    ]
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
    assert focused(page) == "INPUT:analytics"
    page.keyboard.press("Space")  # the category's switch turns its service's on too
    assert page.is_checked('#consentkit-banner input[value="google-analytics"]')
    for _ in range(5):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(banner(page)).to_be_hidden()
    assert state(page)["categories"] == {"necessary": True, "functional": False, "analytics": True, "marketing": False}
    assert state(page)["services"] == {"google-analytics": True, "meta-pixel": False, "youtube": False}


def page_watching(new_context: Context, init_script: str) -> Page:
    """A page that runs ``init_script`` before any of the site's own code (unaffected by its CSP)."""
    context = new_context()
    context.add_init_script(init_script)
    return context.new_page()


def test_the_banner_causes_no_layout_shift(site: Site, new_context: Context) -> None:
    page = page_watching(
        new_context,
        "window.__shift = 0; new PerformanceObserver(list => { for (const entry of list.getEntries())"
        " window.__shift += entry.value; }).observe({type: 'layout-shift', buffered: true});",
    )
    page.goto(site.page_url("/nb/"))
    expect(banner(page)).to_be_visible()
    page.wait_for_timeout(1000)
    assert page.evaluate("window.__shift") == 0


def test_an_embed_placeholder_consents_and_loads_it(site: Site, page: Page, traffic: Traffic) -> None:
    page.goto(site.page_url("/nb/"))
    page.click("#consentkit-banner summary")
    page.check('#consentkit-banner input[value="analytics"]')
    choose(page, "custom")
    placeholder = page.locator(".consentkit-placeholder")
    expect(placeholder).to_contain_text("www.youtube-nocookie.com")
    expect(page.locator(".video-elsewhere")).to_have_count(1)  # the {% else %} part, while marketing is off
    page.evaluate("window.__samePage = true")
    placeholder.locator("button").click()
    expect(page.locator("iframe.video")).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    expect(placeholder).to_have_count(0)
    expect(page.locator(".video-elsewhere")).to_have_count(0)
    assert page.evaluate("window.__samePage") is True
    # YouTube alone: the rest of marketing (the Meta Pixel) stays refused.
    assert state(page)["categories"] == {"necessary": True, "functional": False, "analytics": True, "marketing": False}
    assert state(page)["services"] == {"google-analytics": True, "meta-pixel": False, "youtube": True}


def test_the_javascript_api_and_change_event(site: Site, page: Page) -> None:
    page.goto(site.page_url("/nb/"))
    result = page.evaluate(
        """async () => {
            const seen = [];
            document.addEventListener('consentkit:change', event => seen.push(['event', event.detail.categories]));
            window.consentkit.on(current => seen.push(['callback', current.decided]));
            const returned = await window.consentkit.set(['functional']);
            return {seen, returned, now: window.consentkit.get()};
        }"""
    )
    functional_only = {"necessary": True, "functional": True, "analytics": False, "marketing": False}
    assert result["seen"] == [["event", functional_only], ["callback", True]]
    assert result["now"]["categories"] == functional_only
    assert result["returned"]["decided"] is True
    page.evaluate("window.consentkit.open()")
    expect(page.locator("#consentkit-dialog")).to_be_visible()
    expect(page.locator('#consentkit-dialog input[value="functional"]')).to_be_checked()


def test_it_runs_under_a_strict_content_security_policy(site: Site, new_context: Context) -> None:
    """No inline script or style of consentkit's own; a gated inline script keeps its nonce."""
    page = page_watching(
        new_context,
        "window.__violations = []; document.addEventListener('securitypolicyviolation',"
        " event => window.__violations.push(event.violatedDirective + ' ' + event.blockedURI));",
    )
    response = page.goto(site.page_url("/nb/"))
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self';" in policy
    choose(page, "accept_all")
    wait_until(page, "window.__gtagLoads === 1")
    # The gated inline snippet ran: its commands are in the dataLayer, so its nonce survived.
    assert ["config", "G-DEMO123"] in page.evaluate(DATA_LAYER)
    page.evaluate("window.consentkit.open()")
    assert page.evaluate("window.__violations") == []


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_reduced_motion_is_respected(site: Site, new_context: Context, motion: str) -> None:
    page = new_context(reduced_motion=motion).new_page()
    page.goto(site.page_url("/nb/"))
    duration = page.locator('#consentkit-banner button[value="accept_all"]').evaluate(
        "b => getComputedStyle(b).transitionDuration"
    )
    assert (duration == "0s") is (motion == "reduce")


@pytest.mark.parametrize("language", ["nb", "sv"])
@pytest.mark.parametrize("size", [(1280, 800), (375, 667)], ids=["desktop", "phone"])
def test_screenshots_of_the_banner_and_the_dialog(
    site: Site, new_context: Context, language: str, size: tuple[int, int]
) -> None:
    """Saved under test-artifacts/screenshots for people to look at; both must fit the screen."""
    width, height = size
    shot = "" if site.kind == "flask" else f"{site.kind}-"
    page = new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(site.page_url(f"/{language}/"))
    page.screenshot(path=screenshot_path(f"{shot}banner-{language}-{width}x{height}.png"))
    box = banner(page).bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width
    assert box["y"] + box["height"] <= height
    assert box["height"] < height * (0.6 if width < 600 else 0.4)  # the page behind stays readable
    page.evaluate("window.consentkit.open()")
    page.screenshot(path=screenshot_path(f"{shot}dialog-{language}-{width}x{height}.png"))
    dialog = page.locator("#consentkit-dialog").bounding_box()
    assert dialog is not None
    assert dialog["x"] >= 0
    assert dialog["x"] + dialog["width"] <= width
    # docs/compliance.md item 3 holds in the settings layer too, at every size.
    for where in ("#consentkit-banner", "#consentkit-dialog"):
        accept = page.locator(f'{where} button[value="accept_all"]').bounding_box()
        reject = page.locator(f'{where} button[value="reject_all"]').bounding_box()
        assert accept is not None
        assert reject is not None
        assert (accept["width"], accept["height"]) == pytest.approx((reject["width"], reject["height"]), abs=0.5)
    assert screenshot_path(f"{shot}dialog-{language}-{width}x{height}.png").stat().st_size > 5_000
