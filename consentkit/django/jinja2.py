"""``"environment": "consentkit.django.jinja2.environment"`` in a Jinja2 entry of ``TEMPLATES``."""

from __future__ import annotations

from ..integrations.django.jinja2 import environment as environment
from ..integrations.django.jinja2 import install as install
