"""The demo's page awaiting approval: a change an editor sent to the "Moderators approval"
workflow, for the admin to approve, although editors publish directly by default."""

from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from wagtail.models import Page, Workflow, WorkflowState

from tourism.models import VisitInfoPage
from tourism.publishing import MODERATION_WORKFLOW

# The editor's proposed addition to the visit page's summary (live only once approved).
PROPOSED_SUMMARY_ADDITION = "夏季（6月至8月）周五、周六夜场开放至21:30。"


def ensure_page_awaiting_approval(tally) -> None:
    """Submit a new revision of the Chinese visit page to the moderation workflow, once."""
    in_moderation = WorkflowState.objects.active().filter(base_content_type__model="page")
    if in_moderation.exists():
        tally.add("pages in moderation", False)
        return
    editor = get_user_model().objects.filter(username="editor").first()
    workflow = Workflow.objects.filter(name=MODERATION_WORKFLOW, active=True).first()
    page = (
        VisitInfoPage.objects.live()
        .filter(locale__language_code="zh-hans")
        .order_by("path")
        .first()
    )
    if editor is None or workflow is None or page is None:
        return
    page = Page.objects.get(pk=page.pk).get_latest_revision_as_object()
    if PROPOSED_SUMMARY_ADDITION not in page.summary:
        page.summary = f"{page.summary}{PROPOSED_SUMMARY_ADDITION}"
    page.save_revision(user=editor, log_action=True)
    # The workflow emails the reviewers; a demo being loaded has no one to tell.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        workflow.start(page, editor)
    tally.add("pages in moderation", True)
