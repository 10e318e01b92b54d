from django.apps import AppConfig


class CompensationConfig(AppConfig):
    name = "compensation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin

        from compensation import payouts_admin

        payouts_admin.register(admin.site)
