"""The leak corpus (tests/autogate_corpus/) and the site config it is served with, for both test layers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .conftest import config_from

CORPUS = Path(__file__).parent / "autogate_corpus"

#: Matomo is self-hosted (its host comes from the service's url); stats.eksempel.test is added in [gate.hosts].
CORPUS_SERVICES: list[dict[str, Any]] = [
    {"preset": "google-analytics", "measurement_id": "G-DEMO123"},
    {"preset": "meta-pixel", "pixel_id": "1234567890123"},
    {"preset": "matomo", "url": "https://matomo.eksempel.test/", "site_id": "1"},
]
CORPUS_GATE: dict[str, Any] = {"html": "auto", "hosts": {"analytics": ["stats.eksempel.test"]}}


@dataclass(frozen=True)
class CorpusPage:
    name: str
    html: str
    #: The tracker hosts the page contacts once everything is accepted.
    after: frozenset[str]


def corpus_pages() -> list[CorpusPage]:
    pages = []
    for path in sorted(CORPUS.glob("*.html")):
        html = path.read_text(encoding="utf-8")
        first = html.splitlines()[0]
        if not first.startswith("<!-- after:"):
            raise ValueError(f"{path.name}: the first line must be <!-- after: host ... -->")
        hosts = first.removeprefix("<!-- after:").removesuffix("-->").split()
        pages.append(CorpusPage(path.stem, html, frozenset(hosts)))
    return pages


def corpus_config(**gate: Any) -> Any:
    return config_from(services=CORPUS_SERVICES, gate={**CORPUS_GATE, **gate})


def youtube_config(**gate: Any) -> Any:
    """The corpus config with YouTube enabled too: its embeds are held back under its own service."""
    return config_from(services=[*CORPUS_SERVICES, {"preset": "youtube"}], gate={**CORPUS_GATE, **gate})
