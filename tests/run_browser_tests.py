"""Run each browser test in a process of its own, then sum up.

Once Playwright's event loop runs in the test thread, Django's test machinery no
longer restores what the migrations made (the role groups, the root page) between
transactional tests, so a second browser test in one process would start from an
empty database. One process per test keeps every test's start clean.

Migrating a test database takes most of a short test's time, so the database is migrated
once, as a template, and each test's process starts from a clone of it (tests/db_template.py:
a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL). The clone holds what
the migrations made, so each test starts exactly as it would from a freshly migrated database.
"""

import contextlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest"]
CHROMIUM = Path("/usr/bin/chromium")


@contextlib.contextmanager
def template_database():
    """Migrate the template once and name it to the test processes; remove it afterwards."""
    if os.environ.get("HUAGU_TEST_DB_TEMPLATE") or not CHROMIUM.exists():
        # Already given, or every browser test will skip: nothing to build.
        yield
        return
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from tests import db_template

    name = db_template.build()
    os.environ[db_template.ENV] = name
    try:
        yield
    finally:
        del os.environ[db_template.ENV]
        db_template.destroy(name)


def main(extra: list[str]) -> int:
    # Paths named on the command line narrow what is collected; the rest are options that
    # every test's run gets.
    paths = [a for a in extra if not a.startswith("-") and (ROOT / a.split("::")[0]).exists()]
    extra = [a for a in extra if a not in paths]
    collected = subprocess.run(
        [*PYTEST, "-m", "browser", "--collect-only", "-q", "-p", "no:cacheprovider", *paths],
        capture_output=True,
        text=True,
    )
    tests = [line for line in collected.stdout.splitlines() if "::" in line]
    if collected.returncode not in (0, 5) or not tests:
        print(collected.stdout[-6000:], collected.stderr[-6000:])
        return 0 if collected.returncode == 5 else 1
    with template_database():
        totals = run_each(tests, extra)
    print(
        f"browser: {totals['passed']} passed, {totals['failed'] + totals['error']} failed, {totals['skipped']} skipped"
    )
    return 1 if totals["failed"] or totals["error"] else 0


def run_each(tests: list[str], extra: list[str]) -> dict[str, int]:
    """Run each test in a process of its own; the counts of each outcome."""
    totals = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
    for test in tests:
        started = time.monotonic()
        run = subprocess.run(
            [*PYTEST, "-p", "no:cacheprovider", *extra, test], capture_output=True, text=True
        )
        summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
        print(f"{test}: {summary} ({time.monotonic() - started:.0f} s in all)")
        for count, word in re.findall(r"(\d+) (passed|failed|skipped|error)", summary):
            totals[word] += int(count)
        if run.returncode not in (0, 5):
            print(run.stdout[-6000:])
            totals["failed"] += 0 if re.search(r"\d+ (failed|error)", summary) else 1
    return totals


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
