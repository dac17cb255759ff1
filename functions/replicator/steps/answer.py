"""Target region: answer the source region by copying this region's record there.

The copy lands in the source's staging bucket under a name that says the outcome, so the
source learns it from the object event alone; the body (this record) gives the details.
Requested here, in the target region: the function never calls the source region. A source
in another tenancy gets it in its landing bucket (all that tenancy admits us to write),
named as that source names this region and signed with the key the two tenancies share.
"""

from datetime import datetime

from .. import logs
from ..actions import Action
from ..answer_checks import signed_anew
from ..engine import Step, StepContext, StepResult
from ..errors import PreconditionFailed, ReplicatorError
from ..integrity import tagged
from ..naming import AckName, AckOutcome, drill_token
from ..records.replica import ReplicaRecord
from ..runtime import Runtime
from ..subjects import AnswerCheck
from ..tenancies import as_target, place


def answering_as(record: ReplicaRecord, runtime: Runtime) -> str:
    """This region's name in the source's terms: its own, or `<alias>:<region>` for a source of
    another tenancy (the alias its manifest gives this tenancy's namespace)."""
    if place(record.source_region).alias is None or record.manifest is None:
        return record.target_region
    return as_target(record.manifest.target_namespaces, runtime.namespace, runtime.region) or record.target_region


def answer_name(record: ReplicaRecord, outcome: AckOutcome, runtime: Runtime, *, issued: int | None = None) -> AckName:
    # A done answer names its replica, and so do a loss and a retirement: the source recognises the
    # replica it holds even when this region had lost its record and cannot say which version it
    # answered.
    named = outcome in ("done", "lost", "retired")
    replica = (record.import_.replica_image_id or "-") if named else "-"
    if outcome == "refused":
        replica = f"r{record.refusals}"
    # A done answer carries the replica's last drill: the source shows whether it boots.
    last = record.drill.last_counted() if outcome == "done" else None
    ack = AckName(
        record.source_image_id,
        answering_as(record, runtime),
        outcome,
        max(record.applied_issued, issued or 0),
        record.import_.attempt,
        replica,
        drill=drill_token(last.outcome, last.ended_at) if last is not None else "",
    )
    return tagged(runtime.key_for(record.source_region), ack)


def answered(outcome: AckOutcome, prefix: str, now: datetime, runtime: Runtime, *, issued: int | None = None):
    """The change that marks the answer as due; `send` copies it once the record is written. `issued`:
    the manifest answered, when it is newer than what the replica carries (a retired version sent again)."""

    def change(record: ReplicaRecord) -> None:
        record.answer_due(answer_name(record, outcome, runtime, issued=issued).object(prefix), now)

    return change


def copy_answer(runtime: Runtime, record: ReplicaRecord, name: str) -> str | None:
    """Copy this record to the source as the answer `name`: into its staging bucket, or into the
    landing bucket of a source in another tenancy."""
    config = runtime.config
    namespace, region = runtime.destination(record.source_region)
    return runtime.objects.copy(
        config.staging_bucket,
        runtime.records.name("replica", record.source_image_id),
        region,
        config.staging_bucket if namespace is None else config.landing_bucket,
        name,
        dest_namespace=namespace,
    )


def send(ctx: StepContext) -> None:
    """Copy the written record to the source region as its answer (never overwriting one there)."""
    record: ReplicaRecord | None = ctx.record
    if record is None or record.answer is None:
        return
    runtime = ctx.runtime
    with logs.bound(target_region=record.target_region):
        try:
            copy_answer(runtime, record, record.answer.object)
            logs.info("answer sent", answer=record.answer.object.rsplit("/", 1)[-1])
        except PreconditionFailed:
            logs.info("answer already delivered")
        except ReplicatorError as exc:
            # The record says the answer is due; the reconcile pass sends it again.
            logs.warning("answer not sent; the next pass sends it again", reason=exc.reason)


# ----- the reconcile pass: an answer that may not have arrived -------------------------------
def delivered(name: str):
    return lambda r: r.answer_delivered(name)


def resent(name: str, now: datetime, work_request_id: str | None):
    return lambda r: r.answer_resent(name, now, work_request_id)


def run_resend(ctx: StepContext, subject: AnswerCheck) -> StepResult:
    """Send the answer again, never overwriting: if it is already there, it was delivered. One signed
    with a key this region no longer holds goes again under its new signature."""
    record: ReplicaRecord | None = ctx.record
    runtime = ctx.runtime
    if record is not None and record.answer is not None and record.answer.delivered:
        anew = signed_anew(record, runtime)
        if anew is None:
            return StepResult("ignored", "the answer was delivered, under the key held now")
        name, resigned = anew.object(ctx.config.object_prefix), record.answer.object
        # Only over the answer it signs again: one written meanwhile (a retirement's) is not replaced.
        refusal = ctx.claim(
            lambda r: r.answer_due(name, ctx.now),
            lambda r: None if r.answer is not None and r.answer.object == resigned else "the answer changed meanwhile",
        )
        if refusal:
            return StepResult("ignored", f"not signed again: {refusal}")
        return StepResult("continued", "the answer signed again with the key held now", after=send)
    if record is None or record.answer is None or record.answer.delivered:
        return StepResult("ignored", "no answer is due")
    name = record.answer.object
    if record.answer.work_request_id:
        # A resent answer whose copy may have failed only because the first one was there.
        status = runtime.objects.copy_status(record.answer.work_request_id)
        if status.status == "COMPLETED" or status.error_code in ("IfNoneMatchFailed", "PreconditionFailed"):
            return StepResult("completed", "answer delivered", delivered(name))
    try:
        work_request = copy_answer(runtime, record, name)
    except PreconditionFailed:
        return StepResult("completed", "answer already delivered", delivered(name))
    except ReplicatorError as exc:
        return StepResult("errored", f"answer not sent: {exc.reason}")
    return StepResult("continued", "answer sent again", resent(name, ctx.now, work_request))


RESEND = Step("answer", "replica", run_resend, action=Action.ANSWER)
