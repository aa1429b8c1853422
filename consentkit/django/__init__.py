"""``consentkit.django``: what a Django site names in its settings.

``INSTALLED_APPS = [..., "consentkit.django"]``,
``MIDDLEWARE = [..., "consentkit.django.ConsentMiddleware", ...]``,
``include("consentkit.django.urls")`` and, for the Jinja2 backend,
``"environment": "consentkit.django.jinja2.environment"``. The code lives in
``consentkit.integrations.django``.
"""

from __future__ import annotations

from ..integrations.django.middleware import ConsentMiddleware as ConsentMiddleware

__all__ = ["ConsentMiddleware"]
