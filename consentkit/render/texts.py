"""``Texts``: the texts of one locale, the site's overrides first, then the catalog."""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from typing import Final

from ..config.durations import Duration, for_display
from ..messages import MESSAGES, SUPPORTED_LOCALES, TEXT_KEYS, UNIT_MESSAGES, check_override, placeholders

__all__ = ["MESSAGES", "SUPPORTED_LOCALES", "TEXT_KEYS", "UNIT_MESSAGES", "Texts", "check_override", "placeholders"]


#: The English texts are British, and so are their dates and lists ("5 March 2026", "a, b and c").
BABEL_LOCALES: Final = {"en": "en_GB"}


class Texts:
    """The texts of one locale: the site's overrides first, then the catalog."""

    def __init__(self, locale: str, translations: gettext.NullTranslations, overrides: Mapping[str, str]) -> None:
        self.locale = locale
        #: The locale Babel formats dates, numbers and lists in.
        self.babel_locale = BABEL_LOCALES.get(locale, locale)
        self._translations = translations
        self._overrides = overrides

    def __call__(self, key: str, **params: object) -> str:
        text = self._overrides.get(key) or self._translations.gettext(MESSAGES[key])
        return text % params if params else text.replace("%%", "%")

    def category(self, category: str) -> str:
        return self(f"category_{category}")

    def about(self, category: str) -> str:
        return self(f"about_{category}")

    def purposes(self, categories: tuple[str, ...]) -> str:
        """The offered purposes joined as the locale joins a list ("a, b og c")."""
        from babel.lists import format_list  # Babel loads on first render, not on import

        return format_list([self(f"purpose_{category}") for category in categories], locale=self.babel_locale)

    def duration(self, duration: Duration) -> str:
        """A lifetime for readers: "1 dag", "13 måneder", "Økt" (docs/compliance.md, 'Durations and words')."""
        shown = for_display(duration)
        if shown.amount is None or shown.unit is None:
            return self("duration_persistent") if shown.is_persistent else self("duration_session")
        from babel.numbers import format_decimal

        singular, plural = UNIT_MESSAGES[shown.unit]
        # The catalog picks the word (Babel's CLDR data says "døgn"); Babel formats the number.
        text = self._translations.ngettext(singular, plural, shown.amount)
        return text.replace("%(num)d", format_decimal(shown.amount, locale=self.babel_locale))
