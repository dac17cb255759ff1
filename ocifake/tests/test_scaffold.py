"""`python -m ocifake.scaffold`: a new service is one package and one line in services.py."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ocifake.scaffold import main, scaffold

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ocifake"


def test_a_scaffolded_service_is_served_once_listed_in_services(tmp_path):
    copy = tmp_path / "ocifake"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    scaffold("widget", "widgets", copy)
    services = copy / "services.py"
    text = services.read_text().replace(
        "from .vault.service import SERVICE as SECRETS\n",
        "from .vault.service import SERVICE as SECRETS\nfrom .widget.service import SERVICE as WIDGET\n",
    )
    services.write_text(text.replace("    SECRETS,\n)", "    SECRETS,\n    WIDGET,\n)"))
    probe = textwrap.dedent(
        """
        from ocifake import FakeCloud
        from ocifake.services import OPERATIONS
        from ocifake.services import BY_HOST
        from ocifake.widget.models import WidgetBackend

        with FakeCloud(["us-ashburn-1"]) as cloud:
            assert isinstance(cloud.require_region("us-ashburn-1").backend(WidgetBackend), WidgetBackend)
        assert [s.name for s in BY_HOST["widgets"]] == ["widget"]
        assert OPERATIONS[("widget", "GetItem")].verb == "read"
        print("served")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)}, capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.strip() == "served", done.stderr


def test_a_name_that_is_not_a_package_or_is_taken_is_refused(tmp_path, capsys):
    assert main(["Bad-Name", "--host", "x", "--into", str(tmp_path)]) == 2
    assert "not a package name" in capsys.readouterr().err
    scaffold("widget", "widgets", tmp_path)
    with pytest.raises(FileExistsError):
        scaffold("widget", "widgets", tmp_path)
