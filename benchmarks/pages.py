"""Server time of the public pages with DEBUG off, on the demo park in a fresh SQLite file.

Run with `make bench`. Each page is requested in-process through Django's test client
(no network, no browser), first to warm caches and image renditions, then N times
under the clock. Prints a table and writes bench-results/pages.json.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench-results" / "pages.json"
GOAL_MS = 30.0


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def setup_django(workdir: Path) -> None:
    """A fresh database and media directory in ``workdir``; DEBUG off; quiet logs."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import warnings

    import django
    from django.conf import settings

    # collectstatic has not run; static files come from the finders.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

    django.setup()
    settings.MEDIA_ROOT = str(workdir / "media")
    assert not settings.DEBUG, "benchmarks run with DEBUG off"


def targets() -> list[tuple[str, str]]:
    """(label, url) of the pages to time; later benchmarks add theirs here."""
    from tourism.models import AttractionPage, HomePage

    home = HomePage.objects.live().filter(locale__language_code="zh-hans").get()
    attraction = (
        AttractionPage.objects.live()
        .filter(locale__language_code="zh-hans")
        .order_by("path")
        .first()
    )
    return [
        ("home (zh-hans)", home.get_url()),
        ("attraction (zh-hans)", attraction.get_url()),
        ("trees (zh-hans)", "/trees/"),
        ("trees, filtered (en)", "/en/trees/?q=o&age=0-50&page=2"),
    ]


def trees_with_photos(count: int = 200) -> None:
    """Make the demo's specimen trees ``count`` public standing trees, each with a photo.

    Half have their own photo and half only a gallery photo, so the list's cards read both.
    """
    import datetime
    import io

    from django.core.files.images import ImageFile
    from PIL import Image
    from wagtail.images import get_image_model

    from nursery.models import SpecimenPhoto, SpecimenTree

    trees = list(SpecimenTree.objects.order_by("tag")[:count])
    if len(trees) < count:
        raise SystemExit(f"the demo has {len(trees)} specimen trees; the benchmark needs {count}")
    for n, tree in enumerate(trees):
        buffer = io.BytesIO()
        Image.new("RGB", (800, 520), (40 + n % 200, 110, 60)).save(buffer, "JPEG")
        image = get_image_model().objects.create(
            title=f"bench tree {tree.tag}", file=ImageFile(buffer, name=f"bench-{tree.tag}.jpg")
        )
        tree.public, tree.status = True, SpecimenTree.Status.HEALTHY
        if n % 2:
            SpecimenPhoto.objects.create(tree=tree, image=image, taken_on=datetime.date(2024, 5, 1))
        else:
            tree.photo = image
    SpecimenTree.objects.bulk_update(trees, ["public", "status", "photo"])


def time_page(client, url: str, requests: int, warmup: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}; cannot benchmark it")
    # Counted now: the captured list is a view of the connection's log, which each later
    # request clears.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    query_count = len(captured)
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "url": url,
        "requests": requests,
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        "min_ms": round(min(samples), 2),
        "max_ms": round(max(samples), 2),
        "queries": query_count,
        "bytes": len(response.content),
        "goal_ms": GOAL_MS,
        "goal_met": statistics.median(samples) < GOAL_MS,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a page misses the goal")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="huagu-bench-") as workdir:
        setup_django(Path(workdir))
        from django.core.management import call_command
        from django.test import Client

        print("Preparing a fresh SQLite database with the demo park ...", flush=True)
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_demo", verbosity=0)
        trees_with_photos(200)

        client = Client()
        results = {
            label: time_page(client, url, args.requests, args.warmup) for label, url in targets()
        }

    url_width = max(len(r["url"]) for r in results.values())
    header = (
        f"{'page':<22} {'url':<{url_width}} {'n':>4} {'median ms':>10} {'p95 ms':>8} "
        f"{'queries':>8}  goal (< {GOAL_MS:.0f} ms median)"
    )
    print()
    print(header)
    print("-" * len(header))
    for label, r in results.items():
        verdict = "met" if r["goal_met"] else "MISSED"
        print(
            f"{label:<22} {r['url']:<{url_width}} {r['requests']:>4} {r['median_ms']:>10.2f} "
            f"{r['p95_ms']:>8.2f} {r['queries']:>8}  {verdict}"
        )
    print()

    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "pages",
                "settings": os.environ["DJANGO_SETTINGS_MODULE"],
                "database": "sqlite (fresh file)",
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "pages": results,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"Results written to {RESULTS.relative_to(BASE_DIR)}")
    all_met = all(r["goal_met"] for r in results.values())
    return 1 if args.strict and not all_met else 0


if __name__ == "__main__":
    sys.exit(main())
