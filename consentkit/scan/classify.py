"""Classify what a scan found, as the gate would, and say which source decided.

Cookie and storage names go through the gate's own ``Classifier`` (the site's config, its
services, consentkit's presets, the frameworks' own cookies of ``config/frameworks.py``, the
Open Cookie Database; for a third party's cookie also the database rows of that party). A name none of
them knows, set by a response or script from a known service's host, takes that service's
category. ``classified_by`` is one of ``config``, ``service:<preset>``, ``framework``, ``preset``
(known by the host that set it), ``database``; ``unknown`` when nothing knows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from ..config.cookiedb import bundled_database, bundled_hosts
from ..config.declarations import DeclaredCookie
from ..config.model import Config
from ..config.services import builtin_presets
from ..consent import COOKIE_NAME
from ..gate.classify import BUILTIN, DATABASE, FRAMEWORK, PRESET, SERVICE, SITE, Classifier
from .sites import host_matches

UNKNOWN: Final = "unknown"


@dataclass(frozen=True)
class Verdict:
    category: str
    classified_by: str
    #: The site's config declares it (its own ``[[cookies]]`` or an enabled service's).
    declared: bool
    #: The declaration that decided, when the config declares it.
    declaration: DeclaredCookie | None = None


@dataclass(frozen=True)
class KnownService:
    """The service behind a host: a preset's key, or the database's platform name."""

    name: str
    category: str


class ScanClassifier:
    """One config's view of cookies, storage keys and hosts; without a config nothing is declared."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config
        services = config.services if config else ()
        self._classifier = Classifier(
            config.cookies if config else (),
            (cookie for service in services for cookie in service.cookies),
            [COOKIE_NAME],
        )
        enabled = [service.key for service in services]
        # Enabled services first, so that a host shared by presets (www.googletagmanager.com) is
        # attributed to the one the site uses.
        presets = sorted(builtin_presets().values(), key=lambda preset: preset.key not in enabled)
        self._preset_hosts = [
            (pattern, KnownService(preset.key, _category_of(preset.key, preset.category, config)))
            for preset in presets
            for pattern in (*preset.script_hosts, *preset.iframe_hosts)
        ]
        self._preset_hosts += [
            (host, KnownService(service.key, service.category))
            for service in services
            for host in service.script_hosts
            if host not in service.preset.script_hosts
        ]
        self._database_hosts = bundled_hosts()

    def name(self, name: str, set_from: str | None = None, *, third_party: bool = False) -> Verdict:
        """The verdict for a cookie or storage key, ``set_from`` the host that wrote it when known.

        A third party's cookie may also be known by the database rows tied to that party's own
        domain, which the gate leaves out for the site's own cookies.
        """
        found = self._classifier.classify(name)
        if found is not None:
            declaration = found.declaration
            if found.source == SITE:
                return Verdict(found.category, "config", True, declaration)
            if found.source in (SERVICE, PRESET) and declaration is not None and declaration.service:
                declared = found.source == SERVICE
                return Verdict(
                    found.category, f"service:{declaration.service}", declared, declaration if declared else None
                )
            if found.source in (BUILTIN, FRAMEWORK):
                # consentkit's own cookie and the frameworks' session, CSRF and language cookies pass the
                # gate undeclared, as necessary: nothing for the site to add.
                return Verdict(found.category, "framework", True)
            if found.source == DATABASE:
                return Verdict(found.category, "database", False)
        if third_party and (known := bundled_database().lookup(name)) is not None:
            return Verdict(known.category, "database", False)
        service = self.host(set_from) if set_from else None
        if service is not None:
            return Verdict(service.category, "preset" if service.name in builtin_presets() else "database", False)
        return Verdict(UNKNOWN, UNKNOWN, False)

    def host(self, host: str) -> KnownService | None:
        """The known service a host belongs to: a preset's script or iframe host, else a database domain."""
        host = host.lower()
        for pattern, service in self._preset_hosts:
            if host_matches(host, (pattern,)):
                return service
        labels = host.split(".")
        for start in range(len(labels) - 1):
            known = self._database_hosts.get(".".join(labels[start:]))
            if known is not None:
                return KnownService(known.platform, known.category)
        return None

    def hosts_of(self, categories: Iterable[str]) -> list[str]:
        """The script and iframe hosts (patterns) of the enabled services in ``categories``."""
        wanted = set(categories)
        services = self.config.services if self.config else ()
        return [
            host
            for service in services
            if service.category in wanted
            for host in (*service.script_hosts, *service.preset.iframe_hosts)
        ]


def _category_of(key: str, default: str, config: Config | None) -> str:
    """A preset's category, as the site overrides it when it enables the service."""
    for service in config.services if config else ():
        if service.key == key:
            return service.category
    return default
