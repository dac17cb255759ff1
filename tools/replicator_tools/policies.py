"""The IAM statements of `iam/policies.json`, rendered for one deployment.

The same file Terraform reads (`templatefile` with `${...}` values, then each statement
repeated over its `each` list with `{region}`, `{compartment}` and `{key_id}` replaced, and
kept only where its `when` holds); infra/home renders the policies of scope `home`, and
those of scope `peer` once per other tenancy (`{peer}`, `{peer_tenancy_id}`,
`{peer_dynamic_group_id}` replaced); infra/region renders the ones of scope `region`. The
sandbox renders it the same way, so the tests run under the statements a tenancy gets.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template

# iam/ of the repository, installed as this package's data (any install finds it).
POLICIES_FILE = Path(str(files("replicator_tools.iam"))) / "policies.json"


@dataclass(frozen=True)
class Statement:
    id: str  # the entry of policies.json it comes from
    text: str
    operations: tuple[str, ...]


@dataclass(frozen=True)
class PolicySpec:
    name: str
    scope: str  # "home" (once per tenancy) or "region" (once per region)
    description: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class IamSpec:
    dynamic_group_name: str
    dynamic_group_description: str
    matching_rule: str
    policies: tuple[PolicySpec, ...]

    def scope(self, scope: str) -> list[PolicySpec]:
        return [p for p in self.policies if p.scope == scope]


@dataclass(frozen=True)
class PeerGrant:
    """Another tenancy this deployment exchanges objects with (IR_TENANCIES, IR_SOURCE_TENANCIES)."""

    alias: str  # this deployment's name for it
    tenancy_id: str
    dynamic_group_id: str  # its replicator functions' dynamic group
    regions: Sequence[str]  # its participating regions (their Object Storage copies into ours)


@dataclass(frozen=True)
class Deployment:
    """The values Terraform passes to the file (infra/shared/variables.tf's, resolved)."""

    dynamic_group: str
    functions_compartment_id: str
    buckets_compartment_id: str
    metrics_compartment_id: str
    metrics_namespace: str
    staging_bucket: str
    landing_bucket: str
    regions: Sequence[str]
    image_compartment_ids: Sequence[str]
    kms_key_ids: Mapping[str, str]
    on_source_deleted: str = "keep"
    retention: bool = True  # retention may delete replicas beyond a family's kept versions
    region: str = ""  # the region root's own region; "" for the home root
    schedule_id: str = ""  # the region's reconcile schedule
    drill_schedule_id: str = ""  # the region's drill tick schedule ("" : drills off)
    peers: Sequence[PeerGrant] = ()
    drill_compartment_ids: Sequence[str] = ()  # where DR drills run (none: drills off)


def render(deployment: Deployment, path: Path = POLICIES_FILE) -> IamSpec:
    values = {
        "dynamic_group": deployment.dynamic_group,
        "functions_compartment_id": deployment.functions_compartment_id,
        "buckets_compartment_id": deployment.buckets_compartment_id,
        "metrics_compartment_id": deployment.metrics_compartment_id,
        "metrics_namespace": deployment.metrics_namespace,
        "staging_bucket": deployment.staging_bucket,
        "landing_bucket": deployment.landing_bucket,
        "region_name": deployment.region,
        "schedule_id": deployment.schedule_id,
    }
    doc = json.loads(Template(path.read_text()).substitute(values))
    # Replicas are deleted by the function only if they follow their deleted source or retention is on.
    deletes = deployment.on_source_deleted == "delete" or deployment.retention
    switches = {"replicas_deleted": "yes" if deletes else "no"}
    policies = []
    for policy in doc["policies"]:
        for peer in deployment.peers if policy["scope"] == "peer" else [None]:
            items = _items(deployment, peer)
            statements = []
            for entry in policy["statements"]:
                if any(switches[k] != v for k, v in entry.get("when", {}).items()):
                    continue
                for item in items[entry.get("each", "once")]:
                    statements.append(
                        Statement(entry["id"], _filled(entry["statement"], item), tuple(entry["operations"]))
                    )
            name, description = (_filled(policy[k], items["once"][0]) for k in ("name", "description"))
            policies.append(PolicySpec(name, policy["scope"], description, tuple(statements)))
    group = doc["dynamicGroup"]
    return IamSpec(group["name"], group["description"], group["matchingRule"], tuple(policies))


PLACEHOLDERS = (
    "region",
    "compartment",
    "key_id",
    "peer",
    "peer_tenancy_id",
    "peer_dynamic_group_id",
    "drill_schedule_id",
)


def _items(deployment: Deployment, peer: PeerGrant | None) -> dict[str, list[dict[str, str]]]:
    """What each `each` repeats a statement over, with the values of its placeholders."""
    blank = dict.fromkeys(PLACEHOLDERS, "")
    if peer is not None:
        blank.update(peer=peer.alias, peer_tenancy_id=peer.tenancy_id, peer_dynamic_group_id=peer.dynamic_group_id)
    return {
        "once": [blank],
        "region": [{**blank, "region": r} for r in deployment.regions],
        "image_compartment": [{**blank, "compartment": c} for c in deployment.image_compartment_ids],
        "drill_compartment": [{**blank, "compartment": c} for c in deployment.drill_compartment_ids],
        "drill_schedule": [{**blank, "drill_schedule_id": deployment.drill_schedule_id}]
        if deployment.drill_schedule_id
        else [],
        "kms_key": [{**blank, "region": r, "key_id": k} for r, k in deployment.kms_key_ids.items()],
        "peer": [blank] if peer is not None else [],
        "peer_region": [{**blank, "region": r} for r in peer.regions] if peer is not None else [],
    }


def _filled(text: str, item: dict[str, str]) -> str:
    for key in PLACEHOLDERS:
        text = text.replace("{" + key + "}", item[key])
    return text


def table(path: Path = POLICIES_FILE) -> list[tuple[str, str, str]]:
    """(statement template, who, what it covers) for every entry: README's IAM table."""
    doc = json.loads(path.read_text())
    return [
        (entry["statement"], entry["principal"], "; ".join(entry["operations"]))
        for policy in doc["policies"]
        for entry in policy["statements"]
    ]


def statements_for(operation: str, path: Path = POLICIES_FILE) -> list[str]:
    """The ids of the functions' statements that grant `operation` (what a refusal of it asks for)."""
    doc = json.loads(path.read_text())
    return [
        entry["id"]
        for policy in doc["policies"]
        for entry in policy["statements"]
        if entry["principal"] == "function"
        and any(covers.split()[0].rstrip(":,") == operation for covers in entry["operations"] if covers.split())
    ]


def markdown_table(path: Path = POLICIES_FILE) -> str:
    """README's IAM table, made from policies.json (a test keeps README's copy equal to it)."""
    rows = [
        "| statement (`{…}` repeats it per region, compartment, key or other tenancy) | for | covers |",
        "|---|---|---|",
    ]
    for statement, principal, covers in table(path):
        rows.append(f"| `{statement}` | {principal} | {covers} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
