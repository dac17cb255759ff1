"""A target region's record of one replication: landing, import, finish, and its answer."""

from datetime import datetime, timedelta
from typing import ClassVar, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..manifest import ReplicationManifest
from .attempts import used_up
from .lease import Lease
from .states import DRILL, IMPORT, REPLICA, REPLICA_STATE_BEFORE, DrillState, ImportState, ReplicaState

SCHEMA_VERSION: Final = 2


class ImportPart(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    attempt: int = 0
    state: ImportState = ImportState.NONE
    started_at: datetime | None = None
    ended_at: datetime | None = None
    work_request_id: str | None = None
    par_id: str | None = None
    replica_image_id: str | None = None
    error: str | None = None
    permanent: bool = False
    failures: int = 0  # failed attempts since the operator's last retry
    failing_since: datetime | None = None  # the first of them since an import last worked (or a retry)


class DrillRun(BaseModel):
    """One drill's result (drills.DrillOutcome), as the answer carries it to the source."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    outcome: str
    counted: bool = True  # against the image (a refused launch, an unread console are not)
    reason: str = ""
    started_at: datetime
    ended_at: datetime
    instance_id: str | None = None
    shape: str | None = None

    @property
    def seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()


class DrillPart(BaseModel):
    """The replica's DR drills: the one under way (its instance, its console capture) and the last results."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    state: DrillState = DrillState.IDLE
    attempt: int = 0
    started_at: datetime | None = None
    running_at: datetime | None = None
    instance_id: str | None = None
    shape: str | None = None
    console_id: str | None = None
    reads: int = 0  # consoles captured by this drill before the last (each capture's retry token)
    last_line: str = ""  # the last line the console showed when it was last read
    history: list[DrillRun] = Field(default_factory=list)  # newest last, the last HISTORY kept

    HISTORY: ClassVar[int] = 10

    @property
    def busy(self) -> bool:
        return self.state != DrillState.IDLE

    @property
    def last(self) -> DrillRun | None:
        return self.history[-1] if self.history else None

    def last_counted(self) -> DrillRun | None:
        """The newest result that says something of the replica."""
        return next((run for run in reversed(self.history) if run.counted), None)


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
    state: ReplicaState = ReplicaState.QUEUED
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
    retired_at: datetime | None = None  # when retention deleted it (a newer version is kept)
    retired_reason: str | None = None
    refusals: int = 0  # landed images refused for not matching their manifest
    drill: DrillPart = Field(default_factory=DrillPart)
    updated_at: datetime | None = None
    rebuilt_at: datetime | None = None

    @field_validator("state", mode="before")
    @classmethod
    def _state_as_now_named(cls, value: object) -> object:
        """A record written before the replica's states had words of their own reads as if written now."""
        return REPLICA_STATE_BEFORE.get(value, value) if isinstance(value, str) else value

    def touch(self, now: datetime) -> None:
        self.updated_at = now

    # ----- transitions: the only code that changes this record's state (states.REPLICA, IMPORT) --
    def _fire(self, replica: str | None, attempt: str | None = None) -> None:
        """Fire `replica` on the record and `attempt` on its import, each refused unless its table allows it."""
        if attempt is not None:
            self.import_.state = IMPORT.fire(self.import_.state, attempt)
        if replica is not None:
            self.state = REPLICA.fire(self.state, replica)

    def note_manifest(self, manifest: ReplicationManifest, name: str, now: datetime) -> None:
        """Keep the newest manifest; the finish applies it."""
        if manifest.outranks(self.manifest):
            self.manifest, self.manifest_object = manifest, name
            self.display_name, self.source_region = manifest.display_name, manifest.source_region
        self.landed_at = self.landed_at or now

    def start_import(
        self, manifest: ReplicationManifest, name: str, now: datetime, attempt: int, par_id: str | None
    ) -> None:
        """Attempt `attempt` starts with the read PAR it made (None: it reads the source's, a direct transfer)."""
        self.note_manifest(manifest, name, now)
        part = self.import_
        if part.state == ImportState.RUNNING and not part.replica_image_id:
            part.failures += 1  # the previous attempt's step died before its replica was known
            part.failing_since = part.failing_since or now
        part.attempt = attempt
        self._fire("import", "start")
        part.started_at, part.ended_at = now, None
        part.work_request_id = part.replica_image_id = part.error = None
        part.par_id, part.permanent = par_id, False
        self.error = None

    def import_found(self, attempt: int, replica_id: str, work_request_id: str | None) -> None:
        part = self.import_
        if part.attempt == attempt:
            part.work_request_id = work_request_id
            part.replica_image_id = part.replica_image_id or replica_id

    def import_released(self, attempt: int, reason: str) -> None:
        part = self.import_
        if part.attempt == attempt and part.state == ImportState.RUNNING:
            self._fire("release", "release")
            part.par_id, part.error = None, reason

    def refused_before_import(
        self, manifest: ReplicationManifest, name: str, now: datetime, attempt: int, reason: str
    ) -> None:
        """Attempt `attempt` could not start (the region has no room): used, refused, nothing made."""
        self.note_manifest(manifest, name, now)
        part = self.import_
        if IMPORT.allows(part.state, "refuse_before") and part.attempt < attempt:
            part.attempt = attempt
            self._fire("refuse", "refuse_before")
            part.par_id, part.replica_image_id, part.work_request_id = None, None, None
            part.error, part.permanent, part.ended_at = reason, True, now
            part.failures += 1
            self.error, self.gave_up = reason, True

    def import_refused(self, attempt: int, reason: str, now: datetime) -> None:
        part = self.import_
        if part.attempt == attempt:
            self._fire("refuse", "refuse")
            part.par_id, part.error, part.permanent, part.ended_at = None, reason, True, now
            part.failures += 1
            self.error, self.gave_up = reason, True

    def gives_up_on_failure(self, now: datetime, max_attempts: int, patience: timedelta) -> bool:
        """Whether an import failing now uses the attempts up (records/attempts.py)."""
        part = self.import_
        return used_up(part.failures + 1, max_attempts, part.failing_since or now, now, patience)

    def import_failed(
        self, attempt: int, replica_id: str, why: str, now: datetime, max_attempts: int, patience: timedelta
    ) -> bool:
        """The replica ended in a state other than AVAILABLE; whether that used the attempts up
        (records/attempts.py)."""
        part = self.import_
        if part.attempt != attempt or part.state != ImportState.RUNNING:
            return False  # a parallel duplicate recorded it first
        self._fire("refuse", "fail")
        part.par_id, part.error, part.ended_at = None, why, now
        part.replica_image_id = part.replica_image_id or replica_id
        last = self.gives_up_on_failure(now, max_attempts, patience)
        part.failures += 1
        part.failing_since = part.failing_since or now
        self.error = why
        if last:
            self.gave_up = True
            self.error = f"gave up after {part.failures} attempts: {why}"
        return self.gave_up

    def landing_refused(self, manifest: ReplicationManifest, name: str, why: str, now: datetime) -> None:
        self.note_manifest(manifest, name, now)
        self.refusals += 1
        self.error = why

    def finished(
        self, manifest: ReplicationManifest, name: str, now: datetime, replica_id: str, refused: dict[str, str]
    ) -> None:
        self.note_manifest(manifest, name, now)
        part = self.import_
        self._fire("finish", "finish")
        part.par_id, part.ended_at = None, part.ended_at or now
        part.replica_image_id = replica_id
        part.attempt = max(part.attempt, 1)
        self.finished_at, self.error, self.gave_up = self.finished_at or now, None, False
        self.applied_issued, self.refused_shapes = max(self.applied_issued, manifest.issued), refused

    def applied_newer(self, issued: int, refused: dict[str, str]) -> None:
        self.applied_issued, self.refused_shapes = max(self.applied_issued, issued), refused

    def source_deleted(self, issued: int) -> None:
        self._fire("source_deleted")
        self.applied_issued = max(self.applied_issued, issued)

    def retire(self, now: datetime, reason: str) -> None:
        """Retention deletes this finished replica (a newer version of its family is kept)."""
        if REPLICA.allows(self.state, "retire"):  # only a finished replica is retired
            self._fire("retire")
            self.retired_at, self.retired_reason = now, reason

    def adopted(
        self, replica_id: str, carried_issued: int = 0, source_region: str = "", display_name: str = ""
    ) -> None:
        """A record this region had lost, rebuilt from the replica its tags say it made: finished,
        with the version the replica says it carries applied (so nothing older is applied again), and
        where its source is (what a later answer, a loss's or a drill's, is sent to)."""
        part = self.import_
        self._fire("adopt", "finish")
        part.attempt, part.replica_image_id = max(part.attempt, 1), replica_id
        self.applied_issued = max(self.applied_issued, carried_issued)
        self.source_region = self.source_region or source_region
        self.display_name = self.display_name or display_name

    def mark_lost(self, now: datetime) -> None:
        # An import whose image went before it was finished is over too: what comes next is the
        # source's to decide (a newer version, or its deletion), not this attempt's.
        self._fire("lose", "abandon" if IMPORT.allows(self.import_.state, "abandon") else None)
        self.lost_at = now
        replica = self.import_.replica_image_id
        self.error = (
            f"replica {replica} was deleted in this region"
            if replica
            else "the import's image was deleted in this region before it was finished"
        )

    # ----- the drill (states.DRILL) -----------------------------------------------------------
    def drill_launching(self, now: datetime, shape: str) -> int:
        """A drill starts: its attempt number, which names its retry token."""
        drill = self.drill
        drill.state = DRILL.fire(drill.state, "launch")
        drill.attempt += 1
        drill.started_at, drill.running_at, drill.shape = now, None, shape
        drill.instance_id = drill.console_id = None
        drill.reads, drill.last_line = 0, ""
        return drill.attempt

    def drill_launched(self, attempt: int, instance_id: str) -> None:
        if self.drill.attempt == attempt and self.drill.state == DrillState.LAUNCHING:
            self.drill.instance_id = self.drill.instance_id or instance_id

    def drill_running(self, instance_id: str, now: datetime) -> None:
        drill = self.drill
        if drill.instance_id == instance_id and DRILL.allows(drill.state, "run"):
            drill.state = DRILL.fire(drill.state, "run")
            drill.running_at = drill.running_at or now

    def drill_capturing(self, instance_id: str, console_id: str) -> None:
        drill = self.drill
        if drill.instance_id == instance_id and DRILL.allows(drill.state, "capture"):
            drill.state = DRILL.fire(drill.state, "capture")
            drill.console_id = console_id

    def drill_reread(self, console_id: str, last_line: str = "") -> None:
        drill = self.drill
        if drill.console_id == console_id and DRILL.allows(drill.state, "reread"):
            drill.state = DRILL.fire(drill.state, "reread")
            drill.console_id = None
            drill.reads += 1
            drill.last_line = last_line or drill.last_line

    def drill_not_launched(self, reason: str, now: datetime) -> None:
        """No drill could start (no shape to launch on): noted, not counted, tried again later. No
        transition: the drill stays idle."""
        run = DrillRun(outcome="not-launched", counted=False, reason=reason, started_at=now, ended_at=now)
        self.drill.history = self._kept([*self.drill.history, run])

    @staticmethod
    def _kept(history: list[DrillRun]) -> list[DrillRun]:
        while len(history) > DrillPart.HISTORY:  # the uncounted go first: the last verdict stays
            del history[next((i for i, r in enumerate(history) if not r.counted), 0)]
        return history

    def drill_ended(self, attempt: int, outcome: str, reason: str, now: datetime, *, counted: bool = True) -> None:
        """The drill of `attempt` ended with `outcome`; a duplicate of its end changes nothing."""
        drill = self.drill
        if drill.attempt != attempt or not DRILL.allows(drill.state, "end"):
            return
        drill.state = DRILL.fire(drill.state, "end")
        run = DrillRun(
            outcome=outcome,
            counted=counted,
            reason=reason,
            started_at=drill.started_at or now,
            ended_at=now,
            instance_id=drill.instance_id,
            shape=drill.shape,
        )
        drill.history = self._kept([*drill.history, run])
        drill.instance_id = drill.console_id = None
        drill.started_at = drill.running_at = None

    def count_afresh(self) -> None:
        """An operator's retry."""
        self.gave_up, self.error, self.answer = False, None, None
        self.import_.failures, self.import_.permanent, self.import_.failing_since = 0, False, None
        if REPLICA.allows(self.state, "count_afresh"):
            self._fire("count_afresh")

    def observed_import(self, replica_id: str) -> None:
        """Rebuilding from what is observed: a replica of this source exists here."""
        part = self.import_
        self._fire("observe_import", "observe")
        part.attempt, part.replica_image_id = max(part.attempt, 1), replica_id

    def answer_due(self, name: str, now: datetime) -> None:
        self.answer = AnswerPart(object=name, sent_at=now)

    # Of the answer `name` only: a step that copied one answer may commit after another step made a
    # newer one due (a retirement's, in the same pass); that one's delivery is still to be seen.
    def answer_delivered(self, name: str) -> None:
        if self.answer is not None and self.answer.object == name:
            self.answer.delivered = True

    def answer_resent(self, name: str, now: datetime, work_request_id: str | None) -> None:
        if self.answer is not None and self.answer.object == name:
            self.answer.sent_at, self.answer.work_request_id, self.answer.checked_at = now, work_request_id, now

    def to_bytes(self) -> bytes:
        return self.model_dump_json(by_alias=True, indent=2).encode()
