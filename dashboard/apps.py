from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The top layer: the manager dashboard, /me/ and /ops/. It reads every app; nothing imports it."""

    name = "dashboard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dashboard.services import deal_snapshots_write
        from salesops.hooks import register_publish_listener

        # The nightly efficiency run's publish also writes the night's deal figures.
        register_publish_listener(deal_snapshots_write)
