"""Template helpers for one request: ``{{ consentkit.head() }}``, ``{{ consentkit.body() }}`` ...

Flask templates get a ``consentkit`` object automatically. Elsewhere, pass
``widgets_for(environ)`` to the template as ``consentkit``; the middleware
must be in front of the app.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any, Final, NamedTuple, Protocol, TypeVar
from urllib.parse import quote, urlencode

from markupsafe import Markup

from ..config import Config
from ..consent import UNDECIDED, Consent
from .fragments import Fragment, Html, escaped
from .i18n import pick_locale
from .inert import Gate
from .renderer import Renderer, consent_key

MIDDLEWARE_KEY = "consentkit.gate.middleware"
CONSENT_KEY = "consentkit.consent"
#: Set when a response's content depends on the consent, so that it varies on the cookie.
VARIES_KEY = "consentkit.varies"


class WidgetSource(Protocol):
    """What the helpers need from the gate that put itself in the environ (``Gatekeeper``)."""

    config: Config
    prefix: str
    renderer: Renderer

    def locale_for(self, environ: Any, requested: str | None = None) -> str: ...

    def selected_locale(self, environ: Any) -> str | None: ...

    def browser_locale(self, accept_language: str | None) -> str: ...

    def count_banner_impression(self, locale: str) -> None: ...


def current_path(environ: dict[str, Any]) -> str:
    """The request's own path and query, as a same-site ``next`` target."""
    script_name = environ.get("SCRIPT_NAME")
    path = environ.get("PATH_INFO", "")
    path = _quoted_path(f"{script_name}{path}" if script_name else str(path))
    query = environ.get("QUERY_STRING")
    return f"{path}?{query}" if query else path


# Pure functions of a path, kept for the paths a site serves most (bounded: visitors choose paths).
@lru_cache(maxsize=256)
def _quoted_path(path: str) -> str:
    return quote(path.encode("latin-1", "replace"), safe="/;=,@:!$&'()*+~-._") or "/"


@lru_cache(maxsize=256)
def settings_query(locale: str, next_path: str) -> str:
    """The notice page's query for the settings link: the locale and the page to come back to."""
    return urlencode({"lang": locale, "next": next_path})


def endpoint_base(environ: dict[str, Any], prefix: str) -> str:
    script_name = environ.get("SCRIPT_NAME")
    return str(script_name).rstrip("/") + prefix if script_name else prefix


Method = TypeVar("Method", bound=Callable[..., Any])


def _called_by_templates(method: Method) -> Method:
    """A helper templates call: Jinja's ``Context.call`` asks each callable whether it takes the context
    (``jinja_pass_arg``), and a bound method without the attribute answers through a failed look-up that
    costs about half a microsecond a call; these answer "no" up front."""
    method.jinja_pass_arg = None  # type: ignore[attr-defined]
    return method


class Page(NamedTuple):
    """What the widgets of one page share, worked out once per request (``Widgets.know``)."""

    consent: Consent
    #: All of the consent the widgets show (``consent_key``).
    state: Hashable
    locale: str
    base: str
    next_path: str
    #: What the blocks of template text render to in this locale and consent state (``gated.text_block``).
    text_blocks: dict[Hashable, Markup | Fragment]
    #: ``head()`` and ``body()`` of the pages with this one's request values (``know``), once made.
    rendered: dict[str, Markup]


_new_page: Final = tuple.__new__


class Widgets:
    """The visitor's consent and HTML helpers, in the visitor's locale."""

    def __init__(self, middleware: WidgetSource, environ: dict[str, Any], locale: str | None = None) -> None:
        self._middleware = middleware
        self._environ = environ
        self._requested_locale = locale
        # Worked out on first use and kept for the request (plain attributes: a page asks several times).
        self._locale: str | None = None
        self._base_path: str | None = None
        self._next: str | None = None
        self._escaped: dict[str, str] | None = None
        #: What a page's widgets share, once a widget has asked (``know``).
        self.page: Page | None = None

    @property
    def consent(self) -> Consent:
        """The visitor's consent; reading it marks the response as depending on it."""
        self._environ[VARIES_KEY] = True
        consent = self._environ.get(CONSENT_KEY)
        return consent if isinstance(consent, Consent) else UNDECIDED

    @_called_by_templates
    def allows(self, name: str) -> bool:
        """Whether the visitor allows the category or service ``name``."""
        return self.consent.allows(name)

    @property
    def config(self) -> Config:
        return self._middleware.config

    @property
    def renderer(self) -> Renderer:
        return self._middleware.renderer

    @property
    def locale(self) -> str:
        if self._locale is None:
            self._locale = self._middleware.locale_for(self._environ, self._requested_locale)
        return self._locale

    @property
    def _base(self) -> str:
        if self._base_path is None:
            self._base_path = endpoint_base(self._environ, self._middleware.prefix)
        return self._base_path

    @property
    def _next_path(self) -> str:
        if self._next is None:
            self._next = current_path(self._environ)
        return self._next

    @_called_by_templates
    def head(self) -> Markup:
        """For ``<head>``, before any tag it gates: the stylesheet, the script and its settings."""
        page = self.page or self.know()
        head = page.rendered.get("head")
        if head is None:
            head = page.rendered["head"] = self._middleware.renderer.head(page.base, page.consent)
        return head

    @_called_by_templates
    def banner(self) -> Markup:
        """The banner for an undecided visitor, else nothing."""
        if self.consent.decided or not self._middleware.config.categories:
            return Markup("")
        self._middleware.count_banner_impression(self.locale)
        return self._middleware.renderer.banner(
            locale=self.locale, base=self._base, consent=self.consent, next_path=self._next_path
        )

    @_called_by_templates
    def settings_link(self, label: str | None = None) -> Markup:
        """A link that reopens the choice: the notice page without JS, a dialog with it."""
        return self._middleware.renderer.settings_link(locale=self.locale, href=self._settings_href, label=label)

    @property
    def _settings_href(self) -> str:
        return f"{self._base}/notice?{settings_query(self.locale, self._next_path)}#consentkit-settings"

    @_called_by_templates
    def notice(self) -> Markup:
        """The full cookie notice with the settings form, to place inside the site's own page."""
        return self._middleware.renderer.notice(
            locale=self.locale, base=self._base, consent=self.consent, next_path=self._next_path
        )

    @_called_by_templates
    def dialog(self) -> Markup:
        """The settings dialog that consentkit.js opens from any ``[data-consentkit-open]``."""
        return self._middleware.renderer.dialog(
            locale=self.locale, base=self._base, consent=self.consent, next_path=self._next_path
        )

    def placeholders(self, gate: Gate, hosts: list[str]) -> Markup:
        """One placeholder per blocked embed (``Renderer.placeholders``)."""
        return self._middleware.renderer.placeholders(
            locale=self.locale, base=self._base, next_path=self._next_path, gate=gate, hosts=hosts
        )

    @property
    def escaped_slots(self) -> dict[str, str]:
        """The request's values that fill the cached widgets (``fragments.py``), escaped once per request:
        the endpoint base and the page to come back to."""
        if self._escaped is None:
            self._escaped = {"base": escaped(self._base), "next_path": escaped(self._next_path)}
        return self._escaped

    def know(self) -> Page:
        """What every widget of a page needs, worked out on the first widget's call and kept for the
        request (a page's widgets read ``widgets.page or widgets.know()``: one look-up each).

        Besides the consent, all of it (the consent state, the locale, the endpoint base, the page to come
        back to, the page's kept blocks) is a function of a few request values: the consent state, the
        locale asked for or named by the site's selector, the Accept-Language header, the script name,
        the path and the query. It is kept per renderer under exactly those (bounded: visitors choose
        paths and headers), so a page that has been served before costs one look-up.
        """
        middleware, environ = self._middleware, self._environ
        environ[VARIES_KEY] = True  # as reading ``consent`` does: the page shows the consent
        consent = environ.get(CONSENT_KEY)
        if not isinstance(consent, Consent):
            consent = UNDECIDED
        requested = self._requested_locale or middleware.selected_locale(environ)
        key = (
            consent.decided,
            consent.granted,
            consent.services,
            requested,
            environ.get("HTTP_ACCEPT_LANGUAGE"),
            environ.get("SCRIPT_NAME"),
            environ.get("PATH_INFO"),
            environ.get("QUERY_STRING"),
        )
        pages = middleware.renderer.pages
        known = pages.found.get(key)
        if known is None:
            known = pages.get(key, lambda: self._worked_out(consent, requested))
        # tuple.__new__ makes the same Page as Page(...) without the Python-level __new__ of a NamedTuple.
        self.page = page = _new_page(Page, (consent, *known))
        self._locale, self._base_path, self._next = page.locale, page.base, page.next_path
        return page

    def _worked_out(self, consent: Consent, requested: str | None) -> tuple[Any, ...]:
        """Everything of ``know``'s page but the consent, worked out from the request (``Page``'s order)."""
        middleware, environ = self._middleware, self._environ
        state = consent_key(consent)
        locale = requested or middleware.browser_locale(environ.get("HTTP_ACCEPT_LANGUAGE"))
        text_blocks = middleware.renderer.text_blocks.get((locale, state), dict)
        paths = endpoint_base(environ, middleware.prefix), current_path(environ)
        return (state, locale, *paths, text_blocks, {})

    @_called_by_templates
    def body(self) -> Markup:
        """For the top of ``<body>``: the banner if the visitor must choose, a settings link, the dialog.

        The settings link floats in a corner, inside its own landmark; the
        stylesheet hides it while the banner is shown, and ``[banner]
        floating_link = false`` leaves it out for sites with their own link.
        """
        config = self._middleware.config
        if not config.categories:
            return Markup("")
        page = self.page or self.know()
        if not page.consent.decided:
            self._middleware.count_banner_impression(page.locale)
        body = page.rendered.get("body")
        if body is None:
            body = page.rendered["body"] = self._kept_body(page)
        return body

    def _kept_body(self, page: Page) -> Markup:
        renderer = self._middleware.renderer
        # Kept whole per page a visitor comes from (bounded): everything it shows is in the key, the
        # settings link's address being made of the locale, the base and the path alone.
        key = (page.locale, page.state, page.base, page.next_path)
        return renderer.bodies.get(
            key,
            lambda: Html(
                renderer.body(
                    locale=page.locale,
                    base=page.base,
                    consent=page.consent,
                    next_path=page.next_path,
                    settings_href=self._settings_href,
                    ready={**self.escaped_slots, "settings_href": escaped(self._settings_href)},
                )
            ),
        )


def widgets_for(environ: dict[str, Any], locale: str | None = None) -> Widgets:
    """The helpers for a request that passed through ``ConsentMiddleware``."""
    middleware = environ.get(MIDDLEWARE_KEY)
    if middleware is None:
        raise RuntimeError(
            "consentkit: this request did not pass through ConsentMiddleware; "
            "wrap the WSGI app (app = ConsentMiddleware(app, config, secret_key=...)) or use ConsentKit(app) in Flask"
        )
    return Widgets(middleware, environ, pick_locale(locale, middleware.config.locales) if locale else None)
