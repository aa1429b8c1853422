"""The Django app: ``INSTALLED_APPS = [..., "consentkit.django"]``."""

from __future__ import annotations

from django.apps import AppConfig
from django.core.signals import setting_changed


class ConsentKitConfig(AppConfig):
    # The code (template tags, commands) lives here; users name the short package.
    name = "consentkit.integrations.django"
    label = "consentkit"
    verbose_name = "consentkit"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system checks)
        from .conf import forget

        setting_changed.connect(forget, dispatch_uid="consentkit.django.forget")
