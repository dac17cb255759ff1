"""The next step for each replication as this region sees it: a pure function of what exists."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..actions import ABSENCE, Action
from ..config import ReplicatorConfig
from ..decision import Decision, decide
from ..families import RETIRE_GRACE, family_of, keep_of, member, plan_family
from ..images import ImageFacts
from ..manifest import ReplicaSpec
from ..naming import (
    INITIAL_MANIFEST,
    AckName,
    LandedObject,
    Side,
    image_object,
    manifest_rank,
    manifests_prefix,
    newest_manifest,
)
from ..records.replica import ReplicaRecord
from ..records.source import ANSWERED, SourceRecord, expected_copy
from ..subjects import (
    AnswerCheck,
    CopyCheck,
    DeletedSource,
    FamilyCheck,
    Leftovers,
    LostReplica,
    RecordRepair,
    Replica,
    ReplicaById,
    RetireReplica,
    SourceImage,
    Subject,
)
from .observations import Observed
from .settled import shapes_due

ANSWER_CHECK_AFTER = timedelta(minutes=30)
# Longer than a listing may lag behind a CreateImage: the import's image is listed by then.
IMPORT_VANISHED_AFTER = timedelta(hours=1)
# A manifest is a small object: its copy lands within minutes, and the target answers once it applied it.
RESEND_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Planned:
    side: Side
    source_id: str
    action: Action  # the step module it runs (run.STEPS), or NONE / WAIT
    reason: str
    subject: Subject | None = None
    target: str | None = None  # the target region concerned


def _lease_held(lease, now: datetime) -> bool:
    return lease is not None and lease.held_at(now)


def plan_source(
    source_id: str,
    image: ImageFacts | None,
    decision: Decision | None,
    record: SourceRecord | None,
    acks: list[AckName],
    staged: set[str],
    now: datetime,
    config: ReplicatorConfig,
    *,
    unchecked: bool = False,
) -> list[Planned]:
    """This region as the source: export, copies, answers, newer manifests, deletion, cleanup.
    `unchecked`: answers were listed that could not be checked (the signing key unreadable): without its
    record, they may be all that tells a replication that ran. (Answers that do not verify do not hold a
    replication back: anyone who may write in staging could stop one with a forgery.)"""
    prefix = config.object_prefix

    def planned(action: Action, reason: str, subject: Subject | None = None, target: str | None = None) -> Planned:
        return Planned("source", source_id, action, reason, subject, target)

    out: list[Planned] = []
    if record is not None:
        for target in sorted({a.target for a in acks}):
            newest = max(
                (a for a in acks if a.target == target and record.takes(a)), key=lambda a: a.rank, default=None
            )
            if newest is not None:
                out.append(
                    planned(
                        Action.ACKNOWLEDGE,
                        f"{target} answered {newest.outcome}; the event did not arrive",
                        newest,
                        target,
                    )
                )
    export_object = image_object(prefix, source_id) in staged
    manifests = sorted(n for n in staged if n.startswith(manifests_prefix(prefix, source_id)))
    leftovers = ([image_object(prefix, source_id)] if export_object else []) + manifests

    if record is None and unchecked:
        # Without its record, only the answers tell a replication that ran from one never started.
        return [*out, planned(Action.WAIT, "no record, and its answers could not be checked")]
    if image is None:
        if record is None:
            if leftovers and acks:
                # The image and its record are gone (the record removed by hand), not what the
                # replication left in staging: rebuilt from the answers, the record closes it.
                return [*out, repairs(source_id, "source", "missing, though its targets answered")]
            if leftovers:
                # Nor did any target answer (it refused what it was sent, under a key since put
                # back): nothing will send or read these again.
                gone = "leftovers of a replication whose source, record and answers are gone"
                return [*out, planned(Action.CLEANUP, gone, Leftovers(source_id, "source", tuple(leftovers)))]
            return out
        if record.closed or record.manifest_fingerprint == "deleted":
            # A closed replication sends nothing more: once no copy reads from staging, what it left
            # there has no use (its targets may have answered an earlier deletion than the newest).
            over = record.closed and not any(p.state == "copying" for p in record.targets.values())
            if (record.answered or record.deletion_answered or over) and leftovers:
                out.append(
                    planned(
                        Action.CLEANUP,
                        "leftovers of a closed replication",
                        Leftovers(source_id, "source", tuple(leftovers)),
                    )
                )
            elif not record.closed and (why := deletion_behind(record, now)):
                # The deletion did not reach a target (its copy failed on the way, or the target refused
                # it under a key since put back): it is sent again.
                deletion = DeletedSource(source_id, record.display_name)
                out.append(planned(Action.TOMBSTONE, why, deletion))
            elif not record.closed and record.awaiting_deletion():
                out.append(planned(Action.WAIT, "the deletion's answers are awaited"))
            return out
        return [
            *out,
            planned(Action.TOMBSTONE, "the source image is gone", DeletedSource(source_id, record.display_name)),
        ]
    assert decision is not None
    subject = SourceImage(image, decision, export_object)
    if not decision.opted_in:
        if record is not None and not record.closed and record.manifest_fingerprint != "deleted":
            out.append(planned(Action.REFRESH, f"no longer opted in: {decision.reason}", subject))
        return out
    if record is None:
        if acks:
            # Targets answered a replication whose record is gone (removed by hand): rebuilt from
            # what is observed, it goes on where it was; started afresh, it would export, notify
            # and refresh again.
            return [*out, repairs(source_id, "source", "missing, though its targets answered")]
        return [planned(Action.EXPORT, "opted in, not exported", subject)] if decision.replicate else out
    if record.closed:
        return out
    export = record.export
    if _lease_held(record.lease, now):
        return [*out, planned(Action.WAIT, "a step is under way")]
    if record.unsettled:
        return [*out, planned(Action.SETTLE, "every target answered; the export's end was never recorded", subject)]
    if export.state == "running":
        if image.lifecycle_state == "EXPORTING":
            return [*out, planned(Action.WAIT, "export running")]
        if export_object:
            return [*out, planned(Action.DISTRIBUTE, "the export ended; its end was not handled", subject)]
        return [*out, planned(Action.EXPORT, "the export ended without its object", subject)]
    # A region the source no longer asks for is not given a replica again (one lost there after
    # its tags dropped it waits for nothing).
    asked = set(decision.targets)
    needing = tuple(
        t
        for t, p in sorted(record.targets.items())
        if t in asked and (p.state == "pending" or (p.state == "failed" and not p.gave_up))
    )
    if export.state == "failed":
        if export.permanent or export.gave_up:
            return [*out, planned(Action.NONE, f"given up: {export.error}")]
        # An attempt made for regions the source has since stopped asking for is not tried again
        # (the export step would find nothing to export for, as its blocker says): what is asked
        # goes on below.
        wanted = [t for t in asked if t not in record.targets or t in needing]
        if wanted:
            return [*out, planned(Action.EXPORT, f"attempt {export.attempt} failed: {export.error}", subject)]
    if export.state == "none" and (not record.targets or needing or asked - set(record.targets)):
        # A record rebuilt after the export was cleaned up shows no export, though every target
        # answered: nothing is exported again for them (the export step's blocker agrees).
        return [*out, planned(Action.EXPORT, "not exported", subject)] if decision.replicate else out
    if needing:
        if export_object:
            out.append(
                planned(
                    Action.DISTRIBUTE,
                    f"copies to start: {', '.join(needing)}",
                    SourceImage(image, decision, True, needing),
                )
            )
        else:
            out.append(planned(Action.EXPORT, f"export again for {', '.join(needing)}", subject))
    for target, part in sorted(record.targets.items()):
        if record.overdue(target, now, config.target_deadline_hours):
            out.append(
                planned(Action.DEADLINE, "no answer since the copy landed", CopyCheck(source_id, target), target)
            )
        if part.state != "copying" or part.copy_started_at is None:
            continue
        due = expected_copy(record.size_in_mbs)
        if now - part.copy_started_at > due and (part.copy_checked_at is None or now - part.copy_checked_at > due):
            out.append(
                planned(Action.CHECK_COPY, "the copy should have landed by now", CopyCheck(source_id, target), target)
            )
    silent = [t for t in record.silent(asked, now) if not record.overdue(t, now, config.target_deadline_hours)]
    if silent and export_object:
        why = f"no answer from {', '.join(silent)} since its copy landed: its manifest again"
        out.append(planned(Action.REFRESH, why, subject))
    if record.answered_by(asked or None) and leftovers and not needing:
        out.append(planned(Action.CLEANUP, "every target answered", Leftovers(source_id, "source", tuple(leftovers))))
    settled = not needing and all(p.state in ANSWERED or t not in asked for t, p in record.targets.items())
    if settled:
        why = drift(image, decision, record, now, config) or behind(record, asked, now)
        if why:
            out.append(planned(Action.REFRESH, why, subject))
    elif not out:
        out.append(planned(Action.WAIT, "copies and imports under way"))
    return out


def _resend_due(record: SourceRecord, now: datetime) -> bool:
    """Whether the newest manifest (or deletion) was issued long enough ago to be sent again."""
    issued = record.manifest_issued
    return bool(issued) and now - datetime.fromtimestamp(issued / 1000, UTC) >= RESEND_AFTER


def behind(record: SourceRecord, asked: set[str], now: datetime) -> str | None:
    """Why the newest manifest must be sent again: a finished target still on an older one long after
    it was sent (its copy failed on the way, say), or None."""
    if not _resend_due(record, now):
        return None
    late = record.behind(asked)
    return f"the newest manifest has not reached {', '.join(late)}" if late else None


def deletion_behind(record: SourceRecord, now: datetime) -> str | None:
    """Why the deletion must be sent again: targets it went to have not answered it long after, or None."""
    if not _resend_due(record, now):
        return None
    late = record.awaiting_deletion()
    return f"the deletion has not reached {', '.join(late)}" if late else None


def drift(
    image: ImageFacts, decision: Decision, record: SourceRecord, now: datetime, config: ReplicatorConfig
) -> str | None:
    """Why a settled replication's replicas may no longer match the source, or None when nothing shows."""
    new = [t for t in decision.targets if t not in record.targets]
    if new:
        return f"new target region(s): {', '.join(new)}"
    if record.refresh_undone():
        return "a change of the source's tags or shapes was not sent: send it"
    if record.manifest_fingerprint is None:
        return "the manifest the targets applied is not known: send the current one"
    listed = ReplicaSpec.of_source(image, [], config.opt_in_tag, config.opt_in_defined).tags_fingerprint()
    if record.tags_fingerprint is not None and listed != record.tags_fingerprint:
        return "the source's tags changed since its last manifest"
    if shapes_due(record.source_image_id, now):
        return "daily look at the source's shape compatibility"
    return None


def _past_deadline(objects: list[LandedObject], now: datetime, config: ReplicatorConfig) -> bool:
    """Every one of `objects` landed longer than IR_TARGET_DEADLINE_HOURS ago."""
    limit = timedelta(hours=config.target_deadline_hours)
    return all(o.landed_at is not None and now - o.landed_at > limit for o in objects)


def plan_replica(
    source_id: str,
    record: ReplicaRecord | None,
    landed: list[LandedObject],
    replica: ImageFacts | None,
    now: datetime,
    config: ReplicatorConfig,
) -> list[Planned]:
    """This region as a target: import, finish, newer manifests, answers, cleanup."""

    def planned(action: Action, reason: str, subject: Subject | None = None) -> Planned:
        return Planned("replica", source_id, action, reason, subject)

    image = next((o for o in landed if o.kind == "image"), None)
    manifests = [o for o in landed if o.kind == "manifest"]
    newest = newest_manifest(landed)
    leftovers = tuple(o.name for o in landed)

    def never_came(missing: str) -> list[Planned]:
        # One half of the pair landed and the other never did (a copy failed, the replica here was lost,
        # the source was deleted before it learnt the copy had started, and the source stopped asking
        # for this region): it waits no longer than the source's deadline; a source that still asks
        # sends both again.
        why = f"its {missing} never came within IR_TARGET_DEADLINE_HOURS ({config.target_deadline_hours:g} h)"
        return [planned(Action.CLEANUP, why, Leftovers(source_id, "replica", leftovers))]

    if (
        image is None
        and manifests
        and (record is None or record.state in ("queued", "vanished"))
        and replica is None
        and _past_deadline(manifests, now, config)
    ):
        return never_came("image")
    if record is None:
        if replica is not None and replica.lifecycle_state == "AVAILABLE":
            return [planned(Action.FINISH, "a replica without a record", Replica(replica))]
        if image is not None and newest is not None:
            return [planned(Action.LANDED, "image and manifest landed", image)]
        if newest is not None:
            return [planned(Action.LANDED, "a manifest landed", newest)]
        if image is not None and _past_deadline([image], now, config):
            return never_came("manifest")
        return []
    out: list[Planned] = []
    answer = record.answer
    if answer is not None and not answer.delivered and now - (answer.checked_at or answer.sent_at) > ANSWER_CHECK_AFTER:
        out.append(planned(Action.ANSWER, "the answer's delivery is not confirmed", AnswerCheck(source_id)))
    if (
        record.state == "finished"
        and record.import_.replica_image_id
        and (replica is None or replica.id != record.import_.replica_image_id or replica.lifecycle_state == "DELETED")
        and not _lease_held(record.lease, now)
    ):
        # The finished replica is not in the region's listing: it was deleted.
        lost = LostReplica(source_id, record.import_.replica_image_id)
        return [*out, planned(Action.LOST, "the finished replica is gone from the region", lost)]
    if record.state == "pruned":
        if (
            replica is not None
            and replica.id == record.import_.replica_image_id
            and replica.lifecycle_state != "DELETED"
        ):
            why = record.retired_reason or "retired by retention"
            if record.retired_at is not None and now - record.retired_at < RETIRE_GRACE:
                return [*out, planned(Action.WAIT, "retired; deleted once the source has heard of it")]
            return [*out, planned(Action.RETIRE, "retired, not yet deleted", RetireReplica(source_id, replica.id, why))]
        if leftovers:
            out.append(planned(Action.CLEANUP, "replica retired", Leftovers(source_id, "replica", leftovers)))
        return out
    # A first manifest issued anew (the source lost its record) says its version inside: read it.
    newer = [
        m
        for m in manifests
        if (m.manifest.isdigit() and int(m.manifest) > record.applied_issued) or m.manifest == INITIAL_MANIFEST
    ]
    if record.state == "vanished" and any(
        m.manifest.isdigit() and int(m.manifest) > record.applied_issued for m in newer
    ):
        # A replica lost here still takes what the source sent since: its deletion, or its next version.
        return [
            *out,
            planned(Action.LANDED, "a newer manifest landed", max(newer, key=lambda m: manifest_rank(m.manifest))),
        ]
    if record.state in ("finished", "withdrawn"):
        if newer and record.state == "finished":
            out.append(
                planned(Action.LANDED, "a newer manifest landed", max(newer, key=lambda m: manifest_rank(m.manifest)))
            )
        elif leftovers:
            out.append(planned(Action.CLEANUP, f"replica {record.state}", Leftovers(source_id, "replica", leftovers)))
        return out
    if record.gave_up:
        if leftovers:
            out.append(planned(Action.CLEANUP, "given up", Leftovers(source_id, "replica", leftovers)))
        return out
    part = record.import_
    if _lease_held(record.lease, now):
        return [*out, planned(Action.WAIT, "a step is under way")]
    if part.state == "running":
        if replica is not None and replica.lifecycle_state == "AVAILABLE":
            return [*out, planned(Action.FINISH, "the import ended; its end was not handled", Replica(replica))]
        if replica is not None:
            return [*out, planned(Action.WAIT, f"import running ({replica.lifecycle_state})")]
        if part.replica_image_id:
            return [
                *out,
                planned(
                    Action.FINISH,
                    "the replica is not listed: its import ended",
                    ReplicaById(source_id, part.replica_image_id),
                ),
            ]
        if image is not None:
            return [*out, planned(Action.LANDED, "the import's start was not recorded", image)]
        if part.started_at is not None and now - part.started_at > IMPORT_VANISHED_AFTER:
            # An import makes its image at once: none listed, none recorded and nothing landed
            # to import again means its image went before its finish was recorded.
            lost = LostReplica(source_id, "")
            return [*out, planned(Action.LOST, "the import left no image and nothing landed", lost)]
        return out
    if image is not None and (newest is not None or record.manifest is not None):
        reason = (
            f"attempt {part.attempt} failed: {part.error}" if part.state == "failed" else "image and manifest landed"
        )
        return [*out, planned(Action.LANDED, reason, image)]
    if newest is None:
        return out
    if record.manifest is None:
        return [*out, planned(Action.LANDED, "a manifest landed", newest)]
    if manifest_rank(newest.manifest) > manifest_rank(record.manifest.name):
        # A later version landed with no image to import (its landing was refused, or the first copy
        # never came): the source's deletion is answered; another version is noted for the import.
        return [*out, planned(Action.LANDED, "a newer manifest landed", newest)]
    return out


def plan_region(seen: Observed, region: str, config: ReplicatorConfig, now: datetime) -> list[Planned]:
    """Every replication this region takes part in, as source and as target: from what the pass
    observed and the configuration alone (the runner adds the answers to sign again: they need the key)."""
    plans: list[Planned] = []
    sources = seen.sources
    opted = {i: decide(img, region, config) for i, img in sources.items()}
    orphans: set[str] = set()
    if not seen.unlisted and seen.records_listed is not None:
        # What staging holds of a replication whose source, record and answers are all gone (only a
        # complete look at images and records may conclude that).
        orphans = seen.leftovers - set(sources) - set(seen.source_records) - set(seen.acks) - seen.settled_sources
    source_ids = sorted(
        {i for i, d in opted.items() if d.opted_in} | set(seen.source_records) | set(seen.acks) | orphans
    )
    for source_id in source_ids:
        if source_id in seen.deferred["source"]:
            continue  # its record is read by a later pass
        if source_id in seen.settled_sources:  # its mark holds: only a drift the listing shows
            if source_id in seen.refresh_marks:
                subject = SourceImage(sources[source_id], opted[source_id], False)
                why = "the source's shape compatibility changed (daily look)"
                plans.append(Planned("source", source_id, Action.REFRESH, why, subject))
            continue
        found = seen.source_records.get(source_id)
        if found is not None and found.problem:
            plans.append(repairs(source_id, "source", found.problem))
            continue
        image = sources.get(source_id)
        plans += plan_source(
            source_id,
            image,
            opted.get(source_id),
            found.record if found else None,
            seen.acks.get(source_id, []),
            seen.staging,
            now,
            config,
            unchecked=source_id in seen.unchecked,
        )
    replica_ids = sorted(set(seen.replica_records) | set(seen.landed) | set(seen.replicas))
    for source_id in replica_ids:
        found = seen.replica_records.get(source_id)
        if found is not None and found.problem:
            plans.append(repairs(source_id, "replica", found.problem))
            continue
        if source_id in sources or source_id in seen.settled_replicas or source_id in seen.deferred["replica"]:
            continue  # an image of this region cannot be a replica here; a settled one needs nothing
        plans += plan_replica(
            source_id,
            found.record if found else None,
            seen.landed.get(source_id, []),
            seen.replicas.get(source_id),
            now,
            config,
        )
    known: dict[str, tuple[str, str | None]] = {
        i: (found.record.state, found.record.import_.replica_image_id)
        for i, found in seen.replica_records.items()
        if found.record is not None
    }
    known.update(seen.family_states)
    # A family with a member whose record is unread this pass waits: its latest is not known.
    waiting = {family_of(i, config) for i in seen.replicas.values() if (i.replica_of or "") in seen.deferred["replica"]}
    listed = [i for i in seen.replicas.values() if family_of(i, config) not in waiting]
    # At the soft cap (IR_IMAGE_LIMIT, OCI's limit as configured) retention does not wait for the
    # grace: the room is needed before an import is refused for want of it.
    full = seen.custom_images >= config.image_limit
    plans += plan_families(listed, known, now, config, at_once=full)
    if seen.unlisted:
        # An image missing from a listing that failed is not gone: nothing this pass concludes a
        # deletion (a source's, a replica's) from its absence.
        why = f"not concluded: {len(seen.unlisted)} compartment(s) could not be listed"
        plans = [
            Planned(p.side, p.source_id, Action.WAIT, f"{p.reason}: {why}") if p.action in ABSENCE else p for p in plans
        ]
    return plans


def plan_families(
    replicas: list[ImageFacts],
    records: dict[str, tuple[str, str | None]],
    now: datetime,
    config: ReplicatorConfig,
    *,
    at_once: bool = False,
) -> list[Planned]:
    """Each family whose replicas here show the latest mark misplaced or more versions than it keeps;
    `at_once`: the region is at its custom-image cap, and retirements delete without the grace."""
    groups: dict[tuple[str, str], list[ImageFacts]] = {}
    for image in replicas:
        family = family_of(image, config)
        if family and image.compartment_id and image.replica_of and image.lifecycle_state != "DELETED":
            groups.setdefault((family, image.compartment_id), []).append(image)
    out = []
    for (family, compartment), images in sorted(groups.items()):
        members = [member(i, records.get(i.replica_of or "")) for i in images]
        newest = max((m for m in members if m.protected), key=lambda m: m.order, default=None)
        if newest is None:
            continue
        keep, _ = keep_of(next(i for i in images if i.id == newest.replica_id), config)
        plan = plan_family(members, keep, config.min_age_hours, now)
        if not plan.empty:
            check = FamilyCheck(family, compartment, newest.source_id, at_once)
            out.append(
                Planned("replica", newest.source_id, Action.FAMILY, f"family {family}: {plan.describe()}", check)
            )
    return out


def repairs(source_id: str, side: Side, problem: str) -> Planned:
    return Planned(side, source_id, Action.REPAIR, f"record unreadable: {problem}", RecordRepair(source_id, side))
