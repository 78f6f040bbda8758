"""Farm managers and editors read the bulk writes they make (imports, slots opened): who, when, what."""

from django.db import migrations

from core.roles import EDITORS, FARM_MANAGERS, grant_permissions, revoke_permissions

PERMISSIONS = {
    FARM_MANAGERS: [("core", "bulkwrite", "view_bulkwrite")],
    EDITORS: [("core", "bulkwrite", "view_bulkwrite")],
}


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_bulk_writes"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: grant_permissions(apps, PERMISSIONS),
            lambda apps, schema_editor: revoke_permissions(apps, PERMISSIONS),
        )
    ]
