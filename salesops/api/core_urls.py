from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from salesops.api import views
from salesops.api.auth import TokenObtainView, TokenRotateView

router = SimpleRouter()
router.register("people", views.PersonViewSet, basename="person")
router.register("teams", views.TeamViewSet, basename="team")
router.register("accounts", views.AccountViewSet, basename="account")
router.register("products", views.ProductViewSet, basename="product")
router.register("deals", views.DealViewSet, basename="deal")
router.register("costs", views.SalesCostViewSet, basename="cost")

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("auth/token/rotate/", TokenRotateView.as_view(), name="api-token-rotate"),
    *router.urls,
]
