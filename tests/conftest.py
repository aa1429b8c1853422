"""Shared fixtures: configs built from TOML text, an in-memory log, tiny WSGI apps."""

from __future__ import annotations

import hashlib
import textwrap
import tomllib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

from consentkit import ConsentMiddleware
from consentkit.config.load import Config, parse_config
from consentkit.log import ConsentRecord
from consentkit.log.store import KeptText

from .pgcluster import Cluster

if TYPE_CHECKING:
    from playwright.sync_api import Playwright

# The test machine's cores are shared: one example's time measures the neighbours, not the code.
settings.register_profile("shared-machine", deadline=None)
settings.load_profile("shared-machine")

CONFIGS = Path(__file__).parent / "configs"
SECRET = "test-secret-key-of-at-least-32-bytes"

#: The issue's acceptance config plus a marketing service, so every category has something in it.
BASE_TOML = """
policy_version = "2026-11-01"
locales = ["nb", "sv", "en"]
default_locale = "nb"

[controller]
name = "Eksempel Inkasso AS"
email = "personvern@eksempel.no"
country = "NO"

[categories]
functional = true
analytics = true
marketing = true

[[cookies]]
name = "session"
category = "necessary"
provider = "Eksempel Inkasso AS"
duration = "session"
purpose.nb = "Holder deg innlogget."
purpose.sv = "Håller dig inloggad."
purpose.en = "Keeps you signed in."

[[cookies]]
name = "lang"
category = "functional"
duration = "365 days"
purpose.nb = "Husker språkvalget ditt."
purpose.sv = "Kommer ihåg ditt språkval."
purpose.en = "Remembers your language."

[[cookies]]
name = "tracker_*"
category = "marketing"
duration = "30 days"
domain = ".eksempel.no"
purpose.en = "A marketing cookie with a glob name."

[[services]]
preset = "google-analytics"
measurement_id = "G-DEMO123"

[[services]]
preset = "meta-pixel"
pixel_id = "123456789012345"
"""


class ListStore:
    """A ConsentStore that keeps records in a list, for assertions."""

    def __init__(self) -> None:
        self.saved: list[ConsentRecord] = []
        self.texts: dict[str, str] = {}

    def append(self, record: ConsentRecord) -> None:
        self.saved.append(record)

    def append_batch(self, records: Sequence[ConsentRecord], texts: Sequence[KeptText] = ()) -> None:
        for text_hash, canonical in texts:
            self.keep_text(text_hash, canonical)
        self.saved.extend(records)

    def schema_version(self) -> int:
        return 1

    def migrate(self) -> tuple[int, int]:
        return 1, 1

    def describe(self) -> str:
        return "a list in memory"

    def by_consent_id(self, consent_id: str) -> list[ConsentRecord]:
        return [record for record in self.saved if record.consent_id == consent_id]

    def records(self, since: datetime | None = None) -> Iterator[ConsentRecord]:
        return iter([record for record in self.saved if since is None or record.recorded_at >= since])

    def purge(self, before: datetime) -> int:
        kept = [record for record in self.saved if record.recorded_at >= before]
        removed = len(self.saved) - len(kept)
        self.saved = kept
        return removed

    def keep_text(self, text_hash: str, canonical: str) -> None:
        self.texts.setdefault(text_hash, canonical)

    def text(self, text_hash: str) -> str | None:
        return self.texts.get(text_hash)

    def close(self) -> None:
        pass


def config_from(toml: str = BASE_TOML, **top_level: Any) -> Config:
    """A Config from TOML text, with top-level keys replaced."""
    data = tomllib.loads(textwrap.dedent(toml))
    data.update(top_level)
    return parse_config(data)


def cookie_app(*cookies: str, body: bytes = b"<p>hello</p>", content_type: str = "text/html") -> Callable[..., Any]:
    """A WSGI app whose response sets ``cookies`` (raw Set-Cookie values)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        headers = [("Content-Type", content_type), *(("Set-Cookie", cookie) for cookie in cookies)]
        start_response("200 OK", headers)
        return [body]

    return app


@pytest.fixture
def store() -> ListStore:
    return ListStore()


@pytest.fixture
def config() -> Config:
    return config_from()


@pytest.fixture
def make_middleware(store: ListStore, config: Config) -> Callable[..., ConsentMiddleware]:
    def make(app: Callable[..., Any] | None = None, cfg: Config | None = None, **options: Any) -> ConsentMiddleware:
        options.setdefault("store", store)
        return ConsentMiddleware(app or cookie_app(), cfg or config, SECRET, **options)

    return make


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A PostgreSQL server of its own for the session: started on first use, stopped and deleted at the end."""
    cluster = Cluster.create()
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def pg_url(postgres: Cluster, request: pytest.FixtureRequest) -> str:
    """A new, empty database for one test."""
    return postgres.new_database("t_" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16])


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver for the whole run (the browser suite and the audit's own tests): its sync
    API cannot start a second time in a thread while the first is running."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver
