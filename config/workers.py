"""gunicorn's threaded worker that accepts a connection only while it has a thread free.

All workers accept from one listening socket, and the first to wake takes what waits
there. gunicorn's own threaded worker accepts whenever it is below ``worker_connections``
(1,000), so clients that connect together — a proxy opening its pool of keep-alive
connections, 32 buyers at once — can all land on one worker while the other idles, and
they stay there for as long as they keep the connection: one core does the work of two.
Measured with ``benchmarks/tickets.py`` (32 keep-alive clients, 2 workers of 4 threads):
runs where the connections split 32/0 or 30/2 took 6,000–9,700 tickets a minute, runs where
they split evenly 11,000–12,900.

``BalancedThreadWorker`` takes a connection at once only while one of its threads is free;
while all are busy it takes at most one every ``busy_accept_every`` seconds. A new
connection goes to whichever worker has a thread free, and when every worker is busy it
still waits no longer than that (refusing it outright would leave it queued behind
kept-alive clients that never pause). Set by ``worker_class`` in ``gunicorn.conf.py``.
"""

import time

from gunicorn.workers.gthread import ThreadWorker


class BalancedThreadWorker(ThreadWorker):
    #: How often a worker whose threads are all busy still takes a waiting connection.
    busy_accept_every = 0.02

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: Requests handed to the thread pool and not yet finished.
        self.in_hand = 0
        self.last_accept = 0.0

    def may_accept(self) -> bool:
        return (
            self.in_hand < self.cfg.threads
            or time.monotonic() - self.last_accept >= self.busy_accept_every
        )

    def set_accept_enabled(self, enabled):
        super().set_accept_enabled(enabled and self.may_accept())

    def accept(self, listener):
        self.last_accept = time.monotonic()
        super().accept(listener)

    def enqueue_req(self, conn):
        self.in_hand += 1
        if not self.may_accept():
            super().set_accept_enabled(False)
        super().enqueue_req(conn)

    def finish_request(self, conn, fs):
        # The main loop turns accepting back on at its next turn.
        self.in_hand -= 1
        super().finish_request(conn, fs)

    def wait_for_and_dispatch_events(self, timeout):
        if not self._accepting and self.alive and self.nr_conns < self.worker_connections:
            # Wake when this busy worker may take a connection again.
            wait = self.busy_accept_every - (time.monotonic() - self.last_accept)
            timeout = min(timeout, max(wait, 0.001))
        super().wait_for_and_dispatch_events(timeout)
