"""Checks across a whole config that are legal risks rather than syntax errors.

They become warnings: the config still loads, but ``consentkit check`` and the
start-up log say loudly what a regulator would object to.
"""

from __future__ import annotations

import fnmatch
import tomllib
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

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


#: Domains that exist only for examples (RFC 2606), and those the starter files use.
_EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org", "example.no", "example.se", "example.dk", "example.fi")
_EXAMPLE_ENDINGS = (".example", ".invalid", ".test", ".localhost")


@cache
def starter_placeholders() -> frozenset[str]:
    """The values of ``consentkit init``'s starter files that a site must replace, read from the files."""
    found: set[str] = set()
    for starter in files("consentkit").joinpath("data").iterdir():
        if not (starter.name.startswith("starter.") and starter.name.endswith(".toml")):
            continue
        data: dict[str, Any] = tomllib.loads(starter.read_text(encoding="utf-8"))
        found.update(str(data["controller"][key]) for key in ("name", "email", "url") if key in data["controller"])
        found.update(str(cookie["provider"]) for cookie in data.get("cookies", []) if "provider" in cookie)
        found.update(
            str(value) for service in data.get("services", []) for key, value in service.items() if key != "preset"
        )
    return frozenset(found)


def _is_example_address(value: str) -> bool:
    host = value.rpartition("@")[2].split("//")[-1].split("/")[0].split(":")[0].lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in _EXAMPLE_DOMAINS) or host.endswith(
        _EXAMPLE_ENDINGS
    )


def check_placeholders(config: Config, problems: Problems) -> None:
    """Warn about what ``consentkit init`` left for the site to fill in: names, addresses, ids."""
    placeholders = starter_placeholders()
    controller = config.controller
    values: list[tuple[str, str | None]] = [
        ("controller.name", controller.name),
        ("controller.email", controller.email),
        ("controller.url", controller.url),
    ]
    # A cookie without a provider gets the controller's name: warned about once, above.
    values += [
        (f"cookies[{index}].provider", cookie.provider)
        for index, cookie in enumerate(config.cookies)
        if cookie.provider != controller.name
    ]
    values += [
        (f"services[{index}].{key}", value)
        for index, service in enumerate(config.services)
        for key, value in service.options.items()
    ]
    for path, value in values:
        if not value:
            continue
        if value in placeholders or "XXXX" in value:
            problems.warn(path, f"{show(value)} is a placeholder from the starter file; put your own value here")
        elif path.startswith("controller.") and path != "controller.name" and _is_example_address(value):
            problems.warn(path, f"{show(value)} is an example address; give one where visitors reach you")
