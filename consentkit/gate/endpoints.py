"""The URLs the middleware answers itself, under its prefix (``/consentkit``).

``POST /consent`` records a choice, ``GET /consent`` tells the state as JSON,
``GET /notice`` is the cookie notice with the settings form, and
``GET /static/<file>`` serves the stylesheet. Every bad request gets a 4xx
with a message in the visitor's language (HTML) or a JSON error; none raises.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from ..categories import NECESSARY, OPTIONAL_CATEGORIES
from ..config import Config
from ..consent import Consent, granted_set, new_consent_id, services_granted
from ..render.i18n import pick_locale
from ..render.renderer import STATIC_FILES
from ..render.widgets import CONSENT_KEY, endpoint_base

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from .gatekeeper import Gatekeeper

log = logging.getLogger("consentkit")

#: "service" allows the posted services on top of what the visitor allowed before (a placeholder's button);
#: "gpc" is consentkit.js telling of ``navigator.globalPrivacyControl`` where no Sec-GPC header came.
CHOICES = ("accept_all", "reject_all", "custom", "service", "gpc")
MAX_BODY_BYTES = 8 * 1024
_NO_STORE = {"Cache-Control": "no-store"}

#: Sent with every answer of consentkit's own: its pages need nothing but their own
#: stylesheet and script, post only to themselves, and may be framed only by the site.
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
}


class BadChoice(Exception):
    """A choice request that cannot be carried out; ``detail`` is for developers.

    ``show_detail`` puts the detail on the HTML page too, for a fault that only
    the site's developer can mend (and that every visitor would meet).
    """

    def __init__(self, status: int, message_key: str, detail: str, *, show_detail: bool = False) -> None:
        super().__init__(detail)
        self.status = status
        self.message_key = message_key
        self.detail = detail
        self.show_detail = show_detail


def safe_next(target: object) -> str:
    """``target`` if it is a same-site relative path, else ``/`` (no open redirects)."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if len(target) > 2048 or any(ord(char) < 0x21 or char == "\\" for char in target):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL, the default port left out; None when it is no URL."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:  # "http://[", "http://[::1": not a URL at all
        return None
    if not parts.scheme or not parts.netloc:
        return None
    default_port = {"http": ":80", "https": ":443"}.get(parts.scheme.lower(), "")
    netloc = parts.netloc.lower().removesuffix(default_port)
    return f"{parts.scheme.lower()}://{netloc}"


#: Values of Sec-Fetch-Site that a consent POST may carry: the site's own pages, a
#: sibling subdomain (which could set the consent cookie for the parent domain
#: anyway), or the visitor's own navigation.
_SAME_SITE_FETCHES: Final = frozenset({"same-origin", "same-site", "none"})

PROXY_HINT: Final = (
    "the browser is on https but this app sees http (wsgi.url_scheme): behind a TLS proxy, "
    "wrap the app in werkzeug.middleware.proxy_fix.ProxyFix(app, x_proto=1, x_host=1)"
)


def cross_site_reason(environ: WSGIEnvironment) -> str | None:
    """Why a POST must not change the consent (CSRF defence), or None when it may.

    Sec-Fetch-Site, which browsers set and pages cannot forge, decides when
    present. Without it, Origin (or else Referer) must name this site. A
    request with none of them is allowed: browsers send Origin on every
    cross-site POST, so their absence means a same-site or non-browser client.
    """
    fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None:
        return None if fetch_site in _SAME_SITE_FETCHES else f"Sec-Fetch-Site is {fetch_site!r}, not this site"
    origin = environ.get("HTTP_ORIGIN")
    if origin is None:
        origin = environ.get("HTTP_REFERER")
        if not origin:
            return None
    theirs = _origin_of(origin) if origin != "null" else None
    own = _origin_of(
        f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST') or environ.get('SERVER_NAME', '')}"
    )
    if theirs is not None and theirs == own:
        return None
    if is_behind_unfixed_proxy(environ):
        return PROXY_HINT
    return "the request came from another origin"


def is_behind_unfixed_proxy(environ: WSGIEnvironment) -> bool:
    """True when the browser's Origin is the https twin of the http origin this app sees."""
    origin = environ.get("HTTP_ORIGIN") or ""
    if environ.get("wsgi.url_scheme", "http") != "http" or not origin.lower().startswith("https://"):
        return False
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    theirs, own = _origin_of(origin), _origin_of(f"http://{host}")
    return theirs is not None and own is not None and theirs.split("://", 1)[1] == own.split("://", 1)[1]


def _wants_json(request: Request) -> bool:
    if request.mimetype == "application/json":
        return True
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


@dataclass(frozen=True)
class Choice:
    """What one request asks for: the button, the categories and services ticked, where to go next."""

    choice: str
    categories: frozenset[str]
    services: frozenset[str]
    next_path: object
    locale: object


def _names(value: object, field: str, what: str, allowed: Collection[str]) -> frozenset[str]:
    if not isinstance(value, list):
        raise BadChoice(400, "error_bad_request", f'"{field}" must be an array of names')
    unknown = [name for name in value if not isinstance(name, str) or name not in allowed]
    if unknown:
        expected = f"expected some of {', '.join(allowed)}" if allowed else "there are none"
        raise BadChoice(400, "error_bad_request", f"{unknown[0]!r} is not {what}; {expected}")
    return frozenset(value)


def _read_choice(request: Request, services: Collection[str]) -> Choice:
    """The choice in a form or JSON body; a category or service that does not exist is a 400."""
    if request.mimetype == "application/json":
        try:
            data = json.loads(request.get_data(cache=True))
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep to read
            data = None
        if not isinstance(data, dict):
            raise BadChoice(400, "error_bad_request", "the body is not a JSON object")
        fields = {key: data.get(key) for key in ("choice", "next", "locale")}
        categories, chosen = data.get("categories", []), data.get("services", [])
    else:
        fields = {key: request.form.get(key) for key in ("choice", "next", "locale")}
        categories, chosen = request.form.getlist("category"), request.form.getlist("service")
    if fields["choice"] not in CHOICES:
        raise BadChoice(
            400, "error_bad_request", f"choice must be one of {', '.join(CHOICES)}, got {fields['choice']!r}"
        )
    return Choice(
        choice=str(fields["choice"]),
        categories=_names(categories, "categories", "an optional category", OPTIONAL_CATEGORIES),
        services=_names(chosen, "services", "a service this site offers", services),
        next_path=fields["next"],
        locale=fields["locale"],
    )


def decide(asked: Choice, previous: Consent, config: Config) -> Consent:
    """The consent a choice leads to, from the visitor's previous one.

    A ticked category grants all of its services; outside it, each ticked
    service is allowed on its own. "service" (a placeholder's button) adds the
    posted services (or categories) to what was allowed before and leaves the
    visitor as decided or undecided as they were: it never answers the banner
    for the rest. The method is what was pressed; what a choice took back
    from the previous one is logged beside it (``withdrawn``).
    """
    offered, service_categories = config.categories, config.service_categories
    if asked.choice == "accept_all":
        categories, services = frozenset(offered), frozenset(service_categories)
    elif asked.choice == "reject_all":
        categories, services = frozenset(), frozenset()
    elif asked.choice == "custom":
        categories, services = asked.categories & frozenset(offered), asked.services
    else:
        categories, services = previous.granted | asked.categories, previous.services | asked.services
    granted = granted_set(categories & frozenset((NECESSARY, *offered)))
    all_services = services_granted(granted, services, service_categories)
    decided = previous.decided or asked.choice != "service"
    if not decided:
        method = "service"
    elif asked.choice == "service":
        method = "custom"
    else:
        method = asked.choice
    return Consent(
        decided=decided,
        granted=granted,
        policy_version=config.policy_version,
        decided_at=datetime.now(UTC).replace(microsecond=0),
        consent_id=previous.consent_id or new_consent_id(),
        method=method,
        services=all_services,
    )


class Endpoints:
    """consentkit's own URLs, answered for one ``Gatekeeper``."""

    def __init__(self, gatekeeper: Gatekeeper) -> None:
        self.keeper = gatekeeper
        self._warned_proxy = False

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self.respond(environ)(environ, start_response)

    def respond(self, environ: WSGIEnvironment) -> Response:
        """The answer to one request under the prefix; other front doors (Django) call this."""
        request = Request(environ)
        request.max_content_length = MAX_BODY_BYTES
        request.max_form_memory_size = MAX_BODY_BYTES
        try:
            response = self._dispatch(request)
        except HTTPException as exc:  # too large, unreadable form ...
            response = self._error(request, BadChoice(exc.code or 400, "error_bad_request", exc.description or ""))
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        return response

    def _dispatch(self, request: Request) -> Response:
        route = request.environ.get("PATH_INFO", "")[len(self.keeper.prefix) :]
        if route == "/consent":
            if request.method in ("GET", "HEAD"):
                return self._state(request)
            if request.method == "POST":
                try:
                    return self._choose(request)
                except BadChoice as problem:
                    return self._error(request, problem)
            return Response("Method Not Allowed", 405, {"Allow": "GET, HEAD, POST"})
        if request.method not in ("GET", "HEAD"):
            return Response("Method Not Allowed", 405, {"Allow": "GET, HEAD"})
        if route == "/notice":
            return self._notice(request)
        if route.startswith("/static/"):
            return self._static(request, route.removeprefix("/static/"))
        return Response("Not Found", 404, {"Content-Type": "text/plain; charset=utf-8"})

    def _state_json(self, consent: Consent) -> dict[str, Any]:
        config = self.keeper.config
        # An undecided visitor is asked under the current policy, so the state names it too.
        state = consent.to_json(config.categories, tuple(config.service_categories))
        return {**state, "policy_version": config.policy_version}

    def _state(self, request: Request) -> Response:
        consent, gpc_new = self.keeper.resolve(request.environ)
        response = self._json(self._state_json(consent))
        response.headers["Vary"] = "Cookie, Sec-GPC"
        if gpc_new:
            self.keeper.remember(consent, response.headers, request.environ, self.keeper.locale_for(request.environ))
        return response

    def _choose(self, request: Request) -> Response:
        self._check_proxy(request.environ)
        reason = cross_site_reason(request.environ)
        if reason is not None:
            raise BadChoice(403, "error_forbidden", reason, show_detail=reason == PROXY_HINT)
        config = self.keeper.config
        asked = _read_choice(request, config.service_categories)
        locale = pick_locale(asked.locale if isinstance(asked.locale, str) else None, config.locales)
        locale = locale or self.keeper.locale_for(request.environ)
        previous = self.keeper.consent_in(request.environ)
        if asked.choice == "gpc":
            # As the Sec-GPC header would: a refusal for the undecided, nothing over an explicit choice.
            gpc = config.honor_gpc and not previous.decided
            consent = self.keeper.gpc_refusal(previous, store=True) if gpc else previous
        else:
            consent = decide(asked, previous, config)
        # What was pressed is the method; what it took back from the previous choice is kept beside it.
        # Services count only where they were allowed alone: a withdrawn category covers its own.
        categories = previous.granted - consent.granted
        services = {
            service
            for service in previous.services - consent.services
            if config.service_categories.get(service) not in categories
        }
        withdrawn = tuple(sorted(categories | services)) if previous.decided else ()
        request.environ[CONSENT_KEY] = consent
        if _wants_json(request):
            response = self._json(self._state_json(consent))
        else:
            response = Response(status=303, headers={"Location": safe_next(asked.next_path), **_NO_STORE})
        if consent is not previous and consent.stored:
            self.keeper.remember(consent, response.headers, request.environ, locale, withdrawn)
        for header, value in self.keeper.deletions(request.environ, consent):
            response.headers.add(header, value)
        return response

    def _check_proxy(self, environ: WSGIEnvironment) -> None:
        """Tell the site's developer once that the app does not know it is served over https.

        Modern browsers get through on Sec-Fetch-Site, so nothing else would
        show it, yet the consent cookie goes out without ``Secure``.
        """
        if self._warned_proxy or self.keeper.secure is not None or not is_behind_unfixed_proxy(environ):
            return
        self._warned_proxy = True
        log.warning(
            "consentkit: %s; until then the consent cookie lacks Secure and browsers without Sec-Fetch-Site "
            "get 403 on every choice (reported once)",
            PROXY_HINT,
        )

    def _notice(self, request: Request) -> Response:
        lang = request.args.get("lang")
        locale = self.keeper.locale_for(request.environ, pick_locale(lang, self.keeper.config.locales))
        consent, _ = self.keeper.resolve(request.environ)
        html = self.keeper.renderer.notice(
            locale=locale,
            base=endpoint_base(request.environ, self.keeper.prefix),
            consent=consent,
            next_path=safe_next(request.args.get("next", "/")),
            page=True,
        )
        return Response(html, 200, {"Content-Language": locale, **_NO_STORE}, content_type="text/html; charset=utf-8")

    def _static(self, request: Request, name: str) -> Response:
        if name not in STATIC_FILES:
            return Response("Not Found", 404, {"Content-Type": "text/plain; charset=utf-8"})
        version = self.keeper.renderer.static_version
        response = Response(
            files("consentkit").joinpath("static", name).read_bytes(),
            content_type="text/css; charset=utf-8" if name.endswith(".css") else "text/javascript; charset=utf-8",
        )
        immutable = request.args.get("v") == version
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if immutable else "public, max-age=300"
        )
        response.set_etag(f"{version}-{name}")
        return response.make_conditional(request)

    def _json(self, data: dict[str, Any], status: int = 200) -> Response:
        return Response(json.dumps(data), status, {"Content-Type": "application/json", **_NO_STORE})

    def _error(self, request: Request, problem: BadChoice) -> Response:
        locale = self.keeper.locale_for(request.environ)
        message = self.keeper.renderer.texts(locale)(problem.message_key)
        if _wants_json(request):
            return self._json({"error": message, "detail": problem.detail}, problem.status)
        if problem.show_detail:
            message = f"{message} (For the site's developer: {problem.detail}.)"
        html = self.keeper.renderer.message_page(
            locale=locale, base=endpoint_base(request.environ, self.keeper.prefix), message=message, next_path="/"
        )
        return Response(
            html, problem.status, {"Content-Language": locale, **_NO_STORE}, content_type="text/html; charset=utf-8"
        )
