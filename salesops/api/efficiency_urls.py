"""/api/v1/efficiency/…: snapshots, trend, magic number, effectiveness."""

from rest_framework.routers import SimpleRouter

from salesops.api.efficiency import EfficiencyViewSet

router = SimpleRouter()
router.register("efficiency", EfficiencyViewSet, basename="efficiency")

urlpatterns = router.urls
