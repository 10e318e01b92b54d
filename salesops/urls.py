from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from salesops import pages, profile, progress, views
from salesops.importer import pages as import_pages

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("settings/time-zone/", profile.time_zone_view, name="time-zone"),
    # Searchable choosers (salesops.widgets): scoped JSON, one endpoint per entity.
    path("choose/people/", views.choose_people, name="choose-people"),
    path("choose/colleagues/", views.choose_colleagues, name="choose-colleagues"),
    path("choose/accounts/", views.choose_accounts, name="choose-accounts"),
    path("choose/deals/", views.choose_deals, name="choose-deals"),
    path("choose/territories/", include("territories.choosers")),
    path("choose/teams/", include("salesops.choosers_teams")),
    # Table pages of the core (salesops.pages) and the deal page (dashboard.deals).
    path("people/", pages.people_page, name="people"),
    path("accounts/", pages.accounts_page, name="accounts"),
    path("deals/", pages.deals_page, name="deals"),
    path("imports/", import_pages.imports_page, name="imports"),
    path("jobs/<int:run_id>/", progress.job_run_page, name="job-run"),
    path("jobs/<int:run_id>/progress/", progress.job_run_progress, name="job-run-progress"),
    path("deals/", include("dashboard.deals")),
    path("choose/plans/", include("compensation.choosers")),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("salesops.api.urls")),
    path("api/v1/", include("meetings.api.urls")),
    path("api/v1/", include("territories.api.urls")),
    path("api/v1/", include("compensation.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Behind login (the schema through SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]); Swagger UI
    # split, so its start-up script is a file of ours and the CSP needs no inline script.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        login_required(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
    path("", include("dashboard.urls")),
    path("meetings/", include("meetings.urls")),
    path("calendar/", include("meetings.calendar_urls")),
    path("territories/", include("territories.urls")),
    path("compensation/", include("compensation.urls")),
]
