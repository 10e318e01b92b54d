from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The top layer: the manager dashboard, /me/ and /ops/. It reads every app; nothing imports it."""

    name = "dashboard"
    default_auto_field = "django.db.models.BigAutoField"
