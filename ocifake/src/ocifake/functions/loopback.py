"""A loopback HTTP endpoint through which function processes reach the fake cloud.

A function runs in its own process, so the test process's `responses` mock cannot see its
requests. The function process's bootstrap forwards each SDK request here unchanged
(method, full URL in a header, headers, body); the reply comes back the same way.

The simulated time is published in a small shared file (`clock_file`, mapped into memory by
each function process): a function asks the time several times per call, and a round trip
each time would be the harness's cost, not the function's. `GET /clock` answers it too, for
a process that cannot map the file.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import tempfile
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from oci._vendor.requests.exceptions import ConnectionError as SdkConnectionError
from oci._vendor.requests.exceptions import ConnectTimeout, ReadTimeout

if TYPE_CHECKING:
    from ..core.platform import Platform

URL_HEADER = "x-ocifake-url"
FAULT_HEADER = "x-ocifake-transport-error"
CLOCK_PATH = "/clock"
CLOCK_FORMAT = "<d"  # seconds since the epoch, a little-endian double: one aligned 8-byte write


class ClockFile:
    """The simulated time as 8 bytes in a file that function processes map read-only."""

    def __init__(self) -> None:
        fd, self.path = tempfile.mkstemp(prefix="ocifake-clock-")
        os.write(fd, b"\0" * struct.calcsize(CLOCK_FORMAT))
        self._map = mmap.mmap(fd, struct.calcsize(CLOCK_FORMAT))
        os.close(fd)

    def publish(self, now: datetime) -> None:
        struct.pack_into(CLOCK_FORMAT, self._map, 0, now.timestamp())

    def close(self) -> None:
        self._map.close()
        if os.path.exists(self.path):
            os.unlink(self.path)


class LoopbackServer:
    def __init__(self, cloud: Platform):
        cloud_ref, server = cloud, self
        self.clock_round_trips = 0  # times a process asked the time over HTTP instead of reading the file

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _clock(self) -> None:
                server.clock_round_trips += 1
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

        self.clock = ClockFile()
        cloud.clock.watch(self.clock.publish)
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
        self.clock.close()
