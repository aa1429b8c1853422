"""What a site declares it stores on a visitor's device: one cookie or storage key."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .durations import Duration

STORAGE_KINDS = ("cookie", "local_storage", "session_storage")


@dataclass(frozen=True)
class DeclaredCookie:
    """A cookie or storage key, from the site's ``[[cookies]]`` or a service preset.

    ``name`` may be a glob (``_ga_*``). ``purposes`` maps a locale to the text
    shown in the notice. ``transfer`` lists countries outside the EU/EEA the
    data goes to, and ``transfer_safeguard`` what makes that lawful ("dpf",
    "scc" or "adequacy"; see ``transfers.py``).
    """

    name: str
    category: str
    provider: str
    duration: Duration
    purposes: Mapping[str, str] = field(default_factory=dict)
    storage: str = "cookie"
    third_party: bool = False
    domain: str | None = None
    path: str = "/"
    transfer: tuple[str, ...] = ()
    transfer_safeguard: str | None = None
    service: str | None = None

    @property
    def is_glob(self) -> bool:
        return any(char in self.name for char in "*?[")

    def matcher(self) -> re.Pattern[str]:
        return re.compile(fnmatch.translate(self.name))

    def purpose(self, locale: str, fallbacks: tuple[str, ...] = ()) -> str:
        return in_locale(self.purposes, locale, fallbacks)


def in_locale(texts: Mapping[str, str], locale: str, fallbacks: tuple[str, ...] = ()) -> str:
    """The text in ``locale``, else in the first fallback that has one, else in any locale there is."""
    for candidate in (locale, *fallbacks):
        if candidate in texts:
            return texts[candidate]
    return next(iter(texts.values()), "")
