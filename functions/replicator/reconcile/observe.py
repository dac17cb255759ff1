"""One snapshot of this region's own part, taken with a bounded number of calls.

Per pass: the images of each configured compartment (sources and the replicas living
here), one listing of the staging bucket and one of the landing bucket, and each record.
Nothing here calls another region.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from .. import logs
from ..decision import decide
from ..errors import NotFound, ReplicatorError
from ..gateways.objects import ObjectSummary
from ..images import ImageFacts
from ..naming import (
    AckName,
    LandedObject,
    SettledMark,
    acks_prefix,
    etag_version,
    image_object,
    parse_ack,
    parse_landed,
    parse_settled,
    source_id_from_record,
)
from ..records.replica import ReplicaRecord
from ..records.source import SourceRecord
from ..records.store import Read
from ..runtime import Runtime
from ..steps.acknowledge import genuine
from ..steps.landed import newest_landed_manifest
from .settled import replica_mark_holds, shapes_changed, shapes_due, source_mark_holds, with_leftovers


@dataclass
class Observed:
    region: str
    images: dict[str, ImageFacts] = field(default_factory=dict)  # live images of the scanned compartments
    replicas: dict[str, ImageFacts] = field(default_factory=dict)  # source id -> its replica here
    staging: dict[str, ObjectSummary] = field(default_factory=dict)
    landing: dict[str, ObjectSummary] = field(default_factory=dict)
    source_records: dict[str, Read] = field(default_factory=dict)
    replica_records: dict[str, Read] = field(default_factory=dict)
    acks: dict[str, list[AckName]] = field(default_factory=lambda: defaultdict(list))
    landed: dict[str, list[LandedObject]] = field(default_factory=lambda: defaultdict(list))
    # Replications known settled from their marks (their records not read this pass).
    settled_sources: dict[str, SettledMark] = field(default_factory=dict)
    settled_replicas: dict[str, SettledMark] = field(default_factory=dict)
    shapes_changed: set[str] = field(default_factory=set)  # settled sources whose daily look found new shapes
    # Records left unread this pass (past IR_RECONCILE_MAX_READS), by side: planned by a later pass.
    deferred: dict[str, set[str]] = field(default_factory=lambda: {"source": set(), "replica": set()})
    reads: int = 0
    leftovers: set[str] = field(default_factory=set)  # source ids whose export or manifests staging still holds
    first_deferred: str | None = None  # where the next pass starts
    cursor: str | None = None  # where this one started (the last pass's stop)
    marks: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))  # every mark's name
    problems: list[str] = field(default_factory=list)  # what could not be looked at (the pass goes on)

    @property
    def sources(self) -> dict[str, ImageFacts]:
        return {i.id: i for i in self.images.values() if not i.replica_of}


def _list_images(runtime: Runtime, compartment: str, seen: Observed) -> None:
    try:
        for image in runtime.compute.list_images(compartment):
            if image.lifecycle_state == "DELETED":
                continue
            seen.images[image.id] = image
            if image.replica_of:
                known = seen.replicas.get(image.replica_of)
                # The AVAILABLE one wins over an import still running or one that failed.
                if known is None or (known.lifecycle_state != "AVAILABLE" and image.lifecycle_state == "AVAILABLE"):
                    seen.replicas[image.replica_of] = image
    except ReplicatorError as exc:
        seen.problems.append(f"compartment {compartment}: {exc.reason}")
        logs.warning("compartment not listed", compartment=compartment, reason=exc.reason)


def _list_bucket(runtime: Runtime, bucket: str, seen: Observed) -> dict[str, ObjectSummary]:
    try:
        return {o.name: o for o in runtime.objects.list_objects(bucket, runtime.config.object_prefix)}
    except ReplicatorError as exc:
        seen.problems.append(f"bucket {bucket}: {exc.reason}")
        logs.warning("bucket not listed", bucket=bucket, reason=exc.reason)
        return {}


def observe(runtime: Runtime, start_at: str | None = None) -> Observed:
    """`start_at`: the replication the last pass stopped at; records are read from there on."""
    config, now = runtime.config, runtime.now()
    seen = Observed(runtime.region)
    compartments = list(
        dict.fromkeys([*config.compartments, *([config.target_compartment_id] if config.target_compartment_id else [])])
    )
    for compartment in compartments:
        _list_images(runtime, compartment, seen)
    seen.staging = _list_bucket(runtime, config.staging_bucket, seen)
    seen.landing = _list_bucket(runtime, config.landing_bucket, seen)
    for name in seen.staging:
        ack = parse_ack(config.object_prefix, name)
        if ack is not None and genuine(runtime, ack):
            seen.acks[ack.source_id].append(ack)
    for name in seen.landing:
        landed = parse_landed(config.object_prefix, name)
        if landed is not None:
            seen.landed[landed.source_id].append(landed)
    marks: dict[tuple[str, str], dict[str, SettledMark]] = defaultdict(dict)
    for name in seen.staging:
        mark = parse_settled(config.object_prefix, name)
        if mark is not None:
            marks[(mark.side, mark.source_id)][mark.version] = mark
            seen.marks[(mark.side, mark.source_id)].append(name)
    sources = seen.sources
    seen.leftovers = leftovers = with_leftovers(seen.staging, config.object_prefix)
    seen.cursor = current_cursor(seen.staging, config.object_prefix)
    # From where the last pass stopped: the records it could not read come first.
    start = seen.cursor or ""
    ordered = sorted(seen.staging.items(), key=lambda kv: (kv[0].rsplit("/", 1)[-1] < start, kv[0]))
    for name, summary in ordered:
        source_id = source_id_from_record(config.object_prefix, "source", name)
        if source_id is None:
            continue
        mark = marks[("source", source_id)].get(etag_version(summary.etag)) if summary.etag else None
        image = sources.get(source_id)
        decision = decide(image, runtime.region, config) if image is not None else None
        held = mark is not None and source_mark_holds(
            mark, image, decision, seen.acks.get(source_id, []), source_id in leftovers, config
        )
        if mark is not None and held and image is not None:
            seen.settled_sources[source_id] = mark
            if shapes_due(mark, now):
                # The daily look, one call: the source's shapes against the last manifest's.
                try:
                    if shapes_changed(mark, image, runtime.compute.list_shapes(source_id), config):
                        seen.shapes_changed.add(source_id)
                except ReplicatorError as exc:
                    seen.problems.append(f"shapes of {source_id}: {exc.reason}")
            continue
        _read(runtime, "source", source_id, name, seen.source_records, seen)
    replica_marks: dict[str, tuple[SettledMark, str]] = {}
    for name, summary in ordered:
        source_id = source_id_from_record(config.object_prefix, "replica", name)
        if source_id is None:
            continue
        mark = marks[("replica", source_id)].get(etag_version(summary.etag)) if summary.etag else None
        if mark is not None:
            replica_marks[source_id] = (mark, name)  # judged once every compartment is listed
        else:
            _read(runtime, "replica", source_id, name, seen.replica_records, seen)
    # Replicas live in the target compartment, else in their source's: list any compartment a
    # record or a mark names that the configuration does not.
    named = {
        r.record.manifest.source_compartment_id
        for r in seen.replica_records.values()
        if r.record is not None and r.record.manifest is not None
    } | {m.compartment_id for m, _ in replica_marks.values()}
    extra = (set() if config.target_compartment_id else named) - set(compartments) - {""}
    for compartment in sorted(extra):
        _list_images(runtime, compartment, seen)
    for source_id, (mark, name) in replica_marks.items():
        if replica_mark_holds(mark, seen.replicas.get(source_id), seen.landed.get(source_id, [])):
            seen.settled_replicas[source_id] = mark
        else:
            _read(runtime, "replica", source_id, name, seen.replica_records, seen)
    return seen


def cursor_object(prefix: str) -> str:
    return f"{prefix}reconcile/cursor"


def current_cursor(staged, prefix: str) -> str | None:
    """Where the last pass ran out (of time or of reads): its name says it, no read needed."""
    head = cursor_object(prefix) + "."
    return next((n[len(head) :] for n in staged if n.startswith(head)), None)


def _read(runtime: Runtime, side: str, source_id: str, name: str, records: dict[str, Read], seen: Observed) -> None:
    if seen.reads >= runtime.config.reconcile_max_reads:
        seen.deferred[side].add(source_id)
        seen.first_deferred = seen.first_deferred or source_id
        return
    seen.reads += 1
    try:
        records[source_id] = runtime.records.read(side, source_id)  # type: ignore[arg-type]
    except ReplicatorError as exc:
        seen.problems.append(f"record {name}: {exc.reason}")


# ----- rebuilding a damaged record from what is observed ---------------------------------------
def rebuild_source(runtime: Runtime, source_id: str) -> SourceRecord | None:
    """The source side of a replication as the cloud shows it: the image, its export, the answers."""
    config = runtime.config
    try:
        image = runtime.compute.get_image(source_id)
    except NotFound:
        image = None
    record = SourceRecord(source_image_id=source_id, source_region=runtime.region)
    if image is not None:
        record.display_name, record.compartment_id, record.size_in_mbs = (
            image.display_name,
            image.compartment_id,
            image.size_in_mbs,
        )
        for target in decide(image, runtime.region, config).targets:
            record.target(target)
    exported = runtime.objects.head(config.staging_bucket, image_object(config.object_prefix, source_id))
    if exported is not None:
        record.observed_export("done", exported.size)
    elif image is not None and image.lifecycle_state == "EXPORTING":
        record.observed_export("running")
    answers = [
        a
        for a in (
            parse_ack(config.object_prefix, o.name)
            for o in runtime.objects.list_objects(config.staging_bucket, acks_prefix(config.object_prefix, source_id))
        )
        if a and genuine(runtime, a)
    ]
    record.manifest_issued = max((a.issued for a in answers), default=0)
    now = runtime.now()
    for ack in sorted(answers, key=lambda a: a.rank):
        record.apply_answer(
            ack,
            ack.object(config.object_prefix),
            now,
            on_replica_deleted=config.on_replica_deleted,
            max_attempts=config.max_attempts,
        )
    if image is None and record.targets and all(p.state == "deleted" for p in record.targets.values()):
        record.close("source image deleted")
    return record


def rebuild_replica(runtime: Runtime, source_id: str) -> ReplicaRecord | None:
    """The target side as the cloud shows it: what landed here, and the replica if there is one."""
    config = runtime.config
    found = newest_landed_manifest(runtime, source_id)
    if found is None:
        return None
    manifest, name = found
    record = ReplicaRecord(
        source_image_id=source_id,
        source_region=manifest.source_region,
        target_region=runtime.region,
        display_name=manifest.display_name,
    )
    record.manifest, record.manifest_object = manifest, name
    compartment = config.target_compartment_id or manifest.source_compartment_id
    replicas = [i for i in runtime.compute.list_images(compartment, manifest.display_name) if i.replica_of == source_id]
    if replicas:
        replica = replicas[0]
        record.observed_import(replica.id)
    return record
