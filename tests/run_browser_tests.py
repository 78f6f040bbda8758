"""Run each browser test in a process of its own, then sum up.

Once Playwright's event loop runs in the test thread, Django's test machinery no
longer restores what the migrations made (the role groups, the root page) between
transactional tests, so a second browser test in one process would start from an
empty database. One process per test keeps every test's start clean.
"""

import re
import subprocess
import sys

PYTEST = [sys.executable, "-m", "pytest"]


def main(extra: list[str]) -> int:
    collected = subprocess.run(
        [*PYTEST, "-m", "browser", "--collect-only", "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
    )
    tests = [line for line in collected.stdout.splitlines() if "::" in line]
    totals = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
    for test in tests:
        run = subprocess.run(
            [*PYTEST, "-p", "no:cacheprovider", *extra, test], capture_output=True, text=True
        )
        summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
        print(f"{test}: {summary}")
        for count, word in re.findall(r"(\d+) (passed|failed|skipped|error)", summary):
            totals[word] += int(count)
        if run.returncode not in (0, 5):
            print(run.stdout[-6000:])
            totals["failed"] += 0 if re.search(r"\d+ (failed|error)", summary) else 1
    print(
        f"browser: {totals['passed']} passed, {totals['failed'] + totals['error']} failed, {totals['skipped']} skipped"
    )
    return 1 if totals["failed"] or totals["error"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
