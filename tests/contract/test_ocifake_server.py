"""`ocifake serve` used by a client that is not Python: curl, with a request signed by openssl.

The server runs as a user starts it (the installed console script, a fresh process, HTTPS with
the certificate it makes); the client knows only the oci config file and the CA bundle it writes.
"""

import json
import subprocess
from pathlib import Path

import pytest

from tests.contract import serving

pytestmark = pytest.mark.contract

CLIENT = Path(__file__).parent / "clients" / "oci-curl.sh"
ASHBURN = "us-ashburn-1"


@pytest.fixture
def served(tmp_path):
    with serving.served(tmp_path, f"{ASHBURN},us-phoenix-1") as ready:
        yield ready


def curl(ready: dict, method: str, host: str, path: str, config: str | None = None) -> tuple[int, str]:
    done = subprocess.run(
        [str(CLIENT), config or ready["config_file"], str(ready["port"]), ready["ca_bundle"], method, host, path],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    body, _, status = done.stdout.rstrip("\n").rpartition("\n")
    return int(status), body


def test_curl_with_an_openssl_signature_reads_the_namespace_and_lists_images_over_https(served):
    status, body = curl(served, "GET", f"objectstorage.{ASHBURN}.oraclecloud.com", "/n/")
    assert (status, json.loads(body)) == (200, served["namespace"])
    path = f"/20160918/images?compartmentId={served['tenancy']}"
    status, body = curl(served, "GET", f"iaas.{ASHBURN}.oraclecloud.com", path)
    assert status == 200 and isinstance(json.loads(body), list)


def test_a_key_the_tenancy_does_not_know_is_refused_with_oci_s_401(served, tmp_path):
    config = Path(served["config_file"]).read_text()
    other_key = tmp_path / "other.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(other_key), "2048"], check=True, capture_output=True)
    forged = tmp_path / "forged-config"
    forged.write_text(
        "\n".join(f"key_file={other_key}" if line.startswith("key_file=") else line for line in config.splitlines())
    )
    status, body = curl(served, "GET", f"objectstorage.{ASHBURN}.oraclecloud.com", "/n/", str(forged))
    assert status == 401 and json.loads(body)["code"] == "NotAuthenticated"


def test_a_request_for_no_oci_host_is_a_precise_400(served):
    status, body = curl(served, "GET", "localhost", "/n/")
    assert status == 400 and "names no OCI service host" in json.loads(body)["message"]
