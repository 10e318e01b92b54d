from django.urls import path

from territories import views, views_ops

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
    path("models/new/", views_ops.model_create, name="model-create"),
    path("models/<int:model_id>/rules/preview/", views_ops.rule_preview, name="rule-preview"),
    path("models/<int:model_id>/assign/", views_ops.assign, name="assign"),
    path("runs/<int:batch_id>/", views_ops.batch_detail, name="batch"),
    path("runs/<int:batch_id>/progress/", views_ops.batch_progress, name="batch-progress"),
    path("runs/<int:batch_id>/rollback/", views_ops.batch_rollback, name="batch-rollback"),
]
