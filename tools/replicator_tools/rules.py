"""The Events rules under `events/rules/`, with the deployment's values filled in.

The same files Terraform reads (`templatefile`): `${landing_bucket}`, `${staging_bucket}`,
`${object_prefix}`, and the JSON lists `${image_compartment_ids}` and
`${bucket_compartment_ids}` that each condition filters `data.compartmentId` on (a rule
sees its own compartment's subtree only, so it lives high up, and filters). A rule that
`needs` drills (`${drill_compartment_ids}`) exists only where they are configured.
"""

import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from string import Template

from replicator.api import ReplicatorConfig

# events/ of the repository, installed as this package's data (any install finds it).
EVENTS = Path(str(files("replicator_tools.events")))
RULES_DIR = EVENTS / "rules"
SAMPLES_DIR = EVENTS / "samples"


@dataclass(frozen=True)
class RuleSpec:
    name: str
    display_name: str
    description: str
    condition: dict


def load_rules(
    config: ReplicatorConfig,
    *,
    image_compartments: list[str],
    bucket_compartments: list[str],
    directory: Path = RULES_DIR,
) -> list[RuleSpec]:
    values = {
        "landing_bucket": config.landing_bucket,
        "staging_bucket": config.staging_bucket,
        "object_prefix": config.object_prefix,
        "image_compartment_ids": json.dumps(sorted(set(image_compartments))),
        "bucket_compartment_ids": json.dumps(sorted(set(bucket_compartments))),
        "drill_compartment_ids": json.dumps([config.drill_compartment_id] if config.drills_possible else []),
    }
    specs = []
    for path in sorted(directory.glob("*.json")):
        doc = json.loads(Template(path.read_text()).substitute(values))
        if doc.get("needs") == "drills" and not config.drills_possible:
            continue  # a rule of drills exists only where they run
        specs.append(RuleSpec(path.stem, doc["displayName"], doc["description"], doc["condition"]))
    return specs


def event_types(specs: list[RuleSpec]) -> set[str]:
    return {t for spec in specs for t in spec.condition["eventType"]}
