"""The role groups get the AssignmentBatch permissions in this migration (correct after one
`migrate`; see meetings 0003): sales ops all of them, the other roles view only."""

from django.db import migrations

ROLES = (
    "sdr",
    "account_executive",
    "sales_admin",
    "customer_success",
    "sales_manager",
    "sales_ops_manager",
)


def grant(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    config = global_apps.get_app_config("territories")
    create_contenttypes(config, verbosity=0, apps=apps)
    create_permissions(config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(
        content_type__app_label="territories", content_type__model="assignmentbatch"
    )
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role == "sales_ops_manager":
            group.permissions.add(*perms)
        else:
            group.permissions.add(*perms.filter(codename__startswith="view_"))


class Migration(migrations.Migration):
    dependencies = [
        ("territories", "0005_territorybalancesnapshot"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
