"""The portal's pages under /nb/ and /sv/, the admin, set_language and consentkit's URLs."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.root),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("consentkit/", include("consentkit.django.urls")),
    *i18n_patterns(
        path("", views.home, name="home"),
        path("logg-inn", views.login, name="login"),
        path("min-sak", views.my_case, name="my_case"),
        path("logg-ut", views.logout, name="logout"),
        path("personvern", views.privacy, name="privacy"),
    ),
]
