"""What the config lacks, as ``[[services]]`` and ``[[cookies]]`` entries ready to paste or append.

A cookie a preset knows becomes its service (with the preset's required options as examples to
replace); anything else becomes a ``[[cookies]]`` entry with its measured lifetime rounded as
people write it and a purpose placeholder per locale. An unknown category is written as
``functional``: behind consent until someone who knows the cookie says it is necessary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..categories import FUNCTIONAL
from ..config.load import ConfigError, load_config
from ..config.model import Config
from ..config.services import builtin_presets
from ..messages import SUPPORTED_LOCALES
from .classify import UNKNOWN
from .findings import ScanResult
from .lifetimes import as_written

PURPOSE_PLACEHOLDER = "TODO: what this is for, in words a visitor understands"


@dataclass(frozen=True)
class _Entry:
    name: str
    category: str
    duration: str
    storage: str
    third_party_domain: str | None
    known: bool


def missing_services(result: ScanResult, config: Config | None) -> list[str]:
    """Preset keys the scan met (by cookie name or host) that the config does not enable."""
    enabled = {service.key for service in config.services} if config else set()
    found: list[str] = []
    names = [cookie.classified_by for cookie in result.cookies] + [entry.classified_by for entry in result.storage]
    names += [f"service:{request.service}" for request in result.requests]
    for source in names:
        key = source.removeprefix("service:")
        if source.startswith("service:") and key in builtin_presets() and key not in enabled and key not in found:
            found.append(key)
    return found


def _missing_cookies(result: ScanResult, services: list[str]) -> list[_Entry]:
    entries: dict[str, _Entry] = {}
    for cookie in result.cookies:
        if cookie.declared or cookie.classified_by.removeprefix("service:") in services:
            continue
        entries.setdefault(
            cookie.name,
            _Entry(
                cookie.name,
                cookie.category,
                str(as_written(cookie.expires_days)),
                "cookie",
                cookie.domain if cookie.party == "third" else None,
                cookie.category != UNKNOWN,
            ),
        )
    for entry in result.storage:
        if entry.declared or entry.classified_by.removeprefix("service:") in services or entry.party == "third":
            continue
        entries.setdefault(
            entry.key,
            _Entry(
                entry.key,
                entry.category,
                str(as_written(None, entry.kind)),
                entry.kind,
                None,
                entry.category != UNKNOWN,
            ),
        )
    return list(entries.values())


def render_toml(result: ScanResult, config: Config | None) -> str:
    """The entries the config lacks; an empty string when it lacks nothing."""
    locales = config.locales if config else SUPPORTED_LOCALES
    services = missing_services(result, config)
    blocks = [_service_block(key) for key in services]
    blocks += [_cookie_block(entry, locales) for entry in _missing_cookies(result, services)]
    return "\n".join(blocks)


def _service_block(key: str) -> str:
    preset = builtin_presets()[key]
    lines = ["[[services]]", f"preset = {_quote(key)}"]
    for option in preset.options:
        # Options consentkit uses are filled with the preset's example to replace; the rest stay commented out.
        if preset.option_use(option.name):
            lines.append(f"{option.name} = {_quote(option.example)}  # TODO: yours; {option.help}")
        else:
            lines.append(f"# {option.name} = {_quote(option.example)}  # {option.help}")
    return "\n".join(lines) + "\n"


def _cookie_block(entry: _Entry, locales: tuple[str, ...]) -> str:
    category = entry.category if entry.known else FUNCTIONAL
    note = "" if entry.known else "  # TODO: unknown to consentkit; necessary only if the site cannot work without it"
    lines = ["[[cookies]]", f"name = {_quote(entry.name)}", f"category = {_quote(category)}{note}"]
    lines.append(f"duration = {_quote(entry.duration)}")
    if entry.storage != "cookie":
        lines.append(f"storage = {_quote(entry.storage)}")
    if entry.third_party_domain:
        lines += ["third_party = true", f"domain = {_quote(entry.third_party_domain)}"]
        lines.append('provider = "TODO: the company that sets it"')
    lines += [f"purpose.{locale} = {_quote(PURPOSE_PLACEHOLDER)}" for locale in locales]
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def append_to_config(path: Path, entries: str, url: str) -> None:
    """Append ``entries`` to the config at ``path``; the file is left as it was if the result does not load."""
    original = path.read_text(encoding="utf-8")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    comment = f"# Added by `consentkit scan {url}` on {stamp}: check each category, and write the purposes.\n"
    path.write_text(original.rstrip("\n") + "\n\n" + comment + entries, encoding="utf-8")
    try:
        load_config(path)
    except ConfigError:
        path.write_text(original, encoding="utf-8")
        raise
