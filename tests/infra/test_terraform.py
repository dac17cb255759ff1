"""The Terraform under infra/, read with python-hcl2: no Terraform binary, no network."""

import re
from pathlib import Path

import hcl2
import pytest

from replicator.cloudevents import EVENT_KINDS
from replicator.config import ReplicatorConfig
from replicator_tools.rules import RULES_DIR, event_types, load_rules
from tests.helpers import ROOT

INFRA = ROOT / "infra"
MODULE = INFRA / "modules" / "region"


def _plain(value):
    """python-hcl2 keeps HCL's quotes on keys and strings; strip them, and its bookkeeping keys."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def parse(path: Path) -> dict:
    with open(path) as f:
        return _plain(hcl2.load(f))


def blocks(directory: Path, kind: str) -> list[dict]:
    """Every `kind` block (module, provider, output…) of the .tf files in `directory`."""
    return [block for path in sorted(directory.glob("*.tf")) for block in parse(path).get(kind, [])]


def _resources(directory: Path, kind: str) -> dict:
    out = {}
    for path in sorted(directory.glob("*.tf")):
        for block in parse(path).get("resource", []):
            if kind in block:
                out.update(block[kind])
    return out


def test_every_tf_file_parses():
    files = sorted(INFRA.rglob("*.tf"))
    assert len(files) >= 8
    for path in files:
        assert parse(path), path


def test_the_region_module_creates_private_buckets_with_object_events():
    (bucket,) = _resources(MODULE, "oci_objectstorage_bucket").values()
    assert bucket["access_type"] == "NoPublicAccess"
    assert bucket["object_events_enabled"] is True
    module_locals = {k: v for block in parse(MODULE / "main.tf")["locals"] for k, v in block.items()}
    assert set(module_locals["buckets"]) == {"staging", "landing"}


def test_the_region_module_expires_only_intermediate_objects():
    (policy,) = _resources(MODULE, "oci_objectstorage_object_lifecycle_policy").values()
    rule = policy["rules"][0]
    assert (rule["action"], rule["target"], rule["time_unit"]) == ("DELETE", "objects", "DAYS")
    prefixes = rule["object_name_filter"][0]["inclusion_prefixes"]
    assert all("images/" in p or "manifests/" in p for p in prefixes)


def test_the_region_module_creates_the_function_its_rules_and_the_reconcile_schedule():
    function = _resources(MODULE, "oci_functions_function")["this"]
    assert function["timeout_in_seconds"] == 300
    rule = _resources(MODULE, "oci_events_rule")["this"]
    assert "fileset" not in str(rule) and "local.rules" in rule["for_each"]
    assert rule["actions"][0]["actions"][0]["action_type"] == "FAAS"
    schedule = _resources(MODULE, "oci_resource_scheduler_schedule")["reconcile"]
    assert schedule["action"] == "START_RESOURCE"


def test_the_schedule_passes_its_body_as_a_list_of_one_json_string():
    schedule = _resources(MODULE, "oci_resource_scheduler_schedule")["reconcile"]
    (parameter,) = schedule["resources"][0]["parameters"]
    assert parameter["parameter_type"] == "BODY"
    value = parameter["value"]
    assert isinstance(value, list) and len(value) == 1
    assert value[0].replace(" ", "") == '${jsonencode({action="reconcile"})}'


def test_rules_live_where_they_can_see_the_images_and_buckets_and_filter_on_compartments():
    rule = _resources(MODULE, "oci_events_rule")["this"]
    assert rule["compartment_id"] == "${var.events_compartment_id}"
    root = (INFRA / "main.tf").read_text()
    assert "coalesce(var.events_compartment_ocid, var.tenancy_ocid)" in root
    for path in RULES_DIR.glob("*.json"):
        text = path.read_text()
        assert re.search(r'"compartmentId":\s*\$\{(image|bucket)_compartment_ids\}', text), path.name


def test_rule_conditions_come_from_events_rules_with_only_the_values_terraform_passes():
    text = (MODULE / "main.tf").read_text()
    assert "path.module}/../../../events/rules" in text
    assert (MODULE / "../../../events/rules").resolve() == RULES_DIR
    block = text.split("templatefile(", 1)[1].split("}))", 1)[0]
    passed = set(re.findall(r"^\s*(\w+)\s*=", block, re.M))
    for path in RULES_DIR.glob("*.json"):
        assert set(re.findall(r"\$\{(\w+)\}", path.read_text())) <= passed, path.name


def test_every_event_type_the_router_handles_has_a_rule():
    assert event_types(load_rules(ReplicatorConfig(), image_compartments=["c"], bucket_compartments=["b"])) == set(
        EVENT_KINDS
    )


def test_object_storage_permissions_come_first_in_a_policy_the_regions_depend_on():
    policies = _resources(INFRA, "oci_identity_policy")
    assert "object_storage_service" in policies
    assert "object_storage_statements" in policies["object_storage_service"]["statements"]
    assert "object_storage_statements" not in policies["replicator"]["statements"]
    modules = {name: body for block in blocks(INFRA, "module") for name, body in block.items()}
    assert all(m["depends_on"] == ["${oci_identity_policy.object_storage_service}"] for m in modules.values())
    text = (INFRA / "identity.tf").read_text()
    service = text.split("object_storage_statements = concat(", 1)[1].split(")\n", 1)[0]
    assert "objectstorage-${r} to manage object-family" in service
    assert (
        "objectstorage-${r} to use keys in tenancy where target.key.id = '${key}'" in service
        and "var.kms_key_ids" in service
    )


def test_the_optional_network_is_private_with_a_service_gateway_and_no_nat():
    text = "".join(p.read_text() for p in MODULE.glob("*.tf"))
    assert "oci_core_service_gateway" in text
    assert "oci_core_nat_gateway" not in text and "oci_core_internet_gateway" not in text
    subnet = _resources(MODULE, "oci_core_subnet")["functions"]
    assert subnet["prohibit_public_ip_on_vnic"] is True
    route = _resources(MODULE, "oci_core_route_table")["private"]
    assert route["route_rules"][0]["destination_type"] == "SERVICE_CIDR_BLOCK"


def test_each_region_has_its_own_provider_alias_and_module():
    aliases = {block["oci"]["alias"] for block in blocks(INFRA, "provider")}
    modules = {name: body for block in blocks(INFRA, "module") for name, body in block.items()}
    used = [m["providers"]["oci"] for m in modules.values()]
    assert len(modules) == 3 and all(m["source"] == "./modules/region" for m in modules.values())
    assert len(set(used)) == 3 and {u.removeprefix("${oci.").removesuffix("}") for u in used} <= aliases


def _statements() -> list[str]:
    text = (INFRA / "identity.tf").read_text()
    return re.findall(r'"(Allow [^"]+)"', text)


def test_iam_statements_are_scoped_and_never_manage_everything():
    statements = _statements()
    assert len(statements) >= 8
    for statement in statements:
        assert "all-resources" not in statement
        assert " in compartment id " in statement or " in tenancy" in statement, statement
        if " in tenancy" in statement:
            # Tenancy-wide, only what has no narrower scope: using tag namespaces for defined
            # tags, and what a condition narrows to one resource (a topic, a Vault key).
            assert re.search(r"to (use tag-namespaces|use ons-topics|use keys) in tenancy", statement), statement
            assert "use tag-namespaces" in statement or "where target." in statement, statement
            assert " manage " not in statement


def test_object_permissions_are_limited_to_the_two_buckets():
    for statement in _statements():
        if re.search(r"to \w+ (objects|buckets) in", statement):
            assert "local.bucket_names" in statement or "target.bucket.name" in statement, statement


def test_the_dynamic_group_matches_only_the_replicator_functions():
    group = _resources(INFRA, "oci_identity_dynamic_group")["replicator"]
    assert "resource.id" in group["matching_rule"] and "function_ids" in group["matching_rule"]


def test_checkov_skips_are_justified_beside_the_resource():
    (bucket,) = _resources(MODULE, "oci_objectstorage_bucket").values()
    skips = [c["value"] for c in bucket.get("__comments__", []) if "checkov:skip" in c["value"]]
    assert {s.split("=", 1)[1].split(":", 1)[0] for s in skips} == {"CKV_OCI_8", "CKV_OCI_9"}
    assert all(len(s.split(":", 2)[-1].strip()) > 40 for s in skips), skips


def test_outputs_give_function_bucket_and_rule_ids():
    outputs = {k for block in blocks(INFRA, "output") for k in block}
    assert {"function_ids", "bucket_names", "event_rule_ids"} <= outputs


@pytest.mark.parametrize(
    "key", sorted(k for k in ReplicatorConfig.model_fields if k.startswith(("staging", "landing", "object_prefix")))
)
def test_terraform_passes_the_function_the_settings_the_buckets_use(key):
    text = (INFRA / "main.tf").read_text()
    assert f"IR_{key.upper()}" in text
