"""A URLconf without consentkit's URLs, for the W003 check."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
