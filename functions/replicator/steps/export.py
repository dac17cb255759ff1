"""Source region: export an opted-in image (`.oci`) to the staging bucket through a write PAR.

One invocation claims the attempt; parallel deliveries of the same event stand down. Each
attempt has its own retry token and its own pre-authenticated request, deleted by id.
"""

from dataclasses import replace
from datetime import datetime

from .. import logs
from ..actions import Action
from ..cloudevents import EventKind
from ..config import ReplicatorConfig
from ..engine import Step, StepContext, StepResult
from ..errors import Conflict, NotFound, PermanentError, TransientError
from ..health import refusal_points, refused
from ..naming import image_object, par_name, retry_token
from ..pars import lend, par_lifetime
from ..records.source import SourceRecord
from ..runtime import Runtime
from ..subjects import SourceImage


def blocker(record: SourceRecord, subject: SourceImage) -> str | None:
    """Why no new export attempt may start now, or None."""
    export = record.export
    if record.closed:
        return f"replication closed: {record.closed}"
    if export.state == "running":
        if subject.image.lifecycle_state == "EXPORTING" or subject.export_object is None:
            return "export running (or just ended: its end event, or the next pass, goes on from there)"
        if subject.export_object:
            return "exported; the copies are next"
    if export.state == "failed" and (export.permanent or export.gave_up):
        return f"export given up: {export.error}"
    # The targets still to copy to: new, pending, or failed but not given up (as the pass plans them).
    wanted = [
        t
        for t in subject.decision.targets
        if (part := record.targets.get(t)) is None
        or part.state == "pending"
        or (part.state == "failed" and not part.gave_up)
    ]
    if not wanted:
        return "every target region has its copy or its answer"
    if export.state == "done" and subject.export_object is not False:
        return "already exported"
    return None


def begin(subject: SourceImage, now: datetime):
    """The change that starts a new attempt."""
    image = subject.image
    return lambda r: r.start_export(
        image.display_name, image.compartment_id, image.size_in_mbs, subject.decision.targets, now
    )


def started(attempt: int, par_id: str, work_request_id: str | None):
    return lambda r: r.export_started(attempt, par_id, work_request_id)


def released(attempt: int, reason: str):
    return lambda r: r.export_released(attempt, reason)


def failed(
    attempt: int,
    reason: str,
    now: datetime,
    *,
    permanent: bool,
    config: ReplicatorConfig,
    notice: str | None = None,
    counted: bool = True,
):
    return lambda r: r.export_failed(
        attempt,
        reason,
        now,
        permanent=permanent,
        max_attempts=config.max_attempts,
        patience=config.patience,
        notice=notice,
        counted=counted,
    )


def looked_again(runtime: Runtime, subject: SourceImage) -> SourceImage:
    """The image's state and its export object as they are now: what an event or a pass saw may be old."""
    image = runtime.compute.get_image(subject.image.id)
    present = (
        runtime.objects.head(runtime.config.staging_bucket, image_object(runtime.config.object_prefix, image.id))
        is not None
    )
    return replace(subject, image=image, export_object=present)


def run(ctx: StepContext, subject: SourceImage) -> StepResult:
    image, decision, config, runtime = subject.image, subject.decision, ctx.config, ctx.runtime
    if not decision.opted_in:
        return StepResult("ignored", decision.reason)
    if not decision.replicate:
        return StepResult("skipped", decision.reason)

    def guard(record: SourceRecord) -> str | None:
        # Whether a running export has ended is decided on what is true now, never on an old
        # observation: starting a second attempt over a live one would orphan its PAR.
        current = looked_again(runtime, subject) if record.export.state == "running" else subject
        return blocker(record, current)

    reason = ctx.claim(begin(subject, ctx.now), guard)
    if reason:
        return StepResult("in_progress", reason)
    record: SourceRecord = ctx.record  # type: ignore[assignment]
    attempt, object_name = record.export.attempt, image_object(config.object_prefix, image.id)
    try:
        par = runtime.objects.create_par(
            config.staging_bucket,
            par_name("export", image.id, runtime.region, attempt),
            object_name,
            "ObjectWrite",
            ctx.now + par_lifetime(config, image.size_in_mbs),
        )
    except NotFound as exc:
        # A 404 is IAM refusing PAR_MANAGE (or the deployment's bucket gone); left running, the next
        # attempt would count this one, which never ran, as an export that ended without its object.
        return refusal(ctx, attempt, exc, "the export's write PAR was refused", "pars")
    except TransientError as exc:
        why = f"the export's write PAR was not made: {exc.reason}"
        return StepResult("errored", why, released(attempt, why), retry=True)
    with lend(runtime, config.staging_bucket, par) as lent:
        try:
            work_request = runtime.compute.export_image(
                image.id, lent.par.uri, retry_token("export", image.id, runtime.region, object_name, str(attempt))
            )
        except Conflict as exc:
            return StepResult(
                "in_progress", f"another export of the image holds it: {exc.reason}", released(attempt, exc.reason)
            )
        except NotFound as exc:
            # The image was just seen: a 404 here is IAM's refusal (OCI answers both alike).
            return refusal(ctx, attempt, exc, "ExportImage refused", "change-images")
        except PermanentError as exc:
            why = f"image cannot be exported: {exc.reason}"
            key = f"gave-up:export:{attempt}"
            notify_once(
                ctx,
                key,
                f"Replication of {image.display_name} failed",
                {
                    "event": "replication-failed",
                    "source_image_id": image.id,
                    "source_region": runtime.region,
                    "target_regions": list(decision.targets),
                    "error": why,
                },
            )
            return StepResult(
                "errored",
                why,
                failed(attempt, why, ctx.now, permanent=True, config=config, notice=key),
            )
        except TransientError:
            # The answer was lost, not necessarily the request: an export that did start needs its
            # PAR until it ends, so keep it if the image now reads EXPORTING.
            if runtime.compute.get_image(image.id).lifecycle_state != "EXPORTING":
                return StepResult(
                    "errored",
                    "ExportImage did not answer and no export started",
                    released(attempt, "ExportImage did not answer"),
                    retry=True,
                )
            logs.info("ExportImage did not answer, but the image is exporting")
            work_request = None
        lent.keep()  # the export writes through it; distribute deletes it
        return StepResult(
            "started",
            f"exporting to {config.staging_bucket} for {', '.join(decision.targets)}",
            started(attempt, lent.par.id, work_request),
        )


def refusal(ctx: StepContext, attempt: int, exc: NotFound, what: str, grant: str) -> StepResult:
    """A call IAM refused: not the image's fault, so the attempt is not counted, and each pass tries
    again until the grant is there; the refused call is counted for the calls-refused alarm."""
    ctx.runtime.metrics.add(refusal_points(ctx.runtime.region, refused(exc), ctx.now))
    why = f"{what}, tried again at each pass (is '{grant}' granted?): {exc.reason}"
    return StepResult("errored", why, failed(attempt, why, ctx.now, permanent=False, config=ctx.config, counted=False))


def new_record(runtime: Runtime, subject: SourceImage) -> SourceRecord:
    return SourceRecord(
        source_image_id=subject.image.id, source_region=runtime.region, display_name=subject.image.display_name
    )


def notify_once(ctx: StepContext, key: str, title: str, body: dict) -> bool:
    """Publish a notice unless the record says it was sent; the caller records `key` in its change."""
    record = ctx.record
    if record is not None and key in getattr(record, "notices", ()):
        return False
    sent = ctx.runtime.notifier.publish(title, body)
    logs.info("notice", key=key, sent=sent)
    return True


STEP = Step(
    "export",
    "source",
    run,
    new_record=new_record,
    routes=((EventKind.IMAGE_AVAILABLE, SourceImage),),
    action=Action.EXPORT,
)
