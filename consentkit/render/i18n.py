"""Compiled gettext catalogs, and which locale a visitor gets.

Catalogs are compiled from ``locales/`` into the package at build time (see
``hatch_build.py``), so an installed wheel needs no Babel tooling.
"""

from __future__ import annotations

import gettext
import logging
from functools import cache, lru_cache
from importlib.resources import files
from typing import Final

log = logging.getLogger("consentkit")

DOMAIN: Final = "consentkit"

#: What a browser's language (primary subtag) reaches, best first, among the locales a site offers.
#: Bokmål and nynorsk are one language written two ways: a reader of one reads the other far better
#: than any third language, so each falls back on the other. ``no`` is Norwegian unspecified: bokmål.
#: ``sv-FI`` is Swedish as written in Finland and gets sv, as the subtag says.
LANGUAGE_CHOICES: Final[dict[str, tuple[str, ...]]] = {
    "nb": ("nb", "nn"),
    "no": ("nb", "nn"),
    "nn": ("nn", "nb"),
    "sv": ("sv",),
    "da": ("da",),
    "fi": ("fi",),
    "en": ("en",),
}

_MAX_ACCEPT_LANGUAGE = 512


@cache
def translations(locale: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The catalog of ``locale`` in ``domain``; English message ids when it is missing."""
    from babel.support import Translations  # Babel loads on first render, not on import

    directory = str(files("consentkit").joinpath("locales"))
    loaded = Translations.load(directory, [locale], domain=domain)
    if not isinstance(loaded, Translations) and locale != "en":
        log.error(
            "consentkit: no compiled catalog for %r in %s; reinstall consentkit or run `make catalogs`",
            locale,
            directory,
        )
    return loaded


def _quality(parameter: str) -> float:
    name, _, value = parameter.partition("=")
    if name.strip() != "q":
        return 1.0
    try:
        quality = float(value)
    except ValueError:
        return 0.0
    return quality if 0.0 <= quality <= 1.0 else 0.0


def negotiate_locale(accept_language: str | None, available: tuple[str, ...], default: str) -> str:
    """Pick the best of ``available`` for an ``Accept-Language`` header.

    Malformed headers never raise: unreadable entries are skipped. Browsers send a handful of
    distinct headers, so the answers are kept (bounded: a visitor may send anything).
    """
    # A tuple (as the config's locales are) is passed as it is: a copy per call would cost more than the answer.
    return _negotiate(accept_language, available if type(available) is tuple else tuple(available), default)


@lru_cache(maxsize=512)
def _negotiate(accept_language: str | None, available: tuple[str, ...], default: str) -> str:
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, entry in enumerate(accept_language[:_MAX_ACCEPT_LANGUAGE].split(",")):
        tag, *parameters = entry.split(";")
        quality = min((_quality(parameter) for parameter in parameters), default=1.0)
        if quality > 0:
            ranked.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag == "*":
            return default
        locale = _offered(tag, available)
        if locale is not None:
            return locale
    return default


def pick_locale(requested: str | None, available: tuple[str, ...]) -> str | None:
    """Map a locale a site or Flask-Babel asks for (``nb_NO``, ``sv-FI``) onto ours."""
    if not requested:
        return None
    return _offered(str(requested), available)


def _offered(tag: str, available: tuple[str, ...]) -> str | None:
    """The first of the tag's languages (``nn-NO`` → nn, then nb) that the site offers."""
    primary = tag.replace("_", "-").split("-")[0].strip().lower()
    return next((locale for locale in LANGUAGE_CHOICES.get(primary, ()) if locale in available), None)
