"""The operator CLI as a user starts it: the installed console script, a fresh process, a profile.

The process knows nothing of the tests: it reads an oci config file, signs its requests with
the profile's key (or session token) and reaches the fake cloud over a loopback endpoint, as
it would reach OCI. Only `import oci` as the SDK ships it makes that possible.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from replicator_tools.sandbox import deploy
from tests.helpers import PHOENIX, REGIONS, SOURCE

pytestmark = pytest.mark.contract

CONSOLE_SCRIPT = Path(sys.executable).parent / "image-replicator"


def profile(path: Path, config: dict) -> Path:
    path.write_text("[DEFAULT]\n" + "".join(f"{k}={v}\n" for k, v in config.items()))
    return path


def image_replicator(
    cloud, sandbox, *args: str, env: dict | None = None, reach: bool = True
) -> subprocess.CompletedProcess:
    """The installed console script in a fresh process; `reach=False`: without the way to the fake."""
    assert CONSOLE_SCRIPT.exists() or shutil.which("image-replicator"), "the console script is not installed"
    proxies = ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "NO_PROXY", "no_proxy")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "IR_")) and k not in proxies}
    environ.update(sandbox.env)
    if reach:
        environ.update(cloud.process_env())
    environ.update(env or {})
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
    )


@pytest.fixture
def replicated(cloud, compartment):
    sandbox = deploy(cloud, REGIONS, compartment)
    image = cloud.create_image(SOURCE, compartment, "web", freeform_tags={"replicate-to": PHOENIX})
    cloud.run_until_idle()
    return sandbox, image


def test_an_api_key_profile_signs_in_and_reads_the_status(cloud, replicated, tmp_path):
    sandbox, image = replicated
    config = profile(tmp_path / "config", cloud.config(SOURCE))
    done = image_replicator(cloud, sandbox, "--config-file", str(config), "status", "--json", image.id)
    assert done.returncode == 0, done.stderr
    (status,) = json.loads(done.stdout)["data"]
    assert (status["source-image-id"], status["state"]) == (image.id, "done")
    assert {r["region"]: r["state"] for r in status["regions"]} == {PHOENIX: "done"}
    assert cloud.calls[-1].principal == "api_key"


def test_a_session_token_profile_signs_in_and_reads_the_status(cloud, replicated, tmp_path):
    sandbox, image = replicated
    config = profile(tmp_path / "config", cloud.session_token_config(SOURCE, str(tmp_path)))
    done = image_replicator(
        cloud, sandbox, "--config-file", str(config), "--auth", "security_token", "status", "--json", image.id
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["data"][0]["source-image-id"] == image.id
    assert cloud.calls[-1].principal == "session_token"


def test_a_profile_whose_key_the_tenancy_does_not_know_is_one_line_and_exit_1(cloud, replicated, tmp_path):
    sandbox, _ = replicated
    key = tmp_path / "other.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    config = profile(tmp_path / "config", {**cloud.config(SOURCE), "key_file": str(key)})
    done = image_replicator(cloud, sandbox, "--config-file", str(config), "status")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    # The cause is the credentials, not IAM: the line says which key and what to check.
    line = done.stderr.strip()
    assert line.startswith("error: authentication failed (") and "401 NotAuthenticated" in line, line
    assert str(key) in line and cloud.config(SOURCE)["user"] in line and "Allow" not in line


def one_line(done: subprocess.CompletedProcess) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


def test_a_bucket_that_does_not_exist_is_reported_missing_not_as_a_refusal(cloud, replicated, tmp_path):
    sandbox, _ = replicated
    config = profile(tmp_path / "config", cloud.config(SOURCE))
    done = image_replicator(
        cloud, sandbox, "--config-file", str(config), "status", env={"IR_STAGING_BUCKET": "not-ours"}
    )
    line = one_line(done)
    assert line.startswith(f"error: bucket 'not-ours' does not exist in {SOURCE}"), line
    assert "Allow" not in line


def operator_profile(cloud, tmp_path, statements: list[str]) -> Path:
    """A user of group `operators` whose only rights are `statements` (and the tenancy's IAM)."""
    cloud.create_policy("operators", [f"Allow group operators to {s}" for s in statements])
    user = cloud.create_user("operator", groups=["operators"])
    return profile(tmp_path / "config", {**user, "region": SOURCE})


READ_BUT_OBJECTS = [
    "read instance-images in tenancy",
    "read objectstorage-namespaces in tenancy",
    "inspect compartments in tenancy",
]


def test_a_refusal_by_iam_names_the_statement_when_a_listing_shows_the_bucket_exists(cloud, replicated, tmp_path):
    sandbox, _ = replicated
    config = operator_profile(cloud, tmp_path, [*READ_BUT_OBJECTS, "inspect buckets in tenancy"])
    line = one_line(image_replicator(cloud, sandbox, "--config-file", str(config), "status"))
    staging = sandbox.config.staging_bucket
    assert line.startswith(f"error: permission denied for ListObjects on bucket '{staging}' (it exists"), line
    assert "'Allow group <your group> to read objects in compartment <bucket compartment> where " in line
    assert f"target.bucket.name='{staging}'" in line


def test_a_404_no_listing_can_explain_is_said_as_missing_or_not_permitted(cloud, replicated, tmp_path):
    sandbox, _ = replicated
    config = operator_profile(cloud, tmp_path, READ_BUT_OBJECTS)  # may not list buckets: cannot tell
    line = one_line(image_replicator(cloud, sandbox, "--config-file", str(config), "status"))
    staging = sandbox.config.staging_bucket
    assert line.startswith(f"error: bucket '{staging}' is missing in {SOURCE} or not permitted"), line
    assert "read objects" in line


def test_an_unreachable_endpoint_is_named_with_its_host_and_the_network_s_own_reason(cloud, replicated, tmp_path):
    sandbox, _ = replicated
    config = profile(tmp_path / "config", cloud.config(SOURCE))
    with socket.socket() as closed:  # a port nothing listens on: the proxy every request goes through
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    done = image_replicator(
        cloud,
        sandbox,
        "--config-file",
        str(config),
        "status",
        # The sandbox's functions ignore the test's proxy settings; an operator's CLI honours them.
        env={"HTTPS_PROXY": f"http://127.0.0.1:{port}", "IR_HTTP_TRUST_ENV": "true", "IR_SDK_MAX_ATTEMPTS": "1"},
        reach=False,
    )
    line = one_line(done)
    assert line.startswith(f"error: cannot reach objectstorage.{SOURCE}.oraclecloud.com (ListObjects):"), line
    assert f"proxy 127.0.0.1:{port}" in line and "Connection refused" in line
