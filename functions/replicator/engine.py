"""How a step runs: read its record once, let it claim and act, apply its change once.

A step is a function of a typed input. It may first *claim* the record (a lease, written
at once with an etag condition, so that parallel invocations of the same step stand
down), then do its API calls, and returns a result with a *change* to the record that the
engine applies once, on top of whatever else changed meanwhile. Records are written here
and nowhere else.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from . import logs
from .actions import Action
from .cloudevents import EventKind
from .errors import ReplicatorError, TransientError
from .health import refusal_points, refused
from .naming import Side
from .rebuild import rebuild as rebuilt
from .records.lease import Lease
from .records.read import blank
from .records.replica import ReplicaRecord
from .records.source import SourceRecord
from .records.store import Read
from .runtime import Runtime
from .subjects import source_id_of
from .telemetry.stages import record_points

Result = Literal[
    "started", "continued", "completed", "in_progress", "postponed", "ignored", "skipped", "rejected", "errored"
]
R = TypeVar("R", SourceRecord, ReplicaRecord)
I = TypeVar("I")  # noqa: E741
Change = Callable[[R], None]
Guard = Callable[[R], str | None]

# Longer than a function may run (300 s): a lease outlives its holder only if the holder died.
LEASE = timedelta(minutes=6)


class Outcome(BaseModel):
    """The function's answer for one event or step: what happened and why."""

    model_config = ConfigDict(defer_build=True)

    result: Result
    reason: str = ""
    step: str | None = None
    source_image_id: str | None = None
    region: str | None = None
    target_region: str | None = None
    event_id: str | None = None


def chain(*changes: "Callable[[R], None]") -> "Callable[[R], None]":
    """One change made of several, applied in order."""

    def change(record: R) -> None:
        for each in changes:
            each(record)

    return change


@dataclass
class StepResult(Generic[R]):
    """What a step did, the change to its record, and what must follow once the change is written.

    `after` runs once the change is written (an answer copies the written record); `retry`
    asks the platform to deliver the event again (the function answers 502).
    """

    result: Result
    reason: str = ""
    change: "Callable[[R], None] | None" = None
    after: "Callable[[StepContext], None] | None" = None
    retry: bool = False


class StepContext(Generic[R]):
    """What a running step sees: the runtime, the time, its record, and the means to claim it.

    The record is read when the step first looks at it (a step may finish without it). A
    claim on a record not read yet creates it optimistically (`if-none-match`): the first
    step of a replication pays no read for a record that does not exist.
    """

    def __init__(
        self,
        runtime: Runtime,
        side: Side,
        source_id: str,
        new: Callable[[], R],
        now: datetime,
        step: str = "",
        rebuild: Callable[[Runtime, str], R | None] | None = None,
        known: Read | None = None,
    ):
        self.runtime = runtime
        self.step = step
        self.side = side
        self.source_id = source_id
        self.now = now
        self.holder = uuid.uuid4().hex[:12]
        self._new: Callable[[], R] = new
        self._rebuild: Callable[[Runtime, str], R | None] | None = rebuild
        self._known = known
        self._loaded = False
        self._record: R | None = None
        self.etag: str | None = None

    @property
    def config(self):
        return self.runtime.config

    @property
    def record(self) -> R | None:
        if not self._loaded:
            self._load()
        return self._record

    def _hold(self, record: R | None, etag: str | None) -> None:
        self._record, self.etag, self._loaded = record, etag, True

    def holds_lease(self) -> bool:
        record = self._record
        return self._loaded and record is not None and record.lease is not None and record.lease.holder == self.holder

    def _load(self) -> None:
        """Read the record (or take the one the caller just read); rebuild one that cannot be read, logged once."""
        found = self._known if self._known is not None else self.runtime.records.read(self.side, self.source_id)
        self._known = None
        self._hold(found.record, found.etag)
        if found.problem is None:
            return
        latest: list[Read] = [found]

        def rebuilt() -> R:
            record = (self._rebuild(self.runtime, self.source_id) if self._rebuild else None) or self._new()
            record.rebuilt_at = self.now
            return record

        def reread() -> tuple[R | None, str | None]:
            latest[0] = self.runtime.records.read(self.side, self.source_id)
            return latest[0].record, latest[0].etag

        # Through the one conditional update: written over the damaged version only; a record someone
        # else repaired meanwhile (readable again) is taken as it is.
        written = self.runtime.records.conditional_update(
            self.side,
            (None, found.etag),
            lambda record: None,
            new=rebuilt,
            reload=reread,
            stand_down=lambda current: "repaired by another invocation",
        )
        if isinstance(written, str):
            self._hold(latest[0].record, latest[0].etag)
            return
        self._hold(*written)
        logs.warning(
            "record unreadable; rebuilt from what is observed",
            record=self.runtime.records.name(self.side, self.source_id),
            reason=found.problem,
        )

    def claim(self, change: Change, guard: Guard | None = None, *, exclusive: bool = True) -> str | None:
        """Apply `change` now, unless `guard` gives a reason to stand down; None once claimed.

        An exclusive claim also takes the record's lease: while it is held, other exclusive
        claims stand down. The guard sees the newest record each time, so when another
        invocation wins the race this one re-reads and decides again on what that one wrote.
        """

        def stand_down(current: R) -> str | None:
            lease = current.lease
            if exclusive and lease is not None and lease.holder != self.holder and lease.held_at(self.now):
                return f"another invocation is working on this replication ({lease.step})"
            return guard(current) if guard is not None else None

        def claimed(record: R) -> None:
            change(record)
            if exclusive:
                record.lease = Lease(holder=self.holder, step=self.step, until=self.now + LEASE)
            record.touch(self.now)

        held = (self._record, self.etag) if self._loaded else (None, None)
        return self._update(held, claimed, stand_down)

    def commit(self, change: Change) -> None:
        """Apply a step's final change (and give up its lease): on the version it holds, else on the newest."""

        def committed(record: R) -> None:
            change(record)
            self._unlease(record)
            record.touch(self.now)

        held = (self._record, self.etag) if self._loaded and self._record is not None else self._reload()
        self._update(held, committed)

    def _reload(self) -> tuple[R | None, str | None]:
        self._loaded = False
        self._load()
        return self._record, self.etag

    def _update(self, held: tuple[R | None, str | None], change: Change, stand_down: Guard | None = None) -> str | None:
        """Every write of a record goes through the store's one conditional update."""
        before = held[0]

        def reload() -> tuple[R | None, str | None]:
            nonlocal before
            found = self._reload()
            before = found[0]
            return found

        written = self.runtime.records.conditional_update(
            self.side, held, change, new=self._new, reload=reload, stand_down=stand_down
        )
        if isinstance(written, str):
            return written
        record, etag = written
        self._hold(record, etag)
        self._written(before, record)
        return None

    def _written(self, before: R | None, after: R) -> None:
        """Measure what the write moved forward (a stage ended); never let measuring fail the step."""
        try:
            self.runtime.metrics.add(record_points(before, after, self.now))
        except Exception as exc:
            logs.error("stage metrics not measured", reason=f"{type(exc).__name__}: {exc}")

    def _unlease(self, record) -> None:
        if record.lease is not None and record.lease.holder == self.holder:
            record.lease = None

    def release(self) -> None:
        """After a failed step: give the lease back at once, so the next attempt need not wait for it."""
        if not self.holds_lease():
            return
        try:
            self.commit(lambda record: None)
        except ReplicatorError as exc:
            logs.warning("lease not released; it expires by itself", reason=exc.reason)


@dataclass(frozen=True)
class Step(Generic[I, R]):
    """A unit of work on one replication, run by events and by the reconcile pass alike."""

    name: str
    side: Side
    run: Callable[[StepContext, I], StepResult]
    # The record a replication starts with when this step finds none: by default a blank one for
    # the step's side in this region (`records.read.blank`); a step that knows more (the image's
    # name, its source region) says so here.
    new_record: Callable[[Runtime, I], R] | None = None
    # A step that is planned only for a record that should exist (the repair) finds it missing only
    # when it was lost: it then rebuilds it from what is observed instead of starting afresh, so
    # what the lost record had done (an export, notices sent, cleanup owned) is not done twice.
    rebuilds_missing: bool = False
    # Declared here, gathered by `registry`: the events (kind, and what the event turned out to be
    # about) this step handles, and the pass's action that runs it. A step with neither is run by
    # another step (family, retire) or by the operator (retry).
    routes: tuple[tuple[EventKind, type], ...] = ()
    action: Action | None = None


def execute(
    step: Step,
    runtime: Runtime,
    subject,
    *,
    now: datetime | None = None,
    known: Read | None = None,
) -> Outcome:
    """Run `step` on `subject`; the record change it returns is applied here, once.

    `known` is the record as the caller just read it (a reconcile pass reads them all): a
    stale one costs a retry of the write, never a wrong write, as every write is conditional.
    """
    source_id = source_id_of(subject)

    def rebuild(runtime: Runtime, source_id: str) -> Any:
        return rebuilt(runtime, step.side, source_id)

    def new() -> Any:
        found = rebuild(runtime, source_id) if step.rebuilds_missing else None
        if found is not None:
            return found
        return step.new_record(runtime, subject) if step.new_record else blank(step.side, source_id, runtime.region)

    ctx = StepContext(
        runtime,
        step.side,
        source_id,
        new,
        now or runtime.now(),
        step.name,
        rebuild,
        known,
    )
    with logs.bound(source_image_id=source_id, step=step.name):
        try:
            try:
                result = step.run(ctx, subject)
            except BaseException as exc:
                ctx.release()
                # A refused call changes no record: counted where an alarm sees it.
                runtime.metrics.add(refusal_points(runtime.region, refused(exc), ctx.now))
                raise
            if result.change is not None or ctx.holds_lease():
                ctx.commit(result.change or (lambda record: None))
            if result.after is not None:
                result.after(ctx)
        finally:
            # Refusals the gateways went on from (a notice, a PAR): counted where the alarm sees them.
            swallowed = runtime.clients.take_swallowed()
            runtime.metrics.add(refusal_points(runtime.region, [r for e in swallowed for r in refused(e)], ctx.now))
            runtime.metrics.flush()  # what the step's writes measured, even if a later part failed
        logs.info("outcome", result=result.result, reason=result.reason or None)
        if result.retry:
            raise TransientError(result.reason)
    return Outcome(
        result=result.result, reason=result.reason, step=step.name, source_image_id=source_id, region=runtime.region
    )
