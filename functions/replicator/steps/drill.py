"""Target region: a DR drill launches a finished replica, reads its console, and leaves nothing running.

Started by the pass when one is due (drills.due), moved on by the instance's launch event and
by each pass (or drill tick) after it, one transition per run (states.DRILL):

  idle       -> launching  LaunchInstance in the drill compartment and private subnet, tagged
                           with the replication; a refusal (capacity, a limit, the shape) ends
                           the drill `not-launched`, tried again RETRY_AFTER later
  launching  -> booting    the instance is RUNNING (its launch event, or the pass reading it); one
                           that ends without running ends the drill `failed-to-run`
  booting    -> reading    IR_DRILL_BOOT_MINUTES after it started running, its console is captured
  reading    -> idle       the console shows the expected line (IR_DRILL_EXPECT, if set): `booted`;
                           not yet: captured again at the next run, until the timeout
  any        -> idle       IR_DRILL_TIMEOUT_MINUTES after the launch: `failed-to-run` (it never
                           ran) or `no-expected-output` (it ran, the line never showed)

Every end terminates the instance with its boot volume before the result is recorded, so a
drill whose termination failed is still under way and is ended by the next run. An instance
tagged as a drill's that no record owns (`Drill.stray`) is terminated by the pass.
"""

from contextlib import suppress
from datetime import timedelta

from ..actions import Action
from ..cloudevents import EventKind
from ..drills import COUNTED, FAILED, DrillOutcome, choose_shape, held_back, judge, last_line
from ..engine import Step, StepContext, StepResult, chain
from ..errors import Conflict, LimitExceeded, NotFound, PermanentError, ReplicatorError, TransientError
from ..gateways.instances import LaunchRequest
from ..health import refusal_points, refused
from ..instances import DRILL_ATTEMPT_TAG, DRILL_OF_TAG, DRILL_REPLICA_TAG, InstanceFacts
from ..naming import retry_token
from ..records.replica import ReplicaRecord
from ..records.states import DrillState
from ..runtime import Runtime
from ..subjects import Drill
from ..telemetry.catalog import Dimension, Metric
from ..telemetry.points import point
from .answer import answered, send


def _timeout(ctx: StepContext) -> timedelta:
    return timedelta(minutes=ctx.config.drill_timeout_minutes)


def run(ctx: StepContext, subject: Drill) -> StepResult:
    runtime = ctx.runtime
    if subject.stray:
        return _terminate_stray(runtime, subject.instance_id, subject.stray)
    record: ReplicaRecord | None = ctx.record
    replica_id = record.import_.replica_image_id if record is not None else None
    if record is not None and record.drill.busy and (record.state != "finished" or not replica_id):
        # The replica was retired, lost or deleted while it was drilled: nothing left to judge.
        return _end(ctx, record, DrillOutcome.NOT_CHECKED, f"the replica became {record.state} during its drill")
    if record is None or record.state != "finished" or not replica_id:
        if subject.instance_id:
            return _terminate_stray(runtime, subject.instance_id, "no finished replica here")
        return StepResult("ignored", "no finished replica here to drill")
    drill = record.drill
    if drill.state == DrillState.IDLE:
        if subject.instance_id:  # the late event of a drill that has ended
            return StepResult("ignored", f"instance {subject.instance_id} belongs to no drill under way")
        if not subject.start:
            return StepResult("ignored", "no drill under way")
        if not runtime.config.drills_possible:
            return StepResult("ignored", "drills are not configured in this region")
        last = drill.last
        if last is not None and held_back(last.ended_at, last.counted, ctx.now):
            return StepResult("ignored", f"the last drill was {last.outcome} ({last.reason}): tried again later")
        return _launch(ctx, record, replica_id)
    if subject.instance_id and drill.instance_id and subject.instance_id != drill.instance_id:
        return StepResult("ignored", f"instance {subject.instance_id} is not the drill's under way")
    started = drill.started_at or ctx.now
    if ctx.now - started > _timeout(ctx):
        return _timed_out(ctx, record)
    if drill.state == DrillState.LAUNCHING:
        return _launching(ctx, record, replica_id)
    if drill.state == DrillState.BOOTING:
        return _booting(ctx, record)
    return _reading(ctx, record)


def _launch(ctx: StepContext, record: ReplicaRecord, replica_id: str) -> StepResult:
    runtime, config = ctx.runtime, ctx.config
    try:
        chosen = choose_shape(runtime.compute.list_shapes(replica_id), config.drill_shape)
    except NotFound:
        return StepResult("ignored", f"replica {replica_id} is not readable here")
    if isinstance(chosen, str):
        why = f"no drill: {chosen}"
        return StepResult("postponed", why, change=lambda r: r.drill_not_launched(why, ctx.now))
    shape = chosen.shape
    refusal = ctx.claim(
        lambda r: r.drill_launching(ctx.now, shape),
        lambda r: None if r.state == "finished" and not r.drill.busy else "a drill is already under way",
    )
    if refusal:
        return StepResult("ignored", refusal)
    claimed: ReplicaRecord | None = ctx.record  # as the claim wrote it
    assert claimed is not None
    return _launch_attempt(ctx, replica_id, claimed.drill.attempt, chosen.shape, chosen.ocpus, chosen.memory_gbs)


def _launch_attempt(
    ctx: StepContext, replica_id: str, attempt: int, shape: str, ocpus: float | None, memory: float | None
) -> StepResult:
    """LaunchInstance for `attempt`, with its retry token: asked again (by a run after a death), OCI
    answers with the same instance."""
    runtime, config, source_id = ctx.runtime, ctx.config, ctx.source_id
    assert config.drill_compartment_id and config.drill_subnet_id and config.drill_availability_domain
    request = LaunchRequest(
        compartment_id=config.drill_compartment_id,
        availability_domain=config.drill_availability_domain,
        subnet_id=config.drill_subnet_id,
        image_id=replica_id,
        shape=shape,
        display_name=f"image-replicator-drill-{source_id[-12:]}-{attempt}",
        ocpus=ocpus,
        memory_gbs=memory,
        freeform_tags={DRILL_OF_TAG: source_id, DRILL_REPLICA_TAG: replica_id, DRILL_ATTEMPT_TAG: str(attempt)},
    )
    try:
        instance = runtime.instances.launch(request, retry_token("drill", source_id, runtime.region, str(attempt)))
    except TransientError as exc:
        if exc.code != "InternalError":
            raise  # throttled, or no answer: the next run asks again with the same token
        return _not_launched(ctx, attempt, exc)
    except (LimitExceeded, Conflict, PermanentError) as exc:
        return _not_launched(ctx, attempt, exc)
    return StepResult(
        "started",
        f"drill {attempt}: instance {instance.id} launched on {shape}",
        change=lambda r: r.drill_launched(attempt, instance.id),
    )


def _not_launched(ctx: StepContext, attempt: int, exc: ReplicatorError) -> StepResult:
    """Capacity (OCI's 500 "Out of host capacity."), a limit, the shape, the subnet: the region's
    answer, not the replica's fault. A refusal by IAM is counted where the calls-refused alarm sees it."""
    ctx.runtime.metrics.add(refusal_points(ctx.runtime.region, refused(exc), ctx.now))
    why = f"the launch was refused: {exc.reason}"
    return StepResult(
        "postponed",
        why,
        change=lambda r: r.drill_ended(attempt, DrillOutcome.NOT_LAUNCHED, why, ctx.now, counted=False),
    )


def _launching(ctx: StepContext, record: ReplicaRecord, replica_id: str) -> StepResult:
    drill = record.drill
    attempt = drill.attempt
    if drill.instance_id is None:
        # The run that launched died before writing the instance down: the same token finds it.
        chosen = choose_shape(ctx.runtime.compute.list_shapes(replica_id), drill.shape or ctx.config.drill_shape)
        if isinstance(chosen, str):
            return _end(ctx, record, DrillOutcome.NOT_LAUNCHED, f"the launch cannot be asked again: {chosen}")
        return _launch_attempt(ctx, replica_id, attempt, chosen.shape, chosen.ocpus, chosen.memory_gbs)
    instance = _read(ctx, drill.instance_id)
    if instance is None or instance.ended:
        state = instance.lifecycle_state if instance else "gone"
        return _end(ctx, record, DrillOutcome.FAILED_TO_RUN, f"the instance ended {state} without running")
    if instance.lifecycle_state != "RUNNING":
        return StepResult(
            "in_progress", f"instance {instance.id} is {instance.lifecycle_state}; its launch event moves it on"
        )
    return StepResult(
        "continued", f"instance {instance.id} is RUNNING", change=lambda r: r.drill_running(instance.id, ctx.now)
    )


def _booting(ctx: StepContext, record: ReplicaRecord) -> StepResult:
    drill = record.drill
    instance_id = drill.instance_id or ""
    running_at = drill.running_at or ctx.now
    grace = timedelta(minutes=ctx.config.drill_boot_minutes)
    if ctx.now - running_at < grace:
        return StepResult("in_progress", f"instance {instance_id} boots; its console is read after {grace}")
    token = retry_token("drill-console", ctx.source_id, ctx.runtime.region, str(drill.attempt), str(drill.reads))
    try:
        console_id = ctx.runtime.instances.capture_console(instance_id, token)
    except NotFound as exc:
        instance = _read(ctx, instance_id)
        if instance is not None and instance.lifecycle_state == "RUNNING":
            # IAM answers a refusal as 404 too: the instance runs, so the capture was refused.
            raise PermanentError(
                f"{exc.reason} (the functions lack the drill-consoles policy statement)",
                operation=exc.operation,
                status=exc.status,
                code=exc.code,
            ) from None
        return _end(ctx, record, DrillOutcome.FAILED_TO_RUN, "it stopped running before its console was read")
    except (Conflict, PermanentError) as exc:
        # The instance stopped running (or went): it ran, then did not stay up.
        return _end(ctx, record, DrillOutcome.FAILED_TO_RUN, f"its console could not be captured: {exc.reason}")
    return StepResult(
        "continued",
        f"console of {instance_id} captured",
        change=lambda r: r.drill_capturing(instance_id, console_id),
    )


def _reading(ctx: StepContext, record: ReplicaRecord) -> StepResult:
    drill = record.drill
    console_id = drill.console_id or ""
    instances = ctx.runtime.instances
    try:
        state = instances.console_state(console_id)
    except NotFound:
        state = "FAILED"
    if state in ("REQUESTED", "GETTING-HISTORY"):
        return StepResult("in_progress", "the console history is being captured")
    if state != "SUCCEEDED":
        return StepResult(
            "in_progress", "the capture failed: captured again", change=lambda r: r.drill_reread(console_id)
        )
    text = instances.console_text(console_id)
    with suppress(ReplicatorError):
        instances.delete_console(console_id)
    verdict = judge(text, ctx.config.drill_expect)
    if verdict is None:
        why = f"its console does not show {ctx.config.drill_expect!r} yet: read again"
        seen = last_line(text)
        return StepResult("in_progress", why, change=lambda r: r.drill_reread(console_id, seen))
    return _end(ctx, record, verdict[0], verdict[1])


def _timed_out(ctx: StepContext, record: ReplicaRecord) -> StepResult:
    drill = record.drill
    minutes = ctx.config.drill_timeout_minutes
    if drill.instance_id is None:  # its launch never got an answer (throttled, unreachable): not the image's fault
        return _end(ctx, record, DrillOutcome.NOT_LAUNCHED, f"no instance was launched within {minutes} min")
    captured = None  # what the console showed at the capture under way, if it is readable
    if drill.state == DrillState.READING and drill.console_id:
        with suppress(ReplicatorError):
            if ctx.runtime.instances.console_state(drill.console_id) == "SUCCEEDED":
                captured = ctx.runtime.instances.console_text(drill.console_id)
    if captured is not None:
        # What was captured before the timeout still counts (a pass later than the capture).
        verdict = judge(captured, ctx.config.drill_expect)
        if verdict is not None:
            return _end(ctx, record, verdict[0], verdict[1])
    if drill.running_at is None:
        return _end(ctx, record, DrillOutcome.FAILED_TO_RUN, f"not RUNNING within {minutes} min of its launch")
    expect = ctx.config.drill_expect
    if not drill.console_id and not drill.reads:
        why = f"its console was never captured within {minutes} min (see the pass's refusals)"
        return _end(ctx, record, DrillOutcome.NOT_CHECKED, why)
    seen = last_line(captured) if captured is not None else drill.last_line
    last = f"; its console ends with {seen!r}" if seen else ""
    return _end(ctx, record, DrillOutcome.NO_EXPECTED_OUTPUT, f"{expect!r} not printed within {minutes} min{last}")


def _end(ctx: StepContext, record: ReplicaRecord, outcome: DrillOutcome, reason: str) -> StepResult:
    """Terminate the drill's instance, then record the result (a failed termination records nothing:
    the next run ends the drill again)."""
    drill = record.drill
    attempt = drill.attempt
    if drill.instance_id:
        terminate(ctx.runtime, drill.instance_id)

    def counted(ctx: StepContext) -> None:  # once, by the invocation whose change was written
        dims = {
            Dimension.SOURCE_REGION: record.source_region or None,
            Dimension.TARGET_REGION: ctx.runtime.region,
            Dimension.OUTCOME: outcome.value,
        }
        ctx.runtime.metrics.add([point(Metric.DRILLS_FAILED, 1, ctx.now, dims)])

    def ended(r: ReplicaRecord) -> None:
        r.drill_ended(attempt, outcome, reason, ctx.now, counted=outcome in COUNTED)

    # A counted result is answered again, done, with the drill (its name differs from the last
    # answer's by the drill alone), unless the record does not know where its source is.
    tell = outcome in COUNTED and bool(record.source_region)

    def told(ctx: StepContext) -> None:  # once the result is written
        if tell:
            send(ctx)
        if outcome in FAILED:
            counted(ctx)

    change = chain(ended, answered("done", ctx.config.object_prefix, ctx.now, ctx.runtime)) if tell else ended
    return StepResult("completed", f"drill {attempt}: {outcome.value}: {reason}", change=change, after=told)


def _read(ctx: StepContext, instance_id: str) -> InstanceFacts | None:
    try:
        return ctx.runtime.instances.get(instance_id)
    except NotFound:
        return None


def terminate(runtime: Runtime, instance_id: str) -> None:
    """TerminateInstance; one already gone is fine. IAM answers a refused termination as 404 too:
    the instance itself says which, and a refusal fails the step (the next run tries again)."""
    try:
        runtime.instances.terminate(instance_id)
    except NotFound:
        with suppress(NotFound):
            if not runtime.instances.get(instance_id).ended:
                raise PermanentError(
                    f"TerminateInstance of {instance_id} refused: the functions lack the drill policy "
                    "statements (Terraform grants them when drills are on)"
                ) from None


def _terminate_stray(runtime: Runtime, instance_id: str, why: str) -> StepResult:
    terminate(runtime, instance_id)
    return StepResult("completed", f"instance {instance_id} terminated: {why}")


STEP = Step("drill", "replica", run, routes=((EventKind.INSTANCE_LAUNCHED, Drill),), action=Action.DRILL)
