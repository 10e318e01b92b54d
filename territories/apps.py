from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "territories"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from compensation.selectors.attainment import register_territory_credit_provider
        from salesops.hooks import register_account_listener
        from territories.selectors.credit import credited_revenue_by_territory
        from territories.services.assignment import on_accounts_changed

        register_account_listener(on_accounts_changed)
        register_territory_credit_provider(credited_revenue_by_territory)
        try:
            from salesops.efficiency_scopes import (  # type: ignore[import-not-found,unused-ignore]
                register_scope_provider,
            )
        except ImportError:  # the efficiency registry has not landed yet
            return
        from territories.efficiency import daily_rows_sql, inputs_fingerprint_sql

        register_scope_provider(
            "territory", daily_rows_sql, inputs_fingerprint=inputs_fingerprint_sql
        )
