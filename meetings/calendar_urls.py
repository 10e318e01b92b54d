from django.urls import URLPattern, URLResolver, path

from meetings import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:token>.ics", views.calendar_feed_view, name="calendar-feed"),
]
