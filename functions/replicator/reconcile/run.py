"""A reconcile pass: observe this region, plan each replication, dispatch each action to its step.

One bad image, record or target never fails the pass: each planned step runs on its own,
and its error goes into the pass's report and log. The function answers 200 for a pass
that ran.
"""

import dataclasses
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from pydantic import BaseModel, ConfigDict

from .. import logs, registry
from ..actions import PASSIVE, Action
from ..answer_checks import genuine, signed_anew, unsure_targets
from ..decision import decide
from ..engine import Result, execute
from ..errors import NotFound, PreconditionFailed, ReplicatorError
from ..fanout import fan_out
from ..health import KEPT, PassHealth, Refusal, health_object, refusal, refusal_points, refused
from ..images import ImageFacts
from ..landing import move_answer
from ..naming import PAR_NAME_PREFIX, SettledMark, digest, etag_version, parse_settled
from ..protection import COVERED, ImageProtection, exposure_points, protection
from ..records.read import Read
from ..records.store import quiet_from
from ..runtime import Runtime
from ..subjects import AnswerCheck, Drill, InboundAnswer, Replica, ReplicaById
from ..tenancies import place
from ..transfer import TRANSFER_STEP
from .observe import Observed, answer_keys, cursor_object, list_drills, observe
from .plan import Planned, plan_region
from .plan_drills import plan_drills
from .settled import exported, folded, kept_answers, protection_of, replica_mark, source_mark, stamp


class PlannedStep(BaseModel):
    model_config = ConfigDict(defer_build=True)

    source_image_id: str
    display_name: str = ""
    side: str
    region: str  # the target region concerned
    action: str
    reason: str
    result: Result | None = None
    error: str | None = None


class PassReport(BaseModel):
    model_config = ConfigDict(defer_build=True)

    region: str
    dry_run: bool
    images: int
    steps: list[PlannedStep] = []
    cleaned: list[str] = []
    problems: list[str] = []  # what the pass could not look at or do (each also logged)
    refusals: list[Refusal] = []  # of those, the calls refused (a grant or a secret missing, most often)
    unfinished: int = 0  # planned steps left for the next pass when the time budget ran out
    steps_total: int = 0  # every planned step; `steps` holds the first ones (the answer stays small)
    actions: dict[str, int] = {}  # planned steps per action
    problems_total: int = 0
    deferred: int = 0  # records left unread, and images not started, for the next passes (IR_RECONCILE_MAX_READS)
    exposed: int = 0  # opted-in source images of this region lacking a current replica somewhere
    oldest_exposure_seconds: float = 0.0
    # Nothing of the pass reached an operator: its report, its metrics and its notice were all
    # refused. The invocation then answers an error, which Functions counts where an alarm sees it.
    unreported: bool = False


def protections(seen: Observed, runtime: Runtime, now: datetime) -> list[ImageProtection]:
    """How well each opted-in source image of this region is protected, as the pass observed it."""
    out = []
    for image in seen.sources.values():
        if image.id in seen.deferred["source"]:
            continue  # not measured this pass: its record is read by a later one (the report says how many)
        if image.id in seen.settled_sources:  # only those whose shapes changed are held
            decision = decide(image, runtime.region, runtime.config)
            out.append(protection_of(seen.refresh_marks[image.id], image, runtime.region, decision))
            continue
        found = seen.source_records.get(image.id)
        decision = decide(image, runtime.region, runtime.config)
        record = found.record if found is not None else None
        answers, doubted = seen.acks.get(image.id, []), seen.doubted.get(image.id, set())
        unsure = unsure_targets(seen.unsure.get(image.id, []), record)
        image_protection = protection(image, runtime.region, decision, record, answers, now, doubted | unsure)
        if image_protection is not None:
            out.append(image_protection)
    return out


def _signed_anew(runtime: Runtime, seen: Observed, planned: set[str]) -> list[Planned]:
    """Answers delivered under a key this region no longer holds: the source cannot believe them."""
    out = []
    for source_id, found in sorted(seen.replica_records.items()):
        record = found.record
        if source_id in planned or record is None or record.answer is None or not record.answer.delivered:
            continue
        try:
            stale = signed_anew(record, runtime) is not None
        except ReplicatorError as exc:
            seen.problems.append(f"answer of {source_id} not checked: {exc.reason}")
            seen.refusals += refused(exc)
            continue
        if stale:
            why = "its answer was signed with a key this region no longer holds"
            out.append(Planned("replica", source_id, Action.ANSWER, why, AnswerCheck(source_id)))
    return out


def _resolve(runtime: Runtime, subject):
    """A replica known by OCID only is read now; a gone one reads as DELETED."""
    if isinstance(subject, ReplicaById):
        try:
            return Replica(runtime.compute.get_image(subject.replica_id))
        except NotFound:
            gone = ImageFacts(
                id=subject.replica_id,
                compartment_id=None,
                display_name="",
                lifecycle_state="DELETED",
                freeform_tags={"replica-of": subject.source_id},
            )
            return Replica(gone)
    return subject


def _display_name(seen: Observed, source_id: str) -> str:
    image = seen.images.get(source_id)
    for reads in (seen.source_records, seen.replica_records):
        found = reads.get(source_id)
        if found is not None and found.record is not None and found.record.display_name:
            return found.record.display_name
    return image.display_name if image else ""


REPORT_LIMIT = 100  # steps and problems a pass's answer lists; every one is logged
# The share of a pass's budget kept for its end: a pass at its budget at 2,000 replications answered
# 1.3 s past it (bench/lost.py, 50 ms per call), its last steps, sweep and report after the deadline.
TAIL_SHARE = 0.1


def steps_budget(budget_seconds: int) -> float:
    """The seconds a pass may start steps and leave marks in: its budget less what it needs to end
    (the request sweep, its cursor, its report and metrics), so that it answers within the budget."""
    return budget_seconds * (1 - TAIL_SHARE)


def run_pass(runtime: Runtime, *, dry_run: bool = False, report_limit: int | None = REPORT_LIMIT) -> PassReport:
    """One reconcile pass over this region's own part of every replication.

    The time budget counts from the start (observing included); a pass that runs out records
    where it stopped, and the next one starts there."""
    now = runtime.now()
    deadline = time.monotonic() + steps_budget(runtime.config.reconcile_budget_seconds)
    seen = observe(runtime)
    if seen.replica_records:
        answer_keys(runtime, seen)  # the marks left at the end name them; a key refused shows in the report
    if not dry_run:
        _take_inbox(runtime, seen)
    planned = plan_region(seen, runtime.region, runtime.config, now) + plan_drills(seen, runtime.config, now)
    # An answer under a key this region no longer holds is signed again whatever else is planned for
    # its replication (the steps of one replication run in order): a step that waits (for an image,
    # say) would otherwise keep the source from believing anything this region says.
    answering = {p.source_id for p in planned if p.side == "replica" and p.action == Action.ANSWER}
    plans = resume(planned + _signed_anew(runtime, seen, answering), seen.cursor)
    report = PassReport(
        region=runtime.region, dry_run=dry_run, images=len({p.source_id for p in plans}), problems=list(seen.problems)
    )
    report.deferred = len(seen.deferred["source"]) + len(seen.deferred["replica"])
    limit = runtime.config.reconcile_max_reads
    if report.deferred:
        report.problems.append(f"{report.deferred} record(s) left for the next passes (IR_RECONCILE_MAX_READS={limit})")
    if seen.waiting.images:
        report.deferred += seen.waiting.images
        report.problems.append(
            f"{seen.waiting.images} opted-in image(s) not started yet left for the next passes, counted as exposed "
            f"(IR_RECONCILE_MAX_READS={limit})"
        )
    if seen.unread.images:
        report.problems.append(
            f"{seen.unread.images} opted-in image(s) whose record was left unread counted as exposed: "
            "not verified this pass"
        )
    measured = protections(seen, runtime, now)
    waiting = seen.waiting.joined(seen.unread)
    report.exposed = sum(p.state not in COVERED for p in measured) + seen.waiting.images + seen.unread.images
    report.oldest_exposure_seconds = max(
        [*(p.exposure_seconds(now) for p in measured), *(w for _n, w in waiting.values())], default=0.0
    )
    if not dry_run and not seen.unlisted:  # images a failed listing hid would read as no exposure
        runtime.metrics.add(exposure_points(runtime.region, measured, now, covered=seen.covered, waiting=waiting))
    with runtime.metrics.held():
        stopped_at = _run_steps(runtime, seen, plans, report, now, dry_run, deadline)
    if not dry_run:
        report.cleaned = _expired_or_orphaned_pars(runtime, seen, now, report.problems)
        _leave_marks(runtime, seen, report.steps, report.problems, deadline, now)
        _keep_cursor(runtime, seen, stopped_at or seen.first_deferred, report.problems)
        for exc in runtime.clients.take_swallowed():
            for r in refused(exc):
                seen.refusals.append(r)
                report.problems.append(f"{r.operation} refused: {r.reason}")
        # The pass's own refusals (its steps' are counted as they fail), where an alarm sees them.
        runtime.metrics.add(refusal_points(runtime.region, seen.refusals, now))
        runtime.metrics.flush()
        denied = refusal(runtime.metrics.failure) if runtime.metrics.failure is not None else None
        if denied is not None:  # a missing grant, which nothing in Monitoring can show (a 5xx is only logged)
            report.problems.append(f"metrics not posted: {denied.reason}")
            report.refusals.append(denied)
        report.refusals = list(dict.fromkeys([*seen.refusals, *report.refusals]))
        report.unreported = not _report_health(runtime, report, now)
    report.steps_total, report.problems_total = len(report.steps), len(report.problems)
    report.actions = dict(Counter(str(s.action) for s in report.steps))
    if report_limit is not None:
        report.steps, report.problems = report.steps[:report_limit], report.problems[:report_limit]
    logs.info("reconcile pass", exposed=report.exposed, oldest_exposure_seconds=round(report.oldest_exposure_seconds))
    return report


def _report_health(runtime: Runtime, report: PassReport, now: datetime) -> bool:
    """What this pass could not do, where the operator's status reads it (every pass: its time
    says the passes run). Whether an operator can learn of the pass: from its report, its metrics,
    or else a notice."""
    name = health_object(runtime.config.object_prefix, runtime.region)
    try:
        got = runtime.objects.get(runtime.config.staging_bucket, name)
        previous = PassHealth.model_validate_json(got[0]).at if got else None
    except (ReplicatorError, ValueError):
        previous = None
    health = PassHealth(
        region=runtime.region,
        at=now,
        previous_at=previous if previous is not None and previous < now else None,
        problems=report.problems[:KEPT],
        problems_total=len(report.problems),
        refusals=report.refusals[:KEPT],
    )
    try:
        runtime.objects.put(runtime.config.staging_bucket, name, health.model_dump_json().encode())
    except ReplicatorError as exc:
        logs.warning("pass health not written", reason=exc.reason)
        if runtime.metrics.failure is not None:
            return _cannot_report(runtime, health, exc)
    return True


def _cannot_report(runtime: Runtime, health: PassHealth, exc: ReplicatorError) -> bool:
    """Neither the report nor the metrics went out: the topic is the one channel left that an operator
    reads within the pass. Told at every pass that is so (each notice names its pass), as an alarm
    repeats, since nothing this region may write could remember that it was told."""
    refusals = list(dict.fromkeys([*health.refusals, *([r] if (r := refusal(exc)) else [])]))
    sent = runtime.notifier.publish(
        f"Image replicator in {runtime.region} cannot report its passes",
        {
            "region": runtime.region,
            "pass_at": health.at.isoformat(),
            "why": "its report could not be written to the staging bucket and its metrics could not be posted",
            "refused": [f"{r.operation}: {r.reason}" for r in refusals],
            "problems": health.problems,
        },
    )
    if not sent:  # the log is all that is left: the invocation's error answer points at it
        logs.error("pass can neither report nor notify", refused=[f"{r.operation}: {r.reason}" for r in refusals])
    return sent


def _take_inbox(runtime: Runtime, seen: Observed) -> None:
    """Answers of other tenancies whose events were lost: checked and moved into staging, where
    their events (or the next pass) record them."""
    for ack in seen.inbox:
        with logs.bound(source_image_id=ack.source_id, target_region=ack.target):
            try:
                if genuine(runtime, ack, runtime.config.landing_bucket):
                    move_answer(runtime, InboundAnswer(ack))
            except ReplicatorError as exc:
                seen.problems.append(f"answer of {ack.target} for {ack.source_id} not moved: {exc.reason}")
                seen.refusals += refused(exc)


def resume(plans: list[Planned], cursor: str | None) -> list[Planned]:
    """The plans from the replication the last pass stopped at, then the ones before it."""
    if cursor is None:
        return plans
    later = [p for p in plans if p.source_id >= cursor]
    return later + [p for p in plans if p.source_id < cursor]


def _keep_cursor(runtime: Runtime, seen: Observed, stopped_at: str | None, problems: list[str]) -> None:
    config = runtime.config
    head = cursor_object(config.object_prefix) + "."
    old = [n for n in seen.staging if n.startswith(head)]
    try:
        if stopped_at is not None and head + stopped_at not in old:
            runtime.objects.put(config.staging_bucket, head + stopped_at, b"")
        for name in old:
            if stopped_at is None or name != head + stopped_at:
                runtime.objects.delete(config.staging_bucket, name)
    except ReplicatorError as exc:
        problems.append(f"reconcile cursor: {exc.reason}")
        seen.refusals += refused(exc)


def _leave_marks(
    runtime: Runtime, seen: Observed, steps: list[PlannedStep], problems: list[str], deadline: float, now: datetime
) -> None:
    """A mark for each record read this pass and found settled with nothing done to it (no step
    planned, or only steps that changed nothing), so that the next passes need not read it; a
    mark of an older version of it goes. A settled source record nobody has written for a while
    is folded into its mark, and the answers it applied go (`records/store.py`): a pass then lists
    neither."""
    config = runtime.config
    busy = {(s.side, s.source_image_id) for s in steps if s.result != "ignored" or s.error}
    sources = seen.sources
    marks: list[_Leave] = []
    for source_id, read in seen.source_records.items():
        if ("source", source_id) in busy or read.record is None:
            continue
        image = sources.get(source_id)
        decision = decide(image, runtime.region, config) if image is not None else None
        acks = seen.acks.get(source_id, [])
        leftovers, doubted = source_id in seen.leftovers, source_id in seen.doubted
        mark = source_mark(read.record, read.etag or "-", image, decision, acks, leftovers, config, doubted=doubted)
        kept = kept_answers(read.record)
        gone = [a.object(config.object_prefix) for a in acks if a.object(config.object_prefix) not in kept]
        if read.etag is None:  # read from its folded mark: answers a fold could not remove go now
            if mark is not None and gone:
                marks.append(_Leave(source_id, None, gone=gone))
        elif mark is not None and now >= quiet_from(read.record):
            marks.append(_Leave(source_id, folded(mark, read.record), fold=read, gone=gone))
        elif mark is not None:  # folded by the first pass from `fold_at` on
            marks.append(_Leave(source_id, dataclasses.replace(mark, fold_at=stamp(quiet_from(read.record)))))
        else:  # folded marks a record put back (and written since) has made stale
            stale = [n for n in seen.marks.get(("source", source_id), []) if _stale_fold(config, n, read.etag)]
            if stale:
                marks.append(_Leave(source_id, None, gone=stale))
    for source_id, read in seen.replica_records.items():
        if ("replica", source_id) in busy or read.record is None or read.etag is None:
            continue
        key = answer_keys(runtime, seen).get(place(read.record.source_region).alias, "")
        mark = replica_mark(read.record, read.etag, seen.replicas.get(source_id), seen.landed.get(source_id, []), key)
        if mark is not None:
            marks.append(_Leave(source_id, mark))

    def leave(work: _Leave) -> str | None:
        """Why the mark could not be left, or None; past the pass's budget it is left for a later pass."""
        if time.monotonic() > deadline:
            return None  # an economy: the next pass reads the record and marks it then
        mark, fold, gone = work.mark, work.fold, work.gone
        name = mark.object(config.object_prefix) if mark is not None else ""
        olds = seen.marks.get((mark.side, mark.source_id), []) if mark is not None else []
        try:
            if fold is not None and fold.record is not None and fold.etag is not None:
                if not runtime.records.fold("source", fold.record, fold.etag, name):
                    gone = []  # the record moved on: it speaks, and its answers stay
            elif mark is not None and name not in olds and not mark.folded:
                with suppress(PreconditionFailed):
                    runtime.objects.put(config.staging_bucket, name, b"", if_none_match=True)
            for object_name in gone:
                runtime.objects.delete(config.staging_bucket, object_name)
            for old in olds:
                if old != name:
                    runtime.objects.delete(config.staging_bucket, old)
        except ReplicatorError as exc:  # a mark is an economy: without it the next pass reads the record
            seen.refusals += refused(exc)
            return f"settled mark of {work.source_id}: {exc.reason}"
        return None

    # A catch-up pass leaves thousands: at once in the pool, as the records were read.
    problems += [p for p in fan_out([partial(leave, m) for m in marks], config.call_concurrency) if p]


@dataclasses.dataclass(frozen=True)
class _Leave:
    """What a pass leaves for one settled record: its mark (None: no mark, objects removed only), the
    record folded into the mark (`fold`, as read), and the objects that go with it (`gone`: answers
    the record applied, or folded marks a record put back has made stale)."""

    source_id: str
    mark: SettledMark | None
    fold: Read | None = None
    gone: list[str] = dataclasses.field(default_factory=list)


def _stale_fold(config, name: str, etag: str) -> bool:
    """A folded mark beside the record it was made of, put back and written since: the record speaks."""
    mark = parse_settled(config.object_prefix, name)
    return mark is not None and mark.folded and mark.version != etag_version(etag)


def run_drill_tick(runtime: Runtime) -> PassReport:
    """Between passes (the drill schedule, every few minutes): move each drill under way on, found by
    its instance, and terminate an instance past every drill's timeout. One listing of the drill
    compartment, then a record read per running drill: a drill's instance runs for minutes, not
    until the next hourly pass. Nothing is started here."""
    now = runtime.now()
    seen = Observed(runtime.region)
    list_drills(runtime, seen)
    # No record is read to plan: an instance past every drill's timeout is a stray whatever they say.
    strays = [p for p in plan_drills(seen, runtime.config, now) if isinstance(p.subject, Drill) and p.subject.stray]
    ended = {p.subject.instance_id for p in strays if isinstance(p.subject, Drill)}
    plans = strays + [
        Planned("replica", i.drill_of, Action.DRILL, "a drill under way", Drill(i.drill_of, instance_id=i.id))
        for i in seen.drill_instances or []
        if i.drill_of and not i.ended and i.id not in ended
    ]
    report = PassReport(region=runtime.region, dry_run=False, images=len(plans), problems=list(seen.problems))
    report.refusals += seen.refusals
    deadline = time.monotonic() + runtime.config.reconcile_budget_seconds
    with runtime.metrics.held():
        runtime.metrics.add(refusal_points(runtime.region, seen.refusals, now))  # the listing's, if refused
        _run_steps(runtime, seen, plans, report, now, False, deadline)
    runtime.metrics.flush()  # once, for every step of the tick
    report.steps_total, report.problems_total = len(report.steps), len(report.problems)
    report.actions = dict(Counter(s.action for s in report.steps))
    return report


def _run_steps(
    runtime: Runtime,
    seen: Observed,
    plans: list[Planned],
    report: PassReport,
    now: datetime,
    dry_run: bool,
    deadline: float,
) -> str | None:
    """Run the planned steps until the budget is spent; the replication it stopped at, if it did.

    A replication's steps run in order, one after another; different replications' steps run
    at once in a small pool (fanout.py): they share no record and no object."""
    entries = []
    for planned in plans:
        entry = PlannedStep(
            source_image_id=planned.source_id,
            display_name=_display_name(seen, planned.source_id),
            side=planned.side,
            region=planned.target or runtime.region,
            action=planned.action,
            reason=planned.reason,
        )
        report.steps.append(entry)
        entries.append((planned, entry))
        with logs.bound(source_image_id=planned.source_id, target_region=planned.target):
            logs.info("reconcile plan", side=planned.side, action=planned.action, reason=planned.reason)
    if dry_run:
        return None
    groups: dict[tuple[str, str], list[tuple[Planned, PlannedStep]]] = {}
    for planned, entry in entries:
        if planned.action not in PASSIVE:
            groups.setdefault((planned.side, planned.source_id), []).append((planned, entry))

    def run_group(group: list[tuple[Planned, PlannedStep]]) -> int:
        """The replication's steps in order; how many were left when the budget ran out."""
        for n, (planned, entry) in enumerate(group):
            if time.monotonic() > deadline:
                return len(group) - n
            first = n == 0  # the record as observed serves the first step; later ones read it again
            _run_one(runtime, seen, planned, entry, report, now, first)
        return 0

    left = fan_out([partial(run_group, g) for g in groups.values()], runtime.config.call_concurrency)
    report.unfinished = sum(left)
    if report.unfinished:
        logs.warning("reconcile budget spent", unfinished=report.unfinished)
    return next((source_id for (_side, source_id), n in zip(groups, left, strict=True) if n), None)


def _run_one(
    runtime: Runtime,
    seen: Observed,
    planned: Planned,
    entry: PlannedStep,
    report: PassReport,
    now: datetime,
    first: bool,
) -> None:
    with logs.bound(source_image_id=planned.source_id, target_region=planned.target):
        reads = seen.source_records if planned.side == "source" else seen.replica_records
        known = reads.get(planned.source_id) if first else None
        try:
            step = registry.for_action(planned.side, planned.action)
            outcome = execute(
                step,
                runtime,
                _resolve(runtime, planned.subject),
                now=now,
                known=known,
            )
            entry.result, entry.reason = outcome.result, outcome.reason or entry.reason
        except ReplicatorError as exc:
            entry.error = exc.reason
            report.problems.append(f"{planned.source_id} {planned.action}: {exc.reason}")
            report.refusals += refused(exc)
            logs.warning("reconcile step failed; the next pass tries again", reason=exc.reason)
        except Exception as exc:  # one broken item must not stop the others
            entry.error = f"{type(exc).__name__}: {exc}"
            report.problems.append(f"{planned.source_id} {planned.action}: {entry.error}")
            logs.error("reconcile step crashed", reason=entry.error)


def _attempts(seen: Observed) -> dict[tuple[str, str], tuple[int, bool]]:
    """Per (step, image digest): the current attempt as observed, and whether it is running."""
    current: dict[tuple[str, str], tuple[int, bool]] = {}
    for found in seen.source_records.values():
        if found.record is not None:
            e = found.record.export
            current[("export", digest(found.record.source_image_id)[:16])] = (e.attempt, e.state == "running")
    for found in seen.replica_records.values():
        if found.record is not None:
            i = found.record.import_
            current[("import", digest(found.record.source_image_id)[:16])] = (i.attempt, i.state == "running")
    return current


# An import lends its PAR a moment before its claim records it: a request younger than this, before
# the observation began, may belong to a claim the listing did not yet show.
CLAIM_MARGIN = timedelta(minutes=15)
_STEP_SIDE = {"export": "source", "import": "replica"}


class _OwnerDigests(Mapping[str, set[str]]):
    """Per step, the digests of the owners whose record the staging listing showed, each side's
    computed the first time a request needs it (rarely: most passes find no unclaimed request)."""

    def __init__(self, records: Mapping[str, set[str]]) -> None:
        self._records = records
        self._digests: dict[str, set[str]] = {}

    def __getitem__(self, step: str) -> set[str]:
        if step not in self._digests:
            self._digests[step] = {digest(i)[:16] for i in self._records[_STEP_SIDE[step]]}
        return self._digests[step]

    def __iter__(self) -> Iterator[str]:
        return iter(_STEP_SIDE)

    def __len__(self) -> int:
        return len(_STEP_SIDE)


@dataclass(frozen=True)
class ParOwners:
    """What a pass knows of the attempts its pre-authenticated requests may serve."""

    current: dict[tuple[str, str], tuple[int, bool]]  # (step, owner digest) -> (attempt, running)
    # Per step, the owners whose record the staging listing showed; None when the listing failed.
    listed: Mapping[str, set[str]] | None = None
    observed_at: datetime | None = None
    # The owners whose export the staging listing showed (what a direct transfer's PAR reads); None
    # when the listing failed.
    exports: frozenset[str] | None = None

    @classmethod
    def of(cls, seen: Observed, prefix: str) -> "ParOwners":
        records = seen.records_listed  # None when the staging listing failed: nothing is judged from it
        if records is None:
            return cls(_attempts(seen), None, seen.started, None)
        exports = frozenset(digest(i)[:16] for i in exported(seen.staging, prefix))
        return cls(_attempts(seen), _OwnerDigests(records), seen.started, exports)


def orphaned(name: str, expires: datetime, owners: ParOwners, now: datetime, created: datetime | None = None) -> bool:
    """Whether one of our pre-authenticated requests serves no attempt that may still be running.

    Expired, or made for an attempt older than the one observed, or for the observed attempt
    once it has ended. A request made well before the observation began for an attempt no record
    shows (its claim never came: the step died, or the record was removed by hand) serves nothing
    either; a younger one may belong to a claim under way, and is left alone.
    """
    if not name.startswith(PAR_NAME_PREFIX):
        return False
    if expires <= now:
        return True
    step, _, rest = name[len(PAR_NAME_PREFIX) :].partition("-a")
    attempt, _, rest = rest.partition("-")
    owner = rest.rsplit("-", 1)[-1]
    if not attempt.isdigit():
        return False
    unclaimed_for_long = (
        created is not None and owners.observed_at is not None and created < owners.observed_at - CLAIM_MARGIN
    )
    if step == TRANSFER_STEP:
        # A direct transfer's PAR reads the export, made before it: once the export is gone (the
        # replication ended, its source was deleted) it serves nothing, whoever removed the export.
        return unclaimed_for_long and owners.exports is not None and owner not in owners.exports
    if (step, owner) not in owners.current:
        listed = owners.listed
        return unclaimed_for_long and listed is not None and step in listed and owner not in listed[step]
    observed, running = owners.current[(step, owner)]
    if int(attempt) > observed:
        return unclaimed_for_long
    return int(attempt) < observed or not running


def _expired_or_orphaned_pars(runtime: Runtime, seen: Observed, now: datetime, problems: list[str]) -> list[str]:
    config, removed = runtime.config, []
    owners = ParOwners.of(seen, config.object_prefix)
    for bucket in (config.staging_bucket, config.landing_bucket):
        try:
            pars = runtime.objects.list_pars(bucket)
        except ReplicatorError as exc:
            # Reported, not only logged: a PAR nobody can clean up is a live write or read URL.
            logs.warning("pre-authenticated requests not listed", bucket=bucket, reason=exc.reason)
            problems.append(f"pre-authenticated requests of {bucket} not listed: {exc.reason}")
            seen.refusals += refused(exc)
            continue
        for par in pars:
            if not orphaned(par.name, par.time_expires, owners, now, par.time_created):
                continue
            if runtime.objects.delete_par(bucket, par.id):  # a refusal is reported where it is drained
                removed.append(f"{bucket}/par:{par.name}")
    return removed
