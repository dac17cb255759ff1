"""The source region's record of one replication: the export, and each target's copy and answer."""

from datetime import datetime
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from .lease import Lease

SCHEMA_VERSION: Final = 2

ExportState = Literal["none", "running", "done", "failed"]
TargetState = Literal["pending", "copying", "landed", "done", "failed", "deleted", "lost"]
ANSWERED: tuple[TargetState, ...] = ("done", "failed", "deleted", "lost")


class ExportPart(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    attempt: int = 0
    state: ExportState = "none"
    started_at: datetime | None = None
    ended_at: datetime | None = None
    work_request_id: str | None = None
    par_id: str | None = None
    object_size: int | None = None
    error: str | None = None
    permanent: bool = False
    failures: int = 0  # failed attempts since the operator's last retry


class TargetPart(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    state: TargetState = "pending"
    requested_at: datetime | None = None  # when the region was first asked for
    copy_attempts: int = 0
    copy_started_at: datetime | None = None
    copy_ended_at: datetime | None = None
    copy_work_request_id: str | None = None
    manifest_copy_work_request_id: str | None = None
    copy_checked_at: datetime | None = None
    answer: str | None = None  # the acknowledgement object last applied
    answered_at: datetime | None = None
    replica_image_id: str | None = None
    applied_issued: int = 0  # the newest manifest (issue time, ms) the target confirmed
    error: str | None = None
    permanent: bool = False
    gave_up: bool = False
    failures: int = 0
    lost_at: datetime | None = None  # when the target reported its finished replica deleted
    losses: int = 0  # how many times that happened


class SourceRecord(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    schema_version: Literal[2] = SCHEMA_VERSION
    source_image_id: str
    source_region: str
    display_name: str = ""
    compartment_id: str | None = None
    size_in_mbs: int | None = None
    lease: Lease | None = None  # a step under way on this replication
    export: ExportPart = Field(default_factory=ExportPart)
    targets: dict[str, TargetPart] = Field(default_factory=dict)
    manifest: str | None = None  # the newest manifest issued (object name)
    manifest_issued: int = 0
    manifest_fingerprint: str | None = None
    closed: str | None = None  # why the replication ended: source deleted, no longer opted in
    notices: list[str] = Field(default_factory=list)
    updated_at: datetime | None = None
    rebuilt_at: datetime | None = None

    @property
    def answered(self) -> bool:
        """Every target has answered for the newest manifest (done, given up, or deleted)."""
        return bool(self.targets) and all(
            t.state in ANSWERED and (t.state == "failed" or t.applied_issued >= self.manifest_issued)
            for t in self.targets.values()
        )

    @property
    def state(self) -> str:
        """One word for the whole image: failed, done, in_progress or pending."""
        states = {t.state for t in self.targets.values()}
        if states & {"failed", "lost"}:
            return "failed"
        if states and states <= {"done", "deleted"}:
            return "done"
        if self.export.state == "running" or states - {"pending"}:
            return "in_progress"
        return "pending"

    def target(self, region: str, now: datetime | None = None) -> TargetPart:
        """The part of `region`, added (as asked for at `now`) if it is new."""
        return self.targets.setdefault(region, TargetPart(requested_at=now))

    def touch(self, now: datetime) -> None:
        self.updated_at = now
