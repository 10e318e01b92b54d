"""/api/v1/compensation/…"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from compensation.api import component_views, pay_views, views

router = SimpleRouter()
router.register("quotas", views.QuotaViewSet, basename="comp-quota")
router.register("plans", views.PlanViewSet, basename="comp-plan")
router.register("plan-versions", views.PlanVersionViewSet, basename="comp-plan-version")
router.register("assignments", views.AssignmentViewSet, basename="comp-assignment")
router.register("statements", pay_views.StatementViewSet, basename="comp-statement")
router.register("disputes", pay_views.DisputeViewSet, basename="comp-dispute")
router.register("adjustments", pay_views.AdjustmentViewSet, basename="comp-adjustment")

urlpatterns = [
    path("compensation/attainment/", views.AttainmentView.as_view(), name="comp-attainment"),
    path(
        "compensation/attainment/teams/",
        views.TeamAttainmentView.as_view(),
        name="comp-attainment-teams",
    ),
    path("compensation/simulate/", pay_views.SimulateView.as_view(), name="comp-simulate"),
    path("compensation/reversals/", pay_views.ReversalView.as_view(), name="comp-reversal"),
    path(
        "compensation/overlay-credits/",
        component_views.OverlayCreditView.as_view(),
        name="comp-overlay-credit",
    ),
    path("compensation/mbo-scores/", component_views.MboScoreView.as_view(), name="comp-mbo"),
    path("compensation/", include(router.urls)),
]
