"""/api/v1/ for the core app. Each part keeps its own URL module so work on one never edits another."""

from django.urls import include, path

urlpatterns = [
    path("", include("salesops.api.core_urls")),
    path("", include("salesops.api.efficiency_urls")),
    path("imports/", include("salesops.api.import_urls")),
]
