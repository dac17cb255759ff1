"""What each distribution ships: the function image carries the function and nothing else."""

import fcntl
import hashlib
import re
import subprocess
import sys
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.helpers import ROOT

pytestmark = pytest.mark.contract


def built_wheel(project: str, into) -> zipfile.ZipFile:
    """The wheel `python -m build` makes of `project` (a folder of the repository).

    One build of the repository at a time: a build writes into its source tree (build/,
    *.egg-info), and parallel workers building the same tree collide there."""
    lock = Path(tempfile.gettempdir()) / f"image-replicator-build-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]}"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", str(into), str(ROOT / project)],
            check=True,
            capture_output=True,
        )
    (wheel,) = into.glob("*.whl")
    return zipfile.ZipFile(wheel)


def requirements(wheel: zipfile.ZipFile) -> list[str]:
    """The names of the distributions `wheel` requires."""
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    headers = Parser().parsestr(wheel.read(metadata).decode())
    return sorted(Requirement(r).name for r in headers.get_all("Requires-Dist") or [])


def test_the_function_wheel_holds_the_function_only(tmp_path):
    wheel = built_wheel("functions", tmp_path)
    names = wheel.namelist()
    assert "replicator/handler.py" in names and "replicator/gateways/sdk.py" in names
    foreign = [
        n
        for n in names
        if n.startswith(("ocifake", "replicator_tools"))
        or "/cli/" in n
        or n.endswith(("sandbox.py", "sitecustomize.py"))
    ]
    assert foreign == []
    assert requirements(wheel) == ["fdk", "oci", "pydantic"]


def test_the_fake_ships_nothing_of_the_product(tmp_path):
    wheel = built_wheel("ocifake", tmp_path)
    sources = [wheel.read(n).decode() for n in wheel.namelist() if n.endswith(".py")]
    assert sources and not [s for s in sources if "replicator" in s.lower() or "IR_" in s]
    assert "oci" in requirements(wheel) and "pydantic" not in requirements(wheel)
    # It stands alone: the fdk (and what it pulls in) only for serving functions in process; the
    # SDK bounded above, as its next major release may change what the fake answers.
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    required = [Requirement(r) for r in Parser().parsestr(wheel.read(metadata).decode()).get_all("Requires-Dist")]
    fdk = next(r for r in required if r.name == "fdk")
    assert (
        fdk.marker is not None
        and not fdk.marker.evaluate({"extra": ""})
        and fdk.marker.evaluate({"extra": "functions"})
    )
    oci = next(r for r in required if r.name == "oci")
    assert not oci.specifier.contains("3.0.0") and oci.specifier.contains("2.189.0")


def test_the_tools_ship_the_events_rules_and_the_alarms_as_package_data(tmp_path):
    names = built_wheel(".", tmp_path).namelist()
    assert "replicator_tools/events/rules/image-created.json" in names
    assert "replicator_tools/monitoring/alarms/rpo-exceeded.json" in names
    assert "replicator_tools/cli/__init__.py" in names
    assert not [n for n in names if n.startswith(("replicator/", "ocifake/"))]
    assert "replicator_tools/iam/policies.json" in names


@pytest.mark.parametrize("project", ["functions", "ocifake", "."])
def test_every_wheel_carries_the_licence_and_says_who_and_what(tmp_path, project):
    wheel = built_wheel(project, tmp_path)
    licences = [n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
    assert len(licences) == 1 and "Apache License" in wheel.read(licences[0]).decode()
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    headers = Parser().parsestr(wheel.read(metadata).decode())
    assert headers["License-Expression"] == "Apache-2.0"
    assert headers["Author"] or headers["Author-email"]
    assert "Programming Language :: Python :: 3.11" in (headers.get_all("Classifier") or [])
    # A package index shows the description away from the repository: every link must be absolute.
    relative = re.findall(r"\]\((?!https?://)([^)]*)\)", headers.get_payload() or "")
    assert relative == []


def test_ocifake_says_its_version():
    import tomllib

    import ocifake

    declared = tomllib.loads((ROOT / "ocifake" / "pyproject.toml").read_text())["project"]["version"]
    assert ocifake.__version__ == declared


def test_the_image_s_build_context_is_the_function_alone():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ignored[ignored.index("*")] == "*" and "!functions/" in ignored


def test_the_tools_need_the_fake_only_through_their_fake_extra(tmp_path):
    wheel = built_wheel(".", tmp_path)
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    required = [Requirement(r) for r in Parser().parsestr(wheel.read(metadata).decode()).get_all("Requires-Dist")]
    plain = sorted(r.name for r in required if r.marker is None)
    assert "ocifake" not in plain and "responses" not in plain
    (fake,) = [r for r in required if r.name == "ocifake" and r.marker and r.marker.evaluate({"extra": "fake"})]
    assert not fake.marker.evaluate({"extra": ""})


def test_the_tools_describe_themselves_in_a_page_of_their_own(tmp_path):
    wheel = built_wheel(".", tmp_path)
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    description = Parser().parsestr(wheel.read(metadata).decode()).get_payload()
    assert "image-replicator" in description and len(description.split()) < 400
    assert "](" not in description  # no relative links that lead nowhere on a package index
