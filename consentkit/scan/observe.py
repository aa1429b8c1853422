"""What the browser did while a page loaded: who set each cookie, what was stored, which hosts were asked.

Cookies set by a ``Set-Cookie`` header are matched to the response that carried it (Playwright
reads the raw headers from CDP's ``Network.responseReceivedExtraInfo``). Cookies written from
JavaScript are caught by an init script in every frame that wraps ``document.cookie``'s setter
and ``cookieStore.set``, and reports the innermost script URL on the call stack through a binding.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from .sites import host_of

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Request, Response

BINDING: Final = "__consentkitScanWrite"

# Runs before any page script in every frame. The stack's first http(s) frame is the script that
# wrote: the init script itself has no URL. An inline script shows the page's own URL.
WRITE_RECORDER: Final = """
(() => {
  const binding = "__BINDING__";
  const scriptUrl = () => {
    for (const line of (new Error().stack || "").split("\\n").slice(1)) {
      const match = line.match(/(https?:\\/\\/[^\\s()]+?):\\d+:\\d+\\)?\\s*$/);
      if (match) return match[1];
    }
    return (document.currentScript && document.currentScript.src) || location.href;
  };
  const report = (text) => {
    try { if (typeof window[binding] === "function") window[binding](String(text), scriptUrl()); } catch (e) {}
  };
  const property = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  if (property && property.set) {
    Object.defineProperty(Document.prototype, "cookie", {
      configurable: true,
      enumerable: property.enumerable,
      get() { return property.get.call(this); },
      set(value) { report(value); property.set.call(this, value); },
    });
  }
  if (window.CookieStore && CookieStore.prototype.set) {
    const set = CookieStore.prototype.set;
    CookieStore.prototype.set = function (first, value) {
      const options = typeof first === "object" ? first : { name: first, value: value };
      report(options.name + "=" + options.value + (options.domain ? "; domain=" + options.domain : ""));
      return set.apply(this, arguments);
    };
  }
})();
""".replace("__BINDING__", BINDING)

# Keys of both storages in one frame; a frame whose storage is blocked answers with none.
STORAGE_KEYS: Final = """() => {
  const keys = (name) => { try { return Object.keys(window[name]); } catch (e) { return []; } };
  return [location.origin, keys("localStorage"), keys("sessionStorage")];
}"""

STORAGE_KINDS: Final = (("localStorage", "local_storage"), ("sessionStorage", "session_storage"))


@dataclass(frozen=True)
class Setter:
    """How a cookie was set: ``set-cookie`` by the response from ``url``, or ``script`` at ``url``."""

    kind: str
    url: str


@dataclass(frozen=True)
class CookieSighting:
    name: str
    domain: str
    path: str
    expires: float  # seconds since the epoch; -1 for a session cookie
    http_only: bool
    secure: bool
    same_site: str
    seen_at: float
    page: str
    setter: Setter | None


@dataclass(frozen=True)
class StorageSighting:
    origin: str
    kind: str
    key: str
    page: str


@dataclass
class Observer:
    """Attached to one browser context; call ``settle(page_url)`` after each page has loaded."""

    context: BrowserContext
    cookies: dict[tuple[str, str, str], CookieSighting] = field(default_factory=dict)
    storage: dict[tuple[str, str, str], StorageSighting] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    _responses: list[Response] = field(default_factory=list)
    _header_setters: dict[str, list[tuple[str, Setter]]] = field(default_factory=dict)
    _script_setters: dict[str, list[tuple[str, Setter]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.context.expose_binding(BINDING, self._on_script_write)
        self.context.add_init_script(WRITE_RECORDER)
        self.context.on("response", self._on_response)
        self.context.on("request", self._on_request)

    def _on_response(self, response: Response) -> None:
        self._responses.append(response)  # its headers are read after the page settles, not in the event

    def _on_request(self, request: Request) -> None:
        self.requests[host_of(request.url)] += 1

    def _on_script_write(self, source: dict[str, Any], text: str, script_url: str) -> None:
        name, domain = _cookie_name_and_domain(text, host_of(source["frame"].url))
        if name:
            self._script_setters.setdefault(name, []).append((domain, Setter("script", script_url)))

    def _read_headers(self) -> None:
        responses, self._responses = self._responses, []
        for response in responses:
            try:
                values = response.header_values("set-cookie")
            except Exception:  # noqa: S112 -- the response went away with its page; nothing to read
                continue
            self.record_headers(response.url, [{"name": "set-cookie", "value": value} for value in values])

    def record_headers(self, url: str, headers: Sequence[Mapping[str, str]]) -> None:
        """Remember the cookies a response from ``url`` set (also for requests made outside a page)."""
        for header in headers:
            if header["name"].lower() != "set-cookie":
                continue
            for line in header["value"].split("\n"):  # Chromium joins repeated headers with newlines
                name, domain = _cookie_name_and_domain(line, host_of(url))
                if name:
                    self._header_setters.setdefault(name, []).append((domain, Setter("set-cookie", url)))

    def settle(self, page: Page) -> None:
        """Record the cookies and storage keys that are new since the last call, seen on ``page``."""
        self._read_headers()
        now = time.time()
        for cookie in self.context.cookies():
            key = (cookie["name"], cookie["domain"], cookie["path"])
            if key in self.cookies:
                continue
            self.cookies[key] = CookieSighting(
                name=cookie["name"],
                domain=cookie["domain"],
                path=cookie["path"],
                expires=cookie["expires"],
                http_only=cookie["httpOnly"],
                secure=cookie["secure"],
                same_site=cookie["sameSite"],
                seen_at=now,
                page=page.url,
                setter=self._setter_of(cookie["name"], cookie["domain"]),
            )
        for origin, kind, name in self.storage_now(page):
            self.storage.setdefault((origin, kind, name), StorageSighting(origin, kind, name, page.url))

    def storage_now(self, page: Page) -> list[tuple[str, str, str]]:
        """Origin, kind and key of every storage entry in the page's frames at this moment."""
        found = []
        for frame in page.frames:
            try:
                origin, *kinds = frame.evaluate(STORAGE_KEYS)
            except Exception:  # noqa: S112 -- a frame that navigated or closed meanwhile
                continue
            if not str(origin).startswith("http"):
                continue
            for (_, kind), keys in zip(STORAGE_KINDS, kinds, strict=True):
                found += [(str(origin), kind, str(key)) for key in keys]
        return found

    def _setter_of(self, name: str, cookie_domain: str) -> Setter | None:
        domain = cookie_domain.lstrip(".")
        for records in (self._header_setters, self._script_setters):
            for written_on, setter in reversed(records.get(name, [])):
                if written_on == domain:
                    return setter
        return None


def _cookie_name_and_domain(text: str, default_host: str) -> tuple[str, str]:
    """The name of a ``Set-Cookie`` or ``document.cookie`` string and the domain it lands on."""
    first, *attributes = text.split(";")
    name = first.partition("=")[0].strip()
    domain = default_host
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        if key.strip().lower() == "domain" and value.strip():
            domain = value.strip().lstrip(".").lower()
    return name, domain
