"""The replication manifest: everything a target region needs besides the disk, as an object.

The source writes it beside the export and copies it with the image to every target; the
target imports and finishes its replica from it alone. Later versions (the source's tags
or shapes changed, or the source was deleted) travel the same way and are ordered by the
time they were issued, so a target applies only what is newer than what it has.
"""

import hashlib
import json
from datetime import datetime
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from .images import ImageFacts, ShapeEntry
from .naming import (
    LATEST_TAG,
    PROVENANCE_TAG,
    REPLICATED_AT_TAG,
    SOURCE_CREATED_TAG,
    SOURCE_REGION_TAG,
    VERSION_TAG,
)

SCHEMA_VERSION: Final = 2


class ReplicaSpec(BaseModel):
    """What a finished replica must carry besides its disk: the source's tags and shapes."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    freeform_tags: dict[str, str] = Field(default_factory=dict)
    defined_tags: dict[str, dict] = Field(default_factory=dict)
    shapes: tuple[ShapeEntry, ...] = ()

    def fingerprint(self) -> str:
        """Equal for equal specs, whatever the order of tags and shapes."""
        doc = {"f": self.freeform_tags, "d": self.defined_tags, "s": sorted(s.model_dump_json() for s in self.shapes)}
        return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:32]

    def tags_fingerprint(self) -> str:
        """The fingerprint of what an image listing shows (tags), without the shapes it does not."""
        return self.model_copy(update={"shapes": ()}).fingerprint()

    @classmethod
    def of_source(
        cls, image: ImageFacts, shapes: list[ShapeEntry], opt_in_tag: str, opt_in_defined: tuple[str, str] | None
    ) -> "ReplicaSpec":
        freeform, defined = replica_tags(image, opt_in_tag, opt_in_defined)
        return cls(freeform_tags=freeform, defined_tags=defined, shapes=tuple(sorted(shapes, key=lambda s: s.shape)))


class ReplicationManifest(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    schema_version: int = SCHEMA_VERSION
    kind: Literal["replicate", "delete"] = "replicate"
    name: str  # "initial" for the one written with the export, else the issue time in ms
    issued_at: datetime
    source_image_id: str
    source_region: str
    source_compartment_id: str
    display_name: str
    targets: tuple[str, ...] = ()
    operating_system: str | None = None
    operating_system_version: str | None = None
    launch_mode: str | None = None
    freeform_tags: dict[str, str] = Field(default_factory=dict)
    defined_tags: dict[str, dict] = Field(default_factory=dict)
    shapes: tuple[ShapeEntry, ...] = ()
    object_name: str = ""
    object_size: int = 0
    object_md5: str | None = None  # the exported object's checksum (multipart MD5 for a multipart object)
    export_attempt: int = 0
    source_time_created: datetime | None = None  # orders a family's versions in every region
    # Across tenancies: the source's Object Storage namespace, and the namespace of each other
    # tenancy among the targets by the source's alias for it (how a destination knows the name
    # the source gives it). Empty within one tenancy.
    source_namespace: str = ""
    target_namespaces: dict[str, str] = Field(default_factory=dict)
    # `direct`: what lands under the image's name is a transfer ticket (tickets.py), not the disk.
    transfer: Literal["copy", "direct"] = "copy"
    signature: str | None = None  # HMAC-SHA256 of the rest, with the deployment's key (integrity.py)

    @property
    def spec(self) -> ReplicaSpec:
        return ReplicaSpec(freeform_tags=self.freeform_tags, defined_tags=self.defined_tags, shapes=self.shapes)

    @property
    def issued(self) -> int:
        """The issue time in milliseconds: how manifests of one image are ordered."""
        return int(self.issued_at.timestamp() * 1000)

    def outranks(self, other: "ReplicationManifest | None") -> bool:
        return other is None or (self.issued, self.spec.fingerprint()) > (other.issued, other.spec.fingerprint())

    def to_bytes(self) -> bytes:
        return self.model_dump_json(indent=2).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "ReplicationManifest":
        return cls.model_validate_json(data)


def replica_tags(
    image: ImageFacts, opt_in_tag: str, opt_in_defined: tuple[str, str] | None
) -> tuple[dict[str, str], dict[str, dict]]:
    """The source's tags less the opt-in tag, so a replica can never start a replication."""
    # Neither the opt-in tag nor a family's latest mark: each region sets its own latest.
    freeform = {k: v for k, v in image.freeform_tags.items() if k not in (opt_in_tag, LATEST_TAG)}
    defined = {ns: dict(values) for ns, values in image.defined_tags.items()}
    if opt_in_defined is not None:
        namespace, key = opt_in_defined
        if namespace in defined:
            defined[namespace].pop(key, None)
            if not defined[namespace]:
                del defined[namespace]
    return freeform, defined


def replica_freeform(manifest: ReplicationManifest, replicated_at: str | None = None) -> dict[str, str]:
    """The replica's freeform tags: the source's (less the opt-in tag) plus provenance.

    `replicated_at` keeps the time a replica was first made when a later manifest is applied.
    """
    created = (
        {SOURCE_CREATED_TAG: manifest.source_time_created.strftime("%Y-%m-%dT%H:%M:%SZ")}
        if manifest.source_time_created
        else {}
    )
    return {
        **manifest.freeform_tags,
        **created,
        PROVENANCE_TAG: manifest.source_image_id,
        SOURCE_REGION_TAG: manifest.source_region,
        REPLICATED_AT_TAG: replicated_at or manifest.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        VERSION_TAG: str(manifest.issued),
    }
