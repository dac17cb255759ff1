"""What the pipeline knows about an image, read once from the SDK's model."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from .naming import PROVENANCE_TAG, VERSION_TAG


class ShapeEntry(BaseModel):
    """One shape compatibility entry with its optional constraints."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    shape: str
    memory_min_gbs: int | None = None
    memory_max_gbs: int | None = None
    ocpu_min: int | None = None
    ocpu_max: int | None = None


class ImageFacts(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    id: str
    compartment_id: str | None
    display_name: str
    lifecycle_state: str
    operating_system: str | None = None
    operating_system_version: str | None = None
    launch_mode: str | None = None
    size_in_mbs: int | None = None
    freeform_tags: dict[str, str] = Field(default_factory=dict)
    defined_tags: dict[str, dict] = Field(default_factory=dict)
    time_created: datetime | None = None

    @property
    def is_platform(self) -> bool:
        # Platform images live outside every tenancy compartment.
        return self.compartment_id is None

    @property
    def replica_of(self) -> str | None:
        return self.freeform_tags.get(PROVENANCE_TAG)

    @property
    def carried_issued(self) -> int:
        """The issue time of the manifest this replica carries; 0 when it does not say (or says
        nothing a number can be read from: tags can be edited by hand)."""
        value = self.freeform_tags.get(VERSION_TAG, "")
        return int(value) if value.isdigit() else 0

    @classmethod
    def from_wire(cls, image: dict) -> "ImageFacts":
        """From an image as the service sends it (a listing's JSON, read without the SDK's models)."""
        return cls(
            id=image["id"],
            compartment_id=image.get("compartmentId"),
            display_name=image.get("displayName") or image["id"],
            lifecycle_state=image["lifecycleState"],
            operating_system=image.get("operatingSystem"),
            operating_system_version=image.get("operatingSystemVersion"),
            launch_mode=image.get("launchMode"),
            size_in_mbs=image.get("sizeInMBs"),
            freeform_tags=image.get("freeformTags") or {},
            defined_tags=image.get("definedTags") or {},
            time_created=image.get("timeCreated"),
        )

    @classmethod
    def from_sdk(cls, image) -> "ImageFacts":
        return cls(
            id=image.id,
            compartment_id=image.compartment_id,
            display_name=image.display_name or image.id,
            lifecycle_state=image.lifecycle_state,
            operating_system=image.operating_system,
            operating_system_version=image.operating_system_version,
            launch_mode=image.launch_mode,
            size_in_mbs=image.size_in_mbs,
            freeform_tags=image.freeform_tags or {},
            defined_tags=image.defined_tags or {},
            time_created=image.time_created,
        )
