"""The fakes' common ground: one fake API served on 127.0.0.1, on a free port, in a thread.

Each fake (Stripe, WeChat Pay, Alipay, Tencent Cloud SMS) decides what to answer;
``LoopbackServer`` only carries requests to its ``answer(method, target, headers, body)``
and writes back the ``(status, body bytes, headers)`` it returns.
"""

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = Callable[[str, str, object, bytes], tuple[int, bytes, dict]]


class LoopbackServer:
    def __init__(self, answer: Answer):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(answer))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(answer: Answer):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, data, headers = answer(self.command, self.path, self.headers, body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format, *args):  # keep the test output quiet
            pass

    return Handler
