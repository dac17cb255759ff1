"""func.yaml and the Dockerfile it builds with: valid for OCI Functions and in step with the code."""

import ast
import re

import yaml

from replicator.config import env_keys
from tests.helpers import ROOT

FUNC = yaml.safe_load((ROOT / "func.yaml").read_text())
MEMORY_SIZES = {128, 256, 512, 1024, 2048, 3072}


def test_schema_runtime_and_limits():
    assert FUNC["schema_version"] == 20180708
    assert FUNC["runtime"] == "docker"
    assert FUNC["memory"] in MEMORY_SIZES
    assert 1 <= FUNC["timeout"] <= 300


def test_the_entrypoint_names_a_file_and_a_handler_that_exist():
    dockerfile = (ROOT / "Dockerfile").read_text()
    entry = re.search(r'ENTRYPOINT \["/python/bin/fdk", "/function/(?P<file>[^"]+)", "(?P<handler>\w+)"\]', dockerfile)
    assert entry, "ENTRYPOINT must start the fdk with an entry file and a handler"
    source = ROOT / entry["file"]
    names = {
        n.asname or n.name
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.ImportFrom)
        for n in node.names
    }
    assert entry["handler"] in names
    assert f"COPY {entry['file']} /function/{entry['file']}" in dockerfile


def test_config_keys_match_the_config_model_with_their_defaults():
    assert {k: str(v) for k, v in FUNC["config"].items()} == env_keys()
