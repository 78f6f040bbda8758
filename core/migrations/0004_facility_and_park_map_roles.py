"""Editors place the visitor facilities and draw the park; Farm managers draw the park too.

The park boundary and entrance are what zones (Farm managers) and attractions (Editors)
are checked against, so both roles may set them. Facilities are for visitors: Editors.
"""

from django.db import migrations

from core.roles import EDITORS, FARM_MANAGERS, grant_permissions, revoke_permissions

PARK_MAP = [("core", "parkmap", f"{action}_parkmap") for action in ("change", "view")]
ROLE_PERMISSIONS = {
    EDITORS: [
        *PARK_MAP,
        *[
            ("core", "facility", f"{action}_facility")
            for action in ("add", "change", "delete", "view")
        ],
    ],
    FARM_MANAGERS: [*PARK_MAP, ("core", "facility", "view_facility")],
}


def grant(apps, schema_editor):
    grant_permissions(apps, ROLE_PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_park_map"),
        ("tourism", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
