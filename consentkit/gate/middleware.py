"""``ConsentMiddleware``: the tracking gate in front of any WSGI app.

For every request it reads the visitor's consent from the signed cookie and
puts it in ``environ["consentkit.consent"]``. In the app's response it removes
each ``Set-Cookie`` whose cookie belongs to a category the visitor has not
granted, in that same response, before anything reaches the browser.

With ``[gate] html = "auto"`` (the default) a ``text/html`` body is passed
through the auto-gate (``autogate/``) while it streams, for a visitor who has
not granted every category: tracker tags come out inert. Any other body, and
every body of a visitor who granted everything, is returned as the app's own
iterable, never read, so streaming, ``close()`` and ``wsgi.file_wrapper`` work
unchanged.

Requests under the prefix (``/consentkit``) are answered by ``Endpoints``.

Every HTML response varies on ``Cookie``. Whether a page used the consent is
known only once its body has been produced, and a streamed page may read it
after ``start_response`` (a generator rendering its template chunk by chunk);
the headers cannot wait for that without buffering or delaying the body. The
banner and the ``{% consent %}`` blocks live in HTML, so HTML is where the
consent shows; JSON and other types vary only when they read it before
``start_response``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import MethodType
from typing import TYPE_CHECKING, Any, Final, cast

from ..config import Config
from ..consent import COOKIE_NAME, UNDECIDED, Consent
from ..log import ConsentStore
from ..render.widgets import CONSENT_KEY, MIDDLEWARE_KEY, VARIES_KEY
from .autogate import AutoGate, BodyRewriter
from .consent_cookie import SecretKeys
from .endpoints import Endpoints
from .gatekeeper import Gatekeeper, LocaleSelector
from .page_rewrite import start_page_rewrite

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["ConsentMiddleware", "LocaleSelector"]

#: What ``rewriter`` holds until the app has called start_response.
_NOT_STARTED: Final = object()
#: How many sets of granted categories (at most 2**4 come from cookies) and Content-Type values are remembered.
_REMEMBERED: Final = 64


class ConsentMiddleware(Gatekeeper):
    """Wrap ``app`` so that no cookie leaves without the consent its category needs.

    Takes the same arguments as ``Gatekeeper``, with the WSGI ``app`` first.
    """

    def __init__(
        self,
        app: WSGIApplication,
        config: Config,
        secret_key: SecretKeys,
        *,
        prefix: str = "/consentkit",
        session_cookie_name: str | None = None,
        locale_selector: LocaleSelector | None = None,
        store: ConsentStore | None = None,
        spool: str | Path | None = None,
        secure: bool | None = None,
        debug: bool = False,
    ) -> None:
        super().__init__(
            config,
            secret_key,
            prefix=prefix,
            session_cookie_name=session_cookie_name,
            locale_selector=locale_selector,
            store=store,
            spool=spool,
            secure=secure,
            debug=debug,
        )
        self.app = app
        self._endpoints = Endpoints(self)
        self._endpoint_root = self.prefix + "/"
        self.autogate = AutoGate(config)
        #: The categories the auto-gate holds back, for each set of granted ones met so far (few).
        self._denied: dict[frozenset[str], frozenset[str]] = {}
        #: Whether each Content-Type value met so far is HTML (few: apps send the same few strings).
        self._html_types: dict[str, bool] = {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # Everything here runs on every request, most often for a JSON or asset response without a
        # Set-Cookie: that path is written out (resolve, screen) and costs about a microsecond; what only
        # an endpoint, a consent cookie, a GPC header, a Set-Cookie or an HTML page needs is done only then.
        try:
            path = environ["PATH_INFO"]  # a subscript costs less than get(), and a server always sets it
        except KeyError:
            path = ""
        if self.prefix in path and path.startswith(self._endpoint_root):
            return self._endpoints(environ, start_response)
        if not self._shipping:
            self.start_shipping()
        consent = UNDECIDED  # a visitor without the cookie costs one look for its name
        # `in` and a subscript: 0.02 µs less than get() and a test of what it gave (PEP 3333: a str if set).
        if "HTTP_COOKIE" in environ and COOKIE_NAME in (cookie_header := environ["HTTP_COOKIE"]):
            consent = self.codec.consent_in_header(cookie_header)
        if "HTTP_SEC_GPC" in environ and not consent.decided:
            consent, gpc_new = self.with_gpc(consent, environ)
            if gpc_new:
                start_response = self._storing_gpc(start_response, consent, environ)
        environ[CONSENT_KEY] = consent
        environ[MIDDLEWARE_KEY] = self
        # What the app's start_response needs of this request, and the body's rewriter it chooses (None: the
        # body passes unread; _NOT_STARTED until the app calls it, which a streaming app does only once its
        # body is iterated). A list bound to a module function costs 0.06 µs less per request than a new
        # closure with these as defaults and the rewriter in a cell.
        response: _Response = [self, consent, environ, start_response, _NOT_STARTED]
        body = self.app(environ, MethodType(_gated_start_response, response))
        rewriter = response[_REWRITER]
        if rewriter is None or (rewriter is _NOT_STARTED and not self._denied_by(consent.granted)):
            return body
        return _RewrittenBody(body, lambda: _chosen_rewriter(response))

    def _storing_gpc(self, start_response: StartResponse, consent: Consent, environ: WSGIEnvironment) -> StartResponse:
        """``start_response`` adding the cookie that stores a new GPC refusal, which is logged once.

        An app may call start_response again (with exc_info) for an error page:
        the new headers need the cookie too, but the decision is logged once.
        """
        recorded = False

        def storing(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            nonlocal recorded
            headers = [*headers, self.consent_cookie(consent, environ)]
            if not recorded:
                recorded = True
                self.record(consent, self.locale_for(environ))
            return start_response(status, headers, exc_info)

        return storing

    def _denied_by(self, granted: frozenset[str]) -> frozenset[str]:
        """The categories the auto-gate holds back from a visitor who granted ``granted``."""
        denied = self._denied.get(granted)
        if denied is None:
            denied = self.autogate.denied(granted)
            if len(self._denied) < _REMEMBERED:
                self._denied[granted] = denied
        return denied

    def _remember_html_type(self, content_type: str) -> bool:
        """Whether ``content_type`` (a value ``screen`` let through: no CR, LF or NUL) is HTML, remembered."""
        html = _is_html_type(content_type)
        if len(self._html_types) < _REMEMBERED:
            self._html_types[content_type] = html
        return html

    def _autogate_start(
        self, status: str, headers: list[tuple[str, str]], denied: frozenset[str], environ: WSGIEnvironment
    ) -> tuple[list[tuple[str, str]], BodyRewriter | None]:
        return start_page_rewrite(self, self.autogate, status, headers, denied, environ)


#: One request's ``[middleware, consent, environ, server's start_response, rewriter]``.
_Response = list[Any]
_REWRITER: Final = 4


def _gated_start_response(
    response: _Response, status: str, headers: list[tuple[str, str]], exc_info: Any = None
) -> Any:
    """The ``start_response`` the app gets, bound to its request's ``response`` list: no Set-Cookie leaves
    that the visitor has not consented to, an HTML page varies on Cookie and goes through the auto-gate."""
    middleware: ConsentMiddleware
    consent: Consent
    environ: WSGIEnvironment
    start_response: StartResponse
    middleware, consent, environ, start_response, _ = response
    # Gatekeeper.screen, written out for headers it has met and that it passes: each costs a set look-up
    # and isprintable() (False for CR, LF and NUL, as for much else, which screen then looks at); a
    # Content-Type value already in _html_types is known to be clean. Anything else (a Set-Cookie, a new
    # name or value) goes to screen itself.
    plain = middleware._plain_headers
    html_types = middleware._html_types
    content_type = None
    html: bool | None = False
    for name, value in headers:
        if name in plain:
            if value.isprintable():
                continue
        elif content_type is None and name in middleware._content_type_headers:
            try:
                html = html_types[value]  # a subscript costs less than get() and a test of what it gave
            except KeyError:
                pass
            else:
                content_type = value
                continue
        headers, content_type = middleware.screen(headers, consent, environ)
        html = False if content_type is None else html_types.get(content_type)
        if html is None:
            html = middleware._remember_html_type(cast(str, content_type))
        break
    if html:
        headers = _vary_on_cookie(headers)
        denied = middleware._denied_by(consent.granted)
        if denied:
            headers, chosen = middleware._autogate_start(status, headers, denied, environ)
            if chosen is not None:
                response[_REWRITER] = chosen
                return _rewriting_write(start_response(status, headers, exc_info), chosen)
    elif VARIES_KEY in environ and environ[VARIES_KEY]:  # noqa: RUF019  (`in` is cheaper than get())
        headers = _vary_on_cookie(headers)
    response[_REWRITER] = None
    return start_response(status, headers, exc_info)


def _chosen_rewriter(response: _Response) -> BodyRewriter | None:
    """The rewriter the app's start_response chose so far; None before it was called, or when it chose none."""
    rewriter = response[_REWRITER]
    return None if rewriter is _NOT_STARTED else cast(BodyRewriter, rewriter)


class _RewrittenBody:
    """The app's body, through the auto-gate's rewriter once start_response has chosen one.

    The app may call start_response only when its body is first iterated, so
    ``rewriter()`` (the choice so far, None: pass the chunk on) is asked per
    chunk. ``close()`` is passed on, as WSGI requires.
    """

    def __init__(self, body: Iterable[bytes], rewriter: Callable[[], BodyRewriter | None]) -> None:
        self._body = body
        self._rewriter = rewriter

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._body:
            rewriter = self._rewriter()
            if rewriter is None:
                yield chunk
                continue
            out = rewriter.feed(chunk)
            if out:
                yield out
        rewriter = self._rewriter()
        if rewriter is not None:
            tail = rewriter.finish()
            if tail:
                yield tail

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            close()


def _rewriting_write(write: Callable[[bytes], Any], rewriter: BodyRewriter) -> Callable[[bytes], Any]:
    """The legacy ``write()`` callable, through the same rewriter as the body."""

    def rewritten(data: bytes) -> Any:
        return write(rewriter.feed(data))

    return rewritten


def is_html(headers: Iterable[tuple[str, str]]) -> bool:
    """True for an HTML response: its content depends on the consent whether or not a helper said so."""
    for name, value in headers:
        if name.lower() == "content-type":
            return _is_html_type(value)
    return False


def _is_html_type(content_type: str) -> bool:
    return content_type.lstrip().lower().startswith(("text/html", "application/xhtml+xml"))


def _vary_on_cookie(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Add ``Cookie`` to ``Vary``: a shared cache must not serve one visitor's consent state to another."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == "vary":
            fields = {field.strip().lower() for field in value.split(",")}
            if "cookie" in fields or "*" in fields:
                return headers
            return [*headers[:index], (name, f"{value}, Cookie"), *headers[index + 1 :]]
    return [*headers, ("Vary", "Cookie")]
