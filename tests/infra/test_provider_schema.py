"""Every resource and data source of infra/ against the oracle/oci provider's own schema.

The provider cannot be installed here; its schema (`terraform providers schema -json` of
8.28.0) is kept beside the repository in ../shared/terraform/. Each block must use only the
attributes and nested blocks the provider declares, give every required one, respect the
nested blocks' counts, and use nothing the provider marks deprecated. That schema had its
documentation stripped, and with it every attribute named `description`: that one name is
taken on trust. Skipped where the schema file is absent.
"""

import json

import pytest

from tests.helpers import ROOT
from tests.infra.test_terraform import HOME, MODULE, REGION, parse

SCHEMA_FILE = ROOT.parent / "shared" / "terraform" / "oci-provider-schema.json"
# Vault's resources are not among the services the kept schema covers: checked by hand
# against the provider's documentation, not by this test.
NOT_IN_SCHEMA = {"oci_kms_vault", "oci_kms_key", "oci_vault_secret"}
META = {"for_each", "count", "provider", "depends_on", "lifecycle", "__comments__", "__is_block__"}
UNKNOWN_TO_SCHEMA = {"description"}

pytestmark = pytest.mark.skipif(not SCHEMA_FILE.exists(), reason="the provider schema is not beside the repository")


def _schemas() -> tuple[dict, dict]:
    doc = json.loads(SCHEMA_FILE.read_text())
    (provider,) = doc["provider_schemas"].values() if "provider_schemas" in doc else [doc]
    return provider["resource_schemas"], provider["data_source_schemas"]


def _blocks(kind: str) -> list[tuple[str, str, dict]]:
    found = []
    for root in (MODULE, HOME, REGION):
        for path in sorted(root.glob("*.tf")):
            for block in parse(path).get(kind, []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        found.append((f"{path.relative_to(ROOT)}:{rtype}.{name}", rtype, body))
    return found


def problems(body: dict, schema: dict, where: str) -> list[str]:
    attributes, nested = schema.get("attributes", {}), schema.get("block_types", {})
    found = []
    for key, value in body.items():
        if key in META or key in UNKNOWN_TO_SCHEMA:
            continue
        if key in attributes:
            if attributes[key].get("deprecated"):
                found.append(f"{where}.{key} is deprecated")
            if attributes[key].get("computed") and not (
                attributes[key].get("optional") or attributes[key].get("required")
            ):
                found.append(f"{where}.{key} is computed only")
            continue
        if key in nested:
            spec = nested[key]
            items = value if isinstance(value, list) else [value]
            if spec.get("block", {}).get("deprecated"):
                found.append(f"{where}.{key} is a deprecated block")
            if spec.get("max_items") and len(items) > spec["max_items"]:
                found.append(f"{where}.{key}: at most {spec['max_items']}")
            for n, item in enumerate(items):
                found += problems(item, spec["block"], f"{where}.{key}[{n}]")
            continue
        found.append(f"{where}.{key} is not an attribute or block of the provider")
    for key, spec in attributes.items():
        if spec.get("required") and key not in body and key not in UNKNOWN_TO_SCHEMA:
            found.append(f"{where}.{key} is required")
    for key, spec in nested.items():
        if spec.get("min_items") and key not in body:
            found.append(f"{where}.{key}: at least {spec['min_items']}")
    return found


def test_every_resource_matches_the_provider_schema():
    resources, _ = _schemas()
    blocks = _blocks("resource")
    assert len(blocks) >= 15
    found = []
    for where, rtype, body in blocks:
        if rtype in NOT_IN_SCHEMA and rtype not in resources:
            continue
        assert rtype in resources, f"{where}: the provider has no resource {rtype}"
        found += problems(body, resources[rtype]["block"], where)
    assert found == []


def test_every_data_source_matches_the_provider_schema():
    _, sources = _schemas()
    found = []
    for where, rtype, body in _blocks("data"):
        assert rtype in sources, f"{where}: the provider has no data source {rtype}"
        found += problems(body, sources[rtype]["block"], where)
    assert found == []
