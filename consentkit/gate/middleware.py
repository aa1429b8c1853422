"""``ConsentMiddleware``: the tracking gate in front of any WSGI app.

For every request it reads the visitor's consent from the signed cookie and
puts it in ``environ["consentkit.consent"]``. In the app's response it removes
each ``Set-Cookie`` whose cookie belongs to a category the visitor has not
granted, in that same response, before anything reaches the browser. The body
is never read: the app's iterable is returned as it is, so streaming, ``close()``
and ``wsgi.file_wrapper`` work unchanged.

Requests under the prefix (``/consentkit``) are answered by ``Endpoints``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers

from ..config import Config
from ..log import ConsentStore
from ..render.widgets import CONSENT_KEY, MIDDLEWARE_KEY, VARIES_KEY
from .consent_cookie import SecretKeys
from .endpoints import Endpoints
from .gatekeeper import Gatekeeper, LocaleSelector

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["ConsentMiddleware", "LocaleSelector"]


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
        secure: bool | None = None,
    ) -> None:
        super().__init__(
            config,
            secret_key,
            prefix=prefix,
            session_cookie_name=session_cookie_name,
            locale_selector=locale_selector,
            store=store,
            secure=secure,
        )
        self.app = app
        self._endpoints = Endpoints(self)
        self._endpoint_root = self.prefix + "/"

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(self._endpoint_root):
            return self._endpoints(environ, start_response)
        consent, gpc_new = self.resolve(environ)
        environ[CONSENT_KEY] = consent
        environ[MIDDLEWARE_KEY] = self
        granted = consent.granted

        def gated_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = self.gate(headers, granted, environ)
            if environ.get(VARIES_KEY):
                headers = _vary_on_cookie(headers)
            if gpc_new:
                with_cookie = Headers(headers)
                self.remember(consent, with_cookie, environ, self.locale_for(environ))
                headers = with_cookie.to_wsgi_list()
            return start_response(status, headers, exc_info)

        return self.app(environ, gated_start_response)


def _vary_on_cookie(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Add ``Cookie`` to ``Vary``: a shared cache must not serve one visitor's consent state to another."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == "vary":
            fields = {field.strip().lower() for field in value.split(",")}
            if "cookie" in fields or "*" in fields:
                return headers
            return [*headers[:index], (name, f"{value}, Cookie"), *headers[index + 1 :]]
    return [*headers, ("Vary", "Cookie")]
