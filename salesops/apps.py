from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    from salesops.services.roles import roles_sync

    roles_sync()


class SalesOpsConfig(AppConfig):
    name = "salesops"
    verbose_name = "SalesOps core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Wiring, not business logic: role groups must exist once the permission rows do.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="salesops_roles_sync")
