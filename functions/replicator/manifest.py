"""The replication manifest: everything a target region needs, written beside the image object.

It travels with the data, so a target region can import and finish its replica even when
the source region is unreachable after the copy.
"""

import hashlib
import json
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from .images import ImageFacts, ShapeEntry

SCHEMA_VERSION = 1


class ObjectLocation(BaseModel):
    model_config = ConfigDict(frozen=True)

    region: str
    namespace: str
    bucket: str
    object: str


class ReplicaSpec(BaseModel):
    """What a finished replica must carry besides its disk: the source's tags and shapes."""

    model_config = ConfigDict(frozen=True)

    freeform_tags: dict[str, str] = Field(default_factory=dict)
    defined_tags: dict[str, dict] = Field(default_factory=dict)
    shapes: tuple[ShapeEntry, ...] = ()

    def fingerprint(self) -> str:
        """Equal for equal specs, whatever the order of tags and shapes."""
        doc = {"f": self.freeform_tags, "d": self.defined_tags, "s": sorted(s.model_dump_json() for s in self.shapes)}
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32]

    @classmethod
    def of_source(cls, image: ImageFacts, shapes: list[ShapeEntry], opt_in_tag: str, opt_in_defined: tuple[str, str] | None) -> "ReplicaSpec":
        freeform, defined = replica_tags(image, opt_in_tag, opt_in_defined)
        return cls(freeform_tags=freeform, defined_tags=defined, shapes=tuple(sorted(shapes, key=lambda s: s.shape)))


class ReplicationManifest(BaseModel):
    model_config = ConfigDict(frozen=True)

    schema_version: int = SCHEMA_VERSION
    source_image_id: str
    source_region: str
    source_compartment_id: str
    display_name: str
    operating_system: str | None = None
    operating_system_version: str | None = None
    launch_mode: str | None = None
    freeform_tags: dict[str, str] = Field(default_factory=dict)
    defined_tags: dict[str, dict] = Field(default_factory=dict)
    shapes: tuple[ShapeEntry, ...] = ()
    object_name: str
    object_size: int
    object_md5: str | None = None
    exported_at: datetime
    status: ObjectLocation

    @property
    def spec(self) -> ReplicaSpec:
        return ReplicaSpec(freeform_tags=self.freeform_tags, defined_tags=self.defined_tags, shapes=self.shapes)

    def to_bytes(self) -> bytes:
        return self.model_dump_json(indent=2).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "ReplicationManifest":
        return cls.model_validate_json(data)


def replica_tags(image: ImageFacts, opt_in_tag: str, opt_in_defined: tuple[str, str] | None) -> tuple[dict[str, str], dict[str, dict]]:
    """The source's tags less the opt-in tag, so a replica can never start a replication."""
    freeform = {k: v for k, v in image.freeform_tags.items() if k != opt_in_tag}
    defined = {ns: dict(values) for ns, values in image.defined_tags.items()}
    if opt_in_defined is not None:
        namespace, key = opt_in_defined
        if namespace in defined:
            defined[namespace].pop(key, None)
            if not defined[namespace]:
                del defined[namespace]
    return freeform, defined
