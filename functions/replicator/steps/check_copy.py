"""Source region (reconcile): a copy started long enough ago that it should have landed.

One look at its work request, in this region: reconciliation of one item, not polling.
A failed copy becomes a new attempt on the next pass; one that failed only because its
object was already there has landed.
"""

from datetime import datetime, timedelta

from ..actions import Action
from ..config import ReplicatorConfig
from ..engine import Step, StepContext, StepResult
from ..errors import NotFound
from ..records.source import SourceRecord
from ..subjects import CopyCheck

ALREADY_THERE = ("IfNoneMatchFailed", "PreconditionFailed")
FORGOTTEN_AFTER = timedelta(hours=24)


def landed(target: str, at: datetime):
    def change(record: SourceRecord) -> None:
        part = record.target(target)
        if part.state == "copying":
            part.copy_landed(at)

    return change


def copy_failed(target: str, error: str, now: datetime, config: ReplicatorConfig):
    def change(record: SourceRecord) -> None:
        part = record.target(target)
        if part.state == "copying":
            part.copy_failed(error, now, config.max_attempts, patience=config.patience)

    return change


def looked(target: str, now: datetime):
    return lambda r: r.target(target).copy_looked(now)


def run(ctx: StepContext, check: CopyCheck) -> StepResult:
    record: SourceRecord | None = ctx.record
    part = record.targets.get(check.target) if record else None
    if part is None or part.state != "copying":
        return StepResult("ignored", "no copy in flight")
    requests = [
        (what, wr)
        for what, wr in (("image", part.copy_work_request_id), ("manifest", part.manifest_copy_work_request_id))
        if wr
    ]
    if not requests:
        return StepResult("postponed", "the copy's work request is unknown")
    # Both copies must have landed; the first that did not decides what happens next.
    finished: list[datetime] = []
    for what, work_request_id in requests:
        result = _look(ctx, check, part, what, work_request_id)
        if isinstance(result, StepResult):
            return result
        finished += [result] if result else []
    return StepResult(
        "continued", f"copy to {check.target} landed", landed(check.target, max(finished, default=ctx.now))
    )


def _look(ctx: StepContext, check: CopyCheck, part, what: str, work_request_id: str) -> datetime | StepResult | None:
    """When one copy landed (or None if unknown), or the step's result if it has not."""
    try:
        status = ctx.runtime.objects.copy_status(work_request_id)
    except NotFound:
        started = part.copy_started_at or ctx.now
        if ctx.now - started > FORGOTTEN_AFTER:
            return StepResult(
                "errored",
                "the copy's work request is gone",
                copy_failed(check.target, "copy work request not found", ctx.now, ctx.config),
            )
        return StepResult("postponed", "the copy's work request cannot be read yet", looked(check.target, ctx.now))
    if status.status == "COMPLETED" or (status.status == "FAILED" and status.error_code in ALREADY_THERE):
        return status.time_finished
    if status.status in ("FAILED", "CANCELED"):
        error = f"copy of the {what} to {check.target} {status.status}: {status.error or 'no reason given'}"
        return StepResult("errored", error, copy_failed(check.target, error, ctx.now, ctx.config))
    return StepResult(
        "postponed", f"copy of the {what} to {check.target} {status.status}", looked(check.target, ctx.now)
    )


STEP = Step("check_copy", "source", run, action=Action.CHECK_COPY)
