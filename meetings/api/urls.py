from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter

from meetings.api import views
from meetings.api.pursuit import DealPursuitView

router = DefaultRouter()
router.include_root_view = False
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("agenda-items", views.AgendaItemViewSet, basename="agenda-item")
router.register("action-items", views.ActionItemViewSet, basename="action-item")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns: list[URLPattern | URLResolver] = [
    # Before the router: its meetings/<pk>/ route would take "pursuit" for a pk.
    path("meetings/pursuit/", DealPursuitView.as_view(), name="meeting-pursuit"),
    *router.urls,
]
