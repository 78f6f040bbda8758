"""Public pages a second under load: wrk against gunicorn, beside Wagtail's bakerydemo.

Run with `make bench` (needs PostgreSQL, as benchmarks/served_site.py says, and wrk:
`apt-get install wrk`). The demo park is served by 2 gunicorn workers with production
settings and the cache on Redis; `wrk -t2 -c32` then asks each page for a fixed time,
once with whole pages served from the cache (as visitors get them) and once with
PAGE_CACHE_WHOLE_SECONDS=0 (every request rendered, the fragment cache still on).

bakerydemo's home page, measured on this 2-core machine with the same wrk load and
2 gunicorn workers, served 33.5 requests a second; the goal is ten times that.
Prints a table and writes bench-results/page_throughput.json.
"""

import argparse
import json
import platform
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from served_site import BASE_DIR, ServedSite, postgres_answers

RESULTS = BASE_DIR / "bench-results" / "page_throughput.json"
BAKERYDEMO_HOME_RPS = 33.5
GOAL_RPS = 10 * BAKERYDEMO_HOME_RPS
PAGES = [
    ("home", "/"),
    ("home (en)", "/en/"),
    ("attractions", "/attractions/"),
    ("bloom calendar", "/bloom-calendar/"),
    ("news", "/news/"),
    ("visit", "/visit/"),
    ("trees", "/trees/"),
    ("map", "/map/"),
]
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: int, connections: int) -> dict:
    """requests/s and latency percentiles of ``wrk -t2 -c<connections> --latency``."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = {
        percent: round(float(value) * UNITS_MS[unit], 1)
        for percent, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": latency.get("50"),
        "p90_ms": latency.get("90"),
        "p99_ms": latency.get("99"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def existing_pages(base_url: str) -> list[tuple[str, str]]:
    """The pages of ``PAGES`` the demo has (a renamed page is left out, not failed)."""
    found = []
    for label, path in PAGES:
        try:
            with urllib.request.urlopen(base_url + path, timeout=30) as response:
                if response.status == 200:
                    found.append((label, path))
        except OSError:
            print(f"  {path} does not answer 200: left out")
    return found


def measure(site: ServedSite, seconds: int, connections: int) -> dict:
    results = {}
    for label, path in existing_pages(site.url):
        wrk(site.url + path, 2, connections)  # warms renditions, fragments and pages
        results[label] = wrk(site.url + path, seconds, connections)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10, help="wrk's run for each page")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("page throughput benchmark skipped: install wrk (apt-get install wrk)")
        return 0
    if not postgres_answers():
        print("page throughput benchmark skipped: PostgreSQL not reachable (BENCH_DATABASE_URL)")
        return 0

    with ServedSite() as site:
        cached = measure(site, args.seconds, args.connections)
        site.stop()
        site.env["PAGE_CACHE_WHOLE_SECONDS"] = "0"
        site.start()
        rendered = measure(site, args.seconds, args.connections)

    print(
        f"\nPublic pages under wrk -t2 -c{args.connections}, {args.seconds} s each — gunicorn 2"
        " workers (gunicorn.conf.py), production settings, PostgreSQL, cache on Redis"
    )
    print(
        f"{'page':18}{'whole, req/s':>14}{'p50 ms':>8}{'p99 ms':>8}{'rendered, req/s':>17}{'p99 ms':>8}"
    )
    for label, run in cached.items():
        other = rendered.get(label, {})
        print(
            f"{label:18}{run['requests_per_second']:>14,.0f}{run['p50_ms']:>8}{run['p99_ms']:>8}"
            f"{other.get('requests_per_second', 0):>17,.0f}{other.get('p99_ms', '-'):>8}"
        )
    home = cached.get("home", {}).get("requests_per_second", 0)
    print(
        f"bakerydemo's home page on this machine: {BAKERYDEMO_HOME_RPS} req/s; Huagu's home"
        f" {home:,.0f} req/s = {home / BAKERYDEMO_HOME_RPS:.1f}× (goal ≥ 10×,"
        f" {GOAL_RPS:,.0f} req/s): {'met' if home >= GOAL_RPS else 'NOT met'}"
    )
    errors = sum(run["errors"] for run in [*cached.values(), *rendered.values()])
    if errors:
        print(f"{errors} responses were not 2xx or 3xx")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "connections": args.connections,
                "seconds": args.seconds,
                "bakerydemo_home_rps": BAKERYDEMO_HOME_RPS,
                "whole_pages": cached,
                "rendered": rendered,
            },
            indent=2,
        )
    )
    return 0 if home >= GOAL_RPS and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
