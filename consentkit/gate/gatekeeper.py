"""``Gatekeeper``: one site's consent rules, shared by every front door.

It reads a visitor's consent from the signed cookie, decides which
``Set-Cookie`` headers may leave, writes the consent cookie and the log
record, and expires what a withdrawal denies. The WSGI middleware and its
endpoints are front doors to it; it knows nothing about requests beyond the
WSGI environ.
"""

from __future__ import annotations

import json
import logging
import re
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Final

from werkzeug.datastructures import Headers

from ..config import Config
from ..consent import COOKIE_NAME, UNDECIDED, Consent, new_consent_id
from ..forks import Forks
from ..log import ConsentRecord, ConsentStore, open_store
from ..log.impressions import ImpressionCounter
from ..log.record import utc_now
from ..log.spool import Spool
from ..log.writer import DirectWriter, LogWriter, SpoolWriter, keeps_impressions
from ..render.i18n import negotiate_locale, pick_locale
from ..render.renderer import Renderer
from .classify import Classifier
from .consent_cookie import ConsentCookieCodec, SecretKeys, check_secret_keys
from .setcookie import deletion_headers, host_domains, is_deletion, request_cookies, set_cookie_name

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

log = logging.getLogger("consentkit")

LocaleSelector = Callable[["WSGIEnvironment"], "str | None"]

#: One withdrawal expires at most this many cookie variants, in at most this many
#: bytes: the Cookie and Host headers are the visitor's to choose, the response
#: must stay small whatever they say (a browser holds about 180 cookies per site).
MAX_DELETION_HEADERS: Final = 300
MAX_DELETION_BYTES: Final = 48 * 1024

# RFC 9110 token: what a header name may be. Anything else (a trailing space, a tab)
# is a header some servers pass on and some clients read as Set-Cookie.
_TOKEN: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_SEEN_NAMES_LIMIT: Final = 256
# What a response header is to the gate (Gatekeeper._header_kind).
_OTHER: Final = 0
_SET_COOKIE: Final = 1
_CONTENT_TYPE: Final = 2
_MALFORMED: Final = 3


class Gatekeeper:
    """One site's consent rules, for any front door (WSGI, Django): read, gate, store, log.

    :param config: from ``load_config``.
    :param secret_key: signs the consent cookie; a list (oldest to newest) rotates keys.
    :param prefix: where the consent, notice and static URLs live.
    :param session_cookie_name: the app's own session cookie, always necessary.
    :param necessary_cookies: the framework's other cookies that are always
        necessary (Django's CSRF and language cookies, for example).
    :param locale_selector: ``environ -> locale`` when the site knows the
        visitor's language better than ``Accept-Language`` does.
    :param store: the consent log; by default opened from ``config.log_url``.
    :param spool: the folder each process spools decisions to before a
        background thread ships them to the store (``config.spool_folder`` by
        default). A ``store`` passed in is written directly, in the request,
        unless a ``spool`` is passed too.
    :param secure: force the cookie's ``Secure`` flag on or off; by default it
        follows ``wsgi.url_scheme`` (use ProxyFix behind a TLS proxy).
    :param debug: development mode: a weak ``secret_key`` (shorter than 32
        bytes, or one from consentkit's examples) is only warned about instead
        of refused. The Flask extension passes ``app.debug``.
    """

    def __init__(
        self,
        config: Config,
        secret_key: SecretKeys,
        *,
        prefix: str = "/consentkit",
        session_cookie_name: str | None = None,
        necessary_cookies: Iterable[str] = (),
        locale_selector: LocaleSelector | None = None,
        store: ConsentStore | None = None,
        spool: str | Path | None = None,
        secure: bool | None = None,
        debug: bool = False,
    ) -> None:
        if not prefix.startswith("/") or prefix.rstrip("/") == "":
            raise ValueError(f'prefix must be a path such as "/consentkit", got {prefix!r}')
        check_secret_keys(secret_key, debug=debug)
        self.config = config
        self.prefix = prefix.rstrip("/")
        self.locale_selector = locale_selector
        self.secure = secure
        self.codec = ConsentCookieCodec(
            secret_key,
            config.policy_version,
            config.consent_max_age_days * 86_400,
            offered=config.categories,
            services=config.service_categories,
        )
        necessary = [COOKIE_NAME, *([session_cookie_name] if session_cookie_name else []), *necessary_cookies]
        self.classifier = Classifier(
            config.cookies, (cookie for service in config.services for cookie in service.cookies), necessary
        )
        self.renderer = Renderer(config, session_cookie_name)
        self.store = store if store is not None else open_store(config.log_url)
        self.log_writer = _writer_for(self.store, config, spool, own_store=store is None)
        #: Banner impressions for the marketers' report, where the store can keep them.
        self.impressions = ImpressionCounter(self.log_writer) if keeps_impressions(self.store) else None
        self._allow_undeclared = config.undeclared_cookies == "allow"
        self._honor_gpc = config.honor_gpc
        #: Whether this process has started the log's shipping (a fork, and close(), set it back to False).
        self._shipping = False
        _Process.gatekeepers.add(self)
        self._kept_texts: set[str] = set()
        #: What each well-formed response header name is to the gate, so that a name is looked at once.
        self._header_kinds: dict[str, int] = {}
        #: The names among them that are neither Set-Cookie nor Content-Type, and those that are Content-Type:
        #: sets, for the middleware's own pass over the headers (``name in set`` is its cheapest test).
        self._plain_headers: set[str] = set()
        self._content_type_headers: set[str] = set()
        self._warned_headers: set[str] = set()
        self._warned_deletion_cap = False
        domain = f"; Domain={config.cookie_domain}" if config.cookie_domain else ""
        self._cookie_attributes = f"; Max-Age={self.codec.max_age_seconds}; Path=/{domain}; HttpOnly; SameSite=Lax"

    def resolve(self, environ: WSGIEnvironment) -> tuple[Consent, bool]:
        """The visitor's consent, and whether it is a new GPC refusal to store and log.

        GPC (``Sec-GPC: 1``) counts as a refusal of everything optional for a
        visitor who has not decided; an explicit choice always wins, also a
        service allowed alone from its placeholder, which the refusal keeps.
        Only a page navigation stores it, so that the images and scripts of one
        page view do not each log a decision.
        """
        if not self._shipping:
            self.start_shipping()
        consent = self.consent_in(environ)
        if consent.decided or "HTTP_SEC_GPC" not in environ:
            return consent, False
        return self.with_gpc(consent, environ)

    def start_shipping(self) -> None:
        """Start the log's shipping in this process: a new worker ships what killed ones left in the
        spool without waiting for its first decision. A front door calls it when ``_shipping`` is False
        (an attribute test: it runs on every request)."""
        self.log_writer.start()
        self._shipping = True

    def with_gpc(self, consent: Consent, environ: WSGIEnvironment) -> tuple[Consent, bool]:
        """``resolve`` for a visitor who has not decided and sent a ``Sec-GPC`` header."""
        if not self._honor_gpc or environ.get("HTTP_SEC_GPC") != "1":
            return consent, False
        navigation = _is_navigation(environ)
        return self.gpc_refusal(consent, store=navigation), navigation

    def consent_in(self, environ: WSGIEnvironment) -> Consent:
        """The consent the request's cookie carries, GPC not taken into account."""
        cookie_header = environ.get("HTTP_COOKIE")
        if not cookie_header or COOKIE_NAME not in cookie_header:
            return UNDECIDED
        return self.codec.consent_in_header(cookie_header)

    def gpc_refusal(self, before: Consent, *, store: bool) -> Consent:
        """GPC's refusal of everything optional, keeping the services ``before`` allowed alone."""
        return Consent(
            decided=True,
            policy_version=self.config.policy_version,
            decided_at=utc_now().replace(microsecond=0),
            consent_id=(before.consent_id or new_consent_id()) if store else None,
            method="gpc",
            services=before.services,
        )

    def gate(self, headers: list[tuple[str, str]], consent: Consent, environ: WSGIEnvironment) -> list[tuple[str, str]]:
        """``headers`` without the Set-Cookie headers the visitor has not consented to.

        A cookie passes when its category is granted, or when the service that
        declared it is allowed on its own. Malformed headers go too: a name that
        is not a token (``Set-Cookie `` with a trailing space) or a value with CR
        or LF (a Set-Cookie smuggled into another header, which some servers
        write out as given).
        """
        return self.screen(headers, consent, environ)[0]

    def screen(
        self, headers: list[tuple[str, str]], consent: Consent, environ: WSGIEnvironment
    ) -> tuple[list[tuple[str, str]], str | None]:
        """``gate(headers, ...)``, and the Content-Type of what is left (None without one), in one pass.

        It runs on every response: each header costs one dict look-up by its
        exact name and a look for line breaks, and the list is copied only
        when a header is dropped.
        """
        kinds = self._header_kinds
        content_type = None
        dropped: list[tuple[str, str]] | None = None
        for header in headers:
            name, value = header
            kind = kinds.get(name)
            if kind is None:
                kind = self._header_kind(name)
            if "\n" in value or "\r" in value or "\0" in value or kind == _MALFORMED:
                self._warn_malformed(name, value, environ)
            elif kind == _OTHER:
                continue
            elif kind == _CONTENT_TYPE:
                if content_type is None:
                    content_type = value
                continue
            elif not self.blocks(value, consent, environ):  # a Set-Cookie
                continue
            if dropped is None:
                dropped = []
            dropped.append(header)
        if dropped is None:
            return headers, content_type
        log.debug("consentkit: blocked %d header(s) on %s", len(dropped), environ.get("PATH_INFO"))
        # A header equal to a dropped one is dropped too: the same value gets the same answer.
        return [header for header in headers if header not in dropped], content_type

    def _header_kind(self, name: str) -> int:
        """``_SET_COOKIE``, ``_CONTENT_TYPE``, ``_OTHER`` or ``_MALFORMED`` (not a token); remembered while few."""
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            return _MALFORMED
        lower = name.lower()
        kind = _SET_COOKIE if lower == "set-cookie" else _CONTENT_TYPE if lower == "content-type" else _OTHER
        if len(self._header_kinds) < _SEEN_NAMES_LIMIT:
            self._header_kinds[name] = kind
            if kind == _OTHER:
                self._plain_headers.add(name)
            elif kind == _CONTENT_TYPE:
                self._content_type_headers.add(name)
        return kind

    def _warn_malformed(self, name: str, value: str, environ: WSGIEnvironment) -> None:
        if name in self._warned_headers or len(self._warned_headers) >= _SEEN_NAMES_LIMIT:
            return
        self._warned_headers.add(name)
        problem = "a value with CR, LF or NUL" if _TOKEN.fullmatch(name) else "a name that is not a token"
        log.warning(
            "consentkit: dropped the response header %r (%s) from %s %s; a header name must be a token "
            "and a value must not break the line, or a Set-Cookie could pass the gate unseen "
            "(reported once per header name)",
            name,
            problem,
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
        )

    def blocks(self, set_cookie: str, consent: Consent, environ: WSGIEnvironment) -> bool:
        """True if the ``Set-Cookie`` header value ``set_cookie`` must not reach the browser.

        A cookie passes when its category is granted, or when the service that declared it is allowed on its own.
        """
        cookie = set_cookie_name(set_cookie)
        found = self.classifier.classify(cookie)
        if found is None:
            if self._allow_undeclared:
                return False
            self.classifier.warn_undeclared(
                cookie, f"set by {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
            )
        elif consent.allows(found.category) or (found.service is not None and consent.allows(found.service)):
            return False
        return not is_deletion(set_cookie)

    def deletions(self, environ: WSGIEnvironment, consent: Consent) -> list[tuple[str, str]]:
        """Set-Cookie headers expiring every cookie the browser sent that ``consent`` denies.

        Each known cookie is expired host-only and on every domain and path it
        may have been set on, since a browser deletes only an exact match: the
        declared domain, ``cookie_domain``, and the request host up to its
        registrable domain (nearest that first, where trackers write). Each
        name counts once, and the whole is capped (``MAX_DELETION_HEADERS``,
        ``MAX_DELETION_BYTES``), so no request can make the answer large.
        """
        headers: list[tuple[str, str]] = []
        size = 0
        parents = host_domains(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))[::-1]
        names = dict.fromkeys(name for name, _ in request_cookies(environ.get("HTTP_COOKIE", "")))
        for name in names:
            if not name or not _TOKEN.fullmatch(name):
                continue  # no browser holds it, and it must not reach a header
            found = self.classifier.classify(name)
            if found is None or consent.allows(found.category):
                continue
            if found.service is not None and consent.allows(found.service):
                continue
            declared = found.declaration
            variants = deletion_headers(
                name,
                [None, declared.domain if declared else None, self.config.cookie_domain, *parents],
                ["/", declared.path if declared else "/"],
            )
            for header in variants:
                size += len(header[1])
                if len(headers) >= MAX_DELETION_HEADERS or size > MAX_DELETION_BYTES:
                    if not self._warned_deletion_cap:
                        self._warned_deletion_cap = True
                        log.warning(
                            "consentkit: a choice sent more denied cookies than one response expires; stopped "
                            "at %d Set-Cookie headers (reported once)",
                            len(headers),
                        )
                    return headers
                headers.append(header)
        return headers

    def remember(
        self,
        consent: Consent,
        headers: Headers,
        environ: WSGIEnvironment,
        locale: str,
        withdrawn: tuple[str, ...] = (),
    ) -> None:
        """Add the consent cookie to ``headers`` and log the decision."""
        headers.add(*self.consent_cookie(consent, environ))
        self.record(consent, locale, withdrawn)

    def consent_cookie(self, consent: Consent, environ: WSGIEnvironment) -> tuple[str, str]:
        """The Set-Cookie header that stores ``consent`` in the browser."""
        secure = self.secure if self.secure is not None else environ.get("wsgi.url_scheme") == "https"
        value = self.codec.dumps(consent)
        return ("Set-Cookie", f"{COOKIE_NAME}={value}{self._cookie_attributes}{'; Secure' if secure else ''}")

    def record(self, consent: Consent, locale: str, withdrawn: tuple[str, ...] = ()) -> None:
        """Append the decision to the log; a failing log never fails the visitor's request.

        ``withdrawn``: the categories and services this decision takes back from the visitor's previous one.
        """
        offered = self.config.categories
        services = self.config.service_categories
        record = ConsentRecord(
            consent_id=consent.consent_id or "",
            recorded_at=utc_now(),
            policy_version=self.config.policy_version,
            text_hash=self.renderer.text_hash(locale),
            granted=tuple(category for category in offered if consent.allows(category)),
            denied=tuple(category for category in offered if not consent.allows(category)),
            method=consent.method or "",
            locale=locale,
            withdrawn=tuple(name for name in (*offered, *services) if name in withdrawn),
            services_granted=tuple(service for service in services if consent.allows(service)),
            services_denied=tuple(service for service in services if not consent.allows(service)),
        )
        text = None
        if record.text_hash not in self._kept_texts:
            text = (record.text_hash, self.renderer.canonical_texts(locale))
        try:
            self.log_writer.append(record, text)
        except Exception:
            # Keep the record recoverable from the server log.
            log.exception(
                "consentkit: could not write to the consent log; the record was %s", json.dumps(record.to_json())
            )
        else:
            self._kept_texts.add(record.text_hash)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until what this process spooled has reached the store; False if not within ``timeout`` s."""
        return self.log_writer.flush(timeout)

    def count_banner_impression(self, locale: str) -> None:
        """A page view showed the banner: one more in today's sum for the report, nothing about the visitor."""
        if self.impressions is not None:
            self.impressions.count(locale, self.config.policy_version)

    def close(self) -> None:
        """Ship what this process spooled (a store that is down leaves it for the next writer) and close the log."""
        if self.impressions is not None:
            self.impressions.close()  # first: its last sums go through the writer
        self.log_writer.close()
        self._shipping = False  # a request after this starts shipping again, as before the first
        self.store.close()

    def locale_for(self, environ: WSGIEnvironment, requested: str | None = None) -> str:
        """The visitor's locale: asked for by the caller, then by the site's selector, then by the browser."""
        return requested or self.selected_locale(environ) or self.browser_locale(environ.get("HTTP_ACCEPT_LANGUAGE"))

    def selected_locale(self, environ: WSGIEnvironment) -> str | None:
        """The locale the site's selector names for this request, mapped onto the config's; None if none."""
        if self.locale_selector is None:
            return None
        try:
            chosen = self.locale_selector(environ)
            return pick_locale(chosen, self.config.locales) if chosen else None
        except Exception:
            log.exception("consentkit: the locale_selector raised; using Accept-Language instead")
            return None

    def browser_locale(self, accept_language: str | None) -> str:
        """The config's locale an ``Accept-Language`` header asks for (its default without one; the answers
        are kept, bounded, by ``negotiate_locale``)."""
        return negotiate_locale(accept_language, self.config.locales, self.config.default_locale)


class _Process:
    """Every gatekeeper of this process: a forked child (a gunicorn worker) has no threads, so each
    starts its log's shipping again there."""

    #: Every gatekeeper of this process, told after a fork that its shipping thread stayed behind.
    gatekeepers: ClassVar[weakref.WeakSet[Gatekeeper]] = weakref.WeakSet()

    @classmethod
    def forked(cls) -> None:
        for gatekeeper in list(cls.gatekeepers):
            gatekeeper._shipping = False


Forks.after(_Process.forked)


def _writer_for(store: ConsentStore, config: Config, spool: str | Path | None, *, own_store: bool) -> LogWriter:
    """The spool in front of the configured store; a store passed in code is written directly unless
    a spool is passed too. An in-memory SQLite log has no spool: its writer thread would see another
    database than the rest of the process."""
    if spool is None and (not own_store or config.log_url == "sqlite:///:memory:"):
        return DirectWriter(store)
    return SpoolWriter(store, Spool(spool if spool is not None else config.spool_folder))


def _is_navigation(environ: WSGIEnvironment) -> bool:
    destination = environ.get("HTTP_SEC_FETCH_DEST")
    if destination is not None:
        return destination in ("document", "iframe")
    return "text/html" in environ.get("HTTP_ACCEPT", "")
