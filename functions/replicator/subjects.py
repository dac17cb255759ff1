"""What a step acts on, resolved from an event (or from a reconcile pass's observation).

Each is a typed input: a step never receives an event, only what the event was about.
"""

from dataclasses import dataclass

from .decision import Decision
from .images import ImageFacts
from .naming import AckName, LandedObject


@dataclass(frozen=True)
class SourceImage:
    """An image in this region that may be (or is) the source of a replication."""

    image: ImageFacts
    decision: Decision
    export_object: bool | None = None  # whether the staging bucket holds its export (None: not looked)
    only: tuple[str, ...] | None = None  # the target regions to act for (None: every one that needs it)

    @property
    def source_id(self) -> str:
        return self.image.id


@dataclass(frozen=True)
class Replica:
    """One of our replicas in this region (it carries the `replica-of` tag)."""

    image: ImageFacts

    @property
    def source_id(self) -> str:
        assert self.image.replica_of is not None
        return self.image.replica_of


@dataclass(frozen=True)
class DeletedSource:
    """A source image that no longer exists."""

    source_id: str
    display_name: str = ""


@dataclass(frozen=True)
class CopyCheck:
    """A copy this region started long enough ago that it should have landed."""

    source_id: str
    target: str


@dataclass(frozen=True)
class AnswerCheck:
    """A target's answer that was sent but not confirmed as delivered."""

    source_id: str


@dataclass(frozen=True)
class ReplicaById:
    """A replica known by its OCID only (not in the listing): resolved by reading the image."""

    source_id: str
    replica_id: str


@dataclass(frozen=True)
class LostReplica:
    """A finished replica that is gone from its target region (deleted by someone else)."""

    source_id: str
    replica_id: str
    source_region: str = ""  # its replica-source-region tag: where to answer without a record here


@dataclass(frozen=True)
class RetryRequest:
    """An operator's request to count a given-up target region's attempts afresh."""

    source_id: str
    region: str


@dataclass(frozen=True)
class RecordRepair:
    """A record that cannot be read: rebuilt from what is observed."""

    source_id: str
    side: str


@dataclass(frozen=True)
class Leftovers:
    """What a finished or abandoned replication left in this region, to remove."""

    source_id: str
    side: str  # "source" or "replica"
    objects: tuple[str, ...] = ()


@dataclass(frozen=True)
class FamilyCheck:
    """A family's replicas in one compartment of this region: the latest mark and retention.

    `source_id` is a member's (the one whose finish, or the pass, calls for the look): the step
    is logged under it, and changes no record of its own."""

    family: str
    compartment_id: str
    source_id: str
    at_once: bool = False  # its retirements delete at once (RetireReplica.at_once)


@dataclass(frozen=True)
class RetireReplica:
    """A finished replica that retention deletes: a newer version of its family is kept."""

    source_id: str
    replica_id: str
    reason: str
    # Delete now, without waiting for the source to hear of it: the custom-image limit needs the room.
    at_once: bool = False


@dataclass(frozen=True)
class Drill:
    """A DR drill of a finished replica: one due to start, one under way to move on (its instance
    named by the launch's event or the pass's listing), or an instance of ours no drill owns any
    more (`stray`: a function died, events were lost, or it outlived its timeout) to terminate."""

    source_id: str
    start: bool = False
    instance_id: str = ""
    stray: str = ""  # why the instance is terminated


@dataclass(frozen=True)
class InboundAnswer:
    """A target's answer from another tenancy, in this (source) region's landing bucket."""

    ack: AckName

    @property
    def source_id(self) -> str:
        return self.ack.source_id


Subject = (
    SourceImage
    | Replica
    | DeletedSource
    | LandedObject
    | AckName
    | InboundAnswer
    | CopyCheck
    | AnswerCheck
    | ReplicaById
    | LostReplica
    | RetryRequest
    | RecordRepair
    | Leftovers
    | FamilyCheck
    | RetireReplica
    | Drill
)


def source_id_of(subject: Subject) -> str:
    return subject.source_id
