"""Role groups and their model permissions, correct after one `migrate` (issue 20, item 6).

Permissions are created by a post_migrate handler per app, and salesops's own post_migrate sync
ran before those of meetings, territories and compensation existed: after a fresh migrate the
sales-ops group lacked them until a second sync. This migration creates the content types and
permissions of every product app first, then sets the groups (the rule of
salesops.services.roles.roles_sync, which still runs after each migrate for later models).

It lives in the meetings app because it must run after the latest migration of every product
app; a later migration that adds models gets their permissions from roles_sync, or its own step.
"""

from django.db import migrations

PRODUCT_APPS = ("salesops", "meetings", "territories", "compensation")
ROLES = (
    "sdr",
    "account_executive",
    "sales_admin",
    "customer_success",
    "sales_manager",
    "sales_ops_manager",
)


def sync_roles(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    for label in PRODUCT_APPS:
        config = global_apps.get_app_config(label)
        create_contenttypes(config, verbosity=0, apps=apps)
        create_permissions(config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    product = Permission.objects.filter(content_type__app_label__in=PRODUCT_APPS)
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role == "sales_ops_manager":
            group.permissions.set(product)
        else:
            group.permissions.set(product.filter(codename__startswith="view_"))


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_pending_meeting_cost"),
        ("salesops", "0011_deal_value_bounds"),
        ("territories", "0003_efficiency_inputs_version"),
        ("compensation", "0004_backfill_payout_ledger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
