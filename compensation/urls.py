from django.urls import URLPattern, URLResolver, path

from compensation import views

app_name = "compensation"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_pay, name="me"),
    path("team/", views.team, name="team"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/generate/", views.statements_generate, name="statements-generate"),
    path("statements/<int:statement_id>/", views.statement_detail, name="statement"),
    path(
        "statements/<int:statement_id>/<str:action>/",
        views.statement_action,
        name="statement-action",
    ),
    path("lines/<int:line_id>/dispute/", views.line_dispute, name="line-dispute"),
    path("disputes/<int:dispute_id>/resolve/", views.dispute_resolve, name="dispute-resolve"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("plans/<int:plan_id>/", views.plan_edit, name="plan"),
]
