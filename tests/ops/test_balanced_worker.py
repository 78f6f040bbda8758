"""The gunicorn worker that leaves a new connection to a worker with a thread free.

gunicorn's own run loop drives the worker over a real listening socket; only the
request handling is replaced by one that holds its thread until the test lets it go.
"""

import logging
import os
import selectors
import socket
import threading
from concurrent import futures

import pytest
from gunicorn.config import Config

from config.workers import BalancedThreadWorker

THREADS = 2


class HeldWorker(BalancedThreadWorker):
    """Each request keeps its thread until ``release`` is given a permit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.release = threading.Semaphore(0)
        self.started = threading.Semaphore(0)
        self.accepted = threading.Semaphore(0)

    def accept(self, listener):
        before = self.nr_conns
        super().accept(listener)
        if self.nr_conns > before:
            self.accepted.release()

    def handle(self, conn):
        self.started.release()
        self.release.acquire()
        conn.sock.close()  # no response: the test reads none
        return False


@pytest.fixture
def serve():
    """A worker running gunicorn's loop on a listener; yields (worker, connect)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    cfg = Config()
    cfg.set("threads", THREADS)
    worker = HeldWorker(
        0, None, [listener], None, 30, cfg, logging.getLogger("tests.balanced_worker")
    )
    worker.ppid = os.getppid()
    worker.tpool = futures.ThreadPoolExecutor(max_workers=THREADS)
    worker.poller = selectors.DefaultSelector()
    worker.method_queue.init()
    loop = threading.Thread(target=worker.run, daemon=True)
    clients = []

    def connect():
        client = socket.create_connection(listener.getsockname())
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        clients.append(client)

    loop.start()
    yield worker, connect
    for _ in range(len(clients)):
        worker.release.release()
    worker.alive = False
    worker.method_queue.defer(lambda: None)
    loop.join(timeout=10)
    for client in clients:
        client.close()
    worker.tmp.close()


def on_main_loop(worker, read):
    """``read()`` on the worker's loop, after whatever it had to do before."""
    done = futures.Future()
    worker.method_queue.defer(lambda: done.set_result(read()))
    return done.result(timeout=10)


def test_a_busy_worker_leaves_a_new_connection_waiting_for_a_free_thread(serve):
    worker, connect = serve
    worker.busy_accept_every = 3600  # never, for this test
    for _ in range(THREADS):
        connect()
    for _ in range(THREADS):
        assert worker.started.acquire(timeout=10)
    connect()
    # Every thread has a request in hand: the third connection stays in the kernel's queue.
    assert on_main_loop(worker, lambda: (worker.nr_conns, worker._accepting)) == (THREADS, False)
    assert on_main_loop(worker, lambda: worker.nr_conns) == THREADS

    # A thread comes free: the worker takes the waiting connection.
    worker.release.release()
    assert worker.started.acquire(timeout=10)
    assert on_main_loop(worker, lambda: worker.in_hand) == THREADS


def test_a_busy_worker_still_takes_a_connection_after_the_interval(serve):
    # With every worker busy, a new visitor is not left behind kept-alive clients.
    worker, connect = serve
    worker.busy_accept_every = 0.05
    for _ in range(THREADS + 1):
        connect()
    for _ in range(THREADS + 1):
        assert worker.accepted.acquire(timeout=10)
    # Taken without a thread coming free: its request waits in the pool's queue.
    assert on_main_loop(worker, lambda: worker.in_hand) == THREADS + 1
    for _ in range(THREADS):
        assert worker.started.acquire(timeout=10)
    assert not worker.started.acquire(timeout=0)
