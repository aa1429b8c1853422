"""Which category a cookie name belongs to, and who said so.

Order of authority: the site's own ``[[cookies]]``, then its enabled services,
then the app's session cookie and the consent cookie (necessary), then
consentkit's presets, then the session, CSRF and language cookies of the common
web frameworks (necessary), then the bundled Open Cookie Database. A name none
of them knows is undeclared.

Before the database, consentkit's own presets are consulted even for services
the site did not enable: the database files some trackers (Hotjar's
``_hjSessionUser_*``) as "Functional", which maps to necessary and would let
them through without consent.

Only the database's rows that any site may set are used: a row tied to a third
party's own domain (Instagram's ``sessionid`` on instagram.com) does not
describe a cookie the site's own server sets. A framework's wildcard
(Rails' ``_*_session``) yields to a database row that names a tracker exactly.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from ..categories import NECESSARY, TRACKING_CATEGORIES
from ..config.cookiedb import CookieDatabase, KnownCookie, bundled_database, bundled_first_party_database
from ..config.declarations import DeclaredCookie
from ..config.durations import SESSION
from ..config.frameworks import framework_cookie
from ..config.services import builtin_presets

log = logging.getLogger("consentkit")

SITE: Final = "site"
SERVICE: Final = "service"
BUILTIN: Final = "builtin"
PRESET: Final = "preset"
FRAMEWORK: Final = "framework"
DATABASE: Final = "open-cookie-database"

_CACHE_SIZE: Final = 4096


@dataclass(frozen=True, slots=True)
class Classification:
    category: str
    source: str
    declaration: DeclaredCookie | None = None

    @property
    def service(self) -> str | None:
        """The service (preset key) that declared the cookie, if one did."""
        return self.declaration.service if self.declaration else None


class Classifier:
    """Classifies cookie names; results are cached, so the hot path is one dict lookup."""

    def __init__(
        self,
        site_cookies: Iterable[DeclaredCookie],
        service_cookies: Iterable[DeclaredCookie],
        necessary_names: Iterable[str],
        database: CookieDatabase | None = None,
    ) -> None:
        self._layers = [
            (SITE, _Layer(site_cookies)),
            (SERVICE, _Layer(service_cookies)),
            (BUILTIN, _Layer(DeclaredCookie(name, NECESSARY, "", SESSION) for name in necessary_names)),
            (PRESET, _Layer(cookie for preset in builtin_presets().values() for cookie in preset.cookies)),
        ]
        self._database = database
        self._first_party = database.first_party() if database is not None else None
        self._cache: dict[str, Classification | None] = {}
        self._warned: set[str] = set()
        self._explained: set[str] = set()

    def classify(self, name: str) -> Classification | None:
        """The classification of ``name``, or None if nobody declared it."""
        try:
            return self._cache[name]
        except KeyError:
            pass
        result = self._lookup(name)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[name] = result
        return result

    def _lookup(self, name: str) -> Classification | None:
        for source, layer in self._layers:
            found = layer.find(name)
            if found is not None:
                return Classification(found.category, source, found)
        framework = framework_cookie(name)
        if framework is not None and "*" not in framework.name:
            return Classification(NECESSARY, FRAMEWORK)
        known = (self._first_party or bundled_first_party_database()).lookup(name)
        if known is not None and (framework is None or known.category in TRACKING_CATEGORIES):
            self._explain(name, known)
            return Classification(known.category, DATABASE)
        if framework is not None:
            return Classification(NECESSARY, FRAMEWORK)
        return None

    def _explain(self, name: str, known: KnownCookie) -> None:
        """Log once per name (a bounded number in all, as names also come from visitors' cookies) why the
        database decided an undeclared cookie."""
        if name in self._explained or len(self._explained) >= _CACHE_SIZE:
            return
        self._explained.add(name)
        log.warning(
            "consentkit: cookie %r is not declared; the Open Cookie Database files it under %s as %s, so it "
            "is treated as %s. Declare it under [[cookies]] if your site uses it for something else.",
            name,
            known.platform or "an unnamed platform",
            known.category,
            known.category,
        )

    def _third_party_row(self, name: str) -> KnownCookie | None:
        known = (self._database or bundled_database()).lookup(name)
        return known if known is not None and known.domain else None

    def warn_undeclared(self, name: str, where: str) -> None:
        """Log once per name that an undeclared cookie was met, and how to fix it."""
        if name in self._warned or len(self._warned) >= _CACHE_SIZE:
            return
        self._warned.add(name)
        elsewhere = self._third_party_row(name)
        log.warning(
            "consentkit: %s undeclared cookie %r (%s). Declare it in consentkit.toml, for example: "
            '[[cookies]] name = "%s" category = "functional" duration = "1 year" purpose.en = "..."%s',
            "blocked" if where else "saw",
            name,
            where,
            name,
            f". The Open Cookie Database knows {name!r} only as a cookie of {elsewhere.platform} on "
            f"{elsewhere.domain}, which a cookie your own server sets is not"
            if elsewhere
            else "",
        )


class _Layer:
    """Exact names in a dict, globs tried in order after them."""

    def __init__(self, declarations: Iterable[DeclaredCookie]) -> None:
        self.exact: dict[str, DeclaredCookie] = {}
        self.globs: list[tuple[re.Pattern[str], DeclaredCookie]] = []
        for declaration in declarations:
            if declaration.is_glob:
                self.globs.append((declaration.matcher(), declaration))
            else:
                self.exact.setdefault(declaration.name, declaration)

    def find(self, name: str) -> DeclaredCookie | None:
        found = self.exact.get(name)
        if found is not None:
            return found
        for pattern, declaration in self.globs:
            if pattern.match(name):
                return declaration
        return None
