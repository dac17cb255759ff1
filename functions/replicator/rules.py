"""The Events rules under `events/rules/`, with the configuration's values filled in."""

import json
from dataclasses import dataclass
from pathlib import Path
from string import Template

from .config import ReplicatorConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = REPO_ROOT / "events" / "rules"


@dataclass(frozen=True)
class RuleSpec:
    name: str
    display_name: str
    description: str
    condition: dict


def load_rules(config: ReplicatorConfig, directory: Path = RULES_DIR) -> list[RuleSpec]:
    values = {"landing_bucket": config.landing_bucket, "object_prefix": config.object_prefix}
    specs = []
    for path in sorted(directory.glob("*.json")):
        doc = json.loads(Template(path.read_text()).substitute(values))
        specs.append(RuleSpec(path.stem, doc["displayName"], doc["description"], doc["condition"]))
    return specs


def event_types(specs: list[RuleSpec]) -> set[str]:
    return {t for spec in specs for t in spec.condition["eventType"]}
