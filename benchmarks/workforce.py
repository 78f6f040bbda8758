"""The year's job-creation report over 1,000,000 work entries on PostgreSQL, beside raw SQL.

Run with ``.venv/bin/python benchmarks/workforce.py`` (needs a PostgreSQL server;
BENCH_DATABASE_URL names one that can create databases, default
postgres://postgres@127.0.0.1:5432/postgres).

1. A fresh database is created and migrated: 3 villages, 2,000 households (40% poverty-
   registered or monitored), 5,000 villagers with employment periods, 1,000 rent payments,
   and 1,000,000 work entries in the reported year plus 1,000,000 in the year before
   (the report shows the previous period beside every figure, so it reads both).
   The months of work the report reads (``WorkMonth``) are then counted from the entries
   by ``work_months_rebuild``, as after an import; its time is reported.
2. ``job_report`` for the year, all villages, is timed (best and median of 5 runs after a
   warm-up), and the same aggregate queries are sent as raw SQL through psycopg. For
   scale, so is the scan the report would need without the months of work: every entry
   of both years grouped per villager and day.
3. Prints a table, writes bench-results/workforce.json, drops the database.

Goal: the report under 1 s, and within 1.5× of the raw SQL.
"""

import contextlib
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench-results" / "workforce.json"
ENTRIES_PER_YEAR = 1_000_000
VILLAGERS = 5_000
HOUSEHOLDS = 2_000
YEAR = 2025
RUNS = 5
GOAL_SECONDS = 1.0
GOAL_RATIO = 1.5


def admin_execute(admin_url: str, sql: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def build(url: str) -> dict:
    """The villages, households, villagers and two years of work, mostly in SQL for speed."""
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO workforce_village (code, name, name_en) VALUES "
            "('b1', '基准一村', ''), ('b2', '基准二村', ''), ('b3', '基准三村', '')"
        )
        conn.execute(
            "INSERT INTO workforce_villagegroup (village_id, number, name) "
            "SELECT v.id, g, '' FROM workforce_village v, generate_series(1, 10) g"
        )
        conn.execute(
            "INSERT INTO workforce_household (code, group_id, head_name) "
            "SELECT 'bh' || h, (SELECT min(id) FROM workforce_villagegroup) + h %% 30, '户主' || h "
            "FROM generate_series(1, %s) h",
            [HOUSEHOLDS],
        )
        conn.execute(
            "INSERT INTO workforce_householdstatus (household_id, status, since, note) "
            "SELECT id, (ARRAY['lifted','unstable','marginal','hardship'])[1 + id % 4], "
            "DATE '2018-01-01', '' FROM workforce_household WHERE id % 5 < 2"
        )
        conn.execute(
            "INSERT INTO workforce_householdstatus (household_id, status, since, note) "
            "SELECT id, 'none', DATE '2025-06-01', '' FROM workforce_household WHERE id % 10 = 1"
        )
        conn.execute(
            "INSERT INTO workforce_villager (household_id, name, gender, birth_year, phone, id_number) "
            "SELECT (SELECT min(id) FROM workforce_household) + v %% %s, '村民' || v, "
            "(ARRAY['f','m'])[1 + v %% 2], 1950 + v %% 50, '', '9999' || lpad(v::text, 14, '0') "
            "FROM generate_series(1, %s) v",
            [HOUSEHOLDS, VILLAGERS],
        )
        conn.execute(
            "INSERT INTO workforce_employment (villager_id, role, kind, starts_on) "
            "SELECT id, '花工', (ARRAY['permanent','seasonal','casual'])[1 + id % 3], "
            "DATE '2020-01-01' + (id % 2000)::int FROM workforce_villager"
        )
        conn.execute("INSERT INTO workforce_task (code, name, name_en) VALUES ('t', '栽植', '')")
        conn.execute(
            "INSERT INTO workforce_landlease (household_id, area_mu, rent_per_mu_year, starts_on, ends_on) "
            "SELECT id, 3, 800, DATE '2018-01-01', DATE '2038-01-01' FROM workforce_household "
            "WHERE id % 2 = 0"
        )
        conn.execute(
            "INSERT INTO workforce_rentpayment (lease_id, paid_on, amount, reference) "
            "SELECT id, %s::date + (id %% 300)::int, 2400, '' FROM workforce_landlease",
            [f"{YEAR}-01-15"],
        )
        for year in (YEAR - 1, YEAR):
            conn.execute(
                "INSERT INTO workforce_workentry "
                "(date, villager_id, task_id, basis, quantity, rate, amount) "
                "SELECT %s::date + ((g * 7919) %% 365)::int, "
                "(SELECT min(id) FROM workforce_villager) + (g * 104729) %% %s, "
                "(SELECT id FROM workforce_task), 'day', 1, 100 + g %% 3 * 10, 100 + g %% 3 * 10 "
                "FROM generate_series(1::bigint, %s::bigint) g",
                [f"{year}-01-01", VILLAGERS, ENTRIES_PER_YEAR],
            )
        conn.execute("VACUUM ANALYZE")
    return {"build_seconds": round(time.monotonic() - started, 1)}


ENTRY_SCAN = (
    "SELECT d.villager_id, date_trunc('month', d.date)::date, count(*), sum(d.wages) "
    "FROM (SELECT e.villager_id, e.date, sum(e.amount) AS wages FROM workforce_workentry e "
    "WHERE e.date >= %(start)s AND e.date <= %(end)s GROUP BY 1, 2) d GROUP BY 1, 2"
)

RAW_QUERIES = [
    (
        "SELECT villager_id, sum(days), sum(wages) FROM workforce_workmonth "
        "WHERE month >= %(start)s AND month <= %(end)s GROUP BY villager_id"
    ),
    (
        "SELECT month, count(*), sum(days), sum(wages) FROM workforce_workmonth "
        "WHERE month >= %(start)s AND month <= %(end)s GROUP BY month"
    ),
    (
        "SELECT v.id, v.gender, v.birth_year, v.household_id, "
        "(SELECT s.status FROM workforce_householdstatus s WHERE s.household_id = v.household_id "
        " AND s.since <= %(end)s ORDER BY s.since DESC LIMIT 1), "
        "(SELECT m.kind FROM workforce_employment m WHERE m.villager_id = v.id "
        " AND m.starts_on <= %(end)s ORDER BY m.starts_on DESC, m.id DESC LIMIT 1), "
        "village.code FROM workforce_villager v "
        "JOIN workforce_household h ON h.id = v.household_id "
        "JOIN workforce_villagegroup g ON g.id = h.group_id "
        "JOIN workforce_village village ON village.id = g.village_id"
    ),
    (
        "SELECT count(*) FROM (SELECT villager_id FROM workforce_employment GROUP BY villager_id "
        "HAVING min(starts_on) >= %(start)s AND min(starts_on) <= %(end)s) AS hires"
    ),
    (
        "SELECT l.household_id, sum(p.amount) FROM workforce_rentpayment p "
        "JOIN workforce_landlease l ON l.id = p.lease_id "
        "WHERE p.paid_on >= %(start)s AND p.paid_on <= %(end)s GROUP BY 1"
    ),
]


def time_runs(function) -> list[float]:
    function()  # warm-up: caches, connections
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> int:
    admin_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"huagu_bench_workforce_{os.getpid()}"
    url = database_url(admin_url, name)
    admin_execute(admin_url, f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=BASE_DIR,
            env=env,
            check=True,
        )
        built = build(url)
        os.environ.update(env)
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        from workforce.reports import job_report
        from workforce.services import work_months_rebuild

        started = time.monotonic()
        months_of_work = work_months_rebuild()
        built["months_rebuild_seconds"] = round(time.monotonic() - started, 1)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE workforce_workmonth")

        start, end = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
        previous = (datetime.date(YEAR - 1, 1, 1), datetime.date(YEAR - 1, 12, 31))
        report = job_report(start=start, end=end)
        orm = time_runs(lambda: job_report(start=start, end=end))

        with psycopg.connect(url) as conn:

            def raw():
                for period in ((start, end), previous):
                    params = {"start": period[0], "end": period[1]}
                    conn.execute("SELECT code, name FROM workforce_village").fetchall()
                    for sql in RAW_QUERIES:
                        conn.execute(sql, params).fetchall()

            raw_samples = time_runs(raw)

            def entry_scan():
                conn.execute("SET work_mem = '64MB'")  # room to hash a year's villager-days
                for period in ((start, end), previous):
                    conn.execute(ENTRY_SCAN, {"start": period[0], "end": period[1]}).fetchall()

            scan_samples = time_runs(entry_scan)
            entries = conn.execute(
                "SELECT count(*) FROM workforce_workentry WHERE date BETWEEN %s AND %s",
                [start, end],
            ).fetchone()[0]
    finally:
        from django.db import connections

        with contextlib.suppress(Exception):  # Django may not have been set up
            connections.close_all()
        admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    result = {
        "entries_in_year": entries,
        "entries_in_previous_year": ENTRIES_PER_YEAR,
        "villagers": VILLAGERS,
        "months_of_work": months_of_work,
        **built,
        "job_report_best_s": round(min(orm), 3),
        "job_report_median_s": round(statistics.median(orm), 3),
        "raw_sql_best_s": round(min(raw_samples), 3),
        "raw_sql_median_s": round(statistics.median(raw_samples), 3),
        "entry_scan_median_s": round(statistics.median(scan_samples), 3),
        "ratio_median": round(statistics.median(orm) / statistics.median(raw_samples), 2),
        "goal_seconds": GOAL_SECONDS,
        "goal_ratio": GOAL_RATIO,
        "employed": report.current.employed,
        "person_days": report.current.person_days,
    }
    result["meets_goal"] = (
        result["job_report_median_s"] < GOAL_SECONDS and result["ratio_median"] <= GOAL_RATIO
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'':28}{'best (s)':>10}{'median (s)':>12}")
    print("-" * 50)
    print(f"{'job_report (year, ORM)':28}{min(orm):>10.3f}{statistics.median(orm):>12.3f}")
    print(
        f"{'same aggregates, raw SQL':28}{min(raw_samples):>10.3f}{statistics.median(raw_samples):>12.3f}"
    )
    print(
        f"{'(scan of every entry, raw)':28}{min(scan_samples):>10.3f}"
        f"{statistics.median(scan_samples):>12.3f}"
    )
    print(
        f"{entries:,} entries in {YEAR} (+{ENTRIES_PER_YEAR:,} in {YEAR - 1}); "
        f"ratio {result['ratio_median']}×; goal < {GOAL_SECONDS} s and ≤ {GOAL_RATIO}×: "
        f"{'met' if result['meets_goal'] else 'NOT met'}"
    )
    print(f"wrote {RESULTS.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
