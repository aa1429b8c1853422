"""Starting the auto-gate on one response, alike for every front door (the WSGI and Django middlewares)."""

from __future__ import annotations

from typing import Any

from ..render.inert import Gate
from ..render.widgets import CONSENT_KEY, Widgets, current_path
from .autogate import AutoGate, BodyRewriter
from .gatekeeper import Gatekeeper

Headers = list[tuple[str, str]]


def start_page_rewrite(
    keeper: Gatekeeper,
    autogate: AutoGate,
    status: str,
    headers: Headers,
    denied: frozenset[str],
    environ: dict[str, Any],
    locale: str | None = None,
) -> tuple[Headers, BodyRewriter | None]:
    """The headers to send and the body's rewriter (None: send the body unread) for a visitor who has
    not granted ``denied``; ``environ`` is the WSGI environ or Django's ``request.META``, ``locale``
    the front door's own choice of language for the placeholders, if it has one."""
    allowed = environ[CONSENT_KEY].services  # services allowed alone keep their tags live

    def placeholder(category: str, host: str, service: str | None) -> str:
        # The tag is marked with its service when its host has one: the placeholder then allows it alone.
        html = str(Widgets(keeper, environ, locale).placeholders(Gate(category, service=service), [host]))
        # The rewriter reads any ASCII-compatible page as Latin-1, byte for byte, and writes it back so:
        # "ø" would leave as one Latin-1 byte in a UTF-8 page, and a letter beyond Latin-1 could not
        # leave at all. As character references they read right in every charset.
        return html.encode("ascii", "xmlcharrefreplace").decode("ascii")

    return autogate.start(
        status,
        headers,
        denied=denied,
        method=environ.get("REQUEST_METHOD", "GET"),
        page_path=current_path(environ).partition("?")[0],
        page_host=environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
        placeholder=placeholder,
        allowed_host=lambda host: keeper.config.service_at(host) in allowed,
    )
