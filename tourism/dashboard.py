"""The editor's home screen: pages waiting for approval, and what is in flower now beside
what the home page says is in bloom."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import Page, Site, WorkflowState

from core.dashboard import DashboardPanel, user_edits_pages
from core.months import MONTH_CHOICES, blooming_in
from nursery.models import Species, SpecimenTree, StockLot, Zone

from .models import AttractionPage, HomePage, home_for_language

# The home page shows this many attractions under "in bloom" (tourism/models.py:HomePage).
HOME_IN_BLOOM_SHOWN = 6


@dataclass
class AttractionBloom:
    """One attraction this month: what its page says, and what the nursery has in flower there."""

    page: AttractionPage
    said_in_bloom: bool
    shown_on_home: bool
    flowering: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """``agrees``, ``no_zone``, ``nothing_flowering`` (said but not seen) or ``unsaid``."""
        if self.page.zone_id is None:
            return "no_zone"
        if self.said_in_bloom and not self.flowering:
            return "nothing_flowering"
        if not self.said_in_bloom and self.flowering:
            return "unsaid"
        return "agrees"


@dataclass
class BloomComparison:
    month: int
    month_name: str
    home: HomePage | None
    attractions: list[AttractionBloom]
    # Zones with species in flower where no attraction page lies: (zone, species names).
    elsewhere: list[tuple[Zone, list[str]]]

    @property
    def disagreements(self) -> int:
        return sum(1 for a in self.attractions if a.verdict in ("nothing_flowering", "unsaid"))


def flowering_by_zone(*, month: int) -> dict[int, list[str]]:
    """Species in flower in ``month`` that the nursery has in each zone: lots with plants on
    hand, and specimen trees still standing (neither dead nor sold)."""
    pairs = set(
        StockLot.objects.filter(on_hand__gt=0)
        .filter(blooming_in(month, "species__bloom_months"))
        .values_list("zone_id", "species_id")
    )
    pairs |= set(
        SpecimenTree.objects.filter(zone__isnull=False)
        .exclude(status__in=[SpecimenTree.Status.DEAD, SpecimenTree.Status.SOLD])
        .filter(blooming_in(month, "species__bloom_months"))
        .values_list("zone_id", "species_id")
    )
    species = Species.objects.in_bulk({species_id for _zone, species_id in pairs})
    by_zone: dict[int, set[str]] = defaultdict(set)
    for zone_id, species_id in pairs:
        by_zone[zone_id].add(species[species_id].display_name)
    return {zone_id: sorted(names) for zone_id, names in by_zone.items()}


def bloom_comparison(*, home: HomePage | None, month: int) -> BloomComparison:
    """The attractions of ``home``'s language this month: said in bloom (and shown on the
    home page, which lists the first six in tree order) against the nursery's records."""
    flowering = flowering_by_zone(month=month)
    attractions = []
    if home is not None:
        pages = (
            AttractionPage.objects.live()
            .filter(locale_id=home.locale_id)
            .select_related("zone")
            .order_by("path")
        )
        shown = 0
        for page in pages:
            said = month in page.bloom_months
            on_home = said and shown < HOME_IN_BLOOM_SHOWN
            shown += on_home
            attractions.append(
                AttractionBloom(
                    page=page,
                    said_in_bloom=said,
                    shown_on_home=on_home,
                    flowering=flowering.get(page.zone_id, []) if page.zone_id else [],
                )
            )
    with_pages = {a.page.zone_id for a in attractions}
    zones = Zone.objects.in_bulk([zone_id for zone_id in flowering if zone_id not in with_pages])
    elsewhere = [(zones[zone_id], flowering[zone_id]) for zone_id in sorted(zones)]
    return BloomComparison(
        month=month,
        month_name=str(dict(MONTH_CHOICES)[month]),
        home=home,
        attractions=[a for a in attractions if a.said_in_bloom or a.verdict != "agrees"],
        elsewhere=elsewhere,
    )


def pages_awaiting_approval() -> list[dict]:
    """Pages in a moderation workflow now: the page, who asked, since when, the task at hand."""
    states = (
        WorkflowState.objects.active()
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .select_related("requested_by", "current_task_state__task", "workflow")
        .order_by("created_at")
    )
    pages = Page.objects.in_bulk([int(state.object_id) for state in states])
    return [
        {
            "page": pages[int(state.object_id)],
            "requested_by": state.requested_by,
            "since": state.created_at,
            "task": state.current_task_state.task if state.current_task_state else None,
        }
        for state in states
        if int(state.object_id) in pages
    ]


class EditorPanel(DashboardPanel):
    """Pages waiting for approval and the bloom check, for Editors (anyone who edits pages)."""

    name = "huagu_tourism_editor"
    template_name = "tourism/dashboard/editor_panel.html"
    order = 100

    @classmethod
    def is_shown_to(cls, user) -> bool:
        return user_edits_pages(user)

    def get_panel_context(self, request) -> dict:
        # The site's own home page (its first language), the one most visitors read.
        site = Site.find_for_request(request)
        root = site.root_page.specific if site else None
        home = root if isinstance(root, HomePage) else home_for_language(settings.LANGUAGE_CODE)
        return {
            "waiting": pages_awaiting_approval(),
            "bloom": bloom_comparison(home=home, month=timezone.localdate().month),
        }
