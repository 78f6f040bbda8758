"""The staff roles (Django groups) and how migrations grant them permissions."""

EDITORS = "Editors"
FARM_MANAGERS = "Farm managers"
GATE_STAFF = "Gate staff"
OFFICIALS = "Officials"
ROLES = (EDITORS, FARM_MANAGERS, GATE_STAFF, OFFICIALS)


def grant_permissions(apps, role_permissions: dict[str, list[tuple[str, str, str]]]) -> None:
    """Give each role the ``(app_label, model, codename)`` permissions listed for it.

    For use in data migrations: permissions are normally created after all migrations
    have run, so they are created here first.
    """
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_contenttypes(app_config, verbosity=0, apps=apps)
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, codename in permissions:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, content_type__model=model, codename=codename
                )
            )


def revoke_permissions(apps, role_permissions: dict[str, list[tuple[str, str, str]]]) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in role_permissions.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for app_label, model, codename in permissions:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label, content_type__model=model, codename=codename
                )
            )
