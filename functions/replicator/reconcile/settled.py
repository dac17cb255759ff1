"""Settled replications, known from a mark in the staging bucket instead of a read of their record.

A pass that reads a record and finds its replication settled (every target protected or
retired, the answers applied, nothing left over, the source's tags as the last manifest
carried them; or, on a target, the replica finished and present) leaves a mark whose name
holds the record's version and what later passes need. A later pass trusts the mark only
while the record's listed version is that one and the listings show nothing it does not
explain; otherwise it reads the record as before. So a pass over settled replications costs
its listings, not a read per record.

Pure: what to mark and whether a mark still holds are functions of the record or the mark and
of what the listings show.
"""

import dataclasses
from datetime import UTC, datetime, timedelta

from ..config import ReplicatorConfig
from ..decision import Decision
from ..images import ImageFacts, ShapeEntry
from ..manifest import ReplicaSpec
from ..naming import (
    AckName,
    LandedObject,
    SettledMark,
    digest,
    drill_outcome,
    etag_version,
    images_prefix,
    manifests_prefix,
)
from ..protection import ImageProtection, TargetProtection, image_state
from ..records.replica import ReplicaRecord
from ..records.source import SourceRecord

PROTECTED, RETIRED = "p", "r"
STAMP_FORMAT = "%Y%m%d%H%M"


def shapes_slot(source_id: str, cycle_hours: int, cycle: int) -> int:
    """The hour of cycle number `cycle` at which a settled replication's source shapes are looked
    at. Drawn afresh each cycle, so images that share an hour (and may be cut by the cap on
    looks per pass) do not share it again."""
    return int(digest(f"{source_id}/{cycle}")[:8], 16) % cycle_hours


def shape_cycle_hours(settled: int, looks_per_pass: int) -> int:
    """Hours over which every settled replication gets its look: a day, or longer when a day of
    hourly passes cannot look at them all with four fifths of `looks_per_pass` on average (the
    rest absorbs the hours that draw more than their share; a pass never exceeds the cap)."""
    return max(24, -(-settled * 5 // (4 * looks_per_pass)))


def shapes_due(source_id: str, now: datetime, cycle_hours: int = 24) -> bool:
    """Whether the pass at `now` is the replication's look at its source's shapes.

    A listing shows tags but not shapes; a shape change arrives as an event, and this look
    (spread over the cycle by image) catches one whose event was lost, one call per image a cycle.
    Hours are counted in UTC since the epoch, so a 24-hour cycle is a calendar day."""
    hours = int(now.timestamp() // 3600)
    return hours % cycle_hours == shapes_slot(source_id, cycle_hours, hours // cycle_hours)


def shapes_hour(source_id: str, now: datetime) -> int:
    """The hour of `now`'s day (UTC) at which the replication's look falls, on a 24-hour cycle."""
    return shapes_slot(source_id, 24, int(now.timestamp() // 86400))


def shapes_changed(mark: SettledMark, image: ImageFacts, shapes: list[ShapeEntry], config: ReplicatorConfig) -> bool:
    """The look itself: the source's spec now against the one its last manifest carried."""
    spec = ReplicaSpec.of_source(image, shapes, config.opt_in_tag, config.opt_in_defined)
    return spec.fingerprint()[:16] != mark.spec


def protection_of(mark: SettledMark, image: ImageFacts, region: str, decision: Decision) -> ImageProtection:
    """A settled replication's protection, as its mark records it: protected or superseded everywhere."""
    states = dict(mark.states)
    targets = tuple(
        TargetProtection(region=t, state="protected")
        if states.get(t) == PROTECTED
        else TargetProtection(region=t, state="superseded", reason="a newer version of its family is kept")
        for t in decision.targets
    )
    return ImageProtection(
        source_image_id=image.id,
        display_name=image.display_name,
        source_region=region,
        compartment_id=image.compartment_id,
        state=image_state(targets),
        targets=targets,
    )


def listed_tags(image: ImageFacts, config: ReplicatorConfig) -> str:
    return ReplicaSpec.of_source(image, [], config.opt_in_tag, config.opt_in_defined).tags_fingerprint()


def answers_digest(names: list[str]) -> str:
    return digest("|".join(sorted(names)))[:16]


def listed_answers(acks: list[AckName], prefix: str) -> str:
    """What a source mark's `answers` is compared with: the newest answer of each target, listed."""
    return answers_digest(newest_answers(acks, prefix))


def newest_answers(acks: list[AckName], prefix: str) -> list[str]:
    """The newest answer of each target, as the staging bucket lists them."""
    newest: dict[str, AckName] = {}
    for ack in acks:
        if ack.target not in newest or ack.rank > newest[ack.target].rank:
            newest[ack.target] = ack
    return [a.object(prefix) for a in newest.values()]


def exported(staged, prefix: str) -> set[str]:
    """The source ids whose export the staging bucket holds (one scan of its listing)."""
    images = images_prefix(prefix)
    return {name[len(images) : -len(".oci")] for name in staged if name.startswith(images) and name.endswith(".oci")}


def with_leftovers(staged, prefix: str) -> set[str]:
    """The source ids whose export or manifests the staging bucket still holds (one scan of its listing)."""
    images, manifests = images_prefix(prefix), manifests_prefix(prefix)
    found = set()
    for name in staged:
        if name.startswith(manifests):
            found.add(name[len(manifests) :].split("/", 1)[0])
        elif name.startswith(images) and name.endswith(".oci"):
            found.add(name[len(images) : -len(".oci")])
    return found


def source_mark(
    record: SourceRecord,
    etag: str,
    image: ImageFacts | None,
    decision: Decision | None,
    acks: list[AckName],
    leftovers: bool,
    config: ReplicatorConfig,
    *,
    doubted: bool = False,
) -> SettledMark | None:
    """The mark of a settled source record, or None if anything about it is still open.

    `doubted`: answers were listed that do not verify. The status calls their target lagging, so the
    replication is not settled, or the gauges would count protected what the status does not."""
    prefix = config.object_prefix
    if image is None or decision is None or not decision.replicate or record.closed or record.lease is not None:
        return None
    if doubted:
        return None
    if record.export.state != "done" or not record.answered or record.manifest_fingerprint is None:
        return None
    if any(t not in record.targets for t in decision.targets):
        return None
    if any(p.state not in ("done", "retired") for p in record.targets.values()):
        return None
    tags = listed_tags(image, config)
    if record.tags_fingerprint != tags or leftovers:
        return None
    applied = [p.answer for p in record.targets.values() if p.answer]
    if len(applied) != len(record.targets) or sorted(applied) != sorted(newest_answers(acks, prefix)):
        return None
    states = tuple((t, PROTECTED if p.state == "done" else RETIRED) for t, p in sorted(record.targets.items()))
    spec = record.manifest_fingerprint[:16]
    return SettledMark(
        "source",
        record.source_image_id,
        etag_version(etag),
        tags=tags,
        answers=answers_digest(applied),
        states=states,
        spec=spec,
    )


def kept_answers(record: SourceRecord) -> list[str]:
    """The answers a folded record leaves listed: those that carry a failed drill, whose reason the
    status reads from their body. The others go: the record holds what they said."""
    failed = [p for p in record.targets.values() if drill_outcome(p.drill) not in (None, "booted")]
    return sorted(p.answer for p in failed if p.answer)


def folded(mark: SettledMark, record: SourceRecord) -> SettledMark:
    """`mark` as the one a folded record lives in: its `answers` digest those left listed ("" none)."""
    kept = kept_answers(record)
    return dataclasses.replace(mark, folded=True, answers=answers_digest(kept) if kept else "")


def source_mark_holds(
    mark: SettledMark,
    image: ImageFacts | None,
    decision: Decision | None,
    answers: str,
    leftovers: bool,
    config: ReplicatorConfig,
    *,
    doubted: bool = False,
) -> bool:
    """Whether the listings show nothing the mark does not explain (else the record is read).

    `answers`: `answers_digest` of the newest answers the staging bucket lists, which believes only
    those that verify; `doubted`: others were listed, which the mark cannot vouch for (`source_mark`)."""
    if image is None or decision is None or not decision.replicate or doubted:
        return False
    marked = {t for t, _ in mark.states}
    if any(t not in marked for t in decision.targets):
        return False
    if listed_tags(image, config) != mark.tags or leftovers:
        return False
    return answers == mark.answers


def replica_mark(
    record: ReplicaRecord, etag: str, replica: ImageFacts | None, landed: list[LandedObject], key: str = ""
) -> SettledMark | None:
    """`key`: the print of the key the record's answer is signed with now ("" when it could not be read)."""
    if record.lease is not None or landed or record.drill.busy:  # a drill under way moves on each pass
        return None
    replica_id = record.import_.replica_image_id or ""
    if record.state == "finished":
        if record.answer is not None and not record.answer.delivered:
            return None
        if replica is None or replica.id != replica_id or replica.lifecycle_state != "AVAILABLE":
            return None
    elif record.state == "pruned":
        if replica is not None and replica.id == replica_id and replica.lifecycle_state != "DELETED":
            return None
    else:
        return None
    compartment = replica.compartment_id if replica is not None else None
    if not compartment and record.manifest is not None:
        compartment = record.manifest.source_compartment_id
    return SettledMark(
        "replica",
        record.source_image_id,
        etag_version(etag),
        state=record.state,
        replica_id=replica_id,
        compartment_id=compartment or "",
        key=key,
        drilled=drilled_stamp(record),
    )


def drilled_stamp(record: ReplicaRecord) -> str:
    """When the replica's last counted drill ended, as its mark writes it ("" never)."""
    last = record.drill.last_counted()
    return last.ended_at.strftime(STAMP_FORMAT) if last is not None else ""


def stamped_at(stamp: str) -> datetime | None:
    """The time a mark's name writes (a drill's end, when a record may be folded); None if none."""
    try:
        return datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=UTC) if stamp else None
    except ValueError:
        return None


def stamp(when: datetime) -> str:
    """A time as a mark's name writes it, to the minute (rounded up: never before `when`)."""
    up = when.replace(second=0, microsecond=0)
    return (up if up == when else up + timedelta(minutes=1)).strftime(STAMP_FORMAT)


def fold_due(mark: SettledMark, now: datetime) -> bool:
    """Whether a pass reads a settled source's record again to fold it (`records/store.py`)."""
    due = stamped_at(mark.fold_at)
    return not mark.folded and (due is None or now >= due)


def replica_mark_holds(
    mark: SettledMark, replica: ImageFacts | None, landed: list[LandedObject], keys: frozenset[str] | None = None
) -> bool:
    """`keys`: prints of the keys this region answers with now (None: unknown). A mark made under
    another key does not hold: the record is read, and an answer signed with that key is signed again
    (else a source that holds the key put back, or rotated on both sides, doubts it for ever)."""
    if landed or (keys is not None and mark.key not in keys):
        return False
    present = replica is not None and replica.id == mark.replica_id and replica.lifecycle_state != "DELETED"
    if mark.state == "finished":
        return present and replica is not None and replica.lifecycle_state == "AVAILABLE"
    return mark.state == "pruned" and not present
