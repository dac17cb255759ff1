"""The Monitoring alarms under `monitoring/alarms/`, with the deployment's values filled in.

The same files Terraform reads (`templatefile`): `${window}`, `${rpo_seconds}`, `${rpo_hours}`
and `${function_id}` (the region's function). Monitoring's own `{{...}}` variables are left as
they are. An alarm whose file names a `namespace` reads a service's own metrics there (`oci_faas`)
instead of the deployment's.
"""

import json
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

# monitoring/ of the repository, installed as this package's data (any install finds it).
ALARMS_DIR = Path(str(files("replicator_tools.monitoring"))) / "alarms"
DEFAULT_RPO_HOURS = 4
DEFAULT_WINDOW = "2h"
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
_METRIC = re.compile(r"^\s*([A-Za-z][A-Za-z0-9._\-$]*)\[")


@dataclass(frozen=True)
class AlarmSpec:
    name: str
    display_name: str
    severity: str
    query: str
    pending_duration: str
    body: str
    namespace: str | None = None  # a service's namespace; None: the deployment's metrics namespace

    @property
    def metric(self) -> str:
        """The metric the query reads."""
        found = _METRIC.match(self.query)
        return found.group(1) if found else ""


def render(text: str, values: dict[str, str]) -> str:
    """`${name}` replaced as Terraform's templatefile replaces it; an unknown name is an error."""

    def value(match: re.Match) -> str:
        if match.group(1) not in values:
            raise KeyError(f"no value for ${{{match.group(1)}}}")
        return values[match.group(1)]

    return _PLACEHOLDER.sub(value, text)


def load_alarms(
    *,
    rpo_hours: float = DEFAULT_RPO_HOURS,
    window: str = DEFAULT_WINDOW,
    function_id: str = "",
    directory: Path = ALARMS_DIR,
) -> list[AlarmSpec]:
    values = {
        "window": window,
        "rpo_seconds": str(int(rpo_hours * 3600)),
        "rpo_hours": f"{rpo_hours:g}",
        "function_id": function_id,
    }
    specs = []
    for path in sorted(directory.glob("*.json")):
        doc = json.loads(render(path.read_text(), values))
        specs.append(
            AlarmSpec(
                path.stem,
                doc["displayName"],
                doc["severity"],
                doc["query"],
                doc["pendingDuration"],
                doc["body"],
                doc.get("namespace"),
            )
        )
    return specs
