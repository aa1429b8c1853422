"""Real Chromium against the example portals (Flask and Django), with every tracker host answered by a local stub.

The site runs on 127.0.0.1 and is reached as ``portal.eksempel.test`` (Chromium's
host resolver maps ``*.test`` there), so cookies have a realistic parent domain
(``eksempel.test``) for the trackers' stubs to write on. No request leaves the
machine: tracker hosts get stubs, anything else unknown is aborted and recorded.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route
from werkzeug.serving import BaseWSGIServer, make_server

from consentkit.scan.browser import CHROMIUM_FLAGS, DEBIAN_CHROMIUM
from examples.django_site.settings import portal_config
from examples.flask_site import create_app

ROOT = Path(__file__).parent.parent.parent
EXAMPLE_CONFIG = ROOT / "examples" / "flask_site" / "consentkit.toml"
ARTIFACTS = ROOT / "test-artifacts"
SITE_HOST = "portal.eksempel.test"

# What the trackers' real scripts do, as far as the tests need: gtag.js reads Consent Mode from
# the dataLayer, writes _ga/_ga_* on the top domain only when analytics_storage is granted, sends
# a hit, and stops altogether once window["ga-disable-<id>"] is set (Google's opt-out flag);
# fbevents.js writes _fbp, sends a pixel hit, and takes over fbq (whose calls are recorded).
GTAG_STUB = """
(function () {
  window.__gtagLoads = (window.__gtagLoads || 0) + 1;
  var layer = window.dataLayer = window.dataLayer || [];
  function consent() {
    var state = {};
    layer.forEach(function (entry) {
      if (entry && entry[0] === "consent") Object.assign(state, entry[2]);
    });
    return state;
  }
  function hit() {
    if (window["ga-disable-G-DEMO123"]) return;
    var state = consent();
    if (state.analytics_storage === "granted") {
      document.cookie = "_ga=GA1.1.1234.5678; path=/; domain=eksempel.test; max-age=63072000";
      document.cookie = "_ga_DEMO123=GS1.1.9999; path=/; domain=eksempel.test; max-age=63072000";
    }
    new Image().src = "https://region1.google-analytics.com/g/collect?tid=G-DEMO123&gcs=" + state.analytics_storage;
  }
  var push = layer.push;
  layer.push = function (entry) {
    var result = push.apply(layer, arguments);
    if (entry && entry[0] === "consent" && entry[1] === "update") hit();
    return result;
  };
  hit();
})();
"""

FBEVENTS_STUB = """
(function () {
  window.__fbeventsLoads = (window.__fbeventsLoads || 0) + 1;
  window.__fbqCalls = (window.fbq && window.fbq.queue || []).map(function (args) { return Array.from(args); });
  window.fbq = function () { window.__fbqCalls.push(Array.from(arguments)); };
  document.cookie = "_fbp=fb.1.1234.5678; path=/; domain=eksempel.test; max-age=7776000";
  new Image().src = "https://www.facebook.com/tr?id=1234567890123&ev=PageView";
})();
"""

GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")

STUBS: dict[str, tuple[str, bytes]] = {
    "www.googletagmanager.com": ("text/javascript", GTAG_STUB.encode()),
    "region1.google-analytics.com": ("image/gif", GIF),
    "connect.facebook.net": ("text/javascript", FBEVENTS_STUB.encode()),
    "www.facebook.com": ("image/gif", GIF),
    "www.youtube-nocookie.com": ("text/html", b"<!doctype html><p>video</p>"),
}


@dataclass
class Traffic:
    """Every request the page made to a host other than the site."""

    requests: list[str] = field(default_factory=list)

    def to_trackers(self) -> list[str]:
        return [url for url in self.requests if urlsplit(url).hostname in STUBS]

    def clear(self) -> None:
        self.requests.clear()


# Playwright's sync API keeps an event loop on the test thread; Django's database calls made there
# (the test database, the admin user) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

#: The example portals, and the cookies a login leaves (all strictly necessary).
SITES: dict[str, frozenset[str]] = {"flask": frozenset({"session"}), "django": frozenset({"sessionid", "csrftoken"})}


@dataclass
class Site:
    url: str
    config_path: Path
    log_path: Path
    kind: str = "flask"

    @property
    def login_cookies(self) -> frozenset[str]:
        return SITES[self.kind]

    def page_url(self, path: str) -> str:
        return self.url + path


def _django_app(config_path: Path) -> Any:
    """The Django portal's WSGI handler, its middleware built for this config (Django serves it as in production)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    with override_settings(CONSENTKIT_CONFIG=portal_config(config_path, log_dir=config_path.parent)):
        return StaticFilesHandler(WSGIHandler())


def _serve(kind: str, config_path: Path) -> tuple[BaseWSGIServer, str]:
    app = _django_app(config_path) if kind == "django" else create_app(config_path)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{SITE_HOST}:{server.server_port}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests of the Django portal may use pytest-django's test database (the server threads write sessions)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("site") == "django":
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="session")
def make_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Site]]:
    """Start an example portal with its own copy of the config (and so its own log); one per kind is kept."""
    servers: list[BaseWSGIServer] = []
    started: dict[str, Site] = {}

    def start(kind: str = "flask", policy_version: str | None = None) -> Site:
        if kind in started and not policy_version:
            return started[kind]
        folder = tmp_path_factory.mktemp("site")
        config = folder / "consentkit.toml"
        shutil.copy(EXAMPLE_CONFIG, config)
        if policy_version:
            text = config.read_text(encoding="utf-8")
            config.write_text(text.replace('policy_version = "2026-11-01"', f'policy_version = "{policy_version}"'))
        server, url = _serve(kind, config)
        servers.append(server)
        site = Site(url, config, folder / "consentkit-log.sqlite3", kind)
        if not policy_version:
            started[kind] = site
        return site

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="session", params=list(SITES))
def site(request: pytest.FixtureRequest, make_site: Callable[..., Site]) -> Site:
    return make_site(request.param)


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    options: dict[str, Any] = {"args": [*CHROMIUM_FLAGS, "--host-resolver-rules=MAP *.test 127.0.0.1"]}
    if DEBIAN_CHROMIUM.exists():
        options["executable_path"] = str(DEBIAN_CHROMIUM)
    try:
        launched = playwright.chromium.launch(**options)
    except Exception as error:  # a clear message instead of Playwright's long one
        raise RuntimeError(f"Chromium did not start ({error}); run `make test`, which installs it") from error
    yield launched
    launched.close()


def _route_off_site(traffic: Traffic) -> Callable[[Route], None]:
    def handle(route: Route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname
        if host == SITE_HOST:
            route.continue_()
            return
        traffic.requests.append(url)
        stub = STUBS.get(host or "")
        if stub is None:
            route.abort()
        else:
            route.fulfill(status=200, content_type=stub[0], body=stub[1])

    return handle


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def new_context(browser: Browser, traffic: Traffic) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser profiles (cookies, storage) with the tracker stubs in place."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("locale", "nb-NO")
        context = browser.new_context(**options)
        context.route("**/*", _route_off_site(traffic))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


def cookie_names(context: BrowserContext) -> set[str]:
    return {cookie["name"] for cookie in context.cookies()}


def screenshot_path(name: str) -> Path:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
