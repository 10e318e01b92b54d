from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter

from meetings.api import views

router = DefaultRouter()
router.include_root_view = False
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("agenda-items", views.AgendaItemViewSet, basename="agenda-item")
router.register("action-items", views.ActionItemViewSet, basename="action-item")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
