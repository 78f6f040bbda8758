"""Editors publish pages directly; a Moderators group and its approval workflow stand ready.

The Editors group gets the publish permission on the root of the page tree. The
"Moderators" group (add, change, publish, lock and unlock pages, admin access), its
"Moderators approval" task and workflow, assigned to the root page, are made where
missing (Wagtail's first migrations usually made them already). Whether editors go
through that workflow is the ``HUAGU_MODERATION`` setting (tourism/publishing.py).
"""

from django.db import migrations

from core.roles import EDITORS, grant_permissions

MODERATORS = "Moderators"
WORKFLOW = "Moderators approval"
MODERATOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]


def page_permission(apps, codename):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(
        content_type__app_label="wagtailcore", content_type__model="page", codename=codename
    )


def root_page(apps):
    Page = apps.get_model("wagtailcore", "Page")
    return Page.objects.filter(depth=1).order_by("path").first()


def editors_publish_and_moderators(apps, schema_editor):
    grant_permissions(
        apps,
        {
            EDITORS: [("wagtailadmin", "admin", "access_admin")],
            MODERATORS: [("wagtailadmin", "admin", "access_admin")],
        },
    )
    root = root_page(apps)
    if root is None:
        return
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")

    editors = Group.objects.get(name=EDITORS)
    GroupPagePermission.objects.get_or_create(
        group=editors, page=root, permission=page_permission(apps, "publish_page")
    )
    moderators = Group.objects.get(name=MODERATORS)
    for codename in MODERATOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=moderators, page=root, permission=page_permission(apps, codename)
        )

    task = GroupApprovalTask.objects.filter(name=WORKFLOW).first()
    if task is None:
        content_type, _ = ContentType.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )
        task = GroupApprovalTask.objects.create(name=WORKFLOW, content_type=content_type)
    task.active = True
    task.save()
    task.groups.add(moderators)

    workflow = Workflow.objects.filter(name=WORKFLOW).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW)
    workflow.active = True
    workflow.save()
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    if not WorkflowPage.objects.filter(page=root).exists():
        WorkflowPage.objects.create(workflow=workflow, page=root)


def editors_no_longer_publish(apps, schema_editor):
    root = root_page(apps)
    if root is None:
        return
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(
        group__name=EDITORS, page=root, permission=page_permission(apps, "publish_page")
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tourism", "0008_box_office"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(editors_publish_and_moderators, editors_no_longer_publish),
    ]
