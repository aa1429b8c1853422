"""Checks across a whole config that are legal risks rather than syntax errors.

They become warnings: the config still loads, but ``consentkit check`` and the
start-up log say loudly what a regulator would object to.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from ..categories import FUNCTIONAL, NECESSARY, TRACKING_CATEGORIES
from .cookiedb import bundled_database
from .frameworks import framework_cookie
from .reader import Problems, show
from .services import builtin_presets

if TYPE_CHECKING:
    from .model import Config


def known_tracker(name: str) -> str | None:
    """Describe ``name`` if a preset or the Open Cookie Database calls it analytics or marketing.

    A web framework's own session, CSRF or language cookie is not a tracker,
    even where the database has a tracker of the same name on a third party's
    domain (Django's ``sessionid``, Instagram's ``sessionid``).
    """
    for preset in builtin_presets().values():
        for cookie in preset.cookies:
            if cookie.category in TRACKING_CATEGORIES and (
                name == cookie.name or fnmatch.fnmatchcase(name, cookie.name) or fnmatch.fnmatchcase(cookie.name, name)
            ):
                return f"a known {cookie.category} cookie ({preset.name})"
    if framework_cookie(name) is not None:
        return None
    known = bundled_database().lookup(name.rstrip("*?"))
    if known is not None and known.category in TRACKING_CATEGORIES:
        where = f" on {known.domain}" if known.domain else ""
        return f"a known {known.category} cookie ({known.platform}{where}, per the Open Cookie Database)"
    return None


#: What declaring a tracker in a weaker category would do, by that category.
_UNDERSTATED = {
    NECESSARY: "it would be set without consent. Only strictly necessary cookies may skip consent",
    FUNCTIONAL: "a visitor who allows functional cookies would let it track them unawares. Declare it "
    "under the category it serves",
}


def check_declarations(config: Config, problems: Problems) -> None:
    for index, cookie in enumerate(config.cookies):
        path = f"cookies[{index}]"
        understated = _UNDERSTATED.get(cookie.category)
        tracker = known_tracker(cookie.name) if understated else None
        if understated and tracker:
            problems.warn(
                path,
                f"{show(cookie.name)} is {tracker} but is declared {cookie.category}; {understated} "
                "(docs/compliance.md item 9)",
            )
        missing = [locale for locale in config.locales if locale not in cookie.purposes]
        if cookie.purposes and missing:
            problems.warn(
                f"{path}.purpose",
                f"no text for {', '.join(missing)}; visitors in that language see the purpose in another language",
            )
        if cookie.category not in config.categories and cookie.category != NECESSARY:
            problems.warn(
                f"{path}.category",
                f"{cookie.category} is switched off in [categories], so {show(cookie.name)} is always blocked",
            )
    for index, service in enumerate(config.services):
        if service.category not in config.categories:
            problems.warn(
                f"services[{index}]",
                f"{service.name} is in {service.category}, which is switched off in [categories]; "
                "its cookies and scripts are always blocked",
            )
