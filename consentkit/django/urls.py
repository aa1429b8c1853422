"""``include("consentkit.django.urls")``."""

from __future__ import annotations

from ..integrations.django.urls import app_name as app_name
from ..integrations.django.urls import urlpatterns as urlpatterns
