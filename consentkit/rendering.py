"""Server-side HTML: the banner, the settings form, the notice page.

A private Jinja environment renders the package's own templates, so nothing
here depends on how the site configures Jinja. All texts come from ``Texts``;
the templates hold markup only.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cached_property
from importlib.resources import files
from typing import Any

from babel.dates import format_datetime
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .categories import NECESSARY
from .config import Config
from .consent import Consent
from .consent_cookie import COOKIE_NAME
from .declarations import DeclaredCookie
from .durations import SESSION, Duration
from .i18n import translations
from .texts import Texts

STATIC_FILES = ("consentkit.css",)


def text_hash_of(canonical: str) -> str:
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Renderer:
    """Renders for one config; texts and hashes are worked out once per locale."""

    def __init__(self, config: Config, session_cookie_name: str | None = None) -> None:
        self.config = config
        self.session_cookie_name = session_cookie_name
        self.env = Environment(
            loader=PackageLoader("consentkit", "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
        )
        self._texts: dict[str, Texts] = {}
        self._hashes: dict[str, str] = {}

    def texts(self, locale: str) -> Texts:
        texts = self._texts.get(locale)
        if texts is None:
            texts = Texts(locale, translations(locale), self.config.texts.get(locale, {}))
            self._texts[locale] = texts
        return texts

    @cached_property
    def declarations(self) -> tuple[DeclaredCookie, ...]:
        """Everything the notice lists: the consent cookie itself (COMPLIANCE.md item 14),
        the app's session cookie unless the site declared it, then the config's own."""
        config = self.config
        declared = {cookie.name for cookie in config.declarations}
        builtin = [(COOKIE_NAME, "consent_cookie_purpose", Duration(config.consent_max_age_days, "day"))]
        if self.session_cookie_name and self.session_cookie_name not in declared:
            builtin.append((self.session_cookie_name, "session_cookie_purpose", SESSION))
        own = tuple(
            DeclaredCookie(
                name=name,
                category=NECESSARY,
                provider=config.controller.name,
                duration=duration,
                purposes={locale: self.texts(locale)(purpose) for locale in config.locales},
                domain=config.cookie_domain,
            )
            for name, purpose, duration in builtin
            if name not in declared
        )
        return own + config.declarations

    @cached_property
    def static_version(self) -> str:
        """Changes whenever a static file does, so URLs carrying it can be cached for a year."""
        digest = hashlib.sha256()
        for name in STATIC_FILES:
            digest.update(files("consentkit").joinpath("static", name).read_bytes())
        return digest.hexdigest()[:12]

    def choice_texts(self, locale: str) -> list[str]:
        """Every text a visitor reads before choosing, in the order shown."""
        t = self.texts(locale)
        shown = [
            t("banner_title"),
            t("banner_necessary"),
            t("banner_purposes", purposes=t.purposes(self.config.categories)),
            t("banner_withdraw", settings=t("settings_link")),
            t("banner_notice_link"),
            t("accept_all"),
            t("reject_all"),
            t("customise"),
            t("customise_intro"),
            t.category(NECESSARY),
            t("always_on"),
            t.about(NECESSARY),
        ]
        for category in self.config.categories:
            shown += [t.category(category), t.about(category)]
        shown.append(t("save_choices"))
        return shown

    def canonical_texts(self, locale: str) -> str:
        """The choice texts of ``locale`` as one JSON document: what the text hash is taken of."""
        return json.dumps(
            {"policy_version": self.config.policy_version, "locale": locale, "texts": self.choice_texts(locale)},
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def text_hash(self, locale: str) -> str:
        """SHA-256 of the choice texts in ``locale``, recorded with every decision."""
        cached = self._hashes.get(locale)
        if cached is None:
            cached = text_hash_of(self.canonical_texts(locale))
            self._hashes[locale] = cached
        return cached

    def _render(self, template: str, locale: str, **context: Any) -> Markup:
        html = self.env.get_template(template).render(
            t=self.texts(locale), locale=locale, config=self.config, **context
        )
        return Markup(html)  # noqa: S704 (autoescaped output of our own templates)

    def head(self, base: str) -> Markup:
        return self._render("consentkit/head.html", self.config.default_locale, base=base, version=self.static_version)

    def banner(self, *, locale: str, base: str, next_path: str) -> Markup:
        return self._render("consentkit/banner.html", locale, base=base, next_path=next_path)

    def settings_link(self, *, locale: str, href: str, label: str | None = None) -> Markup:
        return self._render("consentkit/settings_link.html", locale, href=href, label=label)

    def notice(self, *, locale: str, base: str, consent: Consent, next_path: str, page: bool = False) -> Markup:
        """The full cookie notice: a page of its own, or (``page=False``) content for the site's page."""
        return self._render(
            "consentkit/notice_page.html" if page else "consentkit/notice_body.html",
            locale,
            base=base,
            consent=consent,
            next_path=next_path,
            decided_at=self._date(consent.decided_at, locale),
            declarations=self.declarations,
        )

    def message_page(self, *, locale: str, base: str, message: str, next_path: str) -> Markup:
        return self._render("consentkit/message_page.html", locale, base=base, message=message, next_path=next_path)

    @staticmethod
    def _date(moment: datetime | None, locale: str) -> str:
        return format_datetime(moment, "long", locale=locale) if moment else ""
