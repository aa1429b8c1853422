"""The site's ``consentkit.toml``: read and checked once, at start-up.

``load_config`` either returns a complete, frozen ``Config`` or raises
``ConfigError`` listing every problem with its key path. Warnings (legal risks
that are still valid TOML) are kept on ``Config.warnings`` and logged.
"""

from __future__ import annotations

import logging
import re
import shlex
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from ..categories import ALL_CATEGORIES, NECESSARY, OPTIONAL_CATEGORIES
from ..messages import DEFAULT_LOCALES, SUPPORTED_LOCALES, TEXT_KEYS, check_override
from .checks import check_declarations, check_placeholders
from .declarations import STORAGE_KINDS, DeclaredCookie
from .durations import SESSION, Duration
from .gate_settings import read_gate
from .model import (
    DEFAULT_CONFIG_NAME,
    DEFAULT_LOG_RETENTION,
    DEFAULT_LOG_URL,
    LOG_SCHEMES,
    Config,
    ConfigError,
    Controller,
)
from .notice_sections import read_sections
from .reader import Problems, Table, did_you_mean, one_of, show
from .services import Service, builtin_presets, closest_preset, enable, preset_named
from .transfers import read_safeguard
from .values import (
    EEA_COUNTRIES,
    consent_mode_setting,
    cookie_path_value,
    domain_value,
    duration_value,
    locale_hint,
    period_value,
    transfer_value,
    web_url_value,
)

log = logging.getLogger("consentkit")

__all__ = ["DEFAULT_CONFIG_NAME", "Config", "ConfigError", "Controller", "load_config", "parse_config"]

MAX_CONSENT_DAYS: Final = 395  # 13 months (docs/compliance.md item 13)

#: Presets whose tags read Google Consent Mode.
GOOGLE_SERVICES: Final = frozenset({"google-analytics", "google-tag-manager", "google-ads"})

_COOKIE_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z?\[\]]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

TOP_LEVEL_KEYS: Final = (
    "policy_version",
    "locales",
    "default_locale",
    "consent_max_age_days",
    "undeclared_cookies",
    "honor_gpc",
    "cookie_domain",
    "google_consent_mode",
    "controller",
    "categories",
    "cookies",
    "services",
    "log",
    "banner",
    "texts",
    "notice_sections",
    "gate",
)


def load_config(path: str | Path = DEFAULT_CONFIG_NAME) -> Config:
    """Read and validate a config file; raises ConfigError naming every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(_utf8_text(path))
    except FileNotFoundError:
        # The suggested command writes the very file that was asked for.
        where = "" if str(path) == DEFAULT_CONFIG_NAME else f" --config {shlex.quote(str(path))}"
        raise ConfigError(
            [f"file not found; create one with `consentkit init --locale nb{where}`"], str(path)
        ) from None
    except OSError as exc:
        raise ConfigError([f"cannot be read: {exc}"], str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"is not valid TOML: {exc}"], str(path)) from None
    return parse_config(data, base_dir=path.resolve().parent, source=str(path))


def _utf8_text(path: Path) -> str:
    """The file's text; raises ConfigError at the first byte that is not UTF-8, by line."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            [f"line {line}: byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8 (Unicode) and try again"],
            str(path),
        ) from None


def parse_config(data: dict[str, Any], *, base_dir: Path | None = None, source: str = DEFAULT_CONFIG_NAME) -> Config:
    """Validate already-parsed TOML; see ``load_config``."""
    problems = Problems()
    root = Table(data, "", problems)
    base_dir = base_dir or Path.cwd()

    policy_version = root.string("policy_version", "", required=True)
    locales = tuple(_read_locales(root))
    default_locale = root.choice("default_locale", locales or SUPPORTED_LOCALES, locales[0] if locales else "nb")
    controller = _read_controller(root.table("controller", required=True))
    cookies = tuple(_read_cookie(table, controller.name) for table in root.tables("cookies"))
    services = tuple(_read_services(root, controller.name))
    categories = _read_categories(root.table("categories"), cookies, services)
    consent_mode = root.checked("google_consent_mode", consent_mode_setting, "auto")
    consent_max_age_days = root.integer("consent_max_age_days", 365, low=1, high=MAX_CONSENT_DAYS)
    log_table = root.table("log")
    banner = root.table("banner")

    config = Config(
        policy_version=policy_version,
        locales=locales,
        default_locale=default_locale,
        consent_max_age_days=consent_max_age_days,
        undeclared_cookies=root.choice("undeclared_cookies", ("block", "allow"), "block"),
        honor_gpc=root.boolean("honor_gpc", True),
        cookie_domain=root.checked("cookie_domain", domain_value, None),
        google_consent_mode=consent_mode == "on"
        or (consent_mode == "auto" and any(service.key in GOOGLE_SERVICES for service in services)),
        controller=controller,
        categories=categories,
        cookies=cookies,
        services=services,
        log_retention=_read_log_retention(log_table, consent_max_age_days),  # before _read_log finishes the table
        **_read_log(log_table, base_dir),
        floating_link=banner.boolean("floating_link", True),
        color_scheme=banner.choice("color_scheme", ("light", "auto"), "light"),
        texts=_read_texts(root.table("texts"), locales),
        notice_sections=read_sections(list(root.tables("notice_sections")), locales, SUPPORTED_LOCALES),
        gate=read_gate(root.table("gate")),
        base_dir=base_dir,
    )
    banner.finish()
    root.finish(TOP_LEVEL_KEYS)
    check_declarations(config, problems)
    check_placeholders(config, problems)
    _check_duplicates(cookies, services, problems)
    if problems.errors:
        raise ConfigError(problems.errors, source)
    for warning in problems.warnings:
        log.warning("consentkit config %s: %s", source, warning)
    return replace(config, warnings=tuple(problems.warnings))


def _read_locales(root: Table) -> list[str]:
    locales = root.string_list("locales", list(DEFAULT_LOCALES))
    valid = []
    for index, locale in enumerate(locales):
        if locale in SUPPORTED_LOCALES:
            valid.append(locale)
        else:
            root.problems.error(
                f"locales[{index}]",
                f"{show(locale)} is not a supported locale; expected one of {one_of(SUPPORTED_LOCALES)}"
                + locale_hint(locale),
            )
    if not locales:
        root.problems.error("locales", f"needs at least one of {one_of(SUPPORTED_LOCALES)}")
    return valid


def _read_controller(table: Table) -> Controller:
    email = table.string("email")
    if email is not None and not _EMAIL.match(email):
        table.problems.error(table.key_path("email"), f"{show(email)} is not an email address")
    country = table.string("country", "NO", required=True).upper()
    if country not in EEA_COUNTRIES:
        table.problems.error(
            table.key_path("country"),
            f"{show(country)} is not an EU/EEA country code; expected for example NO or SE",
        )
    controller = Controller(
        name=table.string("name", "", required=True),
        email=email,
        country=country,
        address=table.string("address"),
        phone=table.string("phone"),
        url=table.checked("url", web_url_value, None),
        privacy_policy_url=table.checked("privacy_policy_url", web_url_value, None),
    )
    if email is None and controller.url is None:
        table.problems.warn(
            table.path, "give an email or url so that visitors can reach you (docs/compliance.md item 15)"
        )
    table.finish()
    return controller


def _read_categories(
    table: Table, cookies: tuple[DeclaredCookie, ...], services: tuple[Service, ...]
) -> tuple[str, ...]:
    if table.has(NECESSARY):
        table.rest()
        table.problems.error(table.key_path(NECESSARY), "necessary is always on and cannot be listed here")
    used = {cookie.category for cookie in cookies} | {service.category for service in services}
    offered = []
    for category in OPTIONAL_CATEGORIES:
        if table.has(category):
            if table.boolean(category, False):
                offered.append(category)
                if category not in used:
                    table.problems.warn(
                        table.key_path(category),
                        "is offered but no cookie or service uses it; the banner asks for a consent that means nothing",
                    )
        elif category in used:
            offered.append(category)
    table.finish(OPTIONAL_CATEGORIES)
    return tuple(offered)


def _read_cookie(table: Table, controller_name: str) -> DeclaredCookie:
    name = table.string("name", "", required=True)
    if name and not _COOKIE_NAME.match(name):
        table.problems.error(
            table.key_path("name"), f"{show(name)} is not a valid cookie name (no spaces, ;, = or quotes)"
        )
    category = _read_category(table)
    written = table.data.get("purpose")
    texts = table.localized("purpose", SUPPORTED_LOCALES)
    if not (isinstance(written, dict) and written):
        table.problems.error(table.key_path("purpose"), 'is required in at least one locale, e.g. purpose.nb = "..."')
    if not table.has("duration"):
        table.problems.error(table.key_path("duration"), 'is required; expected "session" or e.g. "13 months"')
    cookie = DeclaredCookie(
        name=name,
        category=category,
        provider=table.string("provider", controller_name),
        duration=table.checked("duration", duration_value, SESSION),
        purposes=texts,
        storage=table.choice("storage", STORAGE_KINDS, "cookie"),
        third_party=table.boolean("third_party", False),
        domain=table.checked("domain", domain_value, None),
        path=table.checked("path", cookie_path_value, "/"),
        transfer=table.checked("transfer", transfer_value, ()),
    )
    cookie = replace(cookie, transfer_safeguard=read_safeguard(table, cookie.transfer))
    table.finish()
    return cookie


def _read_category(table: Table) -> str:
    value = table.string("category", NECESSARY, required=True)
    if value not in ALL_CATEGORIES:
        table.problems.error(
            table.key_path("category"),
            f"{show(value)} is not a category; expected one of {one_of(ALL_CATEGORIES)}"
            + did_you_mean(value, ALL_CATEGORIES),
        )
        return NECESSARY
    return str(value)


def _read_services(root: Table, controller_name: str) -> list[Service]:
    presets = builtin_presets()
    services = []
    for table in root.tables("services"):
        key = table.string("preset", "", required=True)
        preset = preset_named(key)
        if preset is None:
            if key:
                close = closest_preset(key)
                table.problems.error(
                    table.key_path("preset"),
                    f"{show(key)} is not a known service{f'; did you mean {show(close)}?' if close else ''}; "
                    f"expected one of {one_of(sorted(presets))}",
                )
            table.rest()
            continue
        key = preset.key
        category = table.choice("category", OPTIONAL_CATEGORIES, preset.category)
        if category == NECESSARY:
            table.problems.error(table.key_path("category"), "a third-party service is never strictly necessary")
        options = {}
        for spec in preset.options:
            if not table.has(spec.name):
                lost = preset.option_use(spec.name)
                if lost:
                    table.problems.warn(
                        table.key_path(spec.name),
                        f"not given, so {lost}; its cookies are still deleted. {spec.help} "
                        f"For example {show(spec.example)}",
                    )
                continue
            value = table.string(spec.name)
            if value is None:
                continue
            if not spec.pattern.fullmatch(value):
                table.problems.error(
                    table.key_path(spec.name),
                    f"{show(value)} does not look like a {key} {spec.name}; for example {show(spec.example)}",
                )
            options[spec.name] = value
        safeguard = read_safeguard(table, preset.transfer) if table.has("transfer_safeguard") else None
        table.finish(("preset", "category", "transfer_safeguard", *(spec.name for spec in preset.options)))
        services.append(enable(preset, category, options, controller_name, safeguard))
    return services


def _read_log(table: Table, base_dir: Path) -> dict[str, Any]:
    url: str = table.string("url", DEFAULT_LOG_URL)
    spool = table.string("spool")
    table.finish(("url", "retention", "spool"))
    found: dict[str, Any] = {"log_spool": (base_dir / spool).resolve() if spool else None}
    scheme = url.partition("://")[0]
    if scheme not in LOG_SCHEMES or not url.startswith(f"{scheme}://"):
        table.problems.error(
            table.key_path("url"),
            f"{show(url)} is not a supported log store; expected sqlite:///PATH (relative to the config file) "
            "or postgresql://USER@HOST/DATABASE",
        )
        return found
    location = url.removeprefix("sqlite:///")
    if scheme != "sqlite" or location == ":memory:" or location.startswith("/"):
        return {**found, "log_url": url}
    return {**found, "log_url": f"sqlite:///{(base_dir / location).resolve()}"}


def _read_log_retention(table: Table, consent_max_age_days: int) -> Duration:
    """``[log] retention``: how long a record is kept as proof of consent (GDPR Art. 7(1)), shown in the notice."""
    retention: Duration = table.checked("retention", period_value, DEFAULT_LOG_RETENTION)
    seconds = retention.seconds or 0
    if seconds < consent_max_age_days * 86_400:
        table.problems.warn(
            table.key_path("retention"),
            f"{retention} is shorter than consent_max_age_days ({consent_max_age_days}), so a consent still in force "
            "could no longer be proved (GDPR Art. 7(1), docs/compliance.md item 12)",
        )
    return retention


def _read_texts(table: Table, locales: tuple[str, ...]) -> dict[str, dict[str, str]]:
    texts: dict[str, dict[str, str]] = {}
    for locale, value in table.rest().items():
        path = table.key_path(locale)
        if locale not in SUPPORTED_LOCALES:
            table.problems.error(
                path,
                f"{show(locale)} is not a supported locale; expected one of {one_of(SUPPORTED_LOCALES)}"
                + locale_hint(locale),
            )
            continue
        if not isinstance(value, dict):
            table.problems.error(path, f"expected a table of texts, got {show(value)}")
            continue
        overrides = Table(value, path, table.problems)
        texts[locale] = {}
        for key in TEXT_KEYS:
            text = overrides.string(key)
            if text is not None:
                problem = check_override(key, text)
                if problem:
                    table.problems.error(overrides.key_path(key), problem)
                else:
                    texts[locale][key] = text
        overrides.finish(TEXT_KEYS)
        if locale not in locales:
            table.problems.warn(path, f"{locale} is not in locales, so these texts are never shown")
    return texts


def _check_duplicates(cookies: tuple[DeclaredCookie, ...], services: tuple[Service, ...], problems: Problems) -> None:
    seen: dict[str, int] = {}
    for index, cookie in enumerate(cookies):
        if cookie.name in seen:
            problems.error(
                f"cookies[{index}].name", f"{show(cookie.name)} is already declared in cookies[{seen[cookie.name]}]"
            )
        seen[cookie.name] = index
    keys = [service.key for service in services]
    for key in sorted({key for key in keys if keys.count(key) > 1}):
        problems.error("services", f"{show(key)} is listed more than once")
