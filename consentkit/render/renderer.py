"""Server-side HTML: the banner, the settings form, the notice page.

A private Jinja environment renders the package's own templates, so nothing
here depends on how the site configures Jinja. All texts come from ``Texts``;
the templates hold markup only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Hashable, Iterable, Mapping
from functools import cached_property
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Final

from markupsafe import Markup

from ..categories import ALL_CATEGORIES, NECESSARY
from ..config import Config
from ..config.declarations import DeclaredCookie
from ..config.durations import SESSION, Duration
from ..config.services import Service
from ..consent import COOKIE_NAME, UNDECIDED, Consent
from ..log.record import text_hash_of
from .fragments import Fragment, FragmentCache, Html, Kept
from .i18n import translations
from .inert import Gate
from .notice import notice_context
from .texts import Texts

if TYPE_CHECKING:
    from jinja2 import Environment

#: Served under ``/static/``: the stylesheet and script of every page, then what only some sites or
#: pages load (third-party services, Google Consent Mode, the dark palette, the notice).
STATIC_FILES = (
    "consentkit.css",
    "consentkit.js",
    "consentkit-services.js",
    "consentkit-gcm.js",
    "consentkit-dark.css",
    "consentkit-notice.css",
)

#: Distinct (base, consent state) pairs whose ``<head>`` tags are kept before starting over.
HEADS_LIMIT: Final = 256
#: Distinct ``{% consent %}`` blocks (body, name, services allowed, locale) kept inert before starting over.
HELD_BACK_LIMIT: Final = 256
#: Locale and consent states whose blocks of template text are kept before starting over (each a few).
TEXT_STATES_LIMIT: Final = 64
#: Bodies kept (about 8 kB each): one per path visitors come from, so the busiest pages stay in.
BODIES_LIMIT: Final = 256
#: What a page's widgets work out from a request (``Widgets.know``), by the request values it comes from.
PAGES_LIMIT: Final = 256

#: Google Consent Mode v2: each type, the category that grants it, and the Google service that grants
#: it on its own (necessary always grants security_storage; docs/compliance.md has the mapping).
CONSENT_MODE: Final[dict[str, tuple[str, ...]]] = {
    "functionality_storage": ("functional",),
    "personalization_storage": ("functional",),
    "analytics_storage": ("analytics", "google-analytics"),
    "ad_storage": ("marketing", "google-ads"),
    "ad_user_data": ("marketing", "google-ads"),
    "ad_personalization": ("marketing", "google-ads"),
}


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def escape_markdown(value: object) -> str:
    """Text as literal Markdown: specials backslashed, line breaks flattened (they would end a table row)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


_REGEX_SPECIAL = re.compile(r"[.+^${}()|[\]\\]")


def globs_regex(globs: list[str]) -> str:
    """Cookie names, where ``*`` stands for any run of characters and ``?`` for one, as one regular
    expression that JavaScript and Python read alike: ``["_ga", "_ga_*"]`` is ``^(?:_ga|_ga_.*)$``."""
    escaped = (_REGEX_SPECIAL.sub(r"\\\g<0>", glob).replace("*", ".*").replace("?", ".") for glob in globs)
    return "^(?:" + "|".join(escaped) + ")$"


def template_environment(*, autoescape: bool) -> Environment:
    """A Jinja environment over the package's own templates, independent of the site's Jinja set-up."""
    # Imported on first render: a process that only gates requests never loads Jinja.
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("consentkit", "templates"),
        autoescape=autoescape,  # noqa: S701 (on for HTML; Markdown escapes every value with |md)
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        # The package's templates change only with a release: compile each once per process
        # instead of asking the loader (a stat of the file) on every render.
        auto_reload=False,
    )


def consent_key(consent: Consent) -> Hashable:
    """All of a consent the widgets show: what is allowed, and whether the visitor has chosen."""
    return (consent.decided, consent.granted, consent.services)


class Renderer:
    """Renders for one config; texts and hashes are worked out once per locale, and the widgets a page
    carries once per locale and consent state (``fragments.py``: the request's own values go in after)."""

    def __init__(self, config: Config, session_cookie_name: str | None = None) -> None:
        self.config = config
        self.session_cookie_name = session_cookie_name
        self._texts: dict[str, Texts] = {}
        self._hashes: dict[str, str] = {}
        self.fragments = FragmentCache()
        #: ``head`` by base and consent state.
        self._heads: Kept[Markup] = Kept(HEADS_LIMIT)
        #: ``Widgets.body`` whole, by locale, consent state, base and the visitor's path (``widgets.py``).
        self.bodies: Kept[Markup] = Kept(BODIES_LIMIT)
        #: ``Widgets.know``'s consent state, locale, base, path and kept blocks, by the request values they
        #: are made of (``widgets.py``).
        self.pages: Kept[tuple[Any, ...]] = Kept(PAGES_LIMIT)
        #: ``{% consent %}`` blocks made inert, by body, name, services allowed and locale (``gated.held_back``).
        self.held_back: Kept[Markup | Fragment | None] = Kept(HELD_BACK_LIMIT)
        #: Blocks of template text by locale and consent state, each by body, name and else part (``gated.text_block``).
        self.text_blocks: Kept[dict[Hashable, Markup | Fragment]] = Kept(TEXT_STATES_LIMIT)
        #: Names ``{% consent %}`` blocks may gate on, once checked (``gated.block_name_problem``).
        self.good_block_names: set[str] = set()

    @cached_property
    def env(self) -> Environment:
        return template_environment(autoescape=True)

    @cached_property
    def markdown_env(self) -> Environment:
        # Markdown is not HTML: no autoescaping, every value goes through |md instead.
        env = template_environment(autoescape=False)
        env.filters["md"] = escape_markdown
        return env

    def texts(self, locale: str) -> Texts:
        texts = self._texts.get(locale)
        if texts is None:
            texts = Texts(locale, translations(locale), self.config.texts.get(locale, {}))
            self._texts[locale] = texts
        return texts

    @cached_property
    def declarations(self) -> tuple[DeclaredCookie, ...]:
        """Everything the notice lists: the consent cookie itself (docs/compliance.md item 14),
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
            shown += [service.name for service in self.config.services if service.category == category]
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
            t=self.texts(locale), locale=locale, config=self.config, scheme=self._scheme, **context
        )
        return Markup(html)  # noqa: S704 (autoescaped output of our own templates)

    def _widget(self, template: str, locale: str, key: Hashable, slots: Mapping[str, object], **context: Any) -> Markup:
        """``template`` rendered once per (``key``, locale), ``slots`` (request values, printed only) filled in
        per call. ``key`` and ``context`` must hold everything else the output depends on."""
        return self.fragments.render(
            (template, locale, key), lambda values: self._render(template, locale, **context, **values), slots
        )

    @cached_property
    def _scheme(self) -> str:
        """The class that lets consentkit's boxes follow a dark ``prefers-color-scheme``, if the site asks."""
        return " consentkit-auto" if self.config.color_scheme == "auto" else ""

    @cached_property
    def consent_mode(self) -> dict[str, list[str]] | bool:
        """For each Consent Mode type, the category and the enabled Google service that grant it; False when off."""
        if not self.config.google_consent_mode:
            return False
        enabled = self.config.service_categories
        return {
            kind: [name for name in names if name in ALL_CATEGORIES or name in enabled]
            for kind, names in CONSENT_MODE.items()
        }

    @cached_property
    def purge_patterns(self) -> dict[str, str]:
        """The first-party cookie and storage names the browser deletes on refusal, by what allows them
        (a service's under the service, which may be allowed alone, the site's own under their category),
        each key's names as one JavaScript regular expression."""
        names: dict[str, list[str]] = {}
        services = self.config.service_categories
        for cookie in self.declarations:
            if cookie.category in self.config.categories and not cookie.third_party:
                key = cookie.service if cookie.service in services else cookie.category
                names.setdefault(key, []).append(cookie.name)
        return {key: globs_regex(globs) for key, globs in names.items()}

    @cached_property
    def stop_hooks(self) -> dict[str, dict[str, list[Any]]]:
        """Per service, how the browser stops it when it is withdrawn (alone or with its category):
        window flags to set, consent calls to make, and frame hosts to unload."""
        hooks: dict[str, dict[str, list[Any]]] = {}
        for service in self.config.services:
            if service.key not in self.config.service_categories:
                continue
            hook: dict[str, list[Any]] = {}
            for key, values in (
                ("flags", service.revoke_flags),
                ("calls", [list(call) for call in service.preset.revoke_calls]),
                ("frames", list(service.preset.iframe_hosts)),
            ):
                if values:
                    hook[key] = values
            if hook:
                hooks[service.key] = hook
        return hooks

    def head(self, base: str, consent: Consent) -> Markup:
        """The stylesheet, the script and its settings (a JSON data block: CSP never runs it), rendered
        once per base and consent state."""
        return self._heads.get((base, consent_key(consent)), lambda: Html(self._head(base, consent)))

    def _head(self, base: str, consent: Consent) -> Markup:
        settings = {
            "base": base,
            "state": self.state(consent),
            "gcm": self.consent_mode,
            "gpc": self.config.honor_gpc,
            "purge": self.purge_patterns,
            "stop": self.stop_hooks,
        }
        # Safe inside <script>: no "<", ">" or "&" can close the element early.
        data = json.dumps(settings, separators=(",", ":"))
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return self._render(
            "consentkit/head.html",
            self.config.default_locale,
            base=base,
            version=self.static_version,
            settings=Markup(data),  # noqa: S704 (JSON with the HTML-significant characters escaped)
        )

    def state(self, consent: Consent) -> dict[str, Any]:
        """What consentkit.js needs of the visitor's consent: decided, and each category and service."""
        state = consent.to_json(self.config.categories, tuple(self.config.service_categories))
        return {key: state[key] for key in ("decided", "categories", "services")}

    def dialog(self, *, locale: str, base: str, consent: Consent, next_path: str) -> Markup:
        slots = {"base": base, "next_path": next_path}
        return self._widget("consentkit/dialog.html", locale, consent_key(consent), slots, consent=consent)

    @cached_property
    def _enabled_services(self) -> dict[str, Service]:
        return {found.key: found for found in self.config.services if found.key in self.config.service_categories}

    def placeholder(
        self, *, locale: str, base: str, next_path: str, category: str, service: str | None, host: str
    ) -> Markup:
        """A blocked embed's stand-in; its button allows ``service`` alone, or ``category`` without one."""
        found = self._enabled_services.get(service or "")
        slots = {"base": base, "next_path": next_path, "host": host}
        return self._widget(
            "consentkit/placeholder.html",
            locale,
            (category, found.key if found else None),
            slots,
            category=category,
            service=found,
        )

    def banner(self, *, locale: str, base: str, next_path: str, consent: Consent = UNDECIDED) -> Markup:
        slots = {"base": base, "next_path": next_path}
        return self._widget("consentkit/banner.html", locale, consent_key(consent), slots, consent=consent)

    def placeholders(self, *, locale: str, base: str, next_path: str, gate: Gate, hosts: Iterable[str]) -> Markup:
        """One placeholder per blocked embed, each with a button that allows the embed's service alone
        (the gate's own, or the one its host belongs to), or the gate's category if no service claims it."""
        shown = "".join(
            self.placeholder(
                locale=locale,
                base=base,
                next_path=next_path,
                category=gate.category,
                service=gate.service or gate.service_at(host),
                host=host,
            )
            for host in hosts
        )
        # str.join and one Markup: each part is our own widget, which Markup.join would check and escape again.
        return Markup(shown)  # noqa: S704

    def body(
        self,
        *,
        locale: str,
        base: str,
        consent: Consent,
        next_path: str,
        settings_href: str,
        ready: Mapping[str, str] | None = None,
    ) -> Markup:
        """The banner (for an undecided visitor), the floating settings link (unless the config leaves
        it out) and the dialog, as one cached fragment: one lookup per page instead of four. ``ready``:
        the three slots' values already escaped, as ``Widgets`` keeps them for the request."""

        def render(values: Mapping[str, object]) -> str:
            # The values are the markers here: each part below fills them in, and the whole is split on them.
            base, next_path = str(values["base"]), str(values["next_path"])
            banner = Markup("")
            if not consent.decided:
                banner = self.banner(locale=locale, base=base, next_path=next_path, consent=consent)
            corner = Markup("")
            if self.config.floating_link:
                link = self.settings_link(locale=locale, href=str(values["settings_href"]))
                corner = self.corner(locale=locale, link=link)
            return banner + corner + self.dialog(locale=locale, base=base, consent=consent, next_path=next_path)

        slots = {"base": base, "next_path": next_path, "settings_href": settings_href}
        return self.fragments.render(("body", locale, consent_key(consent)), render, slots, ready)

    def corner(self, *, locale: str, link: Markup) -> Markup:
        """The floating settings link, in a landmark of its own."""
        return self._widget("consentkit/corner.html", locale, None, {"link": link})

    def settings_link(self, *, locale: str, href: str, label: str | None = None) -> Markup:
        # A label with __html__ (Markup) is printed as it is, any other escaped: the two never share an entry.
        key = (None if label is None else str(label), hasattr(label, "__html__"))
        return self._widget("consentkit/settings_link.html", locale, key, {"href": href}, label=label)

    def notice(
        self,
        *,
        locale: str,
        base: str,
        consent: Consent | None,
        next_path: str = "/",
        page: bool = False,
    ) -> Markup:
        """The full cookie notice: a page of its own, or (``page=False``) content for the site's page.

        ``consent=None`` renders it for a static page: no visitor's record.
        """
        return self._render(
            "consentkit/notice_page.html" if page else "consentkit/notice_body.html",
            locale,
            **notice_context(self.config, self.texts(locale), consent, self.declarations),
            base=base,
            consent=consent,
            undecided=UNDECIDED,
            next_path=next_path,
            page=page,
            version=self.static_version,
        )

    def notice_markdown(self, locale: str) -> str:
        """The notice as Markdown for a static page (no form, no visitor's record)."""
        template = self.markdown_env.get_template("consentkit/notice.md")
        texts = self.texts(locale)
        context = notice_context(self.config, texts, None, self.declarations)
        markdown = template.render(t=texts, locale=locale, config=self.config, **context)
        return re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"

    def message_page(self, *, locale: str, base: str, message: str, next_path: str) -> Markup:
        return self._render("consentkit/message_page.html", locale, base=base, message=message, next_path=next_path)
