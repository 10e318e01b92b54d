from django.urls import URLPattern, URLResolver, path

from meetings import booking_views, feed_views, views
from meetings.views_pursuit import meeting_attendance_view, meeting_deals_view
from meetings.views_rsvp import rsvp_link_view

app_name = "meetings"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.meeting_list_view, name="list"),
    path("new/", views.meeting_create_view, name="create"),
    path("find-time/", views.find_time_view, name="find-time"),
    path("team/", views.team_load_view, name="team-load"),
    path("notifications/", views.notifications_view, name="notifications"),
    path("calendar/", views.calendar_settings_view, name="calendar"),
    path("calendar/busy-feeds/", feed_views.busy_feed_add_view, name="busy-feed-add"),
    path(
        "calendar/busy-feeds/<int:pk>/remove/",
        feed_views.busy_feed_remove_view,
        name="busy-feed-remove",
    ),
    path("book/<slug:slug>/", booking_views.booking_page_view, name="book"),
    path("booking-links/", booking_views.booking_links_view, name="booking-links"),
    path("booking-links/new/", booking_views.booking_link_create_view, name="booking-link-new"),
    path("booking-links/domains/", booking_views.account_domains_view, name="account-domains"),
    path("booking-links/<slug:slug>/", booking_views.booking_link_detail_view, name="booking-link"),
    path("rsvp/<str:token>/", rsvp_link_view, name="rsvp-link"),
    path("<int:pk>/", views.meeting_detail_view, name="detail"),
    path("<int:pk>.ics", views.meeting_ics_view, name="ics"),
    path("<int:pk>/edit/", views.meeting_edit_view, name="edit"),
    path("<int:pk>/rsvp/", views.rsvp_view, name="rsvp"),
    path("<int:pk>/action-items/", views.action_item_add_view, name="action-add"),
    path("<int:pk>/deals/", meeting_deals_view, name="deals"),
    path("<int:pk>/attendance/", meeting_attendance_view, name="attendance"),
    path(
        "<int:pk>/<str:transition>/",
        views.meeting_transition_view,
        name="transition",
    ),
    path("action-items/<int:pk>/toggle/", views.action_item_toggle_view, name="action-toggle"),
]
