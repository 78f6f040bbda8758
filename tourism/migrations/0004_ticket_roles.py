"""Editors run ticket sales: types, prices, slots, closed days, and read and amend orders."""

from django.db import migrations

from core.roles import EDITORS, grant_permissions, revoke_permissions

PERMISSIONS = {
    EDITORS: [
        ("tourism", model, f"{action}_{model}")
        for model in ("slot", "closedday", "seasonprice")
        for action in ("add", "change", "delete", "view")
    ]
    + [("tourism", "order", "view_order"), ("tourism", "order", "change_order")],
}


class Migration(migrations.Migration):
    dependencies = [("tourism", "0003_tickets")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: grant_permissions(apps, PERMISSIONS),
            lambda apps, schema_editor: revoke_permissions(apps, PERMISSIONS),
        )
    ]
