"""Source region: an export ended. Check its object, write the manifest, copy both to every target.

A copy is requested here, in the source region, and runs server-side into the target's
landing bucket with `if-none-match: *`: it never overwrites, and one that finds its object
already there has nothing left to do. Each target's copy succeeds or fails on its own.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from pydantic import ValidationError

from .. import logs
from ..actions import Action
from ..cloudevents import EventKind
from ..engine import Step, StepContext, StepResult
from ..errors import NotFound, PermanentError, PreconditionFailed, TransientError
from ..fanout import fan_out
from ..images import ImageFacts
from ..integrity import genuine_manifest
from ..manifest import ReplicaSpec, ReplicationManifest
from ..naming import INITIAL_MANIFEST, image_object, manifest_object
from ..publish import addressed, publish, stage
from ..records.source import SourceRecord
from ..runtime import Runtime
from ..subjects import SourceImage
from ..tenancies import place
from ..transfer import Entry, transfer_entries
from .export import failed as export_failed
from .export import new_record

EXPORT_LOST_OBJECT = "export finished without writing its object"


@dataclass(frozen=True)
class CopyResult:
    state: str  # copying | landed | failed | pending
    work_request_id: str | None = None  # the image's copy
    error: str | None = None
    permanent: bool = False
    manifest_work_request_id: str | None = None  # the manifest's copy: checked like the image's


def needs_copy(record: SourceRecord, only: tuple[str, ...] | None) -> list[str]:
    """Targets whose copy has not started (or failed and may be tried again)."""
    return [
        region
        for region, part in sorted(record.targets.items())
        if (only is None or region in only)
        and (part.state == "pending" or (part.state == "failed" and not part.gave_up))
    ]


def blocker(record: SourceRecord, subject: SourceImage) -> str | None:
    export = record.export
    if export.state == "none":
        return "no export of this image is running"
    if export.state == "failed":
        return f"the export failed: {export.error}"
    if export.state == "done" and not needs_copy(record, subject.only):
        return "every copy has started"
    return None


def distributed(
    attempt: int,
    size: int,
    manifest: ReplicationManifest,
    results: dict[str, CopyResult],
    now: datetime,
    max_attempts: int,
    patience: timedelta,
):
    def change(record: SourceRecord) -> None:
        record.export_done(attempt, size, now)
        spec = manifest.spec
        record.issue_manifest(manifest.name, manifest.issued, spec.fingerprint(), spec.tags_fingerprint())
        # Applied to the record as it is now, which may have moved since the copies were chosen: a
        # target that answered meanwhile (its replica finished from an earlier copy) keeps its answer,
        # and the spare copy is the target's to remove.
        wanted = set(needs_copy(record, None))
        for region, result in results.items():
            if region not in wanted:
                continue
            part = record.target(region)
            if result.state == "copying":
                part.copy_started(now, result.work_request_id, result.manifest_work_request_id)
            elif result.state == "landed":
                part.copy_landed(now)
            elif result.state == "failed":
                part.copy_failed(
                    result.error or "copy failed", now, max_attempts, patience=patience, permanent=result.permanent
                )
            else:
                part.copy_not_started(result.error or "copy not started")

    return change


def build_manifest(
    ctx: StepContext,
    image: ImageFacts,
    targets: tuple[str, ...],
    size: int,
    md5: str | None,
    attempt: int,
    *,
    name: str = INITIAL_MANIFEST,
) -> ReplicationManifest:
    config, runtime = ctx.config, ctx.runtime
    spec = ReplicaSpec.of_source(image, runtime.compute.list_shapes(image.id), config.opt_in_tag, config.opt_in_defined)
    return ReplicationManifest(
        name=name,
        issued_at=ctx.now,
        source_image_id=image.id,
        source_region=runtime.region,
        source_compartment_id=image.compartment_id or "",
        display_name=image.display_name,
        targets=targets,
        operating_system=image.operating_system,
        operating_system_version=image.operating_system_version,
        launch_mode=image.launch_mode,
        freeform_tags=spec.freeform_tags,
        defined_tags=spec.defined_tags,
        shapes=spec.shapes,
        object_name=image_object(config.object_prefix, image.id),
        object_size=size,
        object_md5=md5,
        export_attempt=attempt,
        source_time_created=image.time_created,
        transfer=config.transfer,
    )


def current_manifest(record: SourceRecord, fresh: ReplicationManifest) -> ReplicationManifest:
    """The manifest to send: the one already issued if nothing in it changed (its version stays),
    else `fresh`, a new version (named `initial` if it is the first)."""
    if record.manifest is not None and fresh.spec.fingerprint() == record.manifest_fingerprint:
        issued = datetime.fromtimestamp(record.manifest_issued / 1000, UTC)
        return fresh.model_copy(update={"name": record.manifest, "issued_at": issued})
    if record.manifest is None:
        return fresh
    return fresh.model_copy(update={"name": str(fresh.issued)})


def reissued(runtime: Runtime, fresh: ReplicationManifest) -> ReplicationManifest:
    """`fresh`, or the same version again if an earlier try of this step staged it for this export.

    A try that died after staging and copying but before its record was written left the initial
    manifest in staging and maybe at the targets, which answer about its version; a new version
    would meet that copy (412, counted as landed) and wait for answers that never come. So the
    staged one is reused when it is genuine and describes the same export and the same spec."""
    config = runtime.config
    found = runtime.objects.get(config.staging_bucket, manifest_object(config.object_prefix, fresh.source_image_id))
    if found is None:
        return fresh
    try:
        staged = ReplicationManifest.from_bytes(found[0])
    except (ValidationError, ValueError, RecursionError):
        return fresh
    same = (
        staged.kind == "replicate"
        and staged.export_attempt == fresh.export_attempt
        and staged.object_md5 == fresh.object_md5
        and staged.object_size == fresh.object_size
        and staged.spec.fingerprint() == fresh.spec.fingerprint()
    )
    if not same or not genuine_manifest(runtime.signing_key(), staged):
        return fresh
    return fresh.model_copy(update={"issued_at": staged.issued_at})


def copy_to(runtime: Runtime, target: str, objects: list[Entry]) -> CopyResult:
    """Copy `objects` (staged name, landed name, metadata: the image or its ticket, then its manifest) from
    staging to `target`'s landing bucket (of another tenancy for `<alias>:<region>`).

    Each copy that starts is tracked by its work request, so that a failed one is noticed; one
    refused because its object is already there has landed.
    """
    config = runtime.config
    namespace, region = runtime.destination(target)
    started: list[str | None] = []
    for name, landed, metadata in objects:
        try:
            started.append(
                runtime.objects.copy(
                    config.staging_bucket,
                    name,
                    region,
                    config.landing_bucket,
                    landed,
                    metadata,
                    dest_namespace=namespace,
                )
            )
        except PreconditionFailed:
            started.append(None)  # already there: an earlier copy finished
        except NotFound as exc:
            return CopyResult(
                "failed",
                error=(
                    f"no landing bucket {config.landing_bucket} in {target} (is the replicator deployed there"
                    f"{', and does that tenancy admit this one' if namespace else ''}?): {exc.reason}"
                ),
            )
        except PermanentError as exc:
            return CopyResult("failed", error=f"copy to {target} refused: {exc.reason}", permanent=True)
        except TransientError as exc:
            return CopyResult("pending", error=f"copy to {target} not started: {exc.reason}")
    image, manifest = [*started, None, None][:2]
    if image is None and manifest is None:
        return CopyResult("landed")
    return CopyResult("copying", image, manifest_work_request_id=manifest)


def run(ctx: StepContext, subject: SourceImage) -> StepResult:
    image, config, runtime = subject.image, ctx.config, ctx.runtime
    if ctx.record is None:
        return StepResult("ignored", "no export of this image is recorded here")
    if image.lifecycle_state == "EXPORTING":
        return StepResult("postponed", "the export's end arrived while the image still reads EXPORTING", retry=True)
    reason = ctx.claim(lambda r: None, lambda r: blocker(r, subject))
    if reason:
        return StepResult("in_progress", reason)
    record: SourceRecord = ctx.record
    export, object_name = record.export, image_object(config.object_prefix, image.id)
    exported = runtime.objects.head(config.staging_bucket, object_name)
    if export.par_id:
        runtime.objects.delete_par(config.staging_bucket, export.par_id)
    if exported is None:
        logs.warning(EXPORT_LOST_OBJECT, attempt=export.attempt)
        return StepResult(
            "errored",
            EXPORT_LOST_OBJECT,
            export_failed(export.attempt, EXPORT_LOST_OBJECT, ctx.now, permanent=False, config=config),
        )
    targets = tuple(sorted(record.targets))
    needing = needs_copy(record, subject.only)
    fresh = build_manifest(ctx, image, targets, exported.size, exported.md5, export.attempt)
    if record.manifest is None:
        fresh = reissued(runtime, fresh)
    manifest = addressed(runtime, current_manifest(record, fresh))
    staged = stage(runtime, manifest)
    entries = transfer_entries(runtime, image.id, needing, export.attempt, ctx.now, exported)

    def copy_one(target: str) -> CopyResult:
        with logs.bound(target_region=target):
            # The image (or its ticket) first: the manifest lands sooner, and the target waits for both.
            result = copy_to(runtime, target, [entries[target], (staged[place(target).alias], staged[None], None)])
            logs.info("copy", state=result.state, reason=result.error)
            return result

    # The targets' copies do not depend on each other: they are requested together.
    copies = fan_out([partial(copy_one, t) for t in needing], runtime.config.call_concurrency)
    results = dict(zip(needing, copies, strict=True))
    if manifest.issued > record.manifest_issued and record.manifest is not None:
        # The tags or shapes changed since the others got theirs: they follow too.
        publish(
            runtime,
            record.model_copy(update={"targets": {t: p for t, p in record.targets.items() if t not in needing}}),
            manifest,
        )
    started = [t for t, r in results.items() if r.state in ("copying", "landed")]
    change = distributed(
        export.attempt, exported.size, manifest, results, ctx.now, config.max_attempts, config.patience
    )
    if not started:
        return StepResult(
            "errored", "; ".join(r.error or "" for r in results.values()) or "no target to copy to", change
        )
    return StepResult("continued", f"copying to {', '.join(started)}", change)


STEP = Step(
    "distribute",
    "source",
    run,
    new_record=new_record,
    routes=((EventKind.EXPORT_ENDED, SourceImage),),
    action=Action.DISTRIBUTE,
)
