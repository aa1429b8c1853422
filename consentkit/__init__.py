"""consentkit: cookie consent that is enforced on the server, for WSGI and Flask sites."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import Config as Config
from .config import ConfigError as ConfigError
from .config import load_config as load_config
from .consent import Consent as Consent
from .gate.middleware import ConsentMiddleware as ConsentMiddleware
from .render.jinja import ConsentExtension as ConsentExtension
from .render.widgets import widgets_for as widgets_for

if TYPE_CHECKING:
    from .integrations.flask import ConsentKit as ConsentKit

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Flask is imported only by sites that use the Flask extension.
    if name == "ConsentKit":
        from .integrations.flask import ConsentKit

        return ConsentKit
    raise AttributeError(f"module 'consentkit' has no attribute {name!r}")
