"""/api/v1/ routes of the territories app.

Rules, pins and coverage live under `territories/` (`/api/v1/territories/rules/` …) so their short
names never collide with other apps' routes in the shared /api/v1/ namespace.
"""

from django.urls import path
from rest_framework.routers import DefaultRouter

from territories.api import views
from territories.api.attainment import TerritoryAttainmentView

router = DefaultRouter()
router.register("territory-models", views.TerritoryModelViewSet, basename="territory-model")
router.register("territories/rules", views.RuleViewSet, basename="territory-rule")
router.register("territories/pins", views.PinViewSet, basename="territory-pin")
router.register("territories/assignments", views.CoverageViewSet, basename="territory-assignment")
router.register("territories", views.TerritoryViewSet, basename="territory")

urlpatterns = [
    path(
        "compensation/attainment/territories/",
        TerritoryAttainmentView.as_view(),
        name="comp-attainment-territories",
    ),
    *router.urls,
]
