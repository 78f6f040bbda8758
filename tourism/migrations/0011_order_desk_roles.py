"""The order desk: gate staff, like editors, find orders and change them (refund, move, resend)."""

from django.db import migrations

from core.roles import GATE_STAFF, grant_permissions, revoke_permissions

PERMISSIONS = {
    GATE_STAFF: [("tourism", "order", "view_order"), ("tourism", "order", "change_order")],
}


class Migration(migrations.Migration):
    dependencies = [("tourism", "0010_order_desk_refunded_tickets")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: grant_permissions(apps, PERMISSIONS),
            lambda apps, schema_editor: revoke_permissions(apps, PERMISSIONS),
        )
    ]
