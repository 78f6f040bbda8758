"""Farm managers run the nursery: every nursery permission. No other role is granted any."""

from django.db import migrations

from core.roles import grant_permissions, revoke_permissions

MODELS = [
    "species",
    "supplier",
    "customer",
    "acquisition",
    "acquisitionline",
    "stocklot",
    "specimentree",
    "specimenmeasurement",
    "specimenphoto",
    "planting",
    "survivalcheck",
    "reservation",
    "stockentry",
]

ROLE_PERMISSIONS = {
    "Farm managers": [
        ("nursery", model, f"{action}_{model}")
        for model in MODELS
        for action in ("add", "change", "delete", "view")
    ],
}


def grant(apps, schema_editor):
    grant_permissions(apps, ROLE_PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("nursery", "0002_nursery"),
        ("tourism", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
