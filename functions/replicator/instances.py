"""What the pipeline knows about a Compute instance (a drill's), read once from the SDK's model."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

# On every instance a drill launches: which replication it tests, and which replica. The pass
# finds the product's instances by these tags alone, whatever its records say.
DRILL_OF_TAG = "replicator-drill-of"
DRILL_REPLICA_TAG = "replicator-drill-replica"
DRILL_ATTEMPT_TAG = "replicator-drill-attempt"  # the drill's attempt: its record owns it before it knows its OCID

ENDED = ("TERMINATING", "TERMINATED")


class InstanceFacts(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    id: str
    compartment_id: str
    display_name: str = ""
    lifecycle_state: str
    shape: str = ""
    image_id: str | None = None
    freeform_tags: dict[str, str] = Field(default_factory=dict)
    time_created: datetime | None = None

    @property
    def drill_of(self) -> str | None:
        """The source image whose replica this instance drills; None for an instance not ours."""
        return self.freeform_tags.get(DRILL_OF_TAG) or None

    @property
    def drill_attempt(self) -> str:
        return self.freeform_tags.get(DRILL_ATTEMPT_TAG, "")

    @property
    def ended(self) -> bool:
        return self.lifecycle_state in ENDED

    @classmethod
    def from_sdk(cls, instance) -> "InstanceFacts":
        return cls(
            id=instance.id,
            compartment_id=instance.compartment_id,
            display_name=instance.display_name or "",
            lifecycle_state=instance.lifecycle_state,
            shape=instance.shape or "",
            image_id=instance.image_id,
            freeform_tags=dict(instance.freeform_tags or {}),
            time_created=instance.time_created,
        )
