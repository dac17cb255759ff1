"""The source region's record of one replication: the export, and each target's copy and answer."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..naming import AckName, parse_ack
from .attempts import used_up
from .lease import Lease
from .states import EXPORT, TARGET, ExportState, TargetState

SCHEMA_VERSION: Final = 2

COMPLETE = "complete"  # notices key: every target answered for a manifest version (cleanup owner)
# A target whose copy landed this long ago and that has not answered is sent its manifest again at
# each pass, until its deadline: its copy may have been refused there (signed with a key that
# region no longer held, since put back) or removed; an answer still under way loses nothing.
SILENT_AFTER = timedelta(hours=2)
REPLICATED = "notice:replicated"  # sent once, when every target first answered, whatever the version


def failed_notice(target: str) -> str:
    return f"notice:failed:{target}"


ANSWERED: tuple[TargetState, ...] = (
    TargetState.DONE,
    TargetState.FAILED,
    TargetState.DELETED,
    TargetState.LOST,
    TargetState.RETIRED,
)


class ExportPart(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    attempt: int = 0
    state: ExportState = ExportState.NONE
    started_at: datetime | None = None
    ended_at: datetime | None = None
    work_request_id: str | None = None
    par_id: str | None = None
    object_size: int | None = None
    error: str | None = None
    permanent: bool = False
    failures: int = 0  # failed attempts since the operator's last retry
    failing_since: datetime | None = None  # the first failed attempt since one last worked (or a retry)
    gave_up: bool = False  # the failures used the export up (records/attempts.py)


class TargetPart(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    state: TargetState = TargetState.PENDING
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
    failing_since: datetime | None = None  # the first failed copy since one last landed (or a retry)
    lost_at: datetime | None = None  # when the target reported its finished replica deleted
    losses: int = 0  # how many times that happened
    drill: str = ""  # the replica's last DR drill as its done answer said it (naming.drill_token; "" none)

    # ----- transitions: the only code that changes a target's state (the table: states.TARGET) ---
    def _fire(self, event: str) -> None:
        self.state = TARGET.fire(self.state, event)

    def copy_started(self, now: datetime, work_request_id: str | None, manifest_work_request_id: str | None) -> None:
        self._fire("copy")
        self.copy_started_at, self.copy_ended_at = now, None
        self.copy_work_request_id, self.copy_checked_at = work_request_id, None
        self.manifest_copy_work_request_id = manifest_work_request_id
        self.copy_attempts += 1
        self.error, self.permanent = None, False

    def copy_landed(self, at: datetime) -> None:
        if TARGET.allows(self.state, "land"):  # a late look at a copy whose target answered since
            self._fire("land")
            self.copy_ended_at, self.error, self.failing_since = self.copy_ended_at or at, None, None

    def copy_failed(
        self, error: str, now: datetime, max_attempts: int, *, patience: timedelta, permanent: bool = False
    ) -> None:
        """A failed copy; the region is given up on at once for a permanent refusal, else only once
        the copies have failed `max_attempts` times over at least `patience` (records/attempts.py)."""
        self._fire("copy_fail")
        self.error, self.permanent, self.copy_ended_at = error, permanent, now
        self.failures += 1
        self.failing_since = self.failing_since or now
        self.gave_up = permanent or used_up(self.failures, max_attempts, self.failing_since, now, patience)

    def copy_not_started(self, error: str) -> None:
        self.error, self.permanent = error, False

    def copy_looked(self, now: datetime) -> None:
        self.copy_checked_at = now

    def pending_again(self) -> None:
        """A failed copy not given up on waits for the next export or distribute."""
        if self.state == TargetState.FAILED and not self.gave_up:
            self._fire("wait_again")

    def given_up_silent(self, error: str) -> None:
        self._fire("give_up_silent")
        self.gave_up, self.permanent, self.error = True, False, error

    def counted_afresh(self) -> None:
        if TARGET.allows(self.state, "count_afresh"):  # a finished or deleted region has nothing to retry
            self._fire("count_afresh")
            self.gave_up, self.failures, self.error, self.permanent, self.answer = False, 0, None, False, None
            self.failing_since = None

    def answered(self, ack: AckName, now: datetime, *, recreate: bool, max_attempts: int) -> None:
        """The target's answer `ack` moves this part: each outcome's fields, then its one transition."""
        self._fire(ON_ANSWER[ack.outcome](self, ack, now, recreate, max_attempts))


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
    tags_fingerprint: str | None = None  # the newest manifest's tags alone: what a listing can compare
    # The replica spec a refresh set out to send (recorded before its manifest is made): while it
    # differs from the newest manifest's, that refresh did not go out, and the pass sends it.
    refresh_wanted: str | None = None
    closed: str | None = None  # why the replication ended: source deleted, no longer opted in
    notices: list[str] = Field(default_factory=list)
    updated_at: datetime | None = None
    rebuilt_at: datetime | None = None

    @property
    def answered(self) -> bool:
        """Every target has answered for the newest manifest (done, given up, or deleted)."""
        return self.answered_by(None)

    @property
    def deletion_answered(self) -> bool:
        """The source was deleted and every target answered what the deletion can still change: a
        finished replica must have applied it; a region holding none (given up, retired, lost,
        deleted) has nothing to apply."""
        return (
            self.manifest_fingerprint == "deleted"
            and bool(self.targets)
            and all(
                p.state in ANSWERED and (p.state != "done" or p.applied_issued >= self.manifest_issued)
                for p in self.targets.values()
            )
        )

    def answered_by(self, asked: set[str] | None) -> bool:
        """Every target of `asked` (default: all) has answered for the newest manifest; a region the
        source no longer asks for may keep an older one."""
        wanted = [p for t, p in self.targets.items() if asked is None or t in asked]
        # A given-up region answers no newer version; nor does one whose replica retention retired
        # (a newer version of the family is kept there: a newer manifest of this one changes nothing).
        return bool(wanted) and all(
            p.state in ANSWERED and (p.state in ("failed", "retired") or p.applied_issued >= self.manifest_issued)
            for p in wanted
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

    # ----- transitions: the only code that changes the export's or the record's state ------------
    def observed_export(self, state: Literal["running", "done"], size: int | None = None) -> None:
        """Rebuilding from what is observed: the export object is there (done), or the image exports."""
        self.export.attempt = max(self.export.attempt, 1)
        self.export.state = EXPORT.fire(self.export.state, f"observe_{state}")
        if size is not None:
            self.export.object_size = size

    def start_export(
        self, display_name: str, compartment_id: str | None, size_in_mbs: int | None, targets, now: datetime
    ) -> None:
        """A new export attempt (a running one without its object counts as failed)."""
        self.display_name, self.compartment_id, self.size_in_mbs = display_name, compartment_id, size_in_mbs
        export = self.export
        if export.state == ExportState.RUNNING:
            export.failures += 1  # it ended without its object
            export.failing_since = export.failing_since or now
        export.attempt += 1
        export.state = EXPORT.fire(export.state, "start")
        export.started_at, export.ended_at = now, None
        export.work_request_id = export.par_id = export.error = None
        export.permanent = False
        for target in targets:
            self.target(target, now).pending_again()

    def export_started(self, attempt: int, par_id: str, work_request_id: str | None) -> None:
        if self.export.attempt == attempt:
            self.export.par_id, self.export.work_request_id = par_id, work_request_id

    def export_released(self, attempt: int, reason: str) -> None:
        """The attempt never started (another export holds the image, or the request did not arrive)."""
        export = self.export
        if export.attempt == attempt and export.state == ExportState.RUNNING:
            export.state = EXPORT.fire(export.state, "release")
            export.error, export.par_id = reason, None

    def export_failed(
        self,
        attempt: int,
        reason: str,
        now: datetime,
        *,
        permanent: bool,
        max_attempts: int,
        patience: timedelta,
        notice: str | None,
        counted: bool = True,
    ) -> None:
        """An attempt failed; once the attempts are used up (or at once, if permanent) the waiting
        targets are given up. A refusal (`counted=False`) is tried again at every pass until a grant
        makes it work."""
        export = self.export
        if export.attempt != attempt:
            return
        export.state = EXPORT.fire(export.state, "fail")
        export.error, export.permanent, export.ended_at, export.par_id = reason, permanent, now, None
        if counted:
            export.failures += 1
            export.failing_since = export.failing_since or now
            export.gave_up = used_up(export.failures, max_attempts, export.failing_since, now, patience)
        export.gave_up = export.gave_up or permanent
        if export.gave_up:
            for part in self.targets.values():
                if part.state not in ANSWERED:
                    part._fire("give_up_export")
                    part.error, part.permanent, part.gave_up = reason, permanent, True
        if notice:
            self.notices.append(notice)

    def export_done(self, attempt: int, size: int, now: datetime) -> None:
        export = self.export
        if export.attempt == attempt and export.state == ExportState.RUNNING:
            export.state, export.ended_at = EXPORT.fire(export.state, "end"), now
        export.par_id, export.object_size, export.error, export.failing_since = None, size, None, None

    def issue_manifest(self, name: str, issued: int, fingerprint: str, tags_fingerprint: str | None = None) -> None:
        if issued >= self.manifest_issued:
            self.manifest, self.manifest_issued, self.manifest_fingerprint = name, issued, fingerprint
            self.tags_fingerprint = tags_fingerprint

    def settle_export(self, now: datetime, initial: str) -> None:
        """Every target answered: the export worked, whatever the record had not learnt."""
        export = self.export
        export.state, export.ended_at = EXPORT.fire(export.state, "settle"), export.ended_at or now
        export.error, export.permanent, export.par_id = None, False, None
        if self.manifest is None:
            # The manifest the targets applied (its issue time is in their answers); its
            # fingerprint is unknown, so the next drift check sends the current one once more.
            self.manifest = initial
            self.manifest_issued = max((p.applied_issued for p in self.targets.values()), default=0)

    def count_afresh(self, region: str) -> None:
        """An operator's retry: the region, and a failed export, start their attempts afresh."""
        self.target(region).counted_afresh()
        if self.export.state == ExportState.FAILED:
            export = self.export
            export.state = EXPORT.fire(export.state, "count_afresh")
            export.failures, export.permanent, export.error = 0, False, None
            export.failing_since, export.gave_up = None, False
        self.closed = None

    def add_targets(self, targets, now: datetime, wanted: str | None = None) -> None:
        for target in targets:
            self.target(target, now)
        self.refresh_wanted = wanted or self.refresh_wanted

    def refresh_undone(self) -> bool:
        return self.refresh_wanted is not None and self.refresh_wanted != self.manifest_fingerprint

    def close(self, reason: str) -> None:
        self.closed = self.closed or reason

    def tombstoned(self, name: str, issued: int) -> None:
        """The source was deleted: its deletion manifest went out. A target holding no replica
        (pending, failed) has nothing to follow: what went there only cleans what may wait in it."""
        self.issue_manifest(name, issued, "deleted")
        self.manifest_fingerprint = "deleted"
        self.export.par_id = None
        for part in self.targets.values():
            if TARGET.allows(part.state, "tombstone"):  # a region holding no replica has nothing to follow
                part._fire("tombstone")
                part.applied_issued = issued
        if all(p.state == "deleted" for p in self.targets.values()):
            self.closed = "source image deleted"

    def overdue(self, target: str, now: datetime, hours: float) -> bool:
        """`target`'s copy landed more than `hours` ago and it has not answered since (IR_TARGET_DEADLINE_HOURS)."""
        part = self.targets.get(target)
        if part is None or part.state != "landed":
            return False
        since = part.copy_ended_at or part.copy_started_at
        return since is not None and now - since > timedelta(hours=hours)

    @property
    def unsettled(self) -> bool:
        """Every target answered, one of them with a replica (so the export worked), yet the export
        is not recorded as done."""
        return (
            self.answered
            and self.export.state != "done"
            and any(p.state in ("done", "lost", "deleted", "retired") for p in self.targets.values())
        )

    def silent(self, asked: set[str], now: datetime) -> list[str]:
        """The targets (of `asked`) whose copy landed longer than SILENT_AFTER ago, with no answer since."""
        return sorted(
            t
            for t, p in self.targets.items()
            if t in asked
            and p.state == "landed"
            and p.copy_ended_at is not None
            and now - p.copy_ended_at > SILENT_AFTER
        )

    def awaiting_deletion(self) -> list[str]:
        """The source was deleted: the targets its deletion went to that have not answered it (a
        finished replica not applying it, or a copy under way or landed with no answer since). A
        target waiting for a copy again is one too: its landing was refused after the deletion went
        out (the deletion turned every target waiting then into deleted), and no copy will come."""
        if self.manifest_fingerprint != "deleted":
            return []
        return sorted(
            t
            for t, p in self.targets.items()
            if (p.state == "done" and p.applied_issued < self.manifest_issued)
            or p.state in ("copying", "landed", "pending")
        )

    def behind(self, asked: set[str] | None = None) -> list[str]:
        """The finished targets (of `asked`, default all) whose replica applies an older manifest than the newest."""
        return sorted(
            t
            for t, p in self.targets.items()
            if (asked is None or t in asked) and p.state == "done" and p.applied_issued < self.manifest_issued
        )

    def recorded_answer(self, target: str) -> AckName | None:
        """The answer recorded for `target`, read back from its object name."""
        part = self.targets.get(target)
        if part is None or not part.answer:
            return None
        marker = f"acks/{self.source_image_id}/"
        at = part.answer.rfind(marker)
        return parse_ack(part.answer[:at], part.answer) if at >= 0 else None

    def takes(self, ack: AckName) -> bool:
        """Whether `ack` is news for its target: newer than the answer recorded, or the loss or the
        retirement of the very replica recorded done there (a target that lost its own record answers
        without knowing which version it had answered: it names the replica instead). After such a loss or
        retirement, the earlier `done` of that replica is old news, whatever its rank."""
        part = self.targets.get(ack.target)
        current = self.recorded_answer(ack.target)
        if current is None:
            return True
        same_replica = ack.replica != "-" and ack.replica == current.replica
        if current.outcome in ("lost", "retired") and ack.outcome == "done" and same_replica:
            return False
        if ack.rank > current.rank:
            return True
        return (
            ack.outcome in ("lost", "retired")
            and part is not None
            and part.state == "done"
            and ack.replica == part.replica_image_id
        )

    def apply_answer(
        self, ack: AckName, name: str, now: datetime, *, on_replica_deleted: str = "recreate", max_attempts: int = 3
    ) -> set[str]:
        """Record a target's answer; what it completed, as notices to send: failed, replicated, complete."""
        due: set[str] = set()
        part = self.targets.get(ack.target)
        current = self.recorded_answer(ack.target)
        if part is not None and current is not None and ack.drill and current.same_but_drill(ack):
            # The same replica drilled again: nothing of the replication changed, only what it proved.
            part.answer, part.answered_at, part.drill = name, now, ack.drill
            return due
        if ack.issued > self.manifest_issued and self.manifest_fingerprint != "deleted":
            # The target applied a manifest this record never learnt of (its step died between the copy
            # and the write): what the replicas carry is unknown, so the next drift check sends the
            # source's current spec, whatever the record remembers.
            self.manifest_issued, self.manifest_fingerprint = ack.issued, None
        part = self.target(ack.target)
        part.answer, part.answered_at, part.applied_issued = name, now, max(part.applied_issued, ack.issued)
        part.failures = ack.attempt if ack.outcome == "failed" else part.failures
        part.answered(ack, now, recreate=on_replica_deleted == "recreate", max_attempts=max_attempts)
        if ack.outcome == "failed" and failed_notice(ack.target) not in self.notices:
            self.notices.append(failed_notice(ack.target))
            due.add("failed")
        key = f"{COMPLETE}:{self.manifest_issued}"
        if self.answered and key not in self.notices:
            self.notices.append(key)
            due.add("complete")
            if all(t.state == "deleted" for t in self.targets.values()):
                self.closed = self.closed or "source image deleted"
        if self.answered and REPLICATED not in self.notices and self.closed is None:
            self.notices.append(REPLICATED)
            due.add("replicated")
        return due

    def give_up_silent_target(self, target: str, error: str) -> None:
        part = self.target(target)
        if not TARGET.allows(part.state, "give_up_silent"):
            return  # it answered, or its copy went out again, since the deadline was read
        self.notices.append(failed_notice(target))  # the one failure notice for this region
        part.given_up_silent(error)


def expected_copy(size_in_mbs: int | None) -> timedelta:
    """How long a copy may take before one look at its work request is worth it: 10 minutes, plus 30 s per GB."""
    return timedelta(minutes=10, seconds=30 * (size_in_mbs or 0) / 1024)


# ----- what each answer's outcome does to its target's part: its fields, and the event it fires ---
def _answer_done(part: TargetPart, ack: AckName, now: datetime, recreate: bool, max_attempts: int) -> str:
    part.replica_image_id, part.error, part.gave_up, part.applied_issued = ack.replica, None, False, ack.issued
    part.drill = ack.drill
    return "answer_done"


def _answer_deleted(part: TargetPart, ack: AckName, now: datetime, recreate: bool, max_attempts: int) -> str:
    part.error = None
    return "answer_deleted"


def _answer_retired(part: TargetPart, ack: AckName, now: datetime, recreate: bool, max_attempts: int) -> str:
    # Retention there deleted this version's replica: a newer one of its family is kept.
    part.error, part.replica_image_id = None, None
    return "answer_retired"


def _answer_refused(part: TargetPart, ack: AckName, now: datetime, recreate: bool, max_attempts: int) -> str:
    # What landed there was not what this region exported (a forged or damaged object, now
    # quarantined): copy again, up to the attempts allowed.
    part.failures += 1
    part.error = f"the image that landed in {ack.target} did not match its manifest; copied again"
    part.copy_work_request_id = part.manifest_copy_work_request_id = None
    if part.failures >= max_attempts:
        part.gave_up = True
        return "answer_refused_last"
    return "answer_refused"


def _answer_lost(part: TargetPart, ack: AckName, now: datetime, recreate: bool, max_attempts: int) -> str:
    # The region is exposed from now on; a new export and copy make the replica again.
    part.lost_at, part.losses, part.replica_image_id = now, part.losses + 1, None
    part.error = "the replica was deleted in the target region"
    if not recreate:
        part.error += " (IR_ON_REPLICA_DELETED=report: not made again)"
        return "answer_lost_kept"
    part.requested_at, part.copy_attempts = now, 0
    part.copy_work_request_id = part.copy_started_at = part.copy_ended_at = part.copy_checked_at = None
    return "answer_lost"


def _answer_failed(part: TargetPart, ack: AckName, now: datetime, recreate: bool, max_attempts: int) -> str:
    part.gave_up, part.error = True, "the target region gave up (see its record)"
    return "answer_failed"


ON_ANSWER: dict[str, Callable[[TargetPart, AckName, datetime, bool, int], str]] = {
    "done": _answer_done,
    "deleted": _answer_deleted,
    "retired": _answer_retired,
    "refused": _answer_refused,
    "lost": _answer_lost,
    "failed": _answer_failed,
}
