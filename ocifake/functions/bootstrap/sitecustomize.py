"""Loaded by a function process that ocifake starts: route the oci SDK's HTTP to the fake,
and show the process the fake's simulated time.

Only active when OCIFAKE_ENDPOINT is set. The function's own code is untouched: it builds
real SDK clients, signs real requests, and gets real responses back; `datetime.now()`
answers the simulated clock, as it would read the wall clock in a container.
"""

import os

if os.environ.get("OCIFAKE_ENDPOINT"):
    import http.client
    import json
    import re
    from urllib.parse import urlsplit

    import responses
    from oci._vendor.requests.exceptions import ConnectionError as _ConnectionError
    from oci._vendor.requests.exceptions import ConnectTimeout as _ConnectTimeout
    from oci._vendor.requests.exceptions import ReadTimeout as _ReadTimeout

    _TRANSPORT_ERRORS = {"connect-timeout": _ConnectTimeout, "timeout": _ReadTimeout, "connection": _ConnectionError}

    _endpoint = urlsplit(os.environ["OCIFAKE_ENDPOINT"])

    def _forward(request):
        # responses keeps every call it saw, globally and per registered response; a
        # long-lived function process must not accumulate them.
        _mock.calls.reset()
        for registered in _mock.registered():
            registered.calls.reset()
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        headers = dict(request.headers)
        headers["x-ocifake-url"] = request.url
        conn = http.client.HTTPConnection(_endpoint.hostname, _endpoint.port, timeout=120)
        try:
            conn.request(request.method, "/forward", body=body or None, headers=headers)
            reply = conn.getresponse()
            data = reply.read()
            if reply.getheader("x-ocifake-transport-error"):
                fault = json.loads(data)
                raise _TRANSPORT_ERRORS.get(fault["type"], _ConnectionError)(fault["message"])
            return reply.status, [(k, v) for k, v in reply.getheaders() if k.lower() not in ("content-length", "transfer-encoding", "connection")], data
        finally:
            conn.close()

    _mock = responses.RequestsMock(target="oci._vendor.requests.adapters.HTTPAdapter.send", assert_all_requests_are_fired=False)
    for _method in ("GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"):
        _mock.add_callback(_method, re.compile(r".*"), callback=_forward, content_type=None)
    _mock.start()

    import datetime as _datetime

    _wall_datetime = _datetime.datetime

    def _simulated_now() -> "_datetime.datetime":
        conn = http.client.HTTPConnection(_endpoint.hostname, _endpoint.port, timeout=30)
        try:
            conn.request("GET", "/clock")
            return _wall_datetime.fromisoformat(conn.getresponse().read().decode())
        finally:
            conn.close()

    class _SimulatedDatetime(_wall_datetime):
        @classmethod
        def now(cls, tz=None):
            now = _simulated_now()
            return now.astimezone(tz) if tz is not None else now.astimezone().replace(tzinfo=None)

        @classmethod
        def utcnow(cls):
            return _simulated_now().astimezone(_datetime.timezone.utc).replace(tzinfo=None)

    _datetime.datetime = _SimulatedDatetime
