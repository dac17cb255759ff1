"""`ocifake serve`: which OCI host a request is for, and the clock a script can move."""

import json
import threading
import urllib.request

import pytest

from ocifake import FakeCloud
from ocifake.server import Server, oci_host


@pytest.mark.parametrize(
    ("header", "host"),
    [
        ("objectstorage.us-ashburn-1.oraclecloud.com", "objectstorage.us-ashburn-1.oraclecloud.com"),
        ("iaas.us-phoenix-1.oraclecloud.com:8443", "iaas.us-phoenix-1.oraclecloud.com"),
        ("iaas.us-phoenix-1.localhost:8443", "iaas.us-phoenix-1.oraclecloud.com"),
        ("secrets.vaults.eu-frankfurt-1.localhost", "secrets.vaults.eu-frankfurt-1.oraclecloud.com"),
        ("localhost:8443", None),
        ("127.0.0.1:8443", None),
    ],
)
def test_the_host_header_names_the_service_and_region(header, host):
    assert oci_host(header) == host


def test_a_script_moves_the_simulated_clock_through_the_admin_path():
    with FakeCloud(regions=["us-ashburn-1"]) as cloud:
        server = Server(cloud)
        thread = threading.Thread(target=server.serve_forever, args=(0,), daemon=True)
        thread.start()
        try:
            before = cloud.clock.now()
            request = urllib.request.Request(
                f"http://127.0.0.1:{server.port}/_ocifake/advance?seconds=600", method="POST"
            )
            with urllib.request.urlopen(request, timeout=10) as reply:
                now = json.loads(reply.read())["now"]
            assert (cloud.clock.now() - before).total_seconds() == 600
            assert now == cloud.clock.now().isoformat()
        finally:
            server.shutdown()
