"""The checked configuration: ``Config`` and what it is made of, with no reading logic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Final

from ..categories import NECESSARY, OPTIONAL_CATEGORIES
from ..messages import DEFAULT_LOCALES
from .declarations import DeclaredCookie
from .durations import Duration
from .gate_settings import GateSettings
from .notice_sections import NoticeSection
from .services import Service

DEFAULT_CONFIG_NAME: Final = "consentkit.toml"
DEFAULT_LOG_URL: Final = "sqlite:///consentkit-log.sqlite3"
#: How long a consent record is kept as proof when ``[log] retention`` is not given.
DEFAULT_LOG_RETENTION: Final = Duration(5, "year")
#: The spool folder's name beside the config file, when ``[log] spool`` does not say.
DEFAULT_SPOOL_NAME: Final = "consentkit-spool"
#: URL schemes of the log stores consentkit ships.
LOG_SCHEMES: Final = ("sqlite", "postgresql", "postgres")


class ConfigError(ValueError):
    """The config cannot be used; ``problems`` holds one line per error."""

    def __init__(self, problems: list[str], source: str = DEFAULT_CONFIG_NAME) -> None:
        self.problems = problems
        self.source = source
        super().__init__(f"{source} is not valid:\n" + "\n".join(f"  - {line}" for line in problems))


@dataclass(frozen=True)
class Controller:
    """Who is responsible for the processing (GDPR Art. 4(7)), shown in the notice."""

    name: str
    email: str | None
    country: str
    address: str | None = None
    phone: str | None = None
    url: str | None = None
    #: The site's full privacy policy, linked from the notice.
    privacy_policy_url: str | None = None


@dataclass(frozen=True)
class Config:
    policy_version: str
    controller: Controller
    locales: tuple[str, ...] = DEFAULT_LOCALES
    default_locale: str = "nb"
    consent_max_age_days: int = 365
    undeclared_cookies: str = "block"
    honor_gpc: bool = True
    #: Optional categories offered to visitors, in display order.
    categories: tuple[str, ...] = OPTIONAL_CATEGORIES
    cookies: tuple[DeclaredCookie, ...] = ()
    services: tuple[Service, ...] = ()
    log_url: str = DEFAULT_LOG_URL
    #: How long the consent log keeps a record (stated in the notice; ``consentkit log purge`` deletes older ones).
    log_retention: Duration = DEFAULT_LOG_RETENTION
    #: Where each process spools its decisions before they reach the log; None: beside the config file.
    log_spool: Path | None = None
    cookie_domain: str | None = None
    #: Emit Google Consent Mode v2 commands; "auto" means when a Google service is enabled.
    google_consent_mode: bool = False
    #: The floating "cookie settings" link on every page; off when the site has its own link.
    floating_link: bool = True
    #: "light" (always), or "auto" to follow the visitor's ``prefers-color-scheme``.
    color_scheme: str = "light"
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    notice_sections: tuple[NoticeSection, ...] = ()
    #: ``[gate]``: the auto-gate for HTML responses.
    gate: GateSettings = field(default_factory=GateSettings)
    warnings: tuple[str, ...] = ()
    #: Folder of the config file; relative paths in it are relative to this.
    base_dir: Path = field(default_factory=Path.cwd)

    @property
    def spool_folder(self) -> Path:
        return self.log_spool or self.base_dir / DEFAULT_SPOOL_NAME

    def offers(self, category: str) -> bool:
        return category == NECESSARY or category in self.categories

    @cached_property
    def service_categories(self) -> dict[str, str]:
        """Each service a visitor may allow (enabled, in an offered category): its key and category."""
        return {service.key: service.category for service in self.services if service.category in self.categories}

    @cached_property
    def service_hosts(self) -> dict[str, str]:
        """The hosts (``*.`` globs allowed) each enabled service loads scripts and frames from."""
        return {
            host: service.key
            for service in reversed(self.services)  # the first service listed wins a shared host
            for host in (*service.script_hosts, *service.preset.iframe_hosts)
        }

    def service_at(self, host: str) -> str | None:
        """The enabled service that ``host`` belongs to, if any."""
        hosts = self.service_hosts
        if host in hosts:
            return hosts[host]
        globs = (key for glob, key in hosts.items() if glob.startswith("*.") and host.endswith(glob[1:]))
        return next(globs, None)

    @property
    def declarations(self) -> tuple[DeclaredCookie, ...]:
        """Everything the site stores: its own cookies first, then its services'."""
        return self.cookies + tuple(cookie for service in self.services for cookie in service.cookies)
