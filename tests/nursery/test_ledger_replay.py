"""On hand as of any past date equals a replay of the ledger up to that date."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from nursery import selectors, services
from nursery.models import StockEntry

from .factories import ZoneFactory, days_ago, make_lot

MOVES = st.lists(
    st.tuples(
        st.sampled_from(["propagation", "loss", "sale", "count"]),
        st.integers(min_value=1, max_value=30),
        st.integers(min_value=0, max_value=60),  # days ago
    ),
    min_size=1,
    max_size=25,
)


class LedgerReplayTests(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(moves=MOVES, probe=st.integers(min_value=0, max_value=70))
    def test_on_hand_as_of_a_past_date_equals_a_replay_of_the_ledger(self, moves, probe):
        zone = ZoneFactory(code="R1")
        lot = make_lot(20, days=65, zone=zone)
        for kind, quantity, ago in moves:
            when = days_ago(ago, hour=8 + quantity % 10)
            try:
                if kind == "propagation":
                    services.stock_propagation_record(lot=lot, quantity=quantity, occurred_at=when)
                elif kind == "loss":
                    services.stock_loss_record(lot=lot, quantity=quantity, occurred_at=when)
                elif kind == "sale":
                    services.stock_sale_record(lot=lot, quantity=quantity, occurred_at=when)
                else:
                    services.stock_count_record(lot=lot, counted=quantity, occurred_at=when)
            except services.StockError:
                pass

        entries = list(StockEntry.objects.filter(lot=lot).order_by("occurred_at", "pk"))
        # The invariant: replaying the ledger in time order never goes below zero.
        running = 0
        for entry in entries:
            running += entry.quantity
            assert running >= 0

        as_of = days_ago(probe).date()
        cutoff = services.end_of_day(as_of)
        replay = sum(e.quantity for e in entries if e.occurred_at < cutoff)
        replay_value = sum(e.quantity * e.unit_cost for e in entries if e.occurred_at < cutoff)

        assert selectors.lot_on_hand(lot=lot, as_of=as_of) == replay
        annotated = selectors.lots_on_hand(as_of=as_of).get(pk=lot.pk)
        assert annotated.stock == replay
        assert annotated.stock_value == replay_value
        by_zone = {row["zone_id"]: row["on_hand"] for row in selectors.stock_by_zone(as_of=as_of)}
        assert by_zone.get(zone.pk, 0) == replay
        lot.refresh_from_db()
        assert lot.on_hand == sum(e.quantity for e in entries)


pytestmark = pytest.mark.django_db
