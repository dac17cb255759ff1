"""The function image's contents, installed as the Dockerfile installs them, and the fdk serving from them.

`pip install --no-deps --require-hashes --target DIR -r functions/image.lock`, then the
function's own distribution without dependencies: what lands in DIR is what /python holds in
the image. The fdk's build and test dependencies (pytest, Cython, pbr, wheel) are not there,
and the fdk still serves an invocation over its unix socket from that directory alone.
"""

import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid

import pytest

from ocifake.functions.fdk_process import UnixConnection
from tests.helpers import ROOT

pytestmark = pytest.mark.contract

LOCK = ROOT / "functions" / "image.lock"


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory):
    target = tmp_path_factory.mktemp("python")
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-cache-dir", "--no-deps", "--target", str(target)]
    subprocess.run([*pip, "--require-hashes", "-r", str(LOCK)], check=True, capture_output=True, timeout=600)
    # From a copy: pip builds in the source tree, and parallel workers building the same tree
    # collide on its build/ directory.
    source = tmp_path_factory.mktemp("source") / "functions"
    shutil.copytree(ROOT / "functions", source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run([*pip, str(source)], check=True, capture_output=True, timeout=600)
    return target


def test_the_lock_pins_every_package_with_a_hash_and_no_machine_paths():
    text = LOCK.read_text()
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==\S+ \\$", text, re.M)
    assert {"fdk", "oci", "pydantic", "httptools"} <= {p.lower() for p in pins}
    assert not re.search(r"^--(extra-)?index-url|^--find-links|file://", text, re.M)
    assert text.count("--hash=sha256:") >= len(pins)


def test_the_image_holds_no_test_or_build_tools(image_dir):
    installed = {re.split(r"[-_.]", p.name, maxsplit=1)[0].lower() for p in image_dir.iterdir()}
    assert {"fdk", "oci", "pydantic", "replicator", "httptools"} <= installed
    assert not installed & {"pytest", "cython", "pbr", "wheel", "pluggy", "iniconfig", "ocifake", "replicator_tools"}


def test_the_fdk_serves_from_the_image_s_directory_alone(image_dir, tmp_path):
    socket_path = str(tmp_path / "lsnr.sock")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(image_dir),
        "FN_FORMAT": "http-stream",
        "FN_LISTENER": f"unix:{socket_path}",
        "FN_FN_ID": "ocid1.fnfunc.oc1..test",
        "FN_APP_ID": "ocid1.fnapp.oc1..test",
    }
    # -S: no site-packages of this environment, only what the image holds.
    process = subprocess.Popen(
        [sys.executable, "-S", str(image_dir / "bin" / "fdk"), str(ROOT / "functions" / "func.py"), "handler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not os.path.exists(socket_path):
            assert process.poll() is None, process.stdout.read().decode()[-2000:] if process.stdout else ""
            assert time.monotonic() < deadline, "the fdk did not start listening"
            threading.Event().wait(0.05)  # a real process binding its socket: no simulated clock here
        conn = UnixConnection(socket_path)
        conn.request(
            "POST",
            "/call",
            body=b"{}",
            headers={
                "Fn-Call-Id": uuid.uuid4().hex,
                "Fn-Deadline": "2099-01-01T00:00:00Z",
                "Content-Type": "application/json",
            },
        )
        reply = conn.getresponse()
        body = reply.read()
        # The handler rejects an empty body; what matters is that the fdk served it.
        assert reply.status in (200, 502), body
    finally:
        process.terminate()
        process.wait(timeout=10)
