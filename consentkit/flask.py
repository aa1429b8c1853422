"""``consentkit.flask`` is kept as the short import path of the Flask extension."""

from __future__ import annotations

from .integrations.flask import ConsentKit as ConsentKit
from .integrations.flask import current_consent as current_consent

__all__ = ["ConsentKit", "current_consent"]
