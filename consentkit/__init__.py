"""consentkit: cookie consent that is enforced on the server, for WSGI and Flask sites."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from .config import Config as Config
    from .config import ConfigError as ConfigError
    from .config import load_config as load_config
    from .consent import Consent as Consent
    from .gate.middleware import ConsentMiddleware as ConsentMiddleware
    from .integrations.flask import ConsentKit as ConsentKit
    from .render.jinja import ConsentExtension as ConsentExtension
    from .render.widgets import widgets_for as widgets_for

__version__ = "0.1.0"

#: Each name the package offers and the module it lives in. Loaded on first use, so that
#: ``import consentkit`` costs next to nothing and a site pays only for what it uses (Flask,
#: Jinja and the gate each load with the name that needs them).
_EXPORTS: Final = {
    "Config": ".config",
    "ConfigError": ".config",
    "load_config": ".config",
    "Consent": ".consent",
    "ConsentMiddleware": ".gate.middleware",
    "ConsentExtension": ".render.jinja",
    "widgets_for": ".render.widgets",
    "ConsentKit": ".integrations.flask",
}

# Not ConsentKit: `from consentkit import *` must work without Flask, as it always has.
__all__ = [name for name in _EXPORTS if name != "ConsentKit"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'consentkit' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
