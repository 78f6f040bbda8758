"""The demo park served as in production, for the benchmarks that load it over HTTP.

A fresh PostgreSQL database (BENCH_DATABASE_URL names a server that can create one) with
the demo park loaded, static files collected and media in a temporary folder; gunicorn
with production settings, 2 workers (gunicorn.conf.py), HTTPS redirect off, the cache and
the task queue on Redis when one answers (BENCH_REDIS_URL), as two hosts would share it.
Used as a context manager; everything it made is removed on the way out.
"""

import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers_health_check(port: int, *, seconds: float) -> bool:
    """Whether the site on ``port`` answers /healthz with 200 within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.2)
    return False


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def run_threads(target, count: int) -> float:
    """``target(n)`` in ``count`` threads at once; the seconds until the last one ends."""
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def workers_cpu_seconds(arbiter_pid: int) -> float:
    """User and system CPU seconds of gunicorn's worker processes so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == arbiter_pid:  # the parent's pid is the stat line's 4th field
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def postgres_answers() -> bool:
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


class ServedSite:
    """``with ServedSite(extra_env) as site:`` — ``site.url``, ``site.env``, ``site.pid``."""

    def __init__(self, extra_env: dict | None = None):
        self.run_id = f"bench_site_{os.getpid()}_{secrets.token_hex(3)}"
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="huagu-bench-"))
        _admin(f'CREATE DATABASE "{self.run_id}"')
        shared = (
            {"REDIS_URL": REDIS_URL, "HUAGU_CACHE_PREFIX": self.run_id, "TASKS_QUEUE": self.run_id}
            if redis_answers()
            else {"TASKS_BROKER_URL": "memory://"}
        )
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "HUAGU_ID_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": ADMIN_URL.rsplit("/", 1)[0] + "/" + self.run_id,
            "DJANGO_STATIC_ROOT": str(self.folder / "static"),
            "DJANGO_MEDIA_ROOT": str(self.folder / "media"),
            "DJANGO_LOG_LEVEL": "WARNING",
            "EMAIL_URL": "dummymail://",
            "STRIPE_SECRET_KEY": "",
            **shared,
            **self.extra_env,
        }
        try:
            for command in (
                ["migrate", "--no-input", "-v", "0"],
                ["load_demo", "--force"],
                ["collectstatic", "--no-input", "-v", "0"],
            ):
                done = subprocess.run(
                    [sys.executable, "manage.py", *command],
                    cwd=BASE_DIR,
                    env=self.env,
                    capture_output=True,
                    text=True,
                )
                if done.returncode:
                    raise SystemExit(f"manage.py {command[0]} failed:\n{done.stderr[-3000:]}")
            self.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def start(self) -> None:
        """gunicorn with gunicorn.conf.py, on a free port; returns once it answers."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "gunicorn.conf.py"],
            cwd=BASE_DIR,
            env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            # The request log lines are written (their cost is part of a request), not shown.
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not answers_health_check(port, seconds=60):
            raise SystemExit("gunicorn did not answer /healthz within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes: the children of its arbiter."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(stat[1]) == self.pid:
                    pids.append(int(entry.name))
        return pids

    def __exit__(self, *exc):
        self.stop()
        _admin(f'DROP DATABASE IF EXISTS "{self.run_id}" WITH (FORCE)')
        if redis_answers():
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(f"*{self.run_id}*"):
                client.delete(key)
        shutil.rmtree(self.folder, ignore_errors=True)
        return False
