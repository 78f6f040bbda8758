"""Order throughput for one visit date on PostgreSQL, through gunicorn, beside raw SQL.

Run with `make bench` (needs a PostgreSQL server; BENCH_DATABASE_URL names one that
can create databases, default postgres://postgres@127.0.0.1:5432/postgres).

1. A fresh database is migrated and given one visit date of 16 hourly slots, a
   partner with an API key whose limit is out of the way, and 1,000,000 orders of the
   past two years (``--past-orders``), as a park that has sold for a while holds.
2. gunicorn serves the site with 2 workers and production settings (HTTPS redirect
   off; emails queued on Redis when one answers); 32 client threads POST
   /api/v1/orders with the key on keep-alive connections for a fixed time, 1–4 tickets
   an order, one phone an order, spread over the slots. Twice in a row (``--runs``):
   the second run shows whether orders piling up slow the next ones. The workers' CPU
   time per order is read from /proc.
3. The same capacity take in raw SQL through psycopg — lock the slot row, check the
   places, insert the order and its tickets, commit — from 32 threads on its own
   tables, as the ceiling.

Prints tickets a minute and p95 latency for both, checks that nothing was oversold,
and writes bench-results/tickets.json. Exits 1 when a goal is missed: 10,000 tickets a
minute with nothing oversold, and the last run at 30% or more of the ceiling.
"""

import argparse
import datetime
import http.client
import itertools
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from served_site import answers_health_check, percentile, run_threads, workers_cpu_seconds

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench-results" / "tickets.json"
GOAL_TICKETS_PER_MINUTE = 10000
# The last run's tickets a minute against the raw-SQL ceiling measured beside it.
GOAL_SHARE_OF_CEILING = 0.30
SLOTS = 16
CAPACITY_PER_SLOT = 1500


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_execute(admin_url: str, sql: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def prepare_site(db_url: str, visit_date: datetime.date) -> dict:
    """Migrate the bench database and open one date's slots; returns ids for the clients."""
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True
    )
    script = f"""
import datetime, json
from tourism.models import TicketType
from tourism.tickets.services import slots_open
from tourism.tickets.models import Slot
from tourism.tickets.partner_keys import api_key_issue
from tourism.tickets.partners import Partner
_key, raw_key = api_key_issue(partner=Partner.objects.create(name="压测旅行社 (benchmark)"),
                              label="benchmark", rate_limit_per_minute=100_000_000)
adult = TicketType.objects.create(name="成人票", name_en="Adult", audience="adult", price=60)
child = TicketType.objects.create(name="儿童票", name_en="Child", audience="child", price=30)
day = datetime.date.fromisoformat("{visit_date.isoformat()}")
slots_open(date_from=day, date_to=day, weekdays=set(range(7)), first_entry=datetime.time(8),
           last_entry=datetime.time(8 + {SLOTS} - 1), every_minutes=60, capacity={CAPACITY_PER_SLOT})
print(json.dumps({{"key": raw_key, "types": [adult.pk, child.pk], "slots": list(Slot.objects.filter(date=day).values_list("pk", flat=True))}}))
"""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", script],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


BENCH_QUEUE = f"bench-tickets-{os.getpid()}"


def task_queue_env() -> dict:
    """Redis for the task queue, as in production, when one answers (BENCH_REDIS_URL)."""
    import redis

    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        print(f"no Redis at {url}: orders' email tasks go to an in-memory queue")
        return {"TASKS_BROKER_URL": "memory://"}
    return {"REDIS_URL": url, "TASKS_QUEUE": BENCH_QUEUE, "HUAGU_CACHE_PREFIX": BENCH_QUEUE}


def drop_task_queue() -> None:
    """The benchmark's queued emails and cache keys, which no worker will take."""
    import redis

    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        for key in client.scan_iter(f"*{BENCH_QUEUE}*"):
            client.delete(key)
    except redis.RedisError:
        pass


PAST_ORDERS_SQL = """
INSERT INTO tourism_slot (date, starts_at, ends_at, capacity, taken)
SELECT day::date, NULL, NULL, 1000000, 0
FROM generate_series(current_date - 730, current_date - 1, interval '1 day') AS day;
WITH past AS (
    SELECT array_agg(id ORDER BY date) AS ids, array_agg(date ORDER BY date) AS dates
    FROM tourism_slot WHERE date < current_date
)
INSERT INTO tourism_order (reference, token, status, provider, contact_name, contact_phone,
    contact_email, language, quantity, total, created_at, paid_at, ended_at, channel, slot_id)
SELECT 'PAST' || lpad(i::text, 10, '0'), md5(i::text) || md5((-i)::text),
    (ARRAY['paid', 'paid', 'paid', 'expired', 'cancelled'])[1 + i % 5], 'gate', '往年游客',
    '137' || lpad(i::text, 8, '0'), '', 'zh-hans', 2, 120,
    past.dates[1 + i % cardinality(past.ids)]::timestamptz,
    past.dates[1 + i % cardinality(past.ids)]::timestamptz, NULL, 'web',
    past.ids[1 + i % cardinality(past.ids)]
FROM past, generate_series(1, %(count)s) AS i;
UPDATE tourism_slot SET taken = paid.tickets
FROM (SELECT slot_id, sum(quantity) AS tickets FROM tourism_order
      WHERE status = 'paid' GROUP BY slot_id) AS paid
WHERE tourism_slot.id = paid.slot_id;
"""


def add_past_orders(db_url: str, count: int) -> float:
    """``count`` orders of the past two years, as a park that has sold for a while holds;
    seconds it took. Only orders: what a booking reads of the past is orders (by phone, by
    hold) and the slots they are in."""
    started = time.monotonic()
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(PAST_ORDERS_SQL.replace("%(count)s", str(int(count))))
        conn.execute("VACUUM ANALYZE tourism_order")
        conn.execute("VACUUM ANALYZE tourism_slot")
    return time.monotonic() - started


def start_gunicorn(db_url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "HUAGU_ID_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": db_url,
        "DJANGO_LOG_LEVEL": "WARNING",
        "STRIPE_SECRET_KEY": "",
        # Queued on Redis as in production (each order's email is a task); no worker runs
        # here: rendering and delivery happen outside the request, and are not what is timed.
        "EMAIL_URL": "dummymail://",
        **task_queue_env(),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    if answers_health_check(port, seconds=30):
        return process
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def run_clients(port: int, ids: dict, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    tickets = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    sold_out: set[int] = set()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {ids['key']}"}

    def client(n: int) -> None:
        nonlocal tickets
        rng = random.Random(n)
        numbers = itertools.count()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop_at:
            open_slots = [s for s in ids["slots"] if s not in sold_out]
            if not open_slots:
                return
            slot = rng.choice(open_slots)
            quantity = rng.randint(1, 4)
            body = json.dumps(
                {
                    "slot_id": slot,
                    "lines": [{"ticket_type_id": rng.choice(ids["types"]), "quantity": quantity}],
                    "contact": {
                        "name": f"压测游客{n}",
                        # One tourist an order: the park limits tickets per phone a day.
                        "phone": f"139{n:03d}{next(numbers):05d}",
                        "email": f"bench{n}@example.com",
                    },
                }
            )
            started = time.perf_counter()
            conn.request("POST", "/api/v1/orders", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status == 201:
                    tickets += quantity
                elif response.status == 409 and quantity == 1:
                    sold_out.add(slot)

    elapsed = run_threads(client, clients)
    return {
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "statuses": statuses,
        "tickets": tickets,
        "tickets_per_minute": round(tickets / elapsed * 60),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
    }


def check_not_oversold(db_url: str) -> dict:
    with psycopg.connect(db_url) as conn:
        over = conn.execute("SELECT count(*) FROM tourism_slot WHERE taken > capacity").fetchone()[
            0
        ]
        mismatched = conn.execute(
            """
            SELECT count(*) FROM tourism_slot s
            WHERE s.date >= current_date  -- the past orders added have no tickets
              AND (s.taken <> (SELECT coalesce(sum(o.quantity), 0) FROM tourism_order o
                               WHERE o.slot_id = s.id AND o.status IN ('pending', 'reserved', 'paid'))
                OR s.taken <> (SELECT count(*) FROM tourism_ticket t JOIN tourism_order o ON o.id = t.order_id
                               WHERE o.slot_id = s.id AND o.status IN ('reserved', 'paid')))
            """
        ).fetchone()[0]
    return {"slots_over_capacity": over, "slots_whose_count_disagrees": mismatched}


RAW_SCHEMA = """
CREATE TABLE bench_slot (id serial PRIMARY KEY, capacity int NOT NULL, taken int NOT NULL DEFAULT 0,
                         CHECK (taken <= capacity));
CREATE TABLE bench_order (id bigserial PRIMARY KEY, slot_id int NOT NULL REFERENCES bench_slot,
                          quantity int NOT NULL, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE bench_ticket (id bigserial PRIMARY KEY, order_id bigint NOT NULL REFERENCES bench_order,
                           code text NOT NULL UNIQUE);
"""


def run_raw_sql(db_url: str, clients: int, seconds: float) -> dict:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(RAW_SCHEMA)
        slots = [
            conn.execute(
                "INSERT INTO bench_slot (capacity) VALUES (%s) RETURNING id", [CAPACITY_PER_SLOT]
            ).fetchone()[0]
            for _ in range(SLOTS)
        ]
    latencies: list[float] = []
    tickets = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        nonlocal tickets
        rng = random.Random(n)
        with psycopg.connect(db_url) as conn:
            while time.monotonic() < stop_at:
                slot, quantity = rng.choice(slots), rng.randint(1, 4)
                started = time.perf_counter()
                with conn.transaction():
                    conn.execute("SET LOCAL lock_timeout = '5s'")
                    row = conn.execute(
                        "SELECT capacity - taken FROM bench_slot WHERE id = %s FOR UPDATE", [slot]
                    ).fetchone()
                    taken = row[0] >= quantity
                    if taken:
                        conn.execute(
                            "UPDATE bench_slot SET taken = taken + %s WHERE id = %s",
                            [quantity, slot],
                        )
                        order = conn.execute(
                            "INSERT INTO bench_order (slot_id, quantity, email) VALUES (%s, %s, %s) RETURNING id",
                            [slot, quantity, f"bench{n}@example.com"],
                        ).fetchone()[0]
                        with conn.cursor() as cursor:
                            cursor.executemany(
                                "INSERT INTO bench_ticket (order_id, code) VALUES (%s, %s)",
                                [(order, secrets.token_hex(8)) for _ in range(quantity)],
                            )
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if taken:
                        tickets += quantity

    elapsed = run_threads(client, clients)
    with psycopg.connect(db_url) as conn:
        over = conn.execute("SELECT count(*) FROM bench_slot WHERE taken > capacity").fetchone()[0]
    return {
        "seconds": round(elapsed, 2),
        "transactions": len(latencies),
        "tickets": tickets,
        "tickets_per_minute": round(tickets / elapsed * 60),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "slots_over_capacity": over,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--past-orders",
        type=int,
        default=1_000_000,
        help="orders of past dates in the database before the load (default 1,000,000)",
    )
    parser.add_argument(
        "--runs", type=int, default=2, help="loads in a row on the same site (default 2)"
    )
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    try:
        admin_execute(args.admin_url, "SELECT 1")
    except psycopg.Error as exc:
        print(
            f"tickets benchmark skipped: PostgreSQL not reachable at {args.admin_url} ({exc.__class__.__name__})"
        )
        return 0

    name = f"huagu_bench_{os.getpid()}"
    db_url = database_url(args.admin_url, name)
    admin_execute(args.admin_url, f'CREATE DATABASE "{name}"')
    gunicorn = None
    try:
        ids = prepare_site(db_url, datetime.date.today() + datetime.timedelta(days=7))
        if args.past_orders:
            took = add_past_orders(db_url, args.past_orders)
            print(f"{args.past_orders:,} past orders in the database ({took:.0f} s to add)")
        port = free_port()
        gunicorn = start_gunicorn(db_url, port)
        runs = []
        for _ in range(args.runs):
            cpu_before = workers_cpu_seconds(gunicorn.pid)
            run = run_clients(port, ids, args.clients, args.seconds)
            cpu = workers_cpu_seconds(gunicorn.pid) - cpu_before
            orders = run["statuses"].get(201, 0)
            run["cpu_ms_per_order"] = round(cpu / orders * 1000, 2) if orders else None
            runs.append(run)
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        gunicorn = None
        site = dict(runs[-1])
        site.update(check_not_oversold(db_url))
        raw = run_raw_sql(db_url, args.clients, args.seconds)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
        admin_execute(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        drop_task_queue()

    ratio = (
        site["tickets_per_minute"] / raw["tickets_per_minute"] if raw["tickets_per_minute"] else 0
    )
    print(
        f"\nOrder throughput for one visit date — {args.clients} clients, gunicorn 2 threaded"
        " workers (gunicorn.conf.py), PostgreSQL"
    )
    print(
        f"{'':28}{'tickets/min':>12}{'p50 ms':>9}{'p95 ms':>9}{'requests':>10}{'CPU ms/order':>14}"
    )
    for number, run in enumerate(runs, 1):
        label = f"site, run {number} (API)"
        print(
            f"{label:28}{run['tickets_per_minute']:>12}{run['p50_ms']:>9}{run['p95_ms']:>9}"
            f"{run['requests']:>10}{run['cpu_ms_per_order'] or '-':>14}"
        )
    print(
        f"{'raw SQL through psycopg':28}{raw['tickets_per_minute']:>12}{raw['p50_ms']:>9}{raw['p95_ms']:>9}"
        f"{raw['transactions']:>10}"
    )
    if len(runs) > 1 and runs[0]["tickets_per_minute"]:
        kept = runs[-1]["tickets_per_minute"] / runs[0]["tickets_per_minute"]
        print(
            f"last run at {kept:.0%} of the first: orders piling up cost {'little' if kept >= 0.9 else 'MUCH'}"
        )
    print(f"responses: {site['statuses']}")
    oversold = (
        site["slots_over_capacity"]
        + site["slots_whose_count_disagrees"]
        + raw["slots_over_capacity"]
    )
    print(f"site at {ratio:.0%} of the raw-SQL ceiling; oversold slots: {oversold}")
    met = site["tickets_per_minute"] >= GOAL_TICKETS_PER_MINUTE and oversold == 0
    print(
        f"goal ≥ {GOAL_TICKETS_PER_MINUTE} tickets/min and nothing oversold: {'met' if met else 'NOT met'}"
    )
    near_ceiling = ratio >= GOAL_SHARE_OF_CEILING
    print(
        f"goal ≥ {GOAL_SHARE_OF_CEILING:.0%} of the raw-SQL ceiling: "
        f"{'met' if near_ceiling else 'NOT met'}"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "clients": args.clients,
                "past_orders": args.past_orders,
                "runs": runs,
                "site": site,
                "raw_sql": raw,
                "goal_met": met,
                "share_of_ceiling": round(ratio, 3),
                "share_goal_met": near_ceiling,
            },
            indent=2,
        )
    )
    return 0 if met and near_ceiling else 1


if __name__ == "__main__":
    sys.exit(main())
