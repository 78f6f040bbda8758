"""Gate staff admit visitors: the ``check_in_ticket`` permission, granted to their role."""

from django.db import migrations

from core.roles import GATE_STAFF, grant_permissions, revoke_permissions

PERMISSIONS = {GATE_STAFF: [("tourism", "ticket", "check_in_ticket")]}


class Migration(migrations.Migration):
    dependencies = [("tourism", "0004_ticket_roles")]

    operations = [
        migrations.AlterModelOptions(
            name="ticket",
            options={
                "ordering": ["pk"],
                "permissions": [("check_in_ticket", "Can admit visitors at the gate")],
                "verbose_name": "ticket",
                "verbose_name_plural": "tickets",
            },
        ),
        migrations.RunPython(
            lambda apps, schema_editor: grant_permissions(apps, PERMISSIONS),
            lambda apps, schema_editor: revoke_permissions(apps, PERMISSIONS),
        ),
    ]
