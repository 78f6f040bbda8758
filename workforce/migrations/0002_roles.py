"""Farm managers manage everything in the workforce; Officials read it (reports, rosters, exports)."""

from django.db import migrations

from core.roles import grant_permissions, revoke_permissions

MODELS = [
    "village",
    "villagegroup",
    "household",
    "householdstatus",
    "villager",
    "employment",
    "task",
    "rate",
    "crew",
    "wagebatch",
    "workentry",
    "landlease",
    "rentpayment",
]

ROLE_PERMISSIONS = {
    "Farm managers": [
        ("workforce", model, f"{action}_{model}")
        for model in MODELS
        for action in ("add", "change", "delete", "view")
    ],
    "Officials": [("workforce", model, f"view_{model}") for model in MODELS],
}


def grant(apps, schema_editor):
    grant_permissions(apps, ROLE_PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("workforce", "0001_initial"),
        ("tourism", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
