"""A reconcile pass: observe, plan each target region, drive it one step through the stage code."""

import time
from datetime import datetime, timezone

from pydantic import BaseModel

from .. import logs
from ..decision import Decision, decide
from ..errors import ReplicatorError, TransientError
from ..images import ImageFacts
from ..manifest import ReplicaSpec, ReplicationManifest
from ..naming import PROVENANCE_TAG, SOURCE_REGION_TAG, image_object, manifest_object
from ..stages import export_completed, image_created, import_completed, object_arrived
from ..stages.context import Runtime, Step
from ..status import StatusRecord
from .observe import World, copy_state, observe
from .plan import GAVE_UP, Planned, SourceView, TargetView, next_action


class PlannedStep(BaseModel):
    source_image_id: str
    display_name: str
    region: str
    action: str
    reason: str
    error: str | None = None


class PassReport(BaseModel):
    region: str
    dry_run: bool
    images: int
    steps: list[PlannedStep] = []
    cleaned: list[str] = []
    unfinished: int = 0  # images left for the next pass when the time budget ran out


def run_pass(runtime: Runtime, *, dry_run: bool = False, now: datetime | None = None) -> PassReport:
    """One reconcile pass over the runtime's region as a source region."""
    config = runtime.config
    clock = datetime.now(timezone.utc)
    step = Step(runtime, runtime.region, None, max(clock, now) if now else clock)
    world = observe(runtime, lambda image: decide(image, runtime.region, config).targets)
    report = PassReport(region=runtime.region, dry_run=dry_run, images=len(world.sources))
    deadline = time.monotonic() + config.reconcile_budget_seconds
    for n, image in enumerate(sorted(world.sources.values(), key=lambda i: i.id)):
        if time.monotonic() > deadline:
            report.unfinished = len(world.sources) - n
            logs.warning("reconcile budget spent", unfinished=report.unfinished)
            break
        with logs.bound(source_image_id=image.id):
            try:
                report.steps += _reconcile_image(step, world, image, dry_run)
            except TransientError as exc:
                logs.warning("reconcile step failed; next pass retries", reason=exc.reason)
                report.steps.append(PlannedStep(source_image_id=image.id, display_name=image.display_name, region=runtime.region, action="wait", reason="transient error", error=exc.reason))
    if not dry_run:
        report.cleaned = _clean_up(step, world)
    return report


def _reconcile_image(step: Step, world: World, image: ImageFacts, dry_run: bool) -> list[PlannedStep]:
    config, runtime = step.config, step.runtime
    decision = decide(image, step.region, config)
    record = world.records.get(image.id)
    if not decision.replicate:
        if record is not None and record.closed is None and not dry_run and not decision.opted_in:
            step.record(image.id, step.region, image.display_name, lambda r: setattr(r, "closed", "no longer opted in"))
        return []
    spec = ReplicaSpec.of_source(image, runtime.compute.list_shapes(step.region, image.id), config.opt_in_tag, config.opt_in_defined)
    source = SourceView(image=image, exported=image_object(config.object_prefix, image.id) in world.staging, spec_fingerprint=spec.fingerprint())
    plans: list[Planned] = []
    for target in decision.targets:
        entry = record.targets.get(target) if record else None
        view = TargetView(
            region=target,
            record=entry,
            replica=world.replica(target, image.id),
            landed=image_object(config.object_prefix, image.id) in world.landing.get(target, set()),
            copy_state=copy_state(runtime, entry, step.now),
        )
        plans.append(next_action(source, view, config.max_attempts))
    steps = [PlannedStep(source_image_id=image.id, display_name=image.display_name, region=p.region, action=p.action, reason=p.reason) for p in plans]
    for planned in plans:
        logs.info("reconcile plan", target_region=planned.region, action=planned.action, reason=planned.reason)
    if not dry_run:
        _apply(step, world, image, decision, spec, plans)
    return steps


def _apply(step: Step, world: World, image: ImageFacts, decision: Decision, spec: ReplicaSpec, plans: list[Planned]) -> None:
    config = step.config
    by_action: dict[str, list[Planned]] = {}
    for planned in plans:
        by_action.setdefault(planned.action, []).append(planned)
    if "export" in by_action:
        targets = tuple(p.region for p in by_action["export"])
        image_created.start_export(step, image, Decision(opted_in=True, targets=targets))
    if "copy" in by_action:
        failed = [p.region for p in by_action["copy"] if p.reason == "copy failed"]
        if failed:

            def copy_failed(record: StatusRecord):
                for target in failed:
                    record.fail(target, "copy", "copy work request FAILED", step.now)

            _record(step, image, copy_failed)
        targets = tuple(p.region for p in by_action["copy"])
        export_completed.distribute(step, image, Decision(opted_in=True, targets=targets), restart=True)
    for planned in by_action.get("import", []):
        target_step = step.in_region(planned.region)
        manifest = object_arrived.read_manifest(target_step, image.id)
        if manifest is None:
            manifest = _manifest_from_landing(step, target_step, image)
            step.runtime.objects.put(planned.region, config.landing_bucket, manifest_object(config.object_prefix, image.id), manifest.to_bytes())
        with logs.bound(target_region=planned.region):
            object_arrived.start_import(target_step, manifest)
    for planned in by_action.get("finish", []):
        target_step = step.in_region(planned.region)
        manifest = object_arrived.read_manifest(target_step, image.id) or export_completed.build_manifest(step, image, 0, None)
        with logs.bound(target_region=planned.region):
            import_completed.finish(target_step, world.replica(planned.region, image.id), manifest)
    if "repair" in by_action:
        _repair(step, image, spec, [p.region for p in by_action["repair"]], world)
    for planned in by_action.get("give_up", []):
        _give_up(step, image, planned.region)


def _manifest_from_landing(step: Step, target_step: Step, image: ImageFacts) -> ReplicationManifest:
    """Rebuild a lost manifest from the source and the landed object's size and checksum."""
    config = step.config
    landed = step.runtime.objects.head(target_step.region, config.landing_bucket, image_object(config.object_prefix, image.id))
    return export_completed.build_manifest(step, image, landed.size if landed else 0, landed.md5 if landed else None)


def repair_drift(step: Step, image: ImageFacts, record: StatusRecord) -> list[str]:
    """Bring every finished replica of `image` back in line with the source's tags and shapes."""
    config = step.config
    spec = ReplicaSpec.of_source(image, step.runtime.compute.list_shapes(step.region, image.id), config.opt_in_tag, config.opt_in_defined)
    done = [region for region, entry in record.targets.items() if entry.state == "done" and entry.replica_image_id]
    return _repair(step, image, spec, done, None, record)


def _repair(step: Step, image: ImageFacts, spec: ReplicaSpec, regions: list[str], world: World | None, record: StatusRecord | None = None) -> list[str]:
    repaired = []
    for region in regions:
        target_step = step.in_region(region)
        replica = world.replica(region, image.id) if world else None
        if replica is None and record is not None:
            replica = step.runtime.compute.get_image(region, record.targets[region].replica_image_id)
        if replica is None or replica.lifecycle_state != "AVAILABLE":
            continue
        freeform = import_completed.provenance_kept(replica, {**spec.freeform_tags, PROVENANCE_TAG: image.id, SOURCE_REGION_TAG: step.region})
        with logs.bound(target_region=region, replica_image_id=replica.id):
            if import_completed.apply_spec(target_step, replica, spec, freeform):
                repaired.append(region)
                logs.info("replica brought in line with its source")
        fingerprint = spec.fingerprint()
        _record(step, image, lambda r, reg=region, spec_id=fingerprint: setattr(r.region(reg), "applied_spec", spec_id))
    return repaired


def _give_up(step: Step, image: ImageFacts, region: str) -> None:
    holder = {}

    def mark(record: StatusRecord):
        entry = record.region(region)
        tries = entry.attempts - entry.counted_from
        entry.last_error = f"{GAVE_UP} {tries} attempt{'s' if tries != 1 else ''}: {entry.last_error or 'unknown error'}"
        holder["error"] = entry.last_error

    _record(step, image, mark)
    logs.error("replication given up", target_region=region, reason=holder.get("error"))
    step.runtime.notifier.publish(
        f"Replication of {image.display_name} to {region} failed",
        {"event": "replication-failed", "source_image_id": image.id, "source_region": step.region, "target_region": region, "error": holder.get("error")},
    )


def _record(step: Step, image: ImageFacts, change) -> None:
    step.record(image.id, step.region, image.display_name, change)


def _clean_up(step: Step, world: World) -> list[str]:
    """Remove what finished or abandoned replications left; never touch one still in flight."""
    config, objects, region = step.config, step.runtime.objects, step.region
    cleaned = []
    for source_id, record in world.records.items():
        finished = bool(record.targets) and record.state == "done"
        abandoned = source_id in world.gone or record.closed is not None
        if not (finished or abandoned):
            continue
        name = image_object(config.object_prefix, source_id)
        try:
            if name in world.staging:
                objects.delete(region, config.staging_bucket, name)
                cleaned.append(f"{region}/{config.staging_bucket}/{name}")
            objects.delete_pars(region, config.staging_bucket, name)
            for target in record.targets:
                for leftover in (name, manifest_object(config.object_prefix, source_id)):
                    if leftover in world.landing.get(target, set()):
                        objects.delete(target, config.landing_bucket, leftover)
                        cleaned.append(f"{target}/{config.landing_bucket}/{leftover}")
                objects.delete_pars(target, config.landing_bucket, name)
            if source_id in world.gone:
                cleaned += _source_deleted(step, world, source_id, record)
        except ReplicatorError as exc:
            logs.warning("cleanup incomplete; next pass retries", source_image_id=source_id, reason=exc.reason)
    for bucket_region, bucket in [(region, config.staging_bucket), *[(t, config.landing_bucket) for t in world.landing]]:
        cleaned += [f"{bucket_region}/{bucket}/par:{name}" for name in objects.delete_expired_pars(bucket_region, bucket, step.now)]
    return cleaned


def _source_deleted(step: Step, world: World, source_id: str, record: StatusRecord) -> list[str]:
    """Apply the source-deletion policy, only to images that carry this source's provenance tag."""
    removed = []
    if step.config.on_source_deleted == "delete":
        for target in record.targets:
            replica = world.replica(target, source_id)
            if replica is not None and replica.replica_of == source_id:
                step.runtime.compute.delete_image(target, replica.id)
                removed.append(f"{target}/image/{replica.id}")
                logs.info("replica deleted with its source", target_region=target, replica_image_id=replica.id)
    if record.closed is None:
        step.record(source_id, step.region, record.display_name, lambda r: setattr(r, "closed", "source image deleted"))
    return removed
