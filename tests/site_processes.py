"""The site's own processes (gunicorn, a Celery worker) started by tests, their output kept."""

import contextlib
import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path

from config.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parent.parent
# One task at a time, in the worker's own process, without talking to other workers.
CELERY_WORKER = [
    sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
    "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
]  # fmt: skip


@contextlib.contextmanager
def celery_settings(**settings):
    """The site's Celery app with ``settings`` changed for a block, its broker connections
    let go on the way in and out: the app keeps a pool of them, opened with whatever broker
    it was first given, and would otherwise go on publishing there."""

    def drop_connections():
        # The app's references only (kombu keeps the pools themselves, one a broker), and its
        # messaging half, which holds the queues and routes made from the settings it first saw.
        celery_app._pool = None
        celery_app.__dict__.pop("amqp", None)

    saved = {key: celery_app.conf[key] for key in settings}
    drop_connections()
    celery_app.conf.update(settings)
    try:
        yield celery_app
    finally:
        drop_connections()
        celery_app.conf.update(saved)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A process of the site's, its output kept (and shown when something fails)."""

    def __init__(self, name: str, args: list[str], env: dict):
        self.name = name
        self.output: list[str] = []
        self.lines: queue.Queue[str] = queue.Queue()
        self.process = subprocess.Popen(
            args, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put("")

    def wait_for(self, text: str, *, seconds: float) -> str:
        """The first line of the output, from now on, that contains ``text``."""
        while True:
            try:
                line = self.lines.get(timeout=seconds)
            except queue.Empty:
                raise AssertionError(f"{self.name} said no {text!r}:\n{self.log()}") from None
            if not line:
                raise AssertionError(f"{self.name} stopped:\n{self.log()}")
            if text in line:
                return line

    def log(self) -> str:
        return "".join(self.output[-60:])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
