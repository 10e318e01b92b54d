from django.urls import URLPattern, URLResolver, path

from dashboard import views

app_name = "dashboard"

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/people.csv", views.people_csv, name="people_csv"),
    path("me/", views.me, name="me"),
    path("me/action-items/<int:item_id>/done/", views.action_item_done, name="action_item_done"),
    path("ops/", views.ops_page, name="ops"),
    path("ops/jobs/rerun/", views.ops_rerun, name="ops_rerun"),
    path("ops/deliveries/<int:delivery_id>/retry/", views.ops_delivery_retry, name="ops_retry"),
    path("ops/imports/<int:import_id>/", views.ops_import, name="ops_import"),
]
