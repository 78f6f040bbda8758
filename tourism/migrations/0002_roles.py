"""The staff roles as Django groups, with the permissions each role needs so far.

Later migrations grant each role the permissions of the features they add.
"""

from django.db import migrations

from core.roles import grant_permissions

ROLE_PERMISSIONS = {
    # Wagtail's own migrations create "Editors" with page permissions; editors also set prices and park details.
    "Editors": [
        ("wagtailadmin", "admin", "access_admin"),
        ("tourism", "tickettype", "add_tickettype"),
        ("tourism", "tickettype", "change_tickettype"),
        ("tourism", "tickettype", "delete_tickettype"),
        ("tourism", "tickettype", "view_tickettype"),
        ("tourism", "sitesettings", "change_sitesettings"),
        ("tourism", "sitesettings", "view_sitesettings"),
    ],
    "Farm managers": [
        ("wagtailadmin", "admin", "access_admin"),
        ("nursery", "zone", "add_zone"),
        ("nursery", "zone", "change_zone"),
        ("nursery", "zone", "delete_zone"),
        ("nursery", "zone", "view_zone"),
    ],
    "Gate staff": [],
    "Officials": [
        ("wagtailadmin", "admin", "access_admin"),
        ("nursery", "zone", "view_zone"),
    ],
}


def create_roles(apps, schema_editor):
    grant_permissions(apps, ROLE_PERMISSIONS)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=["Farm managers", "Gate staff", "Officials"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tourism", "0001_initial"),
        ("nursery", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
