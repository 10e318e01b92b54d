from django.urls import URLPattern, URLResolver, path

from salesops.dashboard import views

app_name = "dashboard"

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/people.csv", views.people_csv, name="people_csv"),
    path("me/", views.me, name="me"),
    path("ops/", views.ops_page, name="ops"),
    path("ops/jobs/rerun/", views.ops_rerun, name="ops_rerun"),
    path("ops/imports/<int:import_id>/", views.ops_import, name="ops_import"),
]
