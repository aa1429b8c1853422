"""A small site for the consent log's fault tests and load benchmark, run under gunicorn.

``CONSENTKIT_TEST_CONFIG`` names its config (and so its log and spool).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from consentkit import ConsentMiddleware, load_config

PAGE = b"<!doctype html><title>Forside</title><p>Velkommen</p>" * 20


def _site(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", "_ga=GA1.1.1.2; Path=/")])
    return [PAGE]


app = ConsentMiddleware(_site, load_config(os.environ["CONSENTKIT_TEST_CONFIG"]), "load-test-secret-" + "x" * 32)
