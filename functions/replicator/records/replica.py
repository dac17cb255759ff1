"""A target region's record of one replication: landing, import, finish, and its answer."""

from datetime import datetime
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..manifest import ReplicationManifest
from .lease import Lease

SCHEMA_VERSION: Final = 2

ImportState = Literal["none", "running", "done", "failed"]
ReplicaState = Literal["waiting", "importing", "done", "failed", "deleted", "lost"]


class ImportPart(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    attempt: int = 0
    state: ImportState = "none"
    started_at: datetime | None = None
    ended_at: datetime | None = None
    work_request_id: str | None = None
    par_id: str | None = None
    replica_image_id: str | None = None
    error: str | None = None
    permanent: bool = False
    failures: int = 0  # failed attempts since the operator's last retry


class AnswerPart(BaseModel):
    """The acknowledgement sent to the source region: a copy of this record under an answer's name."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    object: str
    sent_at: datetime
    work_request_id: str | None = None
    delivered: bool = False
    checked_at: datetime | None = None


class ReplicaRecord(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", populate_by_name=True)

    schema_version: Literal[2] = SCHEMA_VERSION
    source_image_id: str
    source_region: str
    target_region: str
    display_name: str = ""
    state: ReplicaState = "waiting"
    lease: Lease | None = None  # a step under way on this replication
    manifest: ReplicationManifest | None = None  # the newest manifest received
    manifest_object: str | None = None  # its name in the landing bucket
    landed_at: datetime | None = None
    import_: ImportPart = Field(default_factory=ImportPart, alias="import")
    finished_at: datetime | None = None
    applied_issued: int = 0  # the newest manifest (issue time, ms) applied to the replica
    refused_shapes: dict[str, str] = Field(default_factory=dict)  # shape -> why the target refused it
    answer: AnswerPart | None = None
    error: str | None = None
    gave_up: bool = False
    lost_at: datetime | None = None  # when a finished replica was found deleted
    refusals: int = 0  # landed images refused for not matching their manifest
    updated_at: datetime | None = None
    rebuilt_at: datetime | None = None

    def touch(self, now: datetime) -> None:
        self.updated_at = now

    def to_bytes(self) -> bytes:
        return self.model_dump_json(by_alias=True, indent=2).encode()
