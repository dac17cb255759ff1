"""Loaded by a function process that ocifake starts: route the oci SDK's HTTP to the fake.

Only active when OCIFAKE_ENDPOINT is set. The function's own code is untouched: it builds
real SDK clients, signs real requests, and gets real responses back.
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
