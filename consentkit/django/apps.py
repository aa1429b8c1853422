"""Found by Django when ``INSTALLED_APPS`` names ``consentkit.django``."""

from __future__ import annotations

from ..integrations.django.apps import ConsentKitConfig as ConsentKitConfig
