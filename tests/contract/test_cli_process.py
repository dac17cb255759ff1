"""The operator CLI as a user starts it: the installed console script, a fresh process, a profile.

The process knows nothing of the tests: it reads an oci config file, signs its requests with
the profile's key (or session token) and reaches the fake cloud over a loopback endpoint, as
it would reach OCI. Only `import oci` as the SDK ships it makes that possible.
"""

import json
import os
import shutil
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


def image_replicator(cloud, sandbox, *args: str) -> subprocess.CompletedProcess:
    assert CONSOLE_SCRIPT.exists() or shutil.which("image-replicator"), "the console script is not installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "IR_"))}
    env.update(sandbox.env)
    env.update(cloud.process_env())
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        env=env,
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
    assert (status["source_image_id"], status["state"]) == (image.id, "done")
    assert {r["region"]: r["state"] for r in status["regions"]} == {PHOENIX: "done"}
    assert cloud.calls[-1].principal == "api_key"


def test_a_session_token_profile_signs_in_and_reads_the_status(cloud, replicated, tmp_path):
    sandbox, image = replicated
    config = profile(tmp_path / "config", cloud.session_token_config(SOURCE, str(tmp_path)))
    done = image_replicator(
        cloud, sandbox, "--config-file", str(config), "--auth", "security_token", "status", "--json", image.id
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["data"][0]["source_image_id"] == image.id
    assert cloud.calls[-1].principal == "session_token"


def test_a_profile_whose_key_the_tenancy_does_not_know_is_one_line_and_exit_1(cloud, replicated, tmp_path):
    sandbox, _ = replicated
    key = tmp_path / "other.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    config = profile(tmp_path / "config", {**cloud.config(SOURCE), "key_file": str(key)})
    done = image_replicator(cloud, sandbox, "--config-file", str(config), "status")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
