"""A gunicorn worker's memory after 10,000 mixed requests: public site, booking and admin.

Run with `make bench` (needs PostgreSQL, as benchmarks/served_site.py says). The demo park
is served by 2 gunicorn workers with production settings and the cache on Redis, with
GUNICORN_MAX_REQUESTS=0 so that no worker is recycled while it is measured. A few client
threads on keep-alive connections then send a mix of requests:

- anonymous public pages in both languages (home, attractions, the bloom calendar, news,
  visit, the trees list and a tree, the map, an attraction and a news article);
- the booking flow: the booking page of a bookable day, the booking form posted for its
  summary (CSRF cookie and token taken from the page), now and then confirmed as an order;
- the Wagtail admin, signed in as the demo users: dashboard, page explorer, listings.

Each worker's resident set (VmRSS) and proportional set (PSS, shared pages split between
the processes that share them, from /proc/PID/smaps_rollup) is read after start-up and after
the requests. Goal: every worker under 120 MiB RSS. Prints a table, writes
bench-results/memory.json and exits 1 when the goal is not met or the site answered with
server errors.
"""

import argparse
import collections
import datetime
import http.client
import json
import os
import platform
import random
import re
import sys
import threading
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from served_site import BASE_DIR, ServedSite, postgres_answers

RESULTS = BASE_DIR / "bench-results" / "memory.json"
GOAL_MIB = 120
PUBLIC_PAGES = [
    "/",
    "/attractions/",
    "/bloom-calendar/",
    "/news/",
    "/visit/",
    "/trees/",
    "/map/",
]
# Listings the admin opens; one that the demo lacks is left out, not failed.
ADMIN_PAGES = [
    "/admin/",
    "/admin/pages/",
    "/admin/images/",
    "/admin/snippets/",
    "/admin/tickets/types/",
    "/admin/tickets/slots/",
    "/admin/nursery/species/",
    "/admin/nursery/lots/",
    "/admin/nursery/trees/",
    "/admin/workforce/villages/",
    "/admin/workforce/households/",
]
ADMIN_USERS = [("admin", "huagu-demo-admin"), ("editor", "huagu-demo-editor")]
# Share of requests by kind; each kind's requests are spread over its pages.
MIX = {"public": 0.7, "booking": 0.2, "admin": 0.1}
# One summary in this many is confirmed as an order.
CONFIRM_EVERY = 10


class FormParser(HTMLParser):
    """The fields of a page's forms: hidden inputs, radios, selects and text inputs, and links."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self.forms.append({"method": (attrs.get("method") or "get").lower(), "fields": []})
        elif tag in ("input", "select", "textarea", "button") and self.forms and attrs.get("name"):
            self.forms[-1]["fields"].append({"tag": tag, **attrs})


def parse(body: str) -> FormParser:
    parser = FormParser()
    parser.feed(body)
    return parser


class Client:
    """One keep-alive connection with its own cookies (secure ones too: the site is on HTTP)."""

    def __init__(self, base_url: str):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.connection = None

    def request(self, method: str, path: str, form: dict | list | None = None):
        headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                # The server closed an idle keep-alive connection: open another, once.
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data.decode("utf-8", "replace"), response.getheader("Location")


def memory_of(pid: int) -> dict:
    """VmRSS and PSS of one process, in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kb = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    pss_kb = int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1))
    return {"rss_mib": round(rss_kb / 1024, 1), "pss_mib": round(pss_kb / 1024, 1)}


def settled_memory(site: ServedSite, workers: int, seconds: float = 60) -> dict[int, dict]:
    """Each worker's memory once all have started and none grows for a second."""
    deadline = time.monotonic() + seconds
    last: dict[int, dict] = {}
    while time.monotonic() < deadline:
        pids = sorted(site.worker_pids())
        now = {pid: memory_of(pid) for pid in pids}
        if (
            len(pids) == workers
            and last.keys() == now.keys()
            and all(abs(now[p]["rss_mib"] - last[p]["rss_mib"]) < 0.5 for p in pids)
        ):
            return now
        last = now
        time.sleep(1)
    return last


def discover(site_url: str) -> tuple[list[str], str]:
    """The public pages to ask for, with one tree, attraction and article; a bookable day."""
    client = Client(site_url)
    pages = []
    for path in PUBLIC_PAGES:
        for localised in (path, "/en" + path):
            status, body, _ = client.request("GET", localised)
            if status != 200:
                print(f"  {localised} answers {status}: left out")
                continue
            pages.append(localised)
            # The first child page the listing links to: a tree, an attraction, an article.
            if path in ("/trees/", "/attractions/", "/news/"):
                child = next(
                    (
                        link
                        for link in parse(body).links
                        if link.startswith(localised)
                        and len(link) > len(localised) + 1
                        and "?" not in link
                        and "#" not in link
                    ),
                    None,
                )
                if child and client.request("GET", child)[0] == 200:
                    pages.append(child)
    today = datetime.date.today()
    for ahead in range(1, 30):
        day = (today + datetime.timedelta(days=ahead)).isoformat()
        status, body, _ = client.request("GET", f"/tickets/?date={day}")
        if status == 200 and "slot" in (booking_form(body) or {}):
            return pages, day
    raise SystemExit("no bookable day in the next four weeks of the demo park")


def booking_form(body: str) -> dict | None:
    """The posted fields of the booking page's form, one ticket of its first type."""
    for form in parse(body).forms:
        names = {f["name"] for f in form["fields"]}
        if form["method"] == "post" and "slot" in names and "phone" in names:
            fields = {}
            for field in form["fields"]:
                if field["tag"] != "input":
                    continue
                name = field["name"]
                if field.get("type") == "radio":
                    if name == "slot" and "disabled" not in field:
                        fields.setdefault("slot", field["value"])
                    elif name != "slot" and ("checked" in field or name not in fields):
                        fields[name] = field.get("value", "")
                elif name.startswith("qty_"):
                    fields.setdefault("_quantities", []).append(name)
                else:
                    fields[name] = field.get("value") or ""
            return fields
    return None


def summary_confirmation(body: str) -> dict | None:
    """The summary's confirmation, or None when it asks for more (visitors' ID numbers)."""
    for form in parse(body).forms:
        names = [f["name"] for f in form["fields"]]
        if form["method"] != "post" or "confirm" not in names:
            continue
        fields = {}
        for field in form["fields"]:
            kind = field.get("type", "text")
            if field["tag"] == "input" and kind == "hidden":
                fields[field["name"]] = field.get("value", "")
            elif field["tag"] == "input" and kind == "radio":
                if "checked" in field or field["name"] not in fields:
                    fields[field["name"]] = field.get("value", "")
            elif field["tag"] in ("select", "textarea") or (field["tag"] == "input"):
                return None
        fields["confirm"] = "1"
        return fields
    return None


class Mix:
    """The requests of one client thread, drawn at random with a fixed seed."""

    def __init__(self, site_url: str, seed: int, pages: list[str], day: str, admin_pages, user):
        self.site_url = site_url
        self.random = random.Random(seed)
        self.pages = pages
        self.day = day
        self.admin_pages = admin_pages
        self.user = user
        self.public = Client(site_url)
        self.booker = Client(site_url)
        self.staff = Client(site_url)
        self.statuses: collections.Counter = collections.Counter()
        self.bookings = 0
        self.signed_in = False

    def record(self, kind: str, status: int) -> None:
        self.statuses[(kind, status)] += 1

    def one(self) -> int:
        """Sends one step of the mix; returns how many requests it took."""
        kind = self.random.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind == "public":
            status, _, _ = self.public.request("GET", self.random.choice(self.pages))
            self.record("public", status)
            return 1
        if kind == "booking":
            return self.book()
        return self.admin()

    def book(self) -> int:
        status, body, _ = self.booker.request("GET", f"/tickets/?date={self.day}")
        self.record("booking page", status)
        fields = booking_form(body) if status == 200 else None
        if fields is None:
            return 1
        quantities = fields.pop("_quantities", [])
        for name in quantities:
            fields[name] = "0"
        if quantities:
            fields[quantities[0]] = "1"
        self.bookings += 1
        fields.update(
            name="测试游客",
            phone=f"139{self.random.randrange(10**8):08d}",
            email="",
        )
        status, body, _ = self.booker.request("POST", f"/tickets/?date={self.day}", fields)
        self.record("booking summary", status)
        if status != 200 or self.bookings % CONFIRM_EVERY:
            return 2
        confirmation = summary_confirmation(body)
        if confirmation is None:
            return 2
        status, _, _ = self.booker.request("POST", f"/tickets/?date={self.day}", confirmation)
        self.record("booking confirmed", status)
        return 3

    def admin(self) -> int:
        sent = 0
        if not self.signed_in:
            status, body, _ = self.staff.request("GET", "/admin/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
            username, password = self.user
            status, _, _ = self.staff.request(
                "POST",
                "/admin/login/",
                {
                    "csrfmiddlewaretoken": token.group(1) if token else "",
                    "username": username,
                    "password": password,
                    "next": "/admin/",
                },
            )
            self.record("admin sign-in", status)
            if status != 302:
                raise SystemExit(f"signing in as {username} answered {status}, not a redirect")
            self.signed_in = True
            sent = 2
        status, _, _ = self.staff.request("GET", self.random.choice(self.admin_pages))
        self.record("admin", status)
        return sent + 1


def run_mix(site_url: str, total: int, threads: int, pages, day, admin_pages) -> dict:
    counter = {"sent": 0}
    lock = threading.Lock()
    mixes = [
        Mix(site_url, n, pages, day, admin_pages[user], user)
        for n, user in ((n, ADMIN_USERS[n % len(ADMIN_USERS)]) for n in range(threads))
    ]
    failures = []

    def client(mix: Mix) -> None:
        try:
            while True:
                with lock:
                    if counter["sent"] >= total:
                        return
                sent = mix.one()
                with lock:
                    counter["sent"] += sent
        except BaseException as error:
            failures.append(repr(error))

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(mix,)) for mix in mixes]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    statuses = collections.Counter()
    for mix in mixes:
        statuses.update(mix.statuses)
    if failures:
        raise SystemExit("a client thread failed: " + "; ".join(failures))
    return {
        "requests": counter["sent"],
        "seconds": round(time.monotonic() - started, 1),
        "statuses": statuses,
    }


def admin_pages_that_answer(site_url: str, user: tuple[str, str]) -> list[str]:
    """ADMIN_PAGES that answer ``user`` with 200, and a page of the explorer's tree."""
    mix = Mix(site_url, 0, [], "", ["/admin/"], user)
    mix.admin()
    found = []
    for path in ADMIN_PAGES:
        status, body, _ = mix.staff.request("GET", path)
        if status == 200:
            found.append(path)
        else:
            print(f"  {path} answers {user[0]} with {status}: left out for that user")
        if path == "/admin/pages/":
            explored = re.search(r'href="(/admin/pages/\d+/)"', body)
            if explored:
                found.append(explored.group(1))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    extra_env = {"GUNICORN_MAX_REQUESTS": "0"}
    if os.environ.get("BENCH_MALLOC_ARENA_MAX"):
        extra_env["MALLOC_ARENA_MAX"] = os.environ["BENCH_MALLOC_ARENA_MAX"]
    if not postgres_answers():
        print("memory benchmark skipped: PostgreSQL not reachable (BENCH_DATABASE_URL)")
        return 0

    with ServedSite(extra_env) as site:
        workers = int(site.env.get("WEB_CONCURRENCY", "2"))
        started = settled_memory(site, workers)
        pages, day = discover(site.url)
        admin_pages = {user: admin_pages_that_answer(site.url, user) for user in ADMIN_USERS}
        run = run_mix(site.url, args.requests, args.threads, pages, day, admin_pages)
        after = settled_memory(site, workers, seconds=10)
        arbiter = memory_of(site.pid)
        recycled = sorted(after) != sorted(started)

    statuses = run["statuses"]
    by_status = collections.Counter()
    for (_kind, status), count in statuses.items():
        by_status[status] += count
    server_errors = sum(count for status, count in by_status.items() if status >= 500)
    refused = sum(count for status, count in by_status.items() if 400 <= status < 500)
    worst = max(m["rss_mib"] for m in after.values())
    met = worst < GOAL_MIB and not recycled

    print(
        f"\nWorker memory after {run['requests']:,} mixed requests in {run['seconds']} s —"
        f" {args.threads} keep-alive clients, gunicorn {workers} workers (gunicorn.conf.py,"
        " no recycling), production settings, PostgreSQL, cache on Redis"
    )
    print(f"{'worker':>8}{'RSS start':>11}{'PSS start':>11}{'RSS after':>11}{'PSS after':>11}  MiB")
    for n, pid in enumerate(sorted(after), 1):
        before = started.get(pid, {"rss_mib": 0, "pss_mib": 0})
        print(
            f"{n:>8}{before['rss_mib']:>11}{before['pss_mib']:>11}"
            f"{after[pid]['rss_mib']:>11}{after[pid]['pss_mib']:>11}"
        )
    print(f"{'arbiter':>8}{'':>22}{arbiter['rss_mib']:>11}{arbiter['pss_mib']:>11}")
    print("responses: " + ", ".join(f"{s}: {c:,}" for s, c in sorted(by_status.items())))
    for (kind, status), count in sorted(statuses.items()):
        print(f"  {kind:18} {status}: {count:,}")
    if recycled:
        print("a worker was replaced during the run: its memory was not measured throughout")
    print(
        f"goal: every worker under {GOAL_MIB} MiB RSS; largest {worst} MiB:"
        f" {'met' if met else 'NOT met'}"
    )
    if server_errors:
        print(f"FAILED: {server_errors} server errors (5xx): the site or the mix is broken")
    if refused > run["requests"] * 0.02:
        print(f"FAILED: {refused} requests refused (4xx), more than 2%: the mix is wrong")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "requests": run["requests"],
                "seconds": run["seconds"],
                "threads": args.threads,
                "goal_rss_mib": GOAL_MIB,
                "workers": [
                    {"after_start": started.get(pid), "after_requests": after[pid]}
                    for pid in sorted(after)
                ],
                "arbiter": arbiter,
                "statuses": {f"{kind} {status}": n for (kind, status), n in statuses.items()},
                "met": met,
            },
            indent=2,
        )
    )
    ok = met and not server_errors and refused <= run["requests"] * 0.02
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
