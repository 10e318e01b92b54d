from django.apps import AppConfig


class CompensationConfig(AppConfig):
    name = "compensation"
    default_auto_field = "django.db.models.BigAutoField"
