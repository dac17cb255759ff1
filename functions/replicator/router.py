"""From raw bytes to an outcome: parse the event, resolve what it is about, run the step that handles it.

What an event is about is resolved here: an image may be a source or one of our replicas; an
object may be a landed image or manifest, or a target's answer. Which step handles each event
kind of each subject is declared by the step itself (`Step.routes`), gathered in `registry`.
"""

from typing import TYPE_CHECKING

from . import logs, ocids, registry
from .answer_checks import genuine
from .cloudevents import CloudEvent, EventKind, parse_event, parse_json
from .decision import decide
from .engine import Outcome, Result, execute
from .errors import Conflict, InvalidEvent, NotFound, PermanentError, ReplicatorError, TransientError
from .health import refusal_points, refused
from .naming import SOURCE_REGION_TAG, parse_ack, parse_landed
from .reconcile.request import ReconcileRequest
from .runtime import Runtime

if TYPE_CHECKING:
    from .reconcile.run import PassReport
from .subjects import DeletedSource, Drill, InboundAnswer, LostReplica, Replica, SourceImage
from .tenancies import place

# What the remaining combinations mean; each is answered 200 with this reason.
NOT_ROUTED: dict[tuple[EventKind, type], str] = {
    (EventKind.EXPORT_ENDED, Replica): "an export of one of our replicas",
    (EventKind.IMAGE_CHANGED, Replica): "our own repairs of replicas come back as update events",
}


class Ignored(Exception):
    """The event is well formed but concerns nothing of ours; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def resolve(kind: EventKind, event: CloudEvent, runtime: Runtime):
    """What the event is about, read fresh where the payload may be stale (an event proves nothing)."""
    if kind == EventKind.OBJECT_WRITTEN:
        details = event.object_details()
        runtime.learn_namespace(details.namespace)
        config, name = runtime.config, event.data.resource_name
        if details.bucket_name == config.landing_bucket:
            found = parse_landed(config.object_prefix, name)
            if found is not None:
                return found
            inbound = parse_ack(config.object_prefix, name)
            if inbound is None or place(inbound.target).alias is None:
                raise Ignored("not an image or manifest of this project")
            if not genuine(runtime, inbound, config.landing_bucket):
                raise Ignored("an answer not signed with the key of its tenancy (quarantined)")
            return InboundAnswer(inbound)
        if details.bucket_name == config.staging_bucket:
            ack = parse_ack(config.object_prefix, name)
            if ack is None:
                raise Ignored("not an answer from a target region")
            if ack.target == runtime.region:
                raise Ignored("an answer this region wrote for another")
            if not genuine(runtime, ack):
                raise Ignored("an answer not signed by its target (left for the pass to judge)")
            return ack
        raise Ignored(f"object event for bucket {ocids.shown(details.bucket_name, 60)}, not ours")
    if kind == EventKind.INSTANCE_LAUNCHED:
        instance_id = event.instance_id()
        try:  # the instance as it is now: only its own tags say it is a drill's
            instance = runtime.instances.get(instance_id)
        except NotFound:
            raise Ignored("the instance no longer exists") from None
        source_id = instance.drill_of
        if source_id is None or not ocids.is_image(source_id):
            raise Ignored("an instance no drill launched")
        return Drill(source_id, instance_id=instance_id)
    image_id = event.image_id()
    if kind == EventKind.IMAGE_CHANGED and ocids.is_image(event.data.freeform_tags.get("replica-of")):
        # Our own tag and shape repairs on replicas come back as events: nothing to read for them.
        raise Ignored(NOT_ROUTED[(EventKind.IMAGE_CHANGED, Replica)])
    try:
        image = runtime.compute.get_image(image_id)
    except NotFound:
        image = None
    if kind == EventKind.IMAGE_DELETED:
        replica_of = image.replica_of if image else event.data.freeform_tags.get("replica-of")
        if image is not None and image.lifecycle_state != "DELETED":
            raise Ignored("the image still exists")
        if replica_of:
            if not ocids.is_image(replica_of):
                raise Ignored("a deleted image whose replica-of tag names no image")
            # Where to answer without a record here comes from the deleted image as the cloud still
            # shows it, never from the event's copy of its tags (an event proves nothing).
            answer_to = image.freeform_tags.get(SOURCE_REGION_TAG, "") if image is not None else ""
            return LostReplica(replica_of, image_id, answer_to)
        return DeletedSource(image_id, image.display_name if image else event.data.resource_name)
    if image is not None and image.replica_of:
        return Replica(image)  # a DELETED replica is an import that failed: the finish records it
    if image is None or image.lifecycle_state == "DELETED":
        raise Ignored("image no longer exists")
    return SourceImage(image, decide(image, runtime.region, runtime.config))


def handle(raw: bytes, runtime: Runtime) -> "Outcome | PassReport":
    """Parse, route and run one event (or a scheduled reconcile request).

    Permanent problems become an Outcome; transient ones raise so the platform retries.
    """
    try:
        payload = parse_json(raw)
        request = ReconcileRequest.parse(payload)
        if request is not None:
            # The pass's code is loaded only by the invocations that run one.
            from .reconcile.run import run_drill_tick, run_pass

            with logs.bound(region=runtime.region, action=request.action):
                if request.action == "drills":
                    return run_drill_tick(runtime)
                return run_pass(runtime, dry_run=request.dry_run)
        event = parse_event(payload)
    except InvalidEvent as exc:
        logs.warning("event rejected", reason=exc.reason, region=runtime.region)
        return Outcome(result="rejected", reason=exc.reason, region=runtime.region)
    kind = event.kind
    hint = _source_hint(event)
    with logs.bound(event_id=event.event_id, event_type=event.event_type, region=runtime.region, source_image_id=hint):
        outcome = _dispatch(kind, event, runtime, hint)
    outcome.event_id = event.event_id
    return outcome


def _source_hint(event: CloudEvent) -> str | None:
    """The source image the event most likely concerns, for log lines written before it is known."""
    tags = event.data.freeform_tags
    for candidate in (tags.get("replica-of"), event.data.resource_id):
        if ocids.is_image(candidate):
            return candidate
    for piece in event.data.resource_name.split("/"):
        for candidate in (piece, piece.rsplit(".", 1)[0]):  # a folder (an answer's), or a file's stem
            if ocids.is_image(candidate):
                return candidate
    return None


def _dispatch(kind: EventKind | None, event: CloudEvent, runtime: Runtime, hint: str | None) -> Outcome:
    def answer(result: Result, reason: str, *, level=logs.info, source_id: str | None = hint) -> Outcome:
        level("outcome", result=result, reason=reason, source_image_id=source_id)
        return Outcome(result=result, reason=reason, source_image_id=source_id, region=runtime.region)

    if kind is None:
        return answer("rejected", f"event type {ocids.shown(event.event_type, 100)} is not handled", level=logs.warning)
    try:
        subject = resolve(kind, event, runtime)
    except Ignored as exc:
        return answer("ignored", exc.reason)
    except InvalidEvent as exc:
        return answer("rejected", exc.reason, level=logs.warning)
    except ReplicatorError as exc:
        # Resolving the event read the cloud (the image, the signing key): a refusal is counted.
        runtime.metrics.add(refusal_points(runtime.region, refused(exc), runtime.now()))
        runtime.metrics.flush()
        raise
    chosen = registry.for_event(kind, subject)
    if chosen is None:
        return answer("ignored", NOT_ROUTED.get((kind, type(subject)), f"{kind.value} of a {type(subject).__name__}"))
    try:
        return execute(chosen, runtime, subject)
    except InvalidEvent as exc:
        return answer("rejected", exc.reason, level=logs.warning)
    except PermanentError as exc:
        return answer("errored", exc.reason, level=logs.error, source_id=subject.source_id)
    except (TransientError, Conflict) as exc:
        # A conflict that reaches here is another operation holding the resource: later, it may not.
        with logs.bound(source_image_id=subject.source_id):
            logs.warning("transient failure; the platform may deliver the event again", reason=exc.reason)
        raise
