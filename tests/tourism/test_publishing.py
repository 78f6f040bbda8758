"""Editors publish directly; with HUAGU_MODERATION on, their changes go to the Moderators.

The edit form is posted back as the admin renders it (every field with its value), so
the tests drive Wagtail's own edit and workflow views, permission checks included.
"""

import html5lib
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.fields import StreamField
from wagtail.models import Page, WorkflowState

from tests.tickets.factories import UserFactory, user_in_role
from tourism.publishing import MODERATION_WORKFLOW, MODERATORS

pytestmark = pytest.mark.django_db


def edit_form_data(html: str) -> dict:
    """The page edit form's fields and values, as a browser would submit them."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    form = next(f for f in document.iter("form") if f.get("data-edit-form") is not None)
    data = {}
    for element in form.iter():
        name = element.get("name")
        if not name or element.tag not in ("input", "textarea", "select"):
            continue
        kind = element.get("type", "text")
        if element.tag == "input" and kind in ("submit", "button", "file"):
            continue
        if element.tag == "input" and kind in ("checkbox", "radio"):
            if element.get("checked") is not None:
                data.setdefault(name, []).append(element.get("value", "on"))
            continue
        if element.tag == "textarea":
            data[name] = element.text or ""
        elif element.tag == "select":
            chosen = [o.get("value", o.text) for o in element.iter("option") if o.get("selected")]
            if chosen:
                data[name] = chosen if element.get("multiple") is not None else chosen[0]
        else:
            data[name] = element.get("value", "")
    return data


def edit_page(client, user, page, *, action: str, **changes):
    client.force_login(user)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = {**edit_form_data(response.content.decode()), **changes, action: "1"}
    # Stream fields are drawn by the browser's script from JSON; an empty one posts a count.
    for field in page.specific._meta.get_fields():
        if isinstance(field, StreamField) and f"{field.name}-count" not in data:
            assert not getattr(page.specific, field.name), "fill in a non-empty stream field"
            data[f"{field.name}-count"] = "0"
    return client.post(url, data)


def action_names(client, user, page) -> set[str]:
    client.force_login(user)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    document = html5lib.parse(html, namespaceHTMLElements=False)
    return {
        b.get("name") for b in document.iter("button") if b.get("name", "").startswith("action-")
    }


@pytest.fixture
def visit_page(site_tree):
    return site_tree.zh.visit


def live_title(page) -> str:
    return Page.objects.get(pk=page.pk).title


def test_an_editor_publishes_directly_and_visitors_see_it_at_once(client, visit_page):
    editor = user_in_role("Editors")
    assert client.get(visit_page.url).status_code == 200  # fills the page cache
    assert action_names(client, editor, visit_page) >= {"action-publish"}
    assert "action-submit" not in action_names(client, editor, visit_page)

    response = edit_page(client, editor, visit_page, action="action-publish", title="游览须知")
    assert response.status_code == 302
    assert live_title(visit_page) == "游览须知"
    assert not WorkflowState.objects.active().exists()
    client.logout()
    assert "游览须知" in client.get(visit_page.url).content.decode()


def test_with_moderation_on_an_editors_change_waits_for_a_moderator(client, settings, visit_page):
    settings.HUAGU_MODERATION = True
    editor = user_in_role("Editors")
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name=MODERATORS))

    actions = action_names(client, editor, visit_page)
    assert "action-publish" not in actions
    assert "action-submit" in actions

    # A publish sent anyway is refused: the server checks, not only the menu.
    edit_page(client, editor, visit_page, action="action-publish", title="游览须知")
    assert live_title(visit_page) == "游览信息"

    edit_page(client, editor, visit_page, action="action-submit", title="游览须知")
    state = WorkflowState.objects.active().get()
    assert state.workflow.name == MODERATION_WORKFLOW
    assert state.requested_by == editor
    assert live_title(visit_page) == "游览信息"
    approve = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[visit_page.pk, "approve", state.current_task_state.pk],
    )

    # The editor cannot approve their own change.
    client.force_login(editor)
    client.post(approve, {"comment": ""})
    assert live_title(visit_page) == "游览信息"

    client.force_login(moderator)
    response = client.post(approve, {"comment": "好"})
    assert response.status_code == 302
    assert live_title(visit_page) == "游览须知"
    assert not WorkflowState.objects.active().exists()
    client.logout()
    assert "游览须知" in client.get(visit_page.url).content.decode()


def test_the_demo_has_a_page_awaiting_the_admins_approval(client, demo, db):
    state = WorkflowState.objects.active().get()
    page = Page.objects.get(pk=state.object_id).specific
    assert state.requested_by.username == "editor"
    assert state.workflow.name == MODERATION_WORKFLOW
    proposed = page.get_latest_revision_as_object().summary
    assert proposed != page.summary

    admin = type(state.requested_by).objects.get(username="admin")
    client.force_login(admin)
    assert f'data-waiting="{page.pk}"' in client.get("/admin/").content.decode()
    response = client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[page.pk, "approve", state.current_task_state.pk],
        ),
        {"comment": ""},
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.summary == proposed
