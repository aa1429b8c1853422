"""``path("consentkit/", include("consentkit.django.urls"))``: the consent, notice and static URLs.

Include them at the path ``CONSENTKIT_PREFIX`` names (``/consentkit`` by
default); ``manage.py check`` reports a mismatch.
"""

from __future__ import annotations

from django.urls import path

from .views import endpoint

app_name = "consentkit"

urlpatterns = [
    path("consent", endpoint, {"route": "consent"}, name="consent"),
    path("notice", endpoint, {"route": "notice"}, name="notice"),
    path("static/<str:name>", endpoint, {"route": "static/"}, name="static"),
]
