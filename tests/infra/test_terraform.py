"""The Terraform under infra/, read with python-hcl2: no Terraform binary, no network."""

import re
from pathlib import Path

import hcl2
import pytest

from replicator.cloudevents import EVENT_KINDS
from replicator.config import ReplicatorConfig
from replicator_tools.policies import POLICIES_FILE, Deployment, markdown_table, render
from replicator_tools.rules import RULES_DIR, event_types, load_rules
from tests.helpers import ROOT

INFRA = ROOT / "infra"
HOME = INFRA / "home"  # applied once, in the home region: IAM
REGION = INFRA / "region"  # applied once per region, each with its own state
SHARED = INFRA / "shared"  # the variables both roots read (each root links to them)
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
    module_locals = {k: v for block in blocks(MODULE, "locals") for k, v in block.items()}
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
    # `actions { actions {} }` is deprecated in the provider; `actions { action {} }` is not.
    assert rule["actions"][0]["action"][0]["action_type"] == "FAAS" and "actions" not in rule["actions"][0]
    schedule = _resources(MODULE, "oci_resource_scheduler_schedule")["reconcile"]
    assert schedule["action"] == "START_RESOURCE"
    # Cron is the documented recurrence for an hourly schedule; the default runs at every full hour.
    assert schedule["recurrence_type"] == "CRON"
    assert (
        parse(SHARED / "variables.tf")["variable"][0] and _variables()["reconcile_schedule"]["default"] == "0 * * * *"
    )


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
    root = (REGION / "main.tf").read_text()
    assert "var.events_compartment_ocid == null ? var.tenancy_ocid : var.events_compartment_ocid" in root
    for path in RULES_DIR.glob("*.json"):
        text = path.read_text()
        assert re.search(r'"compartmentId":\s*\$\{(image|bucket|drill)_compartment_ids\}', text), path.name


def test_rule_conditions_come_from_events_rules_with_only_the_values_terraform_passes():
    text = (MODULE / "events.tf").read_text()
    assert "path.module}/../../../events/rules" in text
    assert (MODULE / "../../../events/rules").resolve() == RULES_DIR
    block = text.split("templatefile(", 1)[1].split("}))", 1)[0]
    passed = set(re.findall(r"^\s*(\w+)\s*=", block, re.M))
    for path in RULES_DIR.glob("*.json"):
        assert set(re.findall(r"\$\{(\w+)\}", path.read_text())) <= passed, path.name


def test_every_event_type_the_router_handles_has_a_rule():
    drills = ReplicatorConfig(
        drill_compartment_id="ocid1.compartment.oc1..aaaaaaaadrills",
        drill_subnet_id="ocid1.subnet.oc1.phx.aaaaaaaadrills",
        drill_availability_domain="Uocm:PHX-AD-1",
    )
    assert event_types(load_rules(drills, image_compartments=["c"], bucket_compartments=["b"])) == set(EVENT_KINDS)


def test_iam_is_applied_once_in_the_home_region_from_iam_policies_json():
    home = (HOME / "main.tf").read_text()
    assert 'templatefile("${path.module}/../../iam/policies.json"' in home
    assert (HOME / "../../iam/policies.json").resolve() == POLICIES_FILE
    assert set(_resources(HOME, "oci_identity_policy")) == {"this"}
    assert set(_resources(HOME, "oci_identity_dynamic_group")) == {"replicator"}
    assert not _resources(HOME, "oci_functions_function") and not _resources(REGION, "oci_identity_dynamic_group")
    # Only Identity: the region roots create the buckets, which need Object Storage's policy first.
    assert not blocks(HOME, "module")


def test_templatefile_is_given_exactly_the_values_policies_json_names():
    names = set(re.findall(r"\$\{(\w+)\}", POLICIES_FILE.read_text()))
    for root in (HOME, REGION):
        text = (root / "main.tf").read_text()
        block = text.split('iam/policies.json", {', 1)[1].split("}))", 1)[0]
        assert set(re.findall(r"^\s*(\w+)\s*=", block, re.M)) == names, root.name


def test_the_optional_network_is_private_with_a_service_gateway_and_no_nat():
    text = "".join(p.read_text() for p in MODULE.glob("*.tf"))
    assert "oci_core_service_gateway" in text
    assert "oci_core_nat_gateway" not in text and "oci_core_internet_gateway" not in text
    subnet = _resources(MODULE, "oci_core_subnet")["functions"]
    assert subnet["prohibit_public_ip_on_vnic"] is True
    route = _resources(MODULE, "oci_core_route_table")["private"]
    assert route["route_rules"][0]["destination_type"] == "SERVICE_CIDR_BLOCK"


def test_one_region_root_serves_any_number_of_regions():
    text = "".join(p.read_text() for p in REGION.glob("*.tf"))
    assert "region_a" not in text and "var.regions[" not in text
    (module,) = [body for block in blocks(REGION, "module") for body in block.values()]
    assert module["source"] == "../modules/region" and module["region"] == "${var.region}"
    regions = _variables()["regions"]
    assert "length(var.regions) >= 2" in regions["validation"][0]["condition"]
    region = _variables(REGION)["region"]
    assert "contains(var.regions, var.region)" in region["validation"][0]["condition"]
    # The schedule's own policy names the schedule, so it is made where the schedule is known.
    policy = _resources(REGION, "oci_identity_policy")["region"]
    assert policy["provider"] == "${oci.home}"


def test_each_root_declares_the_variables_it_reads_and_no_other():
    # What both read is written once (shared/, linked into each root); a root's own stay in it.
    for root in (HOME, REGION):
        (link,) = [p for p in root.glob("*.tf") if p.is_symlink()]
        assert link.resolve() == (SHARED / "variables.tf").resolve()
        read = {m for p in root.glob("*.tf") for m in re.findall(r"\bvar\.(\w+)", p.read_text())}
        assert set(_variables(root)) == read, root.name
    assert set(_variables(SHARED)) == set(_variables(HOME))


def test_the_example_values_give_each_root_what_it_declares():
    common, region = (_assigned(INFRA / "examples" / f"{n}.tfvars") for n in ("common", "region"))
    assert common <= set(_variables(HOME)) and not common & region
    assert region <= set(_variables(REGION)) - set(_variables(HOME))
    # Every variable without a default has a value in the example (the region's own from -var).
    required = {n for n, body in _variables(REGION).items() if "default" not in body}
    assert required - {"region"} <= common | region


def _assigned(path: Path) -> set[str]:
    """The variables a values file sets, commented ones included (README's optional settings)."""
    return set(re.findall(r"^#? ?(\w+)\s+=", path.read_text(), re.M))


def _variables(directory: Path = SHARED) -> dict:
    return {name: body for block in blocks(directory, "variable") for name, body in block.items()}


def _statements() -> list[str]:
    """Every statement, rendered for a deployment that turns every switch on."""
    spec = render(
        Deployment(
            "image-replicator-functions",
            "ocid1.compartment.oc1..functions",
            "ocid1.compartment.oc1..buckets",
            "ocid1.compartment.oc1..functions",
            "image_replicator",
            "image-replicator-staging",
            "image-replicator-landing",
            ["us-ashburn-1", "us-phoenix-1"],
            ["ocid1.compartment.oc1..images"],
            {"us-phoenix-1": "ocid1.key.oc1.phx.key"},
            on_source_deleted="delete",
            region="us-phoenix-1",
            schedule_id="ocid1.resourceschedule.oc1.phx.schedule",
        )
    )
    return [s.text for p in spec.policies for s in p.statements]


def test_iam_statements_are_scoped_and_never_manage_everything():
    statements = _statements()
    assert len(statements) >= 12
    for statement in statements:
        assert "all-resources" not in statement
        assert " in compartment id " in statement or " in tenancy" in statement, statement
        if " in tenancy" in statement:
            # Tenancy-wide, only what has no narrower scope: using tag namespaces for defined
            # tags, and Object Storage using one Vault key.
            assert re.search(r"to (use tag-namespaces|use keys) in tenancy", statement), statement
            assert "use tag-namespaces" in statement or "where target.key.id" in statement, statement


def test_object_permissions_are_limited_to_the_two_buckets():
    for statement in _statements():
        if re.search(r"to (use|manage) (objects|buckets) in", statement):
            assert "target.bucket.name = 'image-replicator-staging'" in statement, statement
            assert "target.bucket.name = 'image-replicator-landing'" in statement, statement


def test_no_statement_conditions_on_a_variable_its_service_does_not_support():
    # Notifications supports only the general variables; a condition on another never matches.
    for statement in _statements():
        if "ons-topics" in statement:
            assert " where " not in statement or "target.ons-topic" not in statement, statement


def test_the_dynamic_group_holds_the_functions_of_the_functions_compartment():
    group = _resources(HOME, "oci_identity_dynamic_group")["replicator"]
    assert group["matching_rule"] == "${local.iam.dynamicGroup.matchingRule}"
    rule = render(_deployment()).matching_rule
    assert rule == "ALL {resource.type = 'fnfunc', resource.compartment.id = 'ocid1.compartment.oc1..functions'}"


def _deployment() -> Deployment:
    return Deployment(
        "dg", "ocid1.compartment.oc1..functions", "b", "m", "n", "s", "l", ["us-ashburn-1", "us-phoenix-1"], ["c"], {}
    )


def test_checkov_skips_are_justified_beside_the_resource():
    (bucket,) = _resources(MODULE, "oci_objectstorage_bucket").values()
    skips = [c["value"] for c in bucket.get("__comments__", []) if "checkov:skip" in c["value"]]
    assert {s.split("=", 1)[1].split(":", 1)[0] for s in skips} == {"CKV_OCI_8", "CKV_OCI_9"}
    assert all(len(s.split(":", 2)[-1].strip()) > 40 for s in skips), skips


def test_outputs_give_function_bucket_and_rule_ids():
    outputs = {k for block in blocks(REGION, "output") for k in block}
    assert {"function_id", "bucket_names", "event_rule_ids", "reconcile_schedule_id"} <= outputs
    assert {k for block in blocks(HOME, "output") for k in block} >= {"dynamic_group_id", "policy_ids", "statements"}


@pytest.mark.parametrize(
    "key", sorted(k for k in ReplicatorConfig.model_fields if k.startswith(("staging", "landing", "object_prefix")))
)
def test_terraform_passes_the_function_the_settings_the_buckets_use(key):
    text = (REGION / "main.tf").read_text()
    assert f"IR_{key.upper()}" in text


def test_readme_lists_every_iam_statement_from_policies_json():
    assert markdown_table() in (ROOT / "README.md").read_text()


def test_both_roots_have_plan_tests_with_mocked_providers_on_readme_s_example_values():
    example = (INFRA / "examples" / "common.tfvars").read_text()
    for root in (HOME, REGION):
        (test,) = (root / "tests").glob("*.tftest.hcl")
        doc = parse(test)
        assert doc["mock_provider"] and doc["run"], test
        values = doc["variables"][0]
        assert values["regions"] == ["us-ashburn-1", "us-phoenix-1"] and '"us-phoenix-1"' in example
        assert all(run[name]["command"] == "plan" for run in doc["run"] for name in run)


# One file per concern in the region module: a resource's kind says which file holds it.
CONCERNS = {
    "buckets.tf": ("oci_objectstorage_",),
    "network.tf": ("oci_core_",),
    "signing.tf": ("oci_kms_", "oci_vault_"),
    "functions.tf": ("oci_functions_",),
    "events.tf": ("oci_events_",),
    "schedule.tf": ("oci_resource_scheduler_",),
    # A drill's place (subnet, availability domain) and its tick: the drills' own file.
    "drills.tf": ("oci_core_", "oci_identity_availability_domains", "oci_resource_scheduler_"),
    "monitoring.tf": ("oci_ons_", "oci_logging_", "oci_monitoring_"),
}


def test_the_region_module_keeps_one_file_per_concern():
    for path in sorted(MODULE.glob("*.tf")):
        kinds = {k for block in parse(path).get("resource", []) + parse(path).get("data", []) for k in block}
        allowed = CONCERNS.get(path.name, ())
        assert all(kind.startswith(allowed) for kind in kinds), (path.name, sorted(kinds))
