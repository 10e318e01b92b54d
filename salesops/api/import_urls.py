"""/api/v1/imports/: POST runs a CRM import, GET lists the runs (sales ops and admins)."""

from django.urls import path

from salesops.api.imports import ImportViewSet

urlpatterns = [
    path("", ImportViewSet.as_view({"get": "list", "post": "create"}), name="import-list"),
    path("<int:pk>/", ImportViewSet.as_view({"get": "retrieve"}), name="import-detail"),
]
