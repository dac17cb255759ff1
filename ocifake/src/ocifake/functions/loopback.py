"""A loopback HTTP endpoint through which function processes reach the fake cloud.

A function runs in its own process, so the test process's `responses` mock cannot see its
requests. The function process's bootstrap forwards each SDK request here unchanged
(method, full URL in a header, headers, body); the reply comes back the same way. The
bootstrap also reads the simulated time here (`GET /clock`).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from oci._vendor.requests.exceptions import ConnectionError as SdkConnectionError
from oci._vendor.requests.exceptions import ConnectTimeout, ReadTimeout

if TYPE_CHECKING:
    from ..cloud import FakeCloud

URL_HEADER = "x-ocifake-url"
FAULT_HEADER = "x-ocifake-transport-error"
CLOCK_PATH = "/clock"


class LoopbackServer:
    def __init__(self, cloud: FakeCloud):
        cloud_ref = cloud

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _clock(self) -> None:
                payload = cloud_ref.clock.now().isoformat().encode()
                self.send_response(200)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _forward(self) -> None:
                if (
                    self.command == "GET"
                    and self.path == CLOCK_PATH
                    and URL_HEADER not in {k.lower() for k in self.headers}
                ):
                    self._clock()
                    return
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() != URL_HEADER}
                try:
                    reply = cloud_ref.dispatch(self.command, self.headers[URL_HEADER], headers, body)
                except (ReadTimeout, SdkConnectionError) as exc:
                    kind = (
                        "connect-timeout"
                        if isinstance(exc, ConnectTimeout)
                        else "timeout"
                        if isinstance(exc, ReadTimeout)
                        else "connection"
                    )
                    payload = json.dumps({"type": kind, "message": str(exc)}).encode()
                    self.send_response(599)
                    self.send_header(FAULT_HEADER, "1")
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    if key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(reply.body)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _forward

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="ocifake-loopback", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
