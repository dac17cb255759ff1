"""`ocifake serve`: which OCI host a request is for, the clock a script can move, HTTPS and the proxy."""

import http.client
import json
import ssl
import threading
import urllib.request
from datetime import timedelta

import pytest

from ocifake import FakeCloud
from ocifake.core.clock import iso
from ocifake.server import Recorder, Server, certificate, oci_host


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


@pytest.fixture
def served_tls(tmp_path):
    with FakeCloud(regions=["us-ashburn-1"]) as cloud:
        bucket = cloud.create_bucket("us-ashburn-1", "public", cloud.create_compartment("c"))
        cloud.objectstorage("us-ashburn-1").put_object(cloud.namespace, bucket.name, "blob", b"x" * 1000, {})
        expires = iso(cloud.clock.now() + timedelta(hours=1))
        par = cloud.objectstorage("us-ashburn-1").create_par(
            cloud.namespace,
            bucket.name,
            {"name": "read", "accessType": "ObjectRead", "objectName": "blob", "timeExpires": expires},
        )
        tls = certificate(["us-ashburn-1"], str(tmp_path))
        server = Server(cloud, tls=tls)
        threading.Thread(target=server.serve_forever, args=(0,), daemon=True).start()
        try:
            yield server, tls[0], par.access_uri(cloud.namespace)
        finally:
            server.shutdown()


def _trusting(ca_file: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file)


def test_a_head_keeps_the_object_s_length_and_one_date(served_tls):
    server, ca_file, path = served_tls
    connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=_trusting(ca_file), timeout=10)
    connection.request("HEAD", path, headers={"host": "objectstorage.us-ashburn-1.oraclecloud.com"})
    reply = connection.getresponse()
    reply.read()
    assert reply.status == 200
    assert reply.headers.get_all("content-length") == ["1000"]
    assert len(reply.headers.get_all("date") or []) == 1


def test_a_client_behind_https_proxy_reaches_the_fake_under_oci_s_own_host_name(served_tls):
    # No hosts entry, no endpoint option: the proxy's CONNECT leads to the fake, which speaks TLS
    # for the name asked with the certificate the client trusts.
    server, ca_file, path = served_tls
    connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=_trusting(ca_file), timeout=10)
    connection.set_tunnel("objectstorage.us-ashburn-1.oraclecloud.com", 443)
    connection.request("GET", path)
    reply = connection.getresponse()
    assert (reply.status, reply.read()) == (200, b"x" * 1000)
    connection.request("GET", "/n/")  # the same tunnel, another request: unsigned, so OCI's 401
    reply = connection.getresponse()
    assert (reply.status, json.loads(reply.read())["code"]) == (401, "NotAuthenticated")


def test_without_tls_the_proxy_says_how_to_start_it():
    with FakeCloud(regions=["us-ashburn-1"]) as cloud:
        server = Server(cloud)
        threading.Thread(target=server.serve_forever, args=(0,), daemon=True).start()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("CONNECT", "objectstorage.us-ashburn-1.oraclecloud.com:443")
            reply = connection.getresponse()
            assert reply.status == 501 and "--tls" in json.loads(reply.read())["message"]
        finally:
            server.shutdown()


def test_a_recording_keeps_each_request_and_its_answer_without_its_signature(tmp_path):
    with FakeCloud(regions=["us-ashburn-1"]) as cloud:
        recording = tmp_path / "requests.jsonl"
        server = Server(cloud, record=Recorder(str(recording)))
        threading.Thread(target=server.serve_forever, args=(0,), daemon=True).start()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request(
                "GET",
                "/n/?compartmentId=x",
                headers={"host": "objectstorage.us-ashburn-1.oraclecloud.com", "authorization": "Signature secret"},
            )
            assert connection.getresponse().read()
        finally:
            server.shutdown()
            server.record.close()
        (line,) = recording.read_text().splitlines()
        kept = json.loads(line)
        assert (kept["method"], kept["host"], kept["path"], kept["status"]) == (
            "GET",
            "objectstorage.us-ashburn-1.oraclecloud.com",
            "/n/?compartmentId=x",
            401,
        )
        assert kept["reply"]["code"] == "NotAuthenticated" and kept["at"] == cloud.clock.now().isoformat()
        assert "secret" not in line
