from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from compensation.models import Metric
        from compensation.selectors.attainment import register_metric_provider
        from meetings.selectors.metrics import meetings_held_by_person

        register_metric_provider(Metric.MEETINGS_HELD, meetings_held_by_person)
