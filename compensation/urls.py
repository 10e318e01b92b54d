from django.urls import URLPattern, URLResolver, path

from compensation import document_views, ops_views, plan_views, views

app_name = "compensation"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_pay, name="me"),
    path("team/", views.team, name="team"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/generate/", views.statements_generate, name="statements-generate"),
    path("statements/generate/<int:run_id>/", views.generate_run, name="statements-generate-run"),
    path(
        "statements/generate/<int:run_id>/progress/",
        views.generate_progress,
        name="statements-generate-progress",
    ),
    path("statements/approve/", ops_views.bulk_approve, name="statements-approve"),
    path("statements/<int:statement_id>/", views.statement_detail, name="statement"),
    path(
        "statements/<int:statement_id>/print/",
        document_views.statement_print,
        name="statement-print",
    ),
    path(
        "statements/<int:statement_id>/<str:action>/",
        views.statement_action,
        name="statement-action",
    ),
    path("lines/<int:line_id>/dispute/", views.line_dispute, name="line-dispute"),
    path("disputes/<int:dispute_id>/resolve/", views.dispute_resolve, name="dispute-resolve"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", plan_views.plan_new, name="plan-new"),
    path("plans/simulate/", plan_views.plan_simulate, name="plan-simulate"),
    path("plans/<int:plan_id>/", plan_views.plan_edit, name="plan"),
    path(
        "people/<int:person_id>/plans/<int:version_id>/",
        document_views.plan_document,
        name="plan-document",
    ),
    path(
        "plan-versions/<int:version_id>/acknowledge/",
        document_views.plan_acknowledge_page,
        name="plan-acknowledge",
    ),
    path("ops/", ops_views.pay_ops, name="pay-ops"),
    path("ops/assign/", ops_views.plan_assign_page, name="pay-ops-assign"),
    path("ops/quota/", ops_views.quota_set_page, name="pay-ops-quota"),
    path("ops/import/", ops_views.pay_import, name="pay-import"),
    path("ops/import/errors.csv", ops_views.pay_import_errors_csv, name="pay-import-errors"),
    path("ops/acknowledgements/", ops_views.acknowledgements, name="acknowledgements"),
]
