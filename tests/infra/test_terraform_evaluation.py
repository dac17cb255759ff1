"""Terraform itself evaluates the roots' expressions: README's example values, and more regions.

The oracle/oci provider cannot be installed here, so a plan is out of reach; but everything
the roots compute before calling the provider (the function's configuration, the IAM
statements rendered from iam/policies.json, the variables' validations) is plain Terraform.
Each test copies a root's `locals` blocks and variables, verbatim, into a root without
resources, applies it (no provider, no network) and reads the values back. Skipped where
`terraform` is not installed.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from replicator_tools.policies import POLICIES_FILE, Deployment, PeerGrant, render
from tests.infra.test_terraform import HOME, INFRA, REGION

pytestmark = pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")

COMMON = INFRA / "examples" / "common.tfvars"  # what both roots read
REGION_VALUES = INFRA / "examples" / "region.tfvars"  # what the region root alone reads
SCHEDULE = "ocid1.resourceschedule.oc1.phx.exampleschedule"
DRILL_SCHEDULE = "ocid1.resourceschedule.oc1.phx.exampledrills"
DRILLS_MADE = "ocid1.compartment.oc1..aaaaaaaamadefordrills"
FIVE = ["us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1", "uk-london-1", "ap-tokyo-1"]


def _locals_blocks(text: str) -> str:
    """The `locals { … }` blocks of a .tf file, as written."""
    found, depth, keep = [], 0, False
    for line in text.splitlines():
        if depth == 0 and line.startswith("locals {"):
            keep = True
        if keep:
            found.append(line)
        depth += line.count("{") - line.count("}")
        if keep and depth == 0:
            keep = False
    return "\n".join(found) + "\n"


def evaluate(root: Path, tmp_path: Path, *args: str) -> dict:
    """Apply `root`'s locals with `args` (-var, -var-file); every local by name."""
    work = tmp_path / "infra" / root.name
    work.mkdir(parents=True)
    (tmp_path / "iam").mkdir()
    shutil.copy(POLICIES_FILE, tmp_path / "iam" / "policies.json")
    for variables in root.glob("*variables.tf"):  # its own, and the shared ones it links
        shutil.copy(variables, work / variables.name)
    body = "".join(_locals_blocks(p.read_text()) for p in sorted(root.glob("*.tf")) if not p.is_symlink())
    body = body.replace("module.region.schedule_id", json.dumps(SCHEDULE))
    body = body.replace("module.region.drill_schedule_id", json.dumps(DRILL_SCHEDULE))
    # The drill compartment the home root makes, and the region roots find by name.
    for made in (
        "oci_identity_compartment.drills[0].id",
        "data.oci_identity_compartments.drills[0].compartments[0].id",
    ):
        body = body.replace(made, json.dumps(DRILLS_MADE))
    names = sorted(set(re.findall(r"^  (\w+)\s+=", body, re.M)))
    body += "".join(f'output "{n}" {{\n  value = local.{n}\n}}\n' for n in names)
    (work / "main.tf").write_text(body)
    run = {"cwd": work, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run(["terraform", "init", "-input=false", "-no-color"], check=True, **run)  # type: ignore[call-overload]
    applied = subprocess.run(
        ["terraform", "apply", "-auto-approve", "-input=false", "-no-color", *args],
        **run,  # type: ignore[call-overload]
    )
    if applied.returncode != 0:
        raise AssertionError(applied.stderr or applied.stdout)
    # Each root declares what it reads and the examples give each root only that: no value is
    # left over (Terraform warns of one and goes on, hiding a typo in a variable's name).
    assert "undeclared variable" not in applied.stdout + applied.stderr, applied.stdout + applied.stderr
    out = subprocess.run(["terraform", "output", "-json", "-no-color"], check=True, **run)  # type: ignore[call-overload]
    return {k: v["value"] for k, v in json.loads(out.stdout).items()}


def examples(root: Path) -> list[str]:
    """The example values files `root` is applied with, as README's deployment does."""
    return [f"-var-file={COMMON}", *([f"-var-file={REGION_VALUES}"] if root == REGION else [])]


def _example() -> dict:
    found = {}
    for line in (COMMON.read_text() + REGION_VALUES.read_text()).splitlines():
        m = re.match(r"^(\w+)\s*=\s*(.+)$", line)
        if m and not m[2].startswith("{"):
            found[m[1]] = json.loads(m[2])
    return found


def test_readme_s_example_values_evaluate_in_every_region_root(tmp_path):
    example = _example()
    assert len(example["regions"]) == 2
    for n, region in enumerate(example["regions"]):
        got = evaluate(REGION, tmp_path / region, *examples(REGION), f"-var=region={region}")
        config = got["function_config"]
        # An unset target compartment is "" (coalesce would fail on it), and the allowed regions
        # default to the participating ones.
        assert config["IR_TARGET_COMPARTMENT_ID"] == ""
        assert config["IR_ALLOWED_REGIONS"] == ",".join(example["regions"])
        assert got["default_cidr"] == f"10.{70 + n}.0.0/16"
        # The policies' names are known before the schedule exists (a fresh workspace plans);
        # its OCID is written into the statements' text.
        (name,) = got["policies"]
        assert "{schedule_id}" in got["policies"][name]["statements"][0]["statement"]
        assert got["statements"][name][0].endswith(f"request.principal.id = '{SCHEDULE}'}}")


def example_deployment(**overrides) -> Deployment:
    """What Terraform renders for the example values file, as the sandbox's renderer takes it."""
    example = _example()
    values = dict(
        dynamic_group="image-replicator-functions",
        functions_compartment_id=example["functions_compartment_ocid"],
        buckets_compartment_id=example["buckets_compartment_ocid"],
        metrics_compartment_id=example["functions_compartment_ocid"],
        metrics_namespace="image_replicator",
        staging_bucket="image-replicator-staging",
        landing_bucket="image-replicator-landing",
        regions=example["regions"],
        image_compartment_ids=example["images_compartment_ocids"],
        kms_key_ids={},
    )
    return Deployment(**{**values, **overrides})


@pytest.mark.parametrize("regions", [FIVE[:2], FIVE[:3], FIVE], ids=["2", "3", "5"])
def test_the_home_root_renders_the_statements_the_sandbox_renders(tmp_path, regions):
    keys = {regions[-1]: "ocid1.key.oc1..examplekey"}
    got = evaluate(
        HOME,
        tmp_path,
        *examples(HOME),
        f"-var=regions={json.dumps(regions)}",
        f"-var=kms_key_ids={json.dumps(keys)}",
        "-var=on_source_deleted=delete",
        "-var=target_compartment_ocid=ocid1.compartment.oc1..aaaaaaaareplicas",
    )
    example = _example()
    expected = render(
        example_deployment(
            regions=regions,
            image_compartment_ids=[*example["images_compartment_ocids"], "ocid1.compartment.oc1..aaaaaaaareplicas"],
            kms_key_ids=keys,
            on_source_deleted="delete",
        )
    )
    assert {name: p["statements"] for name, p in got["policies"].items()} == {
        p.name: [s.text for s in p.statements] for p in expected.scope("home")
    }
    copies = [s for s in got["policies"]["image-replicator-object-storage"]["statements"] if "object-family" in s]
    assert len(copies) == len(regions)
    assert got["iam"]["dynamicGroup"]["matchingRule"] == expected.matching_rule


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("regions", '["us-ashburn-1"]'),
        ("regions", '["us-ashburn-1","us-ashburn-1"]'),
        ("alarm_window", "90m"),
        ("alarm_window", "25h"),
        ("reconcile_schedule", "FREQ=HOURLY;INTERVAL=1"),
        ("vault_ids", '{"us-phoenix-1":"ocid1.vault.oc1.phx.examplevault"}'),
    ],
)
def test_values_oci_would_refuse_fail_at_plan_time(tmp_path, var, value):
    with pytest.raises(AssertionError, match="Invalid value for variable"):
        evaluate(HOME, tmp_path, *examples(HOME), f"-var={var}={value}")


@pytest.mark.parametrize("window", ["1m", "60m", "1h", "24h", "1d"])
def test_every_interval_mql_accepts_is_accepted(tmp_path, window):
    evaluate(HOME, tmp_path, *examples(HOME), f"-var=alarm_window={window}")


PEERS = {
    "dr": {
        "tenancy_ocid": "ocid1.tenancy.oc1..aaaaaaaadrtenancy",
        "namespace": "acmedr",
        "dynamic_group_ocid": "ocid1.dynamicgroup.oc1..aaaaaaaadrfunctions",
        "regions": ["us-phoenix-1", "eu-frankfurt-1"],
        "role": "target",
    }
}
PEER_KEYS = {"dr": "a-key-shared-with-the-dr-tenancy-of-32+"}


def test_the_home_root_renders_each_peer_policy_the_sandbox_renders(tmp_path):
    got = evaluate(
        HOME,
        tmp_path,
        *examples(HOME),
        f"-var=peers={json.dumps(PEERS)}",
        f"-var=peer_signing_keys={json.dumps(PEER_KEYS)}",
    )
    expected = render(
        example_deployment(
            peers=[
                PeerGrant("dr", PEERS["dr"]["tenancy_ocid"], PEERS["dr"]["dynamic_group_ocid"], PEERS["dr"]["regions"])
            ],
        )
    )
    assert {name: p["statements"] for name, p in got["peer_policies"].items()} == {
        p.name: [s.text for s in p.statements] for p in expected.scope("peer")
    }
    (statements,) = got["peer_policies"].values()
    assert statements["statements"][0] == "Define tenancy dr as ocid1.tenancy.oc1..aaaaaaaadrtenancy"


def test_a_region_root_hands_its_function_the_peers_and_allows_their_regions(tmp_path):
    region = _example()["regions"][0]
    got = evaluate(
        REGION,
        tmp_path,
        *examples(REGION),
        f"-var=region={region}",
        f"-var=peers={json.dumps(PEERS)}",
        f"-var=peer_signing_keys={json.dumps(PEER_KEYS)}",
    )
    config = got["function_config"]
    assert config["IR_TENANCIES"] == "dr=ocid1.tenancy.oc1..aaaaaaaadrtenancy@acmedr"
    assert config["IR_SOURCE_TENANCIES"] == ""
    assert config["IR_ALLOWED_REGIONS"].endswith(",dr:us-phoenix-1,dr:eu-frankfurt-1")


@pytest.mark.parametrize(
    ("peers", "keys"),
    [
        ({"dr": {**PEERS["dr"], "role": "source"}}, PEER_KEYS),  # no target compartment for its replicas
        (PEERS, {}),  # no shared key
        ({"DR!": PEERS["dr"]}, {"DR!": PEER_KEYS["dr"]}),
    ],
    ids=["source-without-target-compartment", "no-key", "bad-alias"],
)
def test_a_peer_oci_or_the_function_would_refuse_fails_at_plan_time(tmp_path, peers, keys):
    with pytest.raises(AssertionError, match="Invalid value for variable"):
        evaluate(
            HOME,
            tmp_path,
            *examples(HOME),
            f"-var=peers={json.dumps(peers)}",
            f"-var=peer_signing_keys={json.dumps(keys)}",
        )


DRILLS_COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaadrills"


def test_the_home_root_grants_drills_what_the_sandbox_grants_them_only_where_they_are_on(tmp_path):
    got = evaluate(HOME, tmp_path, *examples(HOME), f"-var=drill_compartment_ocid={DRILLS_COMPARTMENT}")
    expected = render(example_deployment(drill_compartment_ids=[DRILLS_COMPARTMENT]))
    assert {name: p["statements"] for name, p in got["policies"].items()} == {
        p.name: [s.text for s in p.statements] for p in expected.scope("home")
    }
    drills = [s for s in got["policies"]["image-replicator"]["statements"] if DRILLS_COMPARTMENT in s]
    assert [s.split(" to ", 1)[1].split(" in ")[0] for s in drills] == [
        "manage instances",
        "use vnics",
        "use subnets",
        "use network-security-groups",
        "manage console-histories",
    ]


def test_a_region_root_hands_its_function_the_drill_settings_and_lets_the_drill_tick_invoke_it(tmp_path):
    region = _example()["regions"][0]
    drills = {"every_days": 7, "expect": "login:"}
    got = evaluate(
        REGION,
        tmp_path,
        *examples(REGION),
        f"-var=region={region}",
        f"-var=drill_compartment_ocid={DRILLS_COMPARTMENT}",
        f"-var=drills={json.dumps(drills)}",
    )
    config = got["function_config"]
    assert (config["IR_DRILL_EVERY_DAYS"], config["IR_DRILL_EXPECT"], config["IR_DRILL_TIMEOUT_MINUTES"]) == (
        "7",
        "login:",
        "30",
    )
    assert got["settings"]["drill_schedule"] == "2-59/5 * * * *"
    (statements,) = got["statements"].values()
    assert any(DRILL_SCHEDULE in s for s in statements) and any(SCHEDULE in s for s in statements)


def test_without_drills_a_region_root_grants_no_drill_tick(tmp_path):
    region = _example()["regions"][0]
    got = evaluate(REGION, tmp_path, *examples(REGION), f"-var=region={region}")
    (statements,) = got["statements"].values()
    assert len(statements) == 1 and got["function_config"]["IR_DRILL_EVERY_DAYS"] == "0"


def test_with_drills_enabled_the_home_root_grants_into_the_compartment_it_makes_and_the_regions_find_it(tmp_path):
    home = evaluate(HOME, tmp_path / "home", *examples(HOME), "-var=drills_enabled=true")
    assert home["drill_compartment_ocid"] == DRILLS_MADE
    granted = [s for s in home["policies"]["image-replicator"]["statements"] if DRILLS_MADE in s]
    assert len(granted) == 5
    region = evaluate(
        REGION,
        tmp_path / "region",
        *examples(REGION),
        f"-var=region={_example()['regions'][0]}",
        "-var=drills_enabled=true",
    )
    assert region["drill_compartment_ocid"] == DRILLS_MADE
    (statements,) = region["statements"].values()
    assert any(DRILL_SCHEDULE in s for s in statements)
