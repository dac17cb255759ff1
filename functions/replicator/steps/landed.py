"""Target region: an image object or a manifest landed in the landing bucket.

Either may land first; the second one starts the import (CreateImage through a read PAR,
with a retry token per attempt). In a direct transfer what lands under the image's name is
a ticket naming the source region's PAR (transfer.py): the import reads through that one.
A manifest that lands after the replica is finished is a newer version: its tags and
shapes are applied to the replica, or, for a deleted source, IR_ON_SOURCE_DELETED is.
"""

from collections.abc import Callable
from datetime import datetime

from .. import integrity, logs
from ..actions import Action
from ..cloudevents import EventKind
from ..engine import LEASE, Step, StepContext, StepResult, chain
from ..errors import Conflict, LimitExceeded, NotFound, PermanentError, TransientError
from ..families import family_of
from ..gateways.compute import ImportRequest
from ..gateways.objects import ObjectInfo
from ..health import refusal_points, refused
from ..images import ImageFacts
from ..landing import newest_landed_manifest, read_manifest
from ..manifest import ReplicationManifest, replica_freeform
from ..naming import (
    INITIAL_MANIFEST,
    LandedObject,
    image_object,
    par_name,
    retry_token,
)
from ..pars import borrowed, lent_par, par_lifetime
from ..records.replica import ReplicaRecord
from ..replica_spec import apply_manifest
from ..runtime import Runtime
from ..subjects import Replica
from ..tickets import TicketRefused
from ..transfer import ticket_uri
from . import family, finish
from .answer import answered, send


def replica_compartment(runtime: Runtime, manifest: ReplicationManifest) -> str:
    return runtime.config.target_compartment_id or manifest.source_compartment_id


def replica_here(runtime: Runtime, manifest: ReplicationManifest) -> ImageFacts | None:
    """A replica of the manifest's source in this region, importing or available (one listing, by name)."""
    found = [
        i
        for i in runtime.compute.list_images(replica_compartment(runtime, manifest), manifest.display_name)
        if i.replica_of == manifest.source_image_id and i.lifecycle_state in ("IMPORTING", "AVAILABLE")
    ]
    return found[0] if found else None


def adopt_unrecorded(
    ctx: StepContext, record: ReplicaRecord | None, manifest: ReplicationManifest
) -> StepResult | None:
    """With no import recorded, a replica of the source available here (imported before its record was
    removed by hand or lost, the record made anew by what landed since) is finished with what landed,
    not imported again; None when there is none to adopt (or an import is recorded)."""
    if record is not None and record.import_.state != "none":
        return None
    here = replica_here(ctx.runtime, manifest)
    return finish.run(ctx, Replica(here)) if here is not None and here.lifecycle_state == "AVAILABLE" else None


# ----- record changes -------------------------------------------------------------------------
def noted(manifest: ReplicationManifest, name: str, now: datetime):
    """Keep the newest manifest; the finish applies it."""
    return lambda r: r.note_manifest(manifest, name, now)


class AttemptMoved(str):
    """A stand-down because another invocation started the attempt this one meant to start."""


class AlreadyApplied(str):
    """A stand-down because the manifest was applied meanwhile (by another invocation, or a finish)."""


STARTING = LEASE  # an attempt younger than this, without its replica's OCID yet, is still starting


def import_blocker(record: ReplicaRecord, now: datetime, find_replica: "Callable[[], ImageFacts | None]") -> str | None:
    part = record.import_
    if record.state in ("finished", "withdrawn"):
        return f"replica already {record.state}"
    if record.gave_up:
        return f"given up: {record.error}"
    if part.state == "running":
        if part.replica_image_id:
            return f"import running ({part.replica_image_id})"
        if part.started_at is not None and now - part.started_at < STARTING:
            return "another invocation is starting the import"
        # An attempt whose step died before it learned its replica: is there one? (read now)
        found = find_replica()
        if found is not None:
            return f"import running ({found.id}, {found.lifecycle_state})"
    # Attempts used up are the record's `gave_up`, decided as the last one failed (records/attempts.py).
    if part.state == "failed" and part.permanent:
        return f"import given up: {part.error}"
    return None


def begin_import(manifest: ReplicationManifest, name: str, now: datetime, attempt: int, par_id: str | None):
    """The attempt `attempt` starts with the read PAR it made; a record that moved on refuses it."""
    return lambda r: r.start_import(manifest, name, now, attempt, par_id)


def import_found(attempt: int, replica_id: str, work_request_id: str | None):
    return lambda r: r.import_found(attempt, replica_id, work_request_id)


def import_released(attempt: int, reason: str):
    return lambda r: r.import_released(attempt, reason)


def import_refused(attempt: int, reason: str, now: datetime):
    return lambda r: r.import_refused(attempt, reason, now)


def refused_landing(manifest: ReplicationManifest, name: str, why: str, now: datetime):
    return lambda r: r.landing_refused(manifest, name, why, now)


def refuse_landing(
    ctx: StepContext, manifest: ReplicationManifest, name: str, why: str, *, started: int | None = None
) -> StepResult:
    """The image that landed is not the one exported: quarantine it, and ask the source for another copy.

    `started`: the import attempt this step had claimed, released (it read nothing)."""
    runtime, config = ctx.runtime, ctx.config
    logs.warning("landed image does not match its manifest; quarantined", reason=why)
    runtime.objects.delete(config.landing_bucket, image_object(config.object_prefix, manifest.source_image_id))
    if name:
        # The manifest goes too: what the source sends again (a new export's, maybe) lands in its place
        # rather than meeting this one there (a copy never overwrites) and being judged by it.
        runtime.objects.delete(config.landing_bucket, name)
    release = [import_released(started, why)] if started is not None else []
    reason = ctx.claim(
        chain(
            *release,
            refused_landing(manifest, name, why, ctx.now),
            answered("refused", config.object_prefix, ctx.now, runtime),
        ),
        lambda r: f"replica already {r.state}" if r.state in ("finished", "withdrawn") else None,
        exclusive=False,
    )
    if reason:
        return StepResult("ignored", reason)
    return StepResult("rejected", f"{why}: quarantined; the source copies it again", after=send)


# ----- the step -------------------------------------------------------------------------------
def _finished(record: ReplicaRecord | None) -> bool:
    return record is not None and record.state in ("finished", "withdrawn")


def run(ctx: StepContext, landed: LandedObject) -> StepResult:
    runtime, config = ctx.runtime, ctx.config
    image_name = image_object(config.object_prefix, landed.source_id)
    known = ctx.record
    if known is not None and known.state == "pruned":
        # Retention retired this version here (a newer one of its family is kept): whatever lands
        # for it again (a replay, a late copy) is removed, never imported a second time.
        manifest = read_manifest(runtime, landed.name) if landed.kind == "manifest" else None
        runtime.objects.delete(config.landing_bucket, landed.name)
        if landed.kind == "manifest":
            runtime.objects.delete(config.landing_bucket, image_name)
        if manifest is not None and manifest.source_image_id == landed.source_id and manifest.kind != "delete":
            # The source sent it again: it has not heard the retirement (the answer was doubted, or
            # the source issued the manifest anew since). It is told again, for that manifest.
            return _retired_again(ctx, known, manifest.issued)
        return StepResult("ignored", "replica retired by retention; what landed again was removed")
    # A first manifest for a replica already finished: the source lost its record and issued it
    # anew (a later issue time); it is a later version, not a new replication.
    again = landed.kind == "manifest" and landed.manifest == INITIAL_MANIFEST and _finished(ctx.record)
    image: ObjectInfo | None = None  # the landed image as this step last saw it (read once, used by the import)
    if landed.kind == "manifest" and landed.manifest == INITIAL_MANIFEST and not again:
        image = runtime.objects.head(config.landing_bucket, image_name)
        if image is None:
            # The first manifest lands before its (much larger) image: the image's landing goes on.
            return StepResult("postponed", "manifest landed; waiting for the image")
    if landed.kind == "image":
        found = newest_landed_manifest(runtime, landed.source_id)
        if found is None:
            record: ReplicaRecord | None = ctx.record
            if record is not None and record.state in ("finished", "withdrawn"):
                runtime.objects.delete(config.landing_bucket, landed.name)
                return StepResult("ignored", f"replica already {record.state}; the copy that landed again was removed")
            if record is None or record.manifest is None:
                return StepResult("postponed", "image landed; waiting for its manifest")
            found = (record.manifest, record.manifest_object or "")
        known, name = found
        return start_import(ctx, known, name)
    manifest = read_manifest(runtime, landed.name)
    if manifest is None:
        return StepResult("ignored", "manifest gone or unreadable")
    if manifest.source_image_id != landed.source_id or manifest.source_region == runtime.region:
        return StepResult("rejected", "manifest names another replication")
    if landed.manifest == INITIAL_MANIFEST and not again:
        return start_import(ctx, manifest, landed.name, image=image)
    # A later version: the replica may be finished, importing, or not there yet.
    record = ctx.record
    if record is not None and (record.state in ("finished", "withdrawn") or record.import_.state == "running"):
        if again:  # the image that came with it (if any) has nothing to do here: the replica is finished
            runtime.objects.delete(config.landing_bucket, image_name)
        return apply_newer(ctx, record, manifest, landed.name)
    if manifest.kind == "delete":
        return deleted_before_import(ctx, manifest, landed.name)
    image = runtime.objects.head(config.landing_bucket, image_name)
    if image is None:
        adopted = adopt_unrecorded(ctx, record, manifest)  # else the image may yet come
        if adopted is not None:
            return adopted
        return StepResult(
            "postponed",
            "manifest landed; waiting for the image",
            noted(manifest, landed.name, ctx.now) if record is not None else None,
        )
    return start_import(ctx, manifest, landed.name, image=image)


def _retired_again(ctx: StepContext, record: ReplicaRecord, issued: int) -> StepResult:
    refusal = ctx.claim(
        answered("retired", ctx.config.object_prefix, ctx.now, ctx.runtime, issued=issued),
        lambda r: None if r.state == "pruned" else f"now {r.state}",
    )
    if refusal:
        return StepResult("ignored", f"replica retired by retention; what landed again was removed ({refusal})")
    return StepResult(
        "completed", "replica retired by retention; what landed again was removed, the source told again", after=send
    )


def start_import(
    ctx: StepContext, manifest: ReplicationManifest, name: str, *, again: bool = True, image: ObjectInfo | None = None
) -> StepResult:
    """`image`: the landed image's head, if the caller has just read it (a landed image is never
    overwritten: a copy does not replace it, and a refused one is deleted, not replaced)."""
    runtime, config = ctx.runtime, ctx.config
    source_id = manifest.source_image_id
    compartment = replica_compartment(runtime, manifest)
    known = ctx._record if ctx._loaded else None
    if known is not None and known.manifest is not None and known.manifest.outranks(manifest):
        manifest, name = known.manifest, known.manifest_object or name
    attempt = (known.import_.attempt if known is not None else 0) + 1
    image_name = image_object(config.object_prefix, source_id)
    landed = image or runtime.objects.head(config.landing_bucket, image_name)
    if landed is None:
        return StepResult("postponed", "manifest landed; waiting for the image")
    direct: str | None = None  # the source's PAR a direct transfer's ticket names
    if manifest.transfer == "direct" and manifest.kind == "replicate":
        try:
            direct = ticket_uri(runtime, manifest, landed.size)
        except TicketRefused as exc:
            return refuse_landing(ctx, manifest, name, str(exc))
    else:
        mismatch = integrity.landed_matches(manifest, landed.size, landed.md5)
        if mismatch is not None and manifest.kind == "replicate":
            return refuse_landing(ctx, manifest, name, f"the landed image's {mismatch}")

    def find_replica() -> ImageFacts | None:
        return replica_here(runtime, manifest)

    adopted = adopt_unrecorded(ctx, known, manifest)  # its objects landed again after its record went
    if adopted is not None:
        return adopted

    def guard(record: ReplicaRecord) -> str | None:
        reason = import_blocker(record, ctx.now, find_replica)
        if reason is None and record.import_.attempt + 1 != attempt:
            return AttemptMoved(f"attempt {record.import_.attempt + 1} is next, not {attempt}")
        return reason

    # The PAR comes first so that the claim records it: a successful start then needs no
    # second write (the finish learns the replica from its own event).
    reading = (
        borrowed(direct)
        if direct is not None
        else lent_par(
            runtime,
            config.landing_bucket,
            par_name("import", source_id, runtime.region, attempt),
            image_object(config.object_prefix, source_id),
            "ObjectRead",
            ctx.now + par_lifetime(config, manifest.object_size // (1024 * 1024) if manifest.object_size else None),
        )
    )
    with reading as lent:
        reason = ctx.claim(begin_import(manifest, name, ctx.now, attempt, lent.par.id), guard, exclusive=False)
        if reason:
            if isinstance(reason, AttemptMoved) and again:
                return start_import(ctx, manifest, name, again=False)  # the record moved on: once more, with its number
            return StepResult("in_progress", reason)
        request = ImportRequest(
            compartment_id=compartment,
            display_name=manifest.display_name,
            source_uri=lent.par.uri,
            operating_system=manifest.operating_system,
            operating_system_version=manifest.operating_system_version,
            freeform_tags=replica_freeform(manifest),
            defined_tags=manifest.defined_tags,
        )
        token = retry_token("import", source_id, runtime.region, compartment, str(attempt))
        try:
            try:
                replica, _work_request = runtime.compute.import_image(request, token)
            except LimitExceeded:
                # No room in the region (OCI counts every compartment): retention first, the versions
                # families no longer keep going at once; then once more, as a new request.
                if not make_room(ctx, compartment, source_id):
                    raise
                replica, _work_request = runtime.compute.import_image(
                    request, retry_token("import", source_id, runtime.region, compartment, str(attempt), "room")
                )
        except Conflict as exc:
            return StepResult(
                "in_progress", f"the import was not accepted now: {exc.reason}", import_released(attempt, exc.reason)
            )
        except LimitExceeded as exc:
            # Released, not counted: room comes back (a limit raised, images deleted) without anyone
            # here knowing; each pass tries again, and the reason stays on the record meanwhile.
            why = f"{limit_reason(runtime.region, config.image_limit)} ({exc.reason})"
            return StepResult("errored", why, import_released(attempt, why))
        except NotFound as exc:
            ctx.runtime.metrics.add(refusal_points(ctx.runtime.region, refused(exc), ctx.now))
            if direct is not None:
                # OCI answers 404 alike for an export or a PAR gone in the source region and for IAM's
                # refusal here, and nothing here may look at the source region to tell which: the
                # source is asked for another ticket (and makes the export again if it is gone), and
                # the call is counted refused, so that a grant missing here is seen (the calls-refused
                # alarm) while the refusals count against the source's copy attempts; it is also
                # counted when the export went.
                why = (
                    "CreateImage answered 404: the source's export or its PAR is gone, or IAM refused it "
                    f"here (is 'change-images' granted?): {exc.reason}"
                )
                return refuse_landing(ctx, manifest, name, why, started=attempt)
            # Its compartment exists (the listing above read it): a 404 is IAM's refusal. Released,
            # not counted: the next pass (or delivery) tries again until the grant is there.
            why = f"CreateImage refused, tried again at each pass (is 'change-images' granted?): {exc.reason}"
            return StepResult("errored", why, import_released(attempt, why))
        except PermanentError as exc:
            return refuse_import(ctx, attempt, f"import refused: {exc.reason}")
        except TransientError:
            # The answer was lost, not necessarily the request: look for the replica it would have made.
            made = find_replica()
            if made is None:
                return StepResult(
                    "errored",
                    "CreateImage did not answer and no import started",
                    import_released(attempt, "CreateImage did not answer"),
                    retry=True,
                )
            lent.keep()  # the import reads through it; the finish deletes it
            return StepResult("continued", f"importing as {made.id}", import_found(attempt, made.id, None))
        lent.keep()
        logs.info("import started", replica_image_id=replica.id, attempt=attempt)
        return StepResult("continued", f"importing as {replica.id}")


def refuse_import(ctx: StepContext, attempt: int, why: str) -> StepResult:
    """The import cannot be made as is: recorded for good and answered; nothing was created."""
    return StepResult(
        "errored",
        why,
        chain(
            import_refused(attempt, why, ctx.now),
            answered("failed", ctx.config.object_prefix, ctx.now, ctx.runtime),
        ),
        after=send,
    )


def limit_reason(region: str, limit: int) -> str:
    return (
        f"custom image limit reached: {region} refused the import (IR_IMAGE_LIMIT is {limit}; OCI's "
        "custom-image-count) and retention freed no room; tried again at each pass"
    )


def make_room(ctx: StepContext, compartment: str, source_id: str) -> bool:
    """Whether retention freed room for one more custom image: the families of the compartment's
    replicas lose at once the versions they no longer keep. Only after OCI refused an import for
    want of room, so that an import lists nothing."""
    runtime, config = ctx.runtime, ctx.config

    def listed() -> list[ImageFacts]:
        return [
            i for i in runtime.compute.list_images(compartment) if not i.is_platform and i.lifecycle_state != "DELETED"
        ]

    images = listed()
    families = sorted({f for i in images if i.replica_of and (f := family_of(i, config))})
    logs.warning("custom image limit reached; retention first", held=len(images), limit=config.image_limit)
    for name in families:
        family.follow_family(ctx, name, compartment, source_id, at_once=True)
    return bool(families) and len(listed()) < len(images)


def apply_newer(ctx: StepContext, record: ReplicaRecord, manifest: ReplicationManifest, name: str) -> StepResult:
    """A manifest newer than what the replica carries: keep it for the finish, or apply it now."""
    runtime, config = ctx.runtime, ctx.config
    # A record rebuilt from its replica knows the version applied (the replica says it), not the manifest.
    ranked_below = record.manifest is None or not manifest.outranks(record.manifest)
    if ranked_below and record.applied_issued >= manifest.issued:
        runtime.objects.delete(config.landing_bucket, name)
        if record.state == "finished" and record.applied_issued == manifest.issued:
            # The source sent again the version this replica carries: it has not heard the answer
            # (lost, refused under a key since put back, removed by a retry). Answer it again,
            # unless the record moved on meanwhile: a replica retired (or deleted) since answers so,
            # and a `done` written over that answer would hide it from the source for good.
            refusal = ctx.claim(
                answered("done", config.object_prefix, ctx.now, ctx.runtime),
                lambda r: None if r.state == "finished" and r.applied_issued == manifest.issued else f"now {r.state}",
            )
            if refusal:
                return StepResult("ignored", f"the version this replica carries, sent again; not answered: {refusal}")
            return StepResult("completed", "the version this replica carries, sent again: answered again", after=send)
        return StepResult("ignored", "an older manifest; the replica has a newer one")
    if record.state not in ("finished", "withdrawn"):
        return StepResult(
            "in_progress", "import running; the finish applies the newest manifest", noted(manifest, name, ctx.now)
        )
    if record.state == "withdrawn":
        runtime.objects.delete(config.landing_bucket, name)
        return StepResult("ignored", "the source was deleted; nothing more to apply")
    reason = ctx.claim(
        noted(manifest, name, ctx.now),
        lambda r: AlreadyApplied("already applied") if r.applied_issued >= manifest.issued else None,
    )
    if isinstance(reason, AlreadyApplied):
        runtime.objects.delete(config.landing_bucket, name)  # nothing is left for it to do
    if reason:
        return StepResult("ignored", reason)
    replica_id = record.import_.replica_image_id
    if manifest.kind == "delete":
        return finish.source_deleted(ctx, manifest, name, replica_id)
    try:
        replica = runtime.compute.get_image(replica_id) if replica_id else None
    except NotFound:
        replica = None
    if replica is None or replica.lifecycle_state != "AVAILABLE":
        return StepResult("errored", f"the replica {replica_id} is gone; the newer tags and shapes cannot be applied")
    applied = apply_manifest(runtime.compute, replica, manifest, concurrency=runtime.config.call_concurrency)
    runtime.objects.delete(config.landing_bucket, name)

    def change(r: ReplicaRecord) -> None:
        r.applied_newer(manifest.issued, applied.refused)
        answered("done", config.object_prefix, ctx.now, ctx.runtime)(r)

    return StepResult(
        "completed",
        "replica brought in line with its source" if applied.changed else "replica already in line",
        change,
        after=send,
    )


def deleted_before_import(ctx: StepContext, manifest: ReplicationManifest, name: str) -> StepResult:
    reason = ctx.claim(
        noted(manifest, name, ctx.now), lambda r: f"replica already {r.state}" if r.state == "withdrawn" else None
    )
    if reason:
        return StepResult("ignored", reason)
    return finish.source_deleted(ctx, manifest, name, None)


STEP = Step("landed", "replica", run, routes=((EventKind.OBJECT_WRITTEN, LandedObject),), action=Action.LANDED)
