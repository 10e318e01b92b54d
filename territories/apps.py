from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "territories"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The core cannot import this app (.importlinter), so it calls us through its two plug-in
        # points: account changes (salesops.hooks) and extra efficiency scopes.
        from salesops.efficiency_scopes import register_scope_provider
        from salesops.hooks import register_account_listener
        from territories.efficiency import (
            daily_rows_from_won_deals_sql,
            daily_rows_sql,
            inputs_fingerprint_sql,
        )
        from territories.services.assignment import on_accounts_changed

        register_account_listener(on_accounts_changed)
        register_scope_provider(
            "territory",
            daily_rows_sql,
            inputs_fingerprint=inputs_fingerprint_sql,
            from_won_deals=daily_rows_from_won_deals_sql,
        )
