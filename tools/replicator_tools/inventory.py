"""What the operator commands read, in every region they need: images, decisions, records."""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from replicator.api import (
    LATEST_TAG,
    STALE_AFTER,
    AckName,
    Decision,
    ImageFacts,
    ImageProtection,
    Judged,
    NotFound,
    PassHealth,
    ReplicaRecord,
    ReplicatorError,
    Runtime,
    SourceRecord,
    acks_prefix,
    decide,
    drill_outcome,
    family_of,
    health_object,
    judged,
    parse_ack,
    parse_settled,
    place,
    protection,
    records_prefix,
    settled_prefix,
    source_id_from_record,
    unconfirmed,
    unheard,
    unrelayed,
    unseen,
    unsure_targets,
)

from .report import ImageReport, from_decision, merged

RuntimeFor = Callable[[str], Runtime]


def source_images(runtime: Runtime, compartments: list[str]) -> list[ImageFacts]:
    """Live images in the compartments of the runtime's region that are not replicas."""
    images = []
    for compartment in compartments:
        images += [
            i for i in runtime.compute.list_images(compartment) if i.lifecycle_state != "DELETED" and not i.replica_of
        ]
    return images


def images_named(runtime: Runtime, compartments: list[str], name: str) -> list[ImageFacts]:
    """Source images of the compartments whose display name is `name` (a filtered listing each)."""
    found = []
    for compartment in compartments:
        found += [
            i
            for i in runtime.compute.list_images(compartment, display_name=name)
            if i.lifecycle_state != "DELETED" and not i.replica_of and i.display_name == name
        ]
    return found


def replicas_named(runtime: Runtime, compartments: list[str], name: str) -> list[ImageFacts]:
    """Replicas of the compartments whose display name (their source's) is `name`."""
    found = []
    for compartment in compartments:
        found += [
            i
            for i in runtime.compute.list_images(compartment, display_name=name)
            if i.lifecycle_state != "DELETED" and i.replica_of and i.display_name == name
        ]
    return found


def plan(runtime: Runtime, compartments: list[str]) -> list[tuple[ImageFacts, Decision]]:
    """Each source image with the decision the function would take for it now."""
    return [(image, decide(image, runtime.region, runtime.config)) for image in source_images(runtime, compartments)]


def source_record(runtime: Runtime, image_id: str) -> SourceRecord | None:
    found = runtime.records.read("source", image_id)
    return found.record


def replica_records(
    runtime_for: RuntimeFor, record: SourceRecord
) -> tuple[dict[str, ReplicaRecord | None], dict[str, str]]:
    """Each target region's record of this replication, read in that region; a note where it cannot be."""
    found: dict[str, ReplicaRecord | None] = {}
    notes: dict[str, str] = {}
    for region in sorted(record.targets):
        alias = place(region).alias
        if alias is not None:
            # Another tenancy: its records are its own; what it answered is what this one knows.
            found[region], notes[region] = None, f"in tenancy {alias}: as its answers say"
            continue
        try:
            read = runtime_for(region).records.read("replica", record.source_image_id)
        except ReplicatorError as exc:
            found[region], notes[region] = None, f"{region} not readable: {exc.reason}"
            continue
        found[region] = read.record
        if read.problem:
            notes[region] = f"record unreadable ({read.problem}); the next pass there rebuilds it"
    return found, notes


def recorded_sources(runtime: Runtime) -> list[str]:
    """The source ids the staging bucket holds a record of: in `records/`, or folded into a settled mark."""
    prefix, bucket = runtime.config.object_prefix, runtime.config.staging_bucket
    ids = [
        source_id_from_record(prefix, "source", s.name)
        for s in runtime.objects.list_objects(bucket, records_prefix(prefix, "source"))
    ]
    for summary in runtime.objects.iter_objects(bucket, settled_prefix(prefix, "source")):
        mark = parse_settled(prefix, summary.name)
        if mark is not None and mark.folded:
            ids.append(mark.source_id)
    return sorted({i for i in ids if i})


def report_for(runtime_for: RuntimeFor, record: SourceRecord) -> ImageReport:
    replicas, notes = replica_records(runtime_for, record)
    return merged(record, replicas, notes)


def reports(
    runtime: Runtime, runtime_for: RuntimeFor, compartments: list[str], image_ids: list[str]
) -> list[ImageReport]:
    """One report per source image: its records merged, or its decision if it has none."""
    config, region = runtime.config, runtime.region
    if image_ids:
        out = []
        for image_id in image_ids:
            record = source_record(runtime, image_id)
            if record is not None:
                out.append(report_for(runtime_for, record))
                continue
            try:
                image = runtime.compute.get_image(image_id)
            except NotFound:
                raise NotFound(f"image {image_id} not found in {region}") from None
            out.append(from_decision(image, region, decide(image, region, config)))
        return out
    found: dict[str, ImageReport] = {}
    for source_id in recorded_sources(runtime):
        record = source_record(runtime, source_id)
        if record is not None:
            found[record.source_image_id] = report_for(runtime_for, record)
    for image, decision in plan(runtime, compartments):
        if image.id not in found and decision.opted_in:
            found[image.id] = from_decision(image, region, decision)
    return sorted(found.values(), key=lambda r: (r.display_name, r.source_image_id))


Planned = list[tuple[ImageFacts, Decision]]


def protections(
    runtime: Runtime,
    compartments: list[str],
    planned: Planned | None = None,
    *,
    runtime_for: RuntimeFor | None = None,
    health: Mapping[str, PassHealth | str | None] | None = None,
) -> list[ImageProtection]:
    """How well each opted-in source image of the compartments is protected now, as the pass measures it;
    with `runtime_for` (or the regions' pass reports, `health`, if the caller read them already), also
    as far as each target region's passes still report (`silent_regions`).

    `planned`: the compartments' images with their decisions, if the caller has them already."""
    config, region, now = runtime.config, runtime.region, runtime.now()
    listed: dict[str, list[AckName]] = {}
    for summary in runtime.objects.list_objects(config.staging_bucket, acks_prefix(config.object_prefix)):
        ack = parse_ack(config.object_prefix, summary.name)
        if ack is not None:
            listed.setdefault(ack.source_id, []).append(ack)
    answers: dict[str, list[AckName]] = {}
    doubted: dict[str, set[str]] = {}
    unchecked: dict[str, list[AckName]] = {}
    for source_id, group in listed.items():
        checked = believed(runtime, group)
        answers[source_id], doubted[source_id] = checked.believed, checked.doubted_targets
        unchecked[source_id] = checked.unchecked
    out = []
    for image, decision in plan(runtime, compartments) if planned is None else planned:
        if not decision.opted_in:
            continue
        record = source_record(runtime, image.id) if decision.replicate else None
        unsure = doubted.get(image.id, set()) | unsure_targets(unchecked.get(image.id, []), record)
        found = protection(image, region, decision, record, answers.get(image.id, []), now, unsure)
        if found is not None:
            out.append(with_drill_reasons(runtime, found, listed.get(image.id, [])))
    if health is None and runtime_for is not None:
        targets = {t.region for p in out for t in p.targets if place(t.region).alias is None}
        # The source region's own report too: answers of other tenancies are heard only through it.
        sources = {p.source_region for p in out if any(place(t.region).alias for t in p.targets)}
        health = pass_health(runtime_for, sorted(targets | sources))
    if health is not None:
        silent = silent_regions(health, now)
        out = [unrelayed(unconfirmed(p, silent, now, STALE_AFTER), silent, now, STALE_AFTER) for p in out]
        mute, blind = mute_regions(health), blind_regions(health)
        out = [unseen(unheard(p, mute), blind) for p in out]
    return sorted(out, key=lambda p: (p.display_name, p.source_image_id))


def with_drill_reasons(runtime: Runtime, found: ImageProtection, listed: list[AckName]) -> ImageProtection:
    """A failed drill's reason, read from the body of the answer that carried it (a copy of the target's
    record; one read per failed drill shown). The name is what was checked: the body is only shown."""
    prefix, bucket = runtime.config.object_prefix, runtime.config.staging_bucket
    targets = []
    for target in found.targets:
        said = next((a for a in listed if a.target == target.region and a.drill and a.drill == target.drill), None)
        if said is None or drill_outcome(target.drill) in (None, "booted"):
            targets.append(target)
            continue
        reason = ""
        got = runtime.objects.get(bucket, said.object(prefix))
        if got is not None:
            try:
                last = ReplicaRecord.model_validate_json(got[0]).drill.last_counted()
                reason = " ".join((last.reason if last else "").split())[:200]
            except ValueError:
                reason = "(its record could not be read)"
        targets.append(target.model_copy(update={"drill_reason": reason}))
    return found.model_copy(update={"targets": tuple(targets)})


def silent_regions(found: Mapping[str, PassHealth | str | None], now) -> dict[str, datetime | None]:
    """The regions whose passes have stopped reporting, each with its last report's time, or None
    for a region that never reported."""
    silent: dict[str, datetime | None] = {
        r: h.at for r, h in found.items() if isinstance(h, PassHealth) and h.stale(now)
    }
    silent.update({r: None for r, h in found.items() if h is None})
    return silent


def mute_regions(found: Mapping[str, PassHealth | str | None]) -> dict[str, str]:
    """The regions whose last pass could not read the signing key they answer with, and why."""
    mute = {}
    for region, health in found.items():
        if isinstance(health, PassHealth):
            refusal = next((r for r in health.refusals if r.operation == "GetSecretBundle"), None)
            if refusal is not None:
                mute[region] = refusal.reason or f"GetSecretBundle answered {refusal.status}"
    return mute


# What a region's pass reads its replicas with: refused, it cannot see one go.
IMAGE_READS = ("ListImages", "GetImage")


def blind_regions(found: Mapping[str, PassHealth | str | None]) -> dict[str, str]:
    """The regions whose last pass could not list or read the images it keeps replicas among, and why."""
    blind = {}
    for region, health in found.items():
        if isinstance(health, PassHealth):
            refusal = next((r for r in health.refusals if r.operation in IMAGE_READS), None)
            if refusal is not None:
                blind[region] = refusal.reason or f"{refusal.operation} answered {refusal.status}"
    return blind


def believed(runtime: Runtime, answers: list[AckName]) -> Judged:
    """The pass's check of a replication's answers, without its quarantine: the operator's view changes
    nothing. Answers that cannot be checked (the key unreadable with the operator's rights) are not
    believed: the record, which the pass writes only from checked answers, then speaks alone."""
    try:
        return judged(runtime, answers, remove=False)
    except ReplicatorError:
        return Judged(unchecked=list(answers))


def pass_health(runtime_for: RuntimeFor, regions: list[str]) -> dict[str, PassHealth | str | None]:
    """Each region's last pass report (`health/<region>.json` in its staging bucket), None where no
    pass has reported yet, or why it could not be read."""
    found: dict[str, PassHealth | str | None] = {}
    for region in regions:
        runtime = runtime_for(region)
        config = runtime.config
        try:
            got = runtime.objects.get(config.staging_bucket, health_object(config.object_prefix, region))
        except ReplicatorError as exc:
            found[region] = f"not readable: {exc.reason}"
            continue
        if got is None:
            found[region] = None
            continue
        try:
            found[region] = PassHealth.model_validate_json(got[0])
        except ValueError as exc:
            found[region] = f"unreadable report: {' '.join(str(exc).split())[:120]}"
    return found


def with_progress(found: list[ImageReport], runtime_for: RuntimeFor, now) -> list[ImageReport]:
    """The reports with each work request in flight read now, in the region where it runs.

    Only the operator's command reads these (on demand): the functions never poll.
    """
    for report in found:
        for region in report.regions:
            if not region.work_request_region:
                continue
            runtime = runtime_for(region.work_request_region)
            try:
                if region.work_request_id is None and region.import_lookup is not None:
                    compartment, name = region.import_lookup
                    compartment = runtime.config.target_compartment_id or compartment
                    seen = runtime.compute.import_in_flight(compartment, name, report.source_image_id)
                    if seen is not None:
                        region.replica_image_id = region.replica_image_id or seen[0]
                        region.work_request_id = seen[1]
                if region.work_request_id is None:
                    continue
                if region.stage == "copy":
                    progress = runtime.objects.work_progress(region.work_request_id)
                else:
                    progress = runtime.compute.work_progress(region.work_request_id)
            except ReplicatorError as exc:
                region.note = region.note or f"progress not readable in {region.work_request_region}: {exc.reason}"
                continue
            region.progress, region.seconds_left = progress, progress.seconds_left(now)
    return found


class FamilyVersion(BaseModel):
    """A family's newest version in one region: its latest replica (or, in its source region, its newest image)."""

    model_config = ConfigDict(defer_build=True)

    family: str
    region: str
    image_id: str
    display_name: str
    time_created: datetime | None = None
    kind: str  # "replica": the region's marked latest replica; "source": the newest source image there
    kept: int = 0  # the family's live replicas (or source images) in the region


def family_images(runtime: Runtime, compartments: list[str], family: str) -> list[ImageFacts]:
    config = runtime.config
    found: dict[str, ImageFacts] = {}
    for compartment in compartments:
        for image in runtime.compute.list_images(compartment):
            if image.lifecycle_state == "AVAILABLE" and family_of(image, config) == family:
                found[image.id] = image
    return list(found.values())


def latest(runtime: Runtime, compartments: list[str], family: str) -> FamilyVersion | None:
    """What a pipeline launching from `family` in this region should use now.

    The replica marked `image-family-latest=true`; if two carry the mark (a reader between the
    two tag updates), the newer by creation time. In the family's source region, where there is
    no replica, its newest image."""
    images = family_images(runtime, compartments, family)
    replicas = [i for i in images if i.replica_of]
    marked = [i for i in replicas if i.freeform_tags.get(LATEST_TAG) == "true"]
    kind, pool, kept = "replica", marked, len(replicas)
    if not replicas:
        kind, pool, kept = "source", images, len(images)
    if not pool:
        return None
    newest = max(pool, key=lambda i: (i.time_created or datetime.min.replace(tzinfo=UTC), i.id))
    return FamilyVersion(
        family=family,
        region=runtime.region,
        image_id=newest.id,
        display_name=newest.display_name,
        time_created=newest.time_created,
        kind=kind,
        kept=kept,
    )


def family_summary(
    runtime: Runtime, runtime_for: RuntimeFor, compartments: list[str], planned: Planned | None = None
) -> list[FamilyVersion]:
    """Per family of the opted-in images, per target region: its latest version there and how many are kept.

    A region holding no marked replica of the family yet has no line."""
    config = runtime.config
    wanted: dict[str, set[str]] = {}
    for image, decision in plan(runtime, compartments) if planned is None else planned:
        family = family_of(image, config)
        if family and decision.replicate:
            wanted.setdefault(family, set()).update(decision.targets)
    where = list(
        dict.fromkeys([*([config.target_compartment_id] if config.target_compartment_id else []), *compartments])
    )
    out: list[FamilyVersion] = []
    for family, regions in sorted(wanted.items()):
        for region in sorted(r for r in regions if place(r).alias is None):  # other tenancies list their own
            version = latest(runtime_for(region), where, family)
            if version is not None and version.kind == "replica":
                out.append(version)
    return out
