"""DR drills, decided: which replica is due, on which shape it boots, and what its console says.

Pure functions of observations and configuration; `steps/drill.py` acts on them. A drill
launches a finished replica in the drill compartment and private subnet, waits for it to run,
reads its serial console, and terminates it with its boot volume. Its results:

  booted              it ran and (when IR_DRILL_EXPECT is set) its console printed the line
  no-expected-output  it ran, but its console never printed the line within the timeout
  failed-to-run       it never reached RUNNING (OCI ended the launch, or the timeout passed)
  not-launched        the region refused the launch (capacity, a limit, the shape): retried
                      6 hours later (RETRY_AFTER), never counted against the image
  not-checked         it ran, but its console could not be captured or read (a policy
                      statement missing): retried later, never counted against the image either
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .config import ReplicatorConfig
from .images import ShapeEntry

DRILL_TAG = "replicate-drill"  # on a source (carried to its replicas): drill every <days> days, 0 never


class DrillOutcome(StrEnum):
    BOOTED = "booted"
    NO_EXPECTED_OUTPUT = "no-expected-output"
    FAILED_TO_RUN = "failed-to-run"
    NOT_LAUNCHED = "not-launched"
    NOT_CHECKED = "not-checked"


# A drill the region would not launch (or whose console could not be read) is tried again this long
# after, not at every pass: a shape without capacity for days costs a call a few times a day.
RETRY_AFTER = timedelta(hours=6)

# What counts against the image: a refusal of the launch says nothing of the replica.
COUNTED = (DrillOutcome.BOOTED, DrillOutcome.NO_EXPECTED_OUTPUT, DrillOutcome.FAILED_TO_RUN)
FAILED = (DrillOutcome.NO_EXPECTED_OUTPUT, DrillOutcome.FAILED_TO_RUN)

# General purpose VM shapes, from the least to the most costly per OCPU-hour as assumed here
# (Ampere, then AMD, then Intel; not read from OCI's price list, which changes): a shape not
# named comes after them. IR_DRILL_SHAPE overrides the choice where the order is wrong.
CHEAPEST_FIRST = (
    "VM.Standard.A1.Flex",
    "VM.Standard.A2.Flex",
    "VM.Standard.E2.1.Micro",
    "VM.Standard.E4.Flex",
    "VM.Standard.E5.Flex",
    "VM.Standard.E3.Flex",
    "VM.Standard3.Flex",
    "VM.Standard.E2.1",
    "VM.Standard2.1",
)


def period(config: ReplicatorConfig, tags: dict[str, str]) -> timedelta | None:
    """How often a replica is drilled: its source's `replicate-drill` tag, else the deployment's
    IR_DRILL_EVERY_DAYS; None: never (0, or a tag that is not a number of days)."""
    raw = tags.get(DRILL_TAG)
    days = config.drill_every_days
    if raw is not None:
        try:
            days = float(raw.strip())
        except ValueError:
            return None
        if not 0 <= days <= 3650:
            return None
    return timedelta(days=days) if days > 0 else None


def due(config: ReplicatorConfig, tags: dict[str, str], last: datetime | None, now: datetime) -> bool:
    """Whether a finished replica whose last counted drill ended at `last` is drilled now."""
    if not config.drills_possible:
        return False
    every = period(config, tags)
    if last is None:
        return every is not None or config.drill_new_replicas
    return every is not None and now - last >= every


def oldest(candidates: list[tuple[datetime | None, str]], n: int) -> list[tuple[datetime | None, str]]:
    """The `n` replicas drilled longest ago, those never drilled first (then by source id: a stable order)."""
    unique = dict((source_id, last) for last, source_id in candidates)
    order = sorted(unique.items(), key=lambda c: (c[1] is not None, c[1] or datetime.min, c[0]))
    return [(last, source_id) for source_id, last in order[:n]]


def held_back(last_ended: datetime | None, last_counted: bool, now: datetime) -> bool:
    """Whether a due drill waits: its last attempt was not counted (not launched, not checked) and is recent."""
    return last_ended is not None and not last_counted and now - last_ended < RETRY_AFTER


@dataclass(frozen=True)
class LaunchShape:
    shape: str
    ocpus: float | None = None  # a flexible shape's configuration
    memory_gbs: float | None = None


def choose_shape(entries: list[ShapeEntry], override: str | None) -> LaunchShape | str:
    """The shape a drill launches on: IR_DRILL_SHAPE when the replica allows it, else the cheapest
    its compatibility entries allow, with the least OCPUs and memory they allow. A string: why none."""
    allowed = {e.shape: e for e in entries}
    if override:
        if allowed and override not in allowed:
            return f"IR_DRILL_SHAPE {override} is not among the replica's compatible shapes"
        return _sized(override, allowed.get(override))
    if not allowed:
        return "the replica has no shape compatibility entries and IR_DRILL_SHAPE is not set"
    rank = {s: i for i, s in enumerate(CHEAPEST_FIRST)}
    shape = min(allowed, key=lambda s: (rank.get(s, len(rank)), s))
    return _sized(shape, allowed[shape])


def _sized(shape: str, entry: ShapeEntry | None) -> LaunchShape:
    if not shape.endswith(".Flex"):
        return LaunchShape(shape)
    ocpus = max(1, entry.ocpu_min or 1) if entry else 1
    memory = max(entry.memory_min_gbs or 0, ocpus * 2) if entry else ocpus * 2
    if entry and entry.memory_max_gbs is not None:
        memory = min(memory, entry.memory_max_gbs)
    return LaunchShape(shape, float(ocpus), float(memory))


def judge(console: str, expect: str | None) -> tuple[DrillOutcome, str] | None:
    """What a RUNNING instance's console says: booted, or None while the expected line is missing."""
    if expect is None:
        return DrillOutcome.BOOTED, "the instance ran"
    found = re.search(expect, console, re.MULTILINE)
    if found is None:
        return None
    return DrillOutcome.BOOTED, f"its console printed {found.group(0)[:80]!r}"


def last_line(console: str) -> str:
    """The console's last non-empty line, for a failed drill's reason."""
    lines = [line.strip() for line in console.splitlines() if line.strip()]
    return lines[-1][:160] if lines else "(the console printed nothing)"
