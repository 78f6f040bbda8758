"""Tourists booking through the web pages at once: tickets a minute beside pretix's shop.

Run with `make bench` (needs PostgreSQL, as benchmarks/served_site.py says). The demo park
is served by 2 gunicorn workers with production settings and the cache on Redis. One visit
day about five weeks ahead is given room for every buyer, and its tickets are sold without
visitors' names and ID numbers, as pretix's shop sells them; then 32 buyers, each on its own
keep-alive connection, go through the tourist's whole flow for a fixed time, as a phone
without a stored page would:

1. GET /tickets/?month=… — the booking page, whose month carries each day's entry times;
2. POST the form (day, entry time, 1–4 adult tickets, name, a phone of its own) — the summary;
3. POST the confirmation — 302 to the order page (a reservation paid at the gate);
4. GET the order page with its QR tickets.

pretix's web shop, measured on this 2-core machine under the same load, sold 180–200
tickets a minute; the goal is ten times its better figure. Prints tickets a minute, p95
latency of the flow and of each step, the workers' CPU time per order, and writes
bench-results/checkout.json. Exits 1 when the goal is not met.
"""

import argparse
import datetime
import http.client
import json
import platform
import random
import re
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from served_site import (
    BASE_DIR,
    ServedSite,
    percentile,
    postgres_answers,
    run_threads,
    workers_cpu_seconds,
)

RESULTS = BASE_DIR / "bench-results" / "checkout.json"
PRETIX_SHOP_TICKETS_PER_MINUTE = 200
GOAL_TICKETS_PER_MINUTE = 10 * PRETIX_SHOP_TICKETS_PER_MINUTE
STEPS = ("booking page", "summary", "confirm", "order page")


def roomy_visit_day(database_url: str) -> datetime.date:
    """A demo day about five weeks ahead with entry times and no closure, given room for all."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        day = conn.execute(
            "SELECT s.date FROM tourism_slot s WHERE s.date >= CURRENT_DATE + 35 "
            "AND NOT EXISTS (SELECT 1 FROM tourism_closedday c WHERE c.date = s.date) "
            "ORDER BY s.date LIMIT 1"
        ).fetchone()
        if day is None:
            raise SystemExit("the demo park has no entry times five weeks ahead")
        conn.execute("UPDATE tourism_slot SET capacity = 1000000 WHERE date = %s", day)
        # pretix's shop asks no visitor's ID number; neither do these tickets.
        conn.execute("UPDATE tourism_bookingrules SET real_name = false")
    return day[0]


class Buyer:
    """One tourist's phone: a keep-alive connection and its cookies."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {
            "Accept-Language": "zh-CN",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = "http://127.0.0.1/tickets/"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location", ""), text


def book(buyer: Buyer, day: datetime.date, phone: str, tickets: int, timings: dict) -> None:
    """The four requests of one booking; raises if any step does not answer as it should."""

    def step(name, method, path, form=None, expect=200):
        started = time.perf_counter()
        status, location, text = buyer.send(method, path, form)
        timings[name].append(time.perf_counter() - started)
        if status != expect:
            words = re.sub(r"<[^>]+>|\s+", " ", text)
            raise RuntimeError(f"{name}: {status} {words[:300]}")
        return location, text

    _, page = step("booking page", "GET", f"/tickets/?month={day:%Y-%m}")
    panel = re.search(rf'<div class="slot-list" data-day="{day:%Y-%m-%d}".*?</div>', page, re.S)
    slots = re.findall(r'name="slot" value="(\d+)"', panel.group(0))
    adult = re.search(r'name="(qty_\d+)"', page).group(1)
    form = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1],
        "date": f"{day:%Y-%m-%d}",
        "slot": random.choice(slots),
        adult: tickets,
        "name": "演示游客",
        "phone": phone,
        "email": "",
    }
    _, summary = step("summary", "POST", "/tickets/", form)
    form["csrfmiddlewaretoken"] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', summary)[
        1
    ]
    order_url, _ = step("confirm", "POST", "/tickets/", {**form, "confirm": "1"}, expect=302)
    step("order page", "GET", urllib.parse.urlsplit(order_url).path)


def run_buyers(site: ServedSite, day: datetime.date, buyers: int, seconds: float) -> dict:
    port = int(site.url.rsplit(":", 1)[1])
    timings = {name: [] for name in STEPS}
    flows, errors = [], []
    tickets = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def buyer_loop(n: int) -> None:
        buyer = Buyer(port)
        own = {name: [] for name in STEPS}
        count = 0
        while time.monotonic() < deadline:
            count += 1
            quantity = random.randint(1, 4)
            started = time.perf_counter()
            try:
                book(buyer, day, f"139{n:03d}{count:05d}", quantity, own)
            except (RuntimeError, OSError, AttributeError, TypeError) as error:
                with lock:
                    errors.append(str(error))
                buyer = Buyer(port)
                continue
            with lock:
                flows.append(time.perf_counter() - started)
                tickets[0] += quantity
        with lock:
            for name in STEPS:
                timings[name].extend(own[name])

    elapsed = run_threads(buyer_loop, buyers)
    return {
        "seconds": round(elapsed, 1),
        "orders": len(flows),
        "tickets": tickets[0],
        "tickets_per_minute": round(tickets[0] / elapsed * 60),
        "flow_p95_ms": round(percentile(flows, 0.95) * 1000) if flows else None,
        "step_p95_ms": {
            name: round(percentile(samples, 0.95) * 1000, 1) if samples else None
            for name, samples in timings.items()
        },
        "requests_per_order": len(STEPS),
        "errors": len(errors),
        "first_errors": errors[:3],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--buyers", type=int, default=32)
    args = parser.parse_args()
    if not postgres_answers():
        print("PostgreSQL does not answer (BENCH_DATABASE_URL): checkout benchmark skipped")
        return 0
    print(f"Web checkout: {args.buyers} buyers, 2 gunicorn workers, {args.seconds:.0f} s")
    with ServedSite() as site:
        day = roomy_visit_day(site.env["DATABASE_URL"])
        run_buyers(site, day, 4, 3)  # warm the workers: imports, templates, connections
        cpu_before = workers_cpu_seconds(site.pid)
        result = run_buyers(site, day, args.buyers, args.seconds)
        cpu = workers_cpu_seconds(site.pid) - cpu_before
        result["cpu_ms_per_order"] = (
            round(cpu / result["orders"] * 1000, 1) if result["orders"] else None
        )
    result.update(
        {
            "visit_day": day.isoformat(),
            "pretix_shop_tickets_per_minute": PRETIX_SHOP_TICKETS_PER_MINUTE,
            "goal_tickets_per_minute": GOAL_TICKETS_PER_MINUTE,
            "machine": f"{platform.machine()}, {platform.python_version()}",
        }
    )
    ratio = result["tickets_per_minute"] / PRETIX_SHOP_TICKETS_PER_MINUTE
    print(
        f"  {result['tickets_per_minute']:,} tickets/min in {result['orders']:,} orders "
        f"({ratio:.1f}× pretix's shop at {PRETIX_SHOP_TICKETS_PER_MINUTE}/min; goal "
        f"{GOAL_TICKETS_PER_MINUTE:,}), {result['requests_per_order']} requests an order"
    )
    print(
        f"  p95: whole flow {result['flow_p95_ms']} ms; "
        + ", ".join(f"{name} {ms} ms" for name, ms in result["step_p95_ms"].items())
    )
    print(f"  workers' CPU per order: {result['cpu_ms_per_order']} ms; errors: {result['errors']}")
    for error in result["first_errors"]:
        print(f"    {error}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return (
        0 if result["tickets_per_minute"] >= GOAL_TICKETS_PER_MINUTE and not result["errors"] else 1
    )


if __name__ == "__main__":
    sys.exit(main())
