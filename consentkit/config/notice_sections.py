"""Paragraphs a site adds to its cookie notice, per locale: ``[[notice_sections]]``.

Each section has a heading and text per locale and names the part of the
notice it follows (``after``), so that a site can explain, say, its card
payments right after the cookie table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from .declarations import in_locale
from .reader import Table

#: Parts of the notice a section may follow, in the order they appear.
ANCHORS: Final = ("intro", "what", "choice", "cookies", "services", "basis", "withdraw", "log", "controller")


@dataclass(frozen=True)
class NoticeSection:
    headings: Mapping[str, str] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    after: str = "controller"

    def heading(self, locale: str, fallback: str) -> str:
        return in_locale(self.headings, locale, (fallback,))

    def paragraphs(self, locale: str, fallback: str) -> list[str]:
        """The text split at blank lines; each part becomes a paragraph."""
        text = in_locale(self.texts, locale, (fallback,))
        return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


def read_sections(
    tables: list[Table], locales: tuple[str, ...], supported: tuple[str, ...]
) -> tuple[NoticeSection, ...]:
    sections = []
    for table in tables:
        localized: dict[str, dict[str, str]] = {}
        for key in ("heading", "text"):
            localized[key] = table.localized(key, supported, required=True)
            missing = [locale for locale in locales if locale not in localized[key]]
            if localized[key] and missing:
                table.problems.warn(
                    table.key_path(key), f"no text for {', '.join(missing)}; that notice shows another language"
                )
        after = table.choice("after", ANCHORS, "controller")
        table.finish(("heading", "text", "after"))
        sections.append(NoticeSection(localized["heading"], localized["text"], after))
    return tuple(sections)
