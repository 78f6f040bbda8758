"""The stock-by-species-and-zone report on PostgreSQL: 10,000 lots, 500,000 ledger entries.

Creates a fresh database (admin URL from BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/postgres), migrates it, loads the ledger with COPY,
then times the selector behind the report (``nursery.selectors.stock_by_species_and_zone``,
now and as of a past date) against the same aggregate written as raw SQL. Prints a
table, writes bench-results/nursery.json and drops the database.

Goal: under 1 s, and within 1.5× of raw SQL.
"""

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench-results" / "nursery.json"
GOAL_SECONDS = 1.0
GOAL_RATIO = 1.5

RAW_SQL = """
SELECT s.id, s.name, s.name_en, s.scientific_name, z.id, z.code, z.name, z.name_en,
       SUM(e.quantity) AS on_hand,
       SUM(e.quantity * e.unit_cost) AS value
FROM nursery_stockentry e
JOIN nursery_stocklot l ON l.id = e.lot_id
JOIN nursery_species s ON s.id = l.species_id
JOIN nursery_zone z ON z.id = l.zone_id
{where}
GROUP BY s.id, z.id
ORDER BY s.id, z.id
"""


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def load(lots: int, entries: int) -> None:
    """Zones, species, lots and a ledger that never goes negative, written with COPY."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    rng = random.Random(4)
    now = timezone.now()
    start = now - datetime.timedelta(days=5 * 365)
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as c:
            with c.copy("COPY nursery_zone (code, name, name_en, area_mu, use) FROM STDIN") as copy:
                for i in range(12):
                    copy.write_row((f"Z{i}", f"分区{i}", f"Zone {i}", 250, "nursery_field"))
            with c.copy(
                "COPY nursery_species (scientific_name, name, name_en, family, form, leaf_habit, bloom_months) FROM STDIN"
            ) as copy:
                for i in range(60):
                    copy.write_row(
                        (
                            f"Species {i}",
                            f"树种{i}",
                            f"Species {i}",
                            "Rosaceae",
                            "tree",
                            "deciduous",
                            0,
                        )
                    )
            c.execute("SELECT id FROM nursery_zone ORDER BY id")
            zones = [r[0] for r in c.fetchall()]
            c.execute("SELECT id FROM nursery_species ORDER BY id")
            species = [r[0] for r in c.fetchall()]
            per_lot = entries // lots
            with c.copy(
                "COPY nursery_stocklot (code, species_id, zone_id, grown, unit_cost, on_hand, reserved, notes, stem_measured_at) FROM STDIN"
            ) as copy:
                for i in range(lots):
                    copy.write_row(
                        (
                            f"L{i:05d}",
                            rng.choice(species),
                            rng.choice(zones),
                            "field",
                            50,
                            0,
                            0,
                            "",
                            "1.3",
                        )
                    )
            c.execute("SELECT id, unit_cost FROM nursery_stocklot ORDER BY id")
            lot_rows = c.fetchall()
            balances = {}
            with c.copy(
                "COPY nursery_stockentry (lot_id, kind, quantity, unit_cost, occurred_at, note, created_at) FROM STDIN"
            ) as copy:
                for lot_id, cost in lot_rows:
                    when = start + datetime.timedelta(minutes=rng.randrange(60 * 24 * 30))
                    balance = 200 + rng.randrange(800)
                    copy.write_row((lot_id, "purchase", balance, cost, when, "", now))
                    for _ in range(per_lot - 1):
                        when += datetime.timedelta(minutes=rng.randrange(1, 60 * 24 * 60))
                        if balance > 5 and rng.random() < 0.7:
                            quantity = -rng.randrange(1, min(balance, 20) + 1)
                            kind = rng.choice(["sale", "loss", "planting"])
                        else:
                            quantity, kind = rng.randrange(1, 30), "propagation"
                        balance += quantity
                        copy.write_row((lot_id, kind, quantity, cost, when, "", now))
                    balances[lot_id] = balance
            c.execute("CREATE TEMP TABLE lot_balance (id bigint, on_hand int)")
            with c.copy("COPY lot_balance (id, on_hand) FROM STDIN") as copy:
                for row in balances.items():
                    copy.write_row(row)
            c.execute(
                "UPDATE nursery_stocklot l SET on_hand = b.on_hand FROM lot_balance b WHERE b.id = l.id"
            )
            c.execute("ANALYZE")
        raw.commit()


def timed(work, repeat: int) -> dict:
    work()  # warm the caches and the plan
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = work()
        samples.append(time.perf_counter() - started)
    return {"median_s": statistics.median(samples), "min_s": min(samples), "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    admin_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"huagu_bench_nursery_{os.getpid()}"
    admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        setup_django(with_database(admin_url, name))
        from django.db import connection, connections

        from nursery import selectors
        from nursery.services import end_of_day

        started = time.perf_counter()
        load(args.lots, args.entries)
        load_seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM nursery_stockentry")
            entry_count = cursor.fetchone()[0]
            cursor.execute("SELECT max(occurred_at) FROM nursery_stockentry")
            latest = cursor.fetchone()[0]
        past = (latest - datetime.timedelta(days=365 * 2)).date()

        def raw(as_of=None):
            where, params = "", []
            if as_of is not None:
                where, params = "WHERE e.occurred_at < %s", [end_of_day(as_of)]
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL.format(where=where), params)
                return len([r for r in cursor.fetchall() if r[8]])

        results = []
        for label, as_of in [("now", None), (f"as of {past}", past)]:
            orm = timed(
                lambda as_of=as_of: len(selectors.stock_by_species_and_zone(as_of=as_of)),
                args.repeat,
            )
            sql = timed(lambda as_of=as_of: raw(as_of), args.repeat)
            assert orm["rows"] == sql["rows"], (orm["rows"], sql["rows"])
            ratio = orm["median_s"] / sql["median_s"]
            results.append(
                {
                    "report": f"stock by species and zone ({label})",
                    "groups": orm["rows"],
                    "selector_median_s": round(orm["median_s"], 4),
                    "raw_sql_median_s": round(sql["median_s"], 4),
                    "ratio": round(ratio, 3),
                    "under_1s": orm["median_s"] < GOAL_SECONDS,
                    "within_1_5x": ratio <= GOAL_RATIO,
                }
            )
        connections.close_all()
    finally:
        admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"{args.lots:,} lots, {entry_count:,} ledger entries; loaded in {load_seconds:.1f} s")
    header = f"{'report':44}{'groups':>8}{'selector s':>12}{'raw SQL s':>11}{'ratio':>7}  goal"
    print(header)
    print("-" * len(header))
    for row in results:
        ok = "ok" if row["under_1s"] and row["within_1_5x"] else "MISSED"
        print(
            f"{row['report']:44}{row['groups']:>8}{row['selector_median_s']:>12.4f}"
            f"{row['raw_sql_median_s']:>11.4f}{row['ratio']:>7.2f}  {ok}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "nursery stock by species and zone",
                "lots": args.lots,
                "entries": entry_count,
                "repeat": args.repeat,
                "goal": {"under_s": GOAL_SECONDS, "within_ratio_of_raw_sql": GOAL_RATIO},
                "python": platform.python_version(),
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS.relative_to(BASE_DIR)}")
    return 0 if all(r["under_1s"] and r["within_1_5x"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
