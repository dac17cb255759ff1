"""The per-image status record: each target region's stage, state, attempts, timings and last error.

A small JSON object in the source region's staging bucket, for people and for the status
command; the pipeline's correctness never depends on it (names and manifests carry that).
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Stage = Literal["export", "copy", "import", "finish"]
State = Literal["pending", "in_progress", "done", "failed"]
STAGES: tuple[Stage, ...] = ("export", "copy", "import", "finish")


class StageTiming(BaseModel):
    started: datetime | None = None
    ended: datetime | None = None


class RegionStatus(BaseModel):
    stage: Stage = "export"
    state: State = "pending"
    attempts: int = 0
    started_at: datetime | None = None
    updated_at: datetime | None = None
    timings: dict[str, StageTiming] = Field(default_factory=dict)
    last_error: str | None = None
    replica_image_id: str | None = None
    work_request_id: str | None = None
    applied_spec: str | None = None  # fingerprint of the tags and shapes last applied to the replica
    counted_from: int = 0  # attempts before the operator's last retry; the limit counts from here
    permanent: bool = False  # the last failure cannot be cured by trying again (e.g. a refused export)

    @property
    def current_attempt(self) -> int:
        """The attempt a step taken now belongs to: a pending or failed region starts a new one."""
        return self.attempts + 1 if self.state in ("pending", "failed") else self.attempts

    def gave_up(self, max_attempts: int) -> bool:
        return self.state == "failed" and (self.permanent or self.attempts - self.counted_from >= max_attempts)


class StatusRecord(BaseModel):
    source_image_id: str
    source_region: str
    display_name: str = ""
    targets: dict[str, RegionStatus] = Field(default_factory=dict)
    updated_at: datetime | None = None
    closed: str | None = None  # why the replication ended early: source deleted or no longer opted in

    @property
    def state(self) -> str:
        """One word for the whole image: failed, done, in_progress or pending."""
        states = {t.state for t in self.targets.values()}
        if "failed" in states:
            return "failed"
        if states == {"done"}:
            return "done"
        return "in_progress" if states - {"pending"} else "pending"

    def region(self, region: str) -> RegionStatus:
        return self.targets.setdefault(region, RegionStatus())

    def begin(self, region: str, stage: Stage, at: datetime, *, work_request_id: str | None = None) -> None:
        entry = self.region(region)
        if entry.state in ("pending", "failed"):
            entry.attempts += 1  # a new attempt starts; stages of a running attempt do not count
        entry.stage, entry.state, entry.last_error, entry.permanent = stage, "in_progress", None, False
        entry.started_at = entry.started_at or at
        timing = entry.timings.setdefault(stage, StageTiming())
        timing.started, timing.ended = timing.started or at, None
        if work_request_id:
            entry.work_request_id = work_request_id
        self._touch(entry, at)

    def end(self, region: str, stage: Stage, at: datetime) -> None:
        entry = self.region(region)
        timing = entry.timings.setdefault(stage, StageTiming(started=at))
        timing.ended = timing.ended or at
        self._touch(entry, at)

    def fail(self, region: str, stage: Stage, error: str, at: datetime, *, permanent: bool = False) -> None:
        entry = self.region(region)
        entry.stage, entry.state, entry.last_error, entry.permanent = stage, "failed", error, permanent
        entry.attempts = max(entry.attempts, 1)
        self._touch(entry, at)

    def done(self, region: str, replica_image_id: str, spec: str, at: datetime) -> None:
        entry = self.region(region)
        self.end(region, "finish", at)
        entry.stage, entry.state, entry.last_error, entry.replica_image_id, entry.applied_spec = "finish", "done", None, replica_image_id, spec

    def retry(self, region: str, at: datetime) -> None:
        """An operator asks for another go: the attempt limit counts afresh from now.

        Attempts themselves keep counting, so each attempt keeps its own retry tokens.
        """
        entry = self.region(region)
        entry.state, entry.counted_from, entry.permanent = "pending", entry.attempts, False
        self._touch(entry, at)

    def _touch(self, entry: RegionStatus, at: datetime) -> None:
        entry.updated_at = at
        self.updated_at = max(self.updated_at or at, at)
