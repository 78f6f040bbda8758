"""Gate staff sign in through the admin's login page, so they hold admin access.

With it, every staff screen they have no permission for answers 403, rather than
sending them back to the login page as if they were not signed in.
"""

from django.db import migrations

from core.roles import GATE_STAFF, grant_permissions, revoke_permissions

PERMISSIONS = {GATE_STAFF: [("wagtailadmin", "admin", "access_admin")]}


class Migration(migrations.Migration):
    dependencies = [("tourism", "0005_gate_permissions")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: grant_permissions(apps, PERMISSIONS),
            lambda apps, schema_editor: revoke_permissions(apps, PERMISSIONS),
        )
    ]
