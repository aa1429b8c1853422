"""``AutoGate``: whether a response's HTML is rewritten, and the headers that go with it.

A front door (the WSGI middleware, the Django middleware) asks ``start`` once
the app has given its status and headers. It gets the headers to send and a
``BodyRewriter`` to pass the body through, or None: then the body must be sent
as it is, unread. Nothing is parsed for a visitor who has granted every
offered category, for anything but ``text/html``, for HEAD, 204 and 304.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Final

from ...config import Config
from .body import BodyRewriter
from .encoding import coding_for, header_charset
from .policy import Policy, TrackerIndex, Verdict
from .rewriter import HtmlRewriter, Placeholder

log = logging.getLogger("consentkit")

#: How many (page, host) pairs report mode remembers; past that it stops logging new ones.
REPORT_MEMORY: Final = 10_000
_NO_BODY_STATUS: Final = ("1", "204", "304")

Headers = list[tuple[str, str]]


class _Once:
    """Log each key once per process, thread-safely, remembering a bounded number of keys."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, ...]] = set()
        self._lock = threading.Lock()

    def first(self, *key: str) -> bool:
        with self._lock:
            if key in self._seen or len(self._seen) >= REPORT_MEMORY:
                return False
            self._seen.add(key)
            return True


class AutoGate:
    """The ``[gate] html`` setting of one site: "auto", "report" or "off"."""

    def __init__(self, config: Config) -> None:
        self.mode = config.gate.html
        self.offered = frozenset(config.categories)
        self.index = TrackerIndex(config)
        self.report_unknown = config.gate.unknown_scripts == "report"
        self._once = _Once()

    def denied(self, granted: frozenset[str]) -> frozenset[str]:
        """The offered categories the visitor has not granted; empty when there is nothing to do."""
        return frozenset() if self.mode == "off" else self.offered - granted

    def start(
        self,
        status: str,
        headers: Headers,
        *,
        denied: frozenset[str],
        method: str,
        page_path: str,
        page_host: str | None,
        placeholder: Placeholder | None = None,
        allowed_host: Callable[[str], bool] | None = None,
    ) -> tuple[Headers, BodyRewriter | None]:
        """The headers to send, and the rewriter for the body (None: send the body untouched)."""
        content_type = _header(headers, "content-type") or ""
        if self.mode == "off" or content_type.split(";")[0].strip().lower() != "text/html":
            return headers, None
        apply = self.mode == "auto"
        if not denied or method == "HEAD" or status.startswith(_NO_BODY_STATUS):
            return headers, None
        encoding = _header(headers, "content-encoding")
        coding = None
        if encoding and encoding.strip().lower() != "identity":
            coding = coding_for(encoding)
            if coding is None:
                if self._once.first("encoding", encoding):
                    log.warning(
                        'consentkit: text/html responses with "Content-Encoding: %s" pass [gate] html = "%s" '
                        "unread, trackers and all; compress after consentkit (outside it), install the brotli "
                        'module for br (pip install "consentkit[brotli]"), or set [gate] html = "off" to '
                        "silence this",
                        encoding,
                        self.mode,
                    )
                return headers, None
        policy = Policy(
            self.index, denied, page_host, self._report_unknown if self.report_unknown else None, allowed_host
        )
        rewriter = HtmlRewriter(
            policy, apply=apply, placeholder=placeholder, on_hold=None if apply else self._reporter(page_path)
        )
        body = BodyRewriter(rewriter, charset=header_charset(content_type), coding=coding, apply=apply)
        return (_rewritten_headers(headers) if apply else headers), body

    def _reporter(self, page_path: str) -> Callable[[Verdict, str], None]:
        def on_hold(verdict: Verdict, tag: str) -> None:
            if self._once.first("report", page_path, verdict.found_by):
                log.warning(
                    'consentkit [gate] html = "report": would hold back <%s> of %s on %s until %s is allowed',
                    tag,
                    verdict.found_by,
                    page_path,
                    verdict.category,
                )

        return on_hold

    def _report_unknown(self, host: str) -> None:
        if self._once.first("unknown", host):
            log.warning(
                "consentkit: a third-party script from %s, a host no service knows, runs without consent; "
                'add its service, list it under [gate.hosts], or set [gate] unknown_scripts = "block"',
                host,
            )


def _header(headers: Headers, name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _rewritten_headers(headers: Headers) -> Headers:
    """Content-Length cannot be known ahead; an ETag can only be weak; the body depends on the cookie."""
    kept: Headers = []
    for name, value in headers:
        lower = name.lower()
        if lower in ("content-length", "content-md5"):
            continue
        if lower == "etag" and not value.startswith("W/"):
            value = "W/" + value
        kept.append((name, value))
    return kept
