"""Loaded by a function process that ocifake starts: route the oci SDK's HTTP to the fake,
and show the process the fake's simulated time.

Only active when OCIFAKE_ENDPOINT is set. The function's own code is untouched: it builds
real SDK clients, signs real requests, and gets real responses back, built by the SDK's
own HTTP adapter; `datetime.now()` answers the simulated clock, as it would read the wall
clock in a container.

Nothing of the SDK is imported here: the transport is patched at the moment the function
imports it, so the process loads exactly what the function loads (and its memory and
start-up time stay the function's own).
"""

import os

if os.environ.get("OCIFAKE_ENDPOINT"):
    import datetime as _datetime
    import http.client
    import importlib.abc
    import importlib.machinery
    import io
    import json
    import sys
    from urllib.parse import urlsplit

    _endpoint = urlsplit(os.environ["OCIFAKE_ENDPOINT"])
    _HOST, _PORT = _endpoint.hostname or "127.0.0.1", _endpoint.port
    _ADAPTERS = "oci._vendor.requests.adapters"
    _TRANSPORT_ERRORS = {"connect-timeout": "ConnectTimeout", "timeout": "ReadTimeout", "connection": "ConnectionError"}

    def _send(adapter, request, **kwargs):
        """HTTPAdapter.send, answered by the fake through its loopback endpoint."""
        from oci._vendor.requests import exceptions
        from urllib3.response import HTTPResponse  # the one the vendored requests uses

        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        headers = dict(request.headers)
        headers["x-ocifake-url"] = request.url
        conn = http.client.HTTPConnection(_HOST, _PORT, timeout=120)
        try:
            conn.request(request.method, "/forward", body=body or None, headers=headers)
            reply = conn.getresponse()
            data = reply.read()
            if reply.getheader("x-ocifake-transport-error"):
                fault = json.loads(data)
                raise getattr(exceptions, _TRANSPORT_ERRORS.get(fault["type"], "ConnectionError"))(
                    fault["message"], request=request
                )
            kept = [
                (k, v)
                for k, v in reply.getheaders()
                if k.lower() not in ("content-length", "transfer-encoding", "connection")
            ]
            kept.append(("content-length", str(len(data))))
            raw = HTTPResponse(
                body=io.BytesIO(data),
                headers=kept,  # type: ignore[arg-type]  # urllib3 takes a list of pairs, keeping repeats
                status=reply.status,
                reason=reply.reason,
                preload_content=False,
                decode_content=False,
            )
            return adapter.build_response(request, raw)
        finally:
            conn.close()

    class _PatchTransport(importlib.abc.MetaPathFinder):
        """When the SDK's vendored requests adapters load, point HTTPAdapter.send at the fake."""

        def find_spec(self, fullname, path, target=None):
            if fullname != _ADAPTERS:
                return None
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is None or spec.loader is None:
                return None
            original = spec.loader.exec_module

            def exec_module(module):
                original(module)
                module.HTTPAdapter.send = _send

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, _PatchTransport())

    _wall_datetime = _datetime.datetime

    def _asked_now() -> "_datetime.datetime":
        conn = http.client.HTTPConnection(_HOST, _PORT, timeout=30)
        try:
            conn.request("GET", "/clock")
            return _wall_datetime.fromisoformat(conn.getresponse().read().decode())
        finally:
            conn.close()

    _simulated_now = _asked_now
    if os.environ.get("OCIFAKE_CLOCK_FILE"):
        # The fake publishes its time in a shared 8-byte file: read in memory, no round trip.
        import mmap
        import struct

        with open(os.environ["OCIFAKE_CLOCK_FILE"], "rb") as _file:
            _clock = mmap.mmap(_file.fileno(), 8, access=mmap.ACCESS_READ)

        def _mapped_now() -> "_datetime.datetime":
            (seconds,) = struct.unpack_from("<d", _clock, 0)
            return _wall_datetime.fromtimestamp(seconds, _datetime.UTC)

        _simulated_now = _mapped_now

    class _SimulatedDatetime(_wall_datetime):
        @classmethod
        def now(cls, tz=None):
            now = _simulated_now()
            return now.astimezone(tz) if tz is not None else now.astimezone().replace(tzinfo=None)

        @classmethod
        def utcnow(cls):
            return _simulated_now().astimezone(_datetime.UTC).replace(tzinfo=None)

    _datetime.datetime = _SimulatedDatetime  # type: ignore[misc]
