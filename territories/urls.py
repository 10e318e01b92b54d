from django.urls import path

from territories import views

app_name = "territories"
urlpatterns = [
    path("", views.index, name="index"),
    path("models/<int:model_id>/", views.model_detail, name="model"),
    path("models/<int:model_id>/rules/", views.rules, name="rules"),
    path(
        "models/<int:model_id>/rules/<int:rule_id>/delete/", views.rule_delete, name="rule-delete"
    ),
    path("models/<int:model_id>/run/", views.run, name="run"),
    path("models/<int:model_id>/preview/", views.preview, name="preview"),
    path("models/<int:model_id>/activate/", views.activate, name="activate"),
    path("models/<int:model_id>/clone/", views.clone, name="clone"),
    path("models/<int:model_id>/pins/", views.pins, name="pins"),
    path("models/<int:model_id>/balance/", views.balance, name="balance"),
    path("t/<int:territory_id>/", views.territory_detail, name="territory"),
]
