"""Built-in service presets (Google Analytics, Meta Pixel, YouTube ...).

The facts live in ``data/services.toml`` so that they can be reviewed and
translated without reading Python; this module validates that file as strictly
as a site config and turns it into frozen values.
"""

from __future__ import annotations

import difflib
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

from ..categories import OPTIONAL_CATEGORIES
from ..messages import SUPPORTED_LOCALES
from .declarations import STORAGE_KINDS, DeclaredCookie
from .durations import parse_duration
from .reader import Problems, Table, one_of
from .transfers import read_safeguard

#: In a preset's ``provider``, stands for the site's own controller (self-hosted tools).
CONTROLLER_PLACEHOLDER = "{controller}"

#: Every preset text is written in every language consentkit supports.
PRESET_LOCALES = SUPPORTED_LOCALES

#: What a service may collect about a visitor, as a preset lists it under ``personal_data``;
#: the notice names each in the visitor's language (message ``personal_data_<kind>``).
PERSONAL_DATA_KINDS = (
    "ip_address",
    "device_id",
    "pages_viewed",
    "referrer",
    "device_info",
    "location",
    "interactions",
    "ads",
    "actions",
    "videos",
)

#: Names people type for a preset, and the preset they mean.
PRESET_ALIASES: Mapping[str, str] = {
    "facebook-pixel": "meta-pixel",
    "fb-pixel": "meta-pixel",
    "ga4": "google-analytics",
    "gtag": "google-analytics",
    "gtm": "google-tag-manager",
}


@dataclass(frozen=True)
class OptionSpec:
    """A setting a site may give for a preset, such as ``measurement_id``.

    None is required: a site may declare a service without its ids. An option
    that consentkit itself uses (``ServicePreset.option_use``) is asked for
    with a warning that says what is lost without it.
    """

    name: str
    pattern: re.Pattern[str]
    example: str
    help: str


@dataclass(frozen=True)
class ServicePreset:
    key: str
    name: str
    provider: str
    category: str
    privacy_policy: str
    transfer: tuple[str, ...]
    #: What makes the transfer lawful ("dpf", "scc", "adequacy"; see transfers.py); None without a transfer.
    transfer_safeguard: str | None
    #: What the service collects about a visitor, from PERSONAL_DATA_KINDS.
    personal_data: tuple[str, ...]
    script_hosts: tuple[str, ...]
    iframe_hosts: tuple[str, ...]
    descriptions: Mapping[str, str]
    #: Window flags set to true when the category is withdrawn; ``{option}`` is filled in.
    revoke_flags: tuple[str, ...]
    #: Calls the browser makes on withdrawal: a function path ("fbq", "ttq.revokeConsent"), then arguments.
    revoke_calls: tuple[tuple[Any, ...], ...]
    options: tuple[OptionSpec, ...]
    cookies: tuple[DeclaredCookie, ...]

    def option_use(self, option: str) -> str | None:
        """What consentkit does with ``option``, or None if it only documents the site's set-up."""
        flags = [flag for flag in self.revoke_flags if option in _fields(flag)]
        if flags:
            return f"withdrawing cannot switch {self.name} off with its opt-out flag ({', '.join(flags)})"
        return None


def _fields(template: str) -> set[str]:
    """The ``{name}`` fields of a template such as ``ga-disable-{measurement_id}``."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@dataclass(frozen=True)
class Service:
    """A preset as a site enabled it: its category (maybe overridden) and options."""

    preset: ServicePreset
    category: str
    options: Mapping[str, str]
    cookies: tuple[DeclaredCookie, ...]
    #: The site's own ``transfer_safeguard`` for this service, if it differs from the preset's.
    safeguard_override: str | None = None

    @property
    def key(self) -> str:
        return self.preset.key

    @property
    def transfer_safeguard(self) -> str | None:
        return self.safeguard_override or self.preset.transfer_safeguard

    @property
    def name(self) -> str:
        return self.preset.name

    def provider(self, controller_name: str) -> str:
        return self.preset.provider.replace(CONTROLLER_PLACEHOLDER, controller_name)

    @property
    def revoke_flags(self) -> list[str]:
        """The preset's flags with the site's options filled in; a flag whose option is missing is left out."""
        return [
            flag.format(**self.options) for flag in self.preset.revoke_flags if _fields(flag) <= self.options.keys()
        ]

    @property
    def script_hosts(self) -> tuple[str, ...]:
        """The preset's hosts, plus the host of a self-hosted tool's ``url`` option (Matomo)."""
        own = urlsplit(self.options["url"]).hostname if "url" in self.options else None
        return self.preset.script_hosts + ((own,) if own else ())


def enable(
    preset: ServicePreset,
    category: str,
    options: Mapping[str, str],
    controller_name: str,
    safeguard: str | None = None,
) -> Service:
    """Bind a preset to a site: its cookies take the service's category, provider and transfer safeguard."""
    provider = preset.provider.replace(CONTROLLER_PLACEHOLDER, controller_name)
    cookies = tuple(
        replace(
            cookie,
            category=category,
            provider=provider,
            transfer_safeguard=safeguard or preset.transfer_safeguard,
        )
        for cookie in preset.cookies
    )
    return Service(
        preset=preset, category=category, options=dict(options), cookies=cookies, safeguard_override=safeguard
    )


def _read_cookie(table: Table, preset: ServicePreset) -> DeclaredCookie:
    third_party = table.boolean("third_party", False)
    cookie = DeclaredCookie(
        name=table.string("name", "", required=True),
        category=preset.category,
        provider=preset.provider,
        duration=table.checked("duration", lambda value: parse_duration(str(value)), parse_duration("session")),
        purposes=table.localized("purpose", PRESET_LOCALES, required=True, every=True),
        storage=table.choice("storage", STORAGE_KINDS, "cookie"),
        third_party=third_party,
        domain=table.string("domain"),
        transfer=preset.transfer,
        transfer_safeguard=preset.transfer_safeguard,
        service=preset.key,
    )
    if third_party and cookie.domain is None and cookie.storage == "cookie":
        table.problems.error(table.path, "a third-party cookie needs the domain it is set on")
    table.finish()
    return cookie


def _read_option(name: str, table: Table) -> OptionSpec:
    pattern = table.string("pattern", ".+")
    spec = OptionSpec(
        name=name,
        pattern=re.compile(pattern),
        example=table.string("example", "", required=True),
        help=table.string("help", "", required=True),
    )
    table.finish()
    if not spec.pattern.fullmatch(spec.example):
        table.problems.error(table.path, f"example {spec.example!r} does not match its own pattern")
    return spec


def _read_preset(key: str, table: Table) -> ServicePreset:
    options_table = table.table("options")
    options = []
    for name, value in options_table.rest().items():
        if isinstance(value, dict):
            options.append(_read_option(name, Table(value, options_table.key_path(name), table.problems)))
        else:
            table.problems.error(options_table.key_path(name), "expected a table")
    transfer = tuple(table.string_list("transfer", []))
    preset = ServicePreset(
        key=key,
        name=table.string("name", key, required=True),
        provider=table.string("provider", "", required=True),
        category=table.choice("category", OPTIONAL_CATEGORIES, "marketing", required=True),
        privacy_policy=table.string("privacy_policy", "", required=True),
        transfer=transfer,
        transfer_safeguard=read_safeguard(table, transfer, missing_is_error=True),
        personal_data=_read_personal_data(table),
        script_hosts=tuple(table.string_list("script_hosts", [])),
        iframe_hosts=tuple(table.string_list("iframe_hosts", [])),
        descriptions=table.localized("description", PRESET_LOCALES, required=True, every=True),
        revoke_flags=tuple(table.string_list("revoke_flags", [])),
        revoke_calls=tuple(table.checked("revoke_calls", _calls, ())),
        options=tuple(options),
        cookies=(),
    )
    cookies = tuple(_read_cookie(cookie, preset) for cookie in table.tables("cookies"))
    table.finish()
    known_options = {option.name for option in options}
    for flag in preset.revoke_flags:
        for field in sorted(_fields(flag) - known_options):
            table.problems.error(table.key_path("revoke_flags"), f"{{{field}}} is not one of the preset's options")
    return replace(preset, cookies=cookies)


def _read_personal_data(table: Table) -> tuple[str, ...]:
    kinds = table.string_list("personal_data", [], required=True)
    for kind in kinds:
        if kind not in PERSONAL_DATA_KINDS:
            table.problems.error(
                table.key_path("personal_data"),
                f"{kind!r} is not a kind of personal data; expected any of {one_of(PERSONAL_DATA_KINDS)}",
            )
    if not kinds and table.has("personal_data"):
        table.problems.error(table.key_path("personal_data"), "name at least one kind, such as ip_address")
    return tuple(kind for kind in kinds if kind in PERSONAL_DATA_KINDS)


def _calls(value: Any) -> tuple[tuple[Any, ...], ...]:
    if not isinstance(value, list) or not all(
        isinstance(call, list) and call and isinstance(call[0], str) for call in value
    ):
        raise ValueError('expected an array of calls such as [["fbq", "consent", "revoke"]]')
    return tuple(tuple(call) for call in value)


def parse_presets(data: dict[str, Any]) -> dict[str, ServicePreset]:
    """Validate preset data; raises ValueError listing every problem."""
    problems = Problems()
    root = Table(data, "", problems)
    presets = {}
    for key, value in root.rest().items():
        if not isinstance(value, dict):
            problems.error(key, "expected a table")
            continue
        presets[key] = _read_preset(key, Table(value, key, problems))
    if problems.errors:
        raise ValueError("invalid service presets:\n  " + "\n  ".join(problems.errors))
    return presets


def preset_named(name: str) -> ServicePreset | None:
    """The built-in preset called ``name`` or one of its aliases (``gtm``, ``fb-pixel``)."""
    presets = builtin_presets()
    return presets.get(PRESET_ALIASES.get(name, name))


def closest_preset(name: str) -> str | None:
    """The preset a mistyped name most likely means; the names people type (aliases) are tried first."""
    for candidates in (list(PRESET_ALIASES), list(builtin_presets())):
        close = difflib.get_close_matches(name.lower(), candidates, n=1, cutoff=0.6)
        if close:
            return PRESET_ALIASES.get(close[0], close[0])
    return None


@cache
def builtin_presets() -> dict[str, ServicePreset]:
    """The presets shipped with consentkit, keyed by name (``google-analytics``)."""
    source = files("consentkit").joinpath("data", "services.toml").read_text(encoding="utf-8")
    return parse_presets(tomllib.loads(source))
