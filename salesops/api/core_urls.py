from django.urls import URLPattern, URLResolver, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import SimpleRouter

from salesops.api import views

router = SimpleRouter()
router.register("people", views.PersonViewSet, basename="person")
router.register("teams", views.TeamViewSet, basename="team")
router.register("accounts", views.AccountViewSet, basename="account")
router.register("products", views.ProductViewSet, basename="product")
router.register("deals", views.DealViewSet, basename="deal")
router.register("costs", views.SalesCostViewSet, basename="cost")

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    *router.urls,
]
