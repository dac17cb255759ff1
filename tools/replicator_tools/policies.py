"""The IAM statements of `iam/policies.json`, rendered for one deployment.

The same file Terraform reads (`templatefile` with `${...}` values, then each statement
repeated over its `each` list with `{region}`, `{compartment}` and `{key_id}` replaced, and
kept only where its `when` holds); infra/home renders the policies of scope `home`,
infra/region the ones of scope `region`. The sandbox renders it the same way, so the tests
run under the statements a tenancy gets.
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
    blank = {"region": "", "compartment": "", "key_id": ""}
    items: dict[str, list[dict[str, str]]] = {
        "once": [blank],
        "region": [{**blank, "region": r} for r in deployment.regions],
        "image_compartment": [{**blank, "compartment": c} for c in deployment.image_compartment_ids],
        "kms_key": [{**blank, "region": r, "key_id": k} for r, k in deployment.kms_key_ids.items()],
    }
    # Replicas are deleted by the function only if they follow their deleted source or retention is on.
    deletes = deployment.on_source_deleted == "delete" or deployment.retention
    switches = {"replicas_deleted": "yes" if deletes else "no"}
    policies = []
    for policy in doc["policies"]:
        statements = []
        for entry in policy["statements"]:
            if any(switches[k] != v for k, v in entry.get("when", {}).items()):
                continue
            for item in items[entry.get("each", "once")]:
                text = entry["statement"]
                for key in ("region", "compartment", "key_id"):
                    text = text.replace("{" + key + "}", item[key])
                statements.append(Statement(entry["id"], text, tuple(entry["operations"])))
        policies.append(PolicySpec(policy["name"], policy["scope"], policy["description"], tuple(statements)))
    group = doc["dynamicGroup"]
    return IamSpec(group["name"], group["description"], group["matchingRule"], tuple(policies))


def table(path: Path = POLICIES_FILE) -> list[tuple[str, str, str]]:
    """(statement template, who, what it covers) for every entry: README's IAM table."""
    doc = json.loads(path.read_text())
    return [
        (entry["statement"], entry["principal"], "; ".join(entry["operations"]))
        for policy in doc["policies"]
        for entry in policy["statements"]
    ]


def markdown_table(path: Path = POLICIES_FILE) -> str:
    """README's IAM table, made from policies.json (a test keeps README's copy equal to it)."""
    rows = ["| statement (`{…}` repeats it per region, compartment or key) | for | covers |", "|---|---|---|"]
    for statement, principal, covers in table(path):
        rows.append(f"| `{statement}` | {principal} | {covers} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
