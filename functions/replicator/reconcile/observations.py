"""What one pass observed of this region's part: the input of the planner, held as plain data.

Filled by observe.py (the only module here that makes calls); read by plan.py, which decides
from it and the configuration alone, and by run.py.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..health import Refusal
from ..images import ImageFacts
from ..instances import InstanceFacts
from ..naming import AckName, LandedObject, SettledMark
from ..records.read import Read

SIDES = ("source", "replica")


@dataclass
class Waiting:
    """Opted-in images not started yet that a pass left for the next ones (past its budget): not
    held, only counted per (target region, compartment), with how long the oldest has waited."""

    count: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    oldest: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    images: int = 0

    def by_pair(self) -> dict[tuple[str, str], tuple[int, float]]:
        return {key: (n, self.oldest[key]) for key, n in self.count.items()}

    def joined(self, other: "Waiting") -> dict[tuple[str, str], tuple[int, float]]:
        """Both counts per pair, and the older of the two ages."""
        out = self.by_pair()
        for key, (n, waited) in other.by_pair().items():
            had, age = out.get(key, (0, 0.0))
            out[key] = (had + n, max(age, waited))
        return out

    def add(self, image: ImageFacts, targets: Iterable[str], now: datetime, *, aged: bool = True) -> None:
        """`aged`: whether the image has been exposed since it was made (not started); an image whose
        record was left unread may have been protected until a moment nobody knows, and adds no age."""
        self.images += 1
        waited = (now - image.time_created).total_seconds() if aged and image.time_created is not None else 0.0
        for target in targets:
            key = (target, image.compartment_id or "")
            self.count[key] += 1
            self.oldest[key] = max(self.oldest[key], waited)


@dataclass
class Observed:
    region: str
    # Images the pass plans for: sources not settled (opted in, or with a record or answers) and
    # settled ones whose shape look found a change; replicas not settled, or in a family.
    images: dict[str, ImageFacts] = field(default_factory=dict)
    replicas: dict[str, ImageFacts] = field(default_factory=dict)  # source id -> its replica here
    staging: set[str] = field(default_factory=set)  # staging names but records, answers and marks
    source_records: dict[str, Read] = field(default_factory=dict)
    replica_records: dict[str, Read] = field(default_factory=dict)
    acks: dict[str, list[AckName]] = field(default_factory=lambda: defaultdict(list))  # of the unsettled
    landed: dict[str, list[LandedObject]] = field(default_factory=lambda: defaultdict(list))
    inbox: list[AckName] = field(default_factory=list)  # answers of other tenancies, in landing
    # Replications known settled from their marks (their records not read this pass).
    settled_sources: set[str] = field(default_factory=set)
    settled_replicas: set[str] = field(default_factory=set)
    covered: set[tuple[str, str]] = field(default_factory=set)  # (target, compartment) of settled sources
    family_states: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # settled family members
    refresh_marks: dict[str, SettledMark] = field(default_factory=dict)  # settled sources whose shapes changed
    shape_looks: int = 0
    # Records left unread this pass (past IR_RECONCILE_MAX_READS), by side: planned by a later pass.
    deferred: dict[str, set[str]] = field(default_factory=lambda: {"source": set(), "replica": set()})
    reads: int = 0
    leftovers: set[str] = field(default_factory=set)  # source ids whose export or manifests staging still holds
    first_deferred: str | None = None  # where the next pass starts
    cursor: str | None = None  # where this one started (the last pass's stop)
    marks: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # mark names of the unsettled
    problems: list[str] = field(default_factory=list)  # what could not be looked at (the pass goes on)
    refusals: list[Refusal] = field(default_factory=list)  # of those, the calls refused
    # Compartments whose listing failed: an image missing from them may well exist.
    unlisted: set[str] = field(default_factory=set)
    # Per side, the sources whose record the staging listing showed; None when it failed (then a
    # record missing from it may well exist).
    records_listed: Mapping[str, set[str]] | None = None
    started: datetime | None = None  # when the observation began: what exists since was not seen
    custom_images: int = 0  # in the compartments listed (OCI's limit counts every one)
    doubted: dict[str, set[str]] = field(default_factory=dict)  # source id -> targets whose answers do not verify
    unchecked: set[str] = field(default_factory=set)  # source ids whose answers could not be checked this pass
    # Of those, the answers that may say a replica is not there (lost, failed...): not believed, not
    # dismissed either; only these are kept, not every unchecked answer.
    unsure: dict[str, list[AckName]] = field(default_factory=dict)
    key_problem: str | None = None  # why the answers could not be checked
    # Prints of the keys this region answers with, by tenancy alias (None: its own), read once a pass
    # when first needed (`observe.answer_keys`); an alias whose key could not be read is missing.
    answer_keys: dict[str | None, str] | None = None
    answer_keys_complete: bool = False
    # The drill compartment's instances a drill launched (None: drills off, or the listing failed),
    # and settled replicas whose drill is due by their mark: (last drill, source id), the oldest few.
    drill_instances: list[InstanceFacts] | None = None
    drills_due: list[tuple[datetime | None, str]] = field(default_factory=list)
    waiting: Waiting = field(default_factory=Waiting)  # not started, left for the next passes
    # Opted-in sources whose record this pass left unread (`deferred`): not known protected, so
    # counted as exposed; how long they have been is not known either, so they add no age.
    unread: Waiting = field(default_factory=Waiting)

    @property
    def sources(self) -> dict[str, ImageFacts]:
        return {i.id: i for i in self.images.values() if not i.replica_of}
