"""Which stage handles which event type, and the edge where raw bytes become an Outcome."""

from typing import Callable

from . import logs
from .cloudevents import EXPORT_COMPLETED, IMAGE_CREATED, IMAGE_UPDATED, IMAGE_UPDATED_ALT, OBJECT_CREATED, OBJECT_UPDATED, parse_event, parse_json
from .errors import InvalidEvent, PermanentError, TransientError
from .reconcile.drive import PassReport, run_pass
from .reconcile.request import ReconcileRequest
from .stages import export_completed, image_created, image_updated, object_arrived
from .stages.context import Outcome, Runtime, Step

ROUTES: dict[str, Callable[[Step], Outcome]] = {
    IMAGE_CREATED: image_created.handle,
    EXPORT_COMPLETED: export_completed.handle,
    OBJECT_CREATED: object_arrived.handle,
    # Overwriting an existing name may be reported as an update rather than a create.
    OBJECT_UPDATED: object_arrived.handle,
    # OCI's published lists disagree on the namespace of this event; both are handled.
    IMAGE_UPDATED: image_updated.handle,
    IMAGE_UPDATED_ALT: image_updated.handle,
}


def handle(raw: bytes, runtime: Runtime) -> Outcome | PassReport:
    """Parse, route and run one event (or a scheduled reconcile request).

    Permanent problems become an Outcome; transient ones raise so the platform retries.
    """
    try:
        payload = parse_json(raw)
        request = ReconcileRequest.parse(payload)
        if request is not None:
            with logs.bound(region=runtime.region, action="reconcile"):
                return run_pass(runtime, dry_run=request.dry_run, now=request.at)
        event = parse_event(payload)
    except InvalidEvent as exc:
        logs.warning("event rejected", reason=exc.reason, region=runtime.region)
        return Outcome(result="rejected", reason=exc.reason, region=runtime.region)
    stage = ROUTES.get(event.event_type)
    with logs.bound(event_id=event.event_id, event_type=event.event_type, region=runtime.region):
        if stage is None:
            reason = f"event type {event.event_type} is not handled"
            logs.warning("event rejected", reason=reason)
            return Outcome(result="rejected", reason=reason, region=runtime.region, event_id=event.event_id)
        step = Step.for_event(runtime, event)
        try:
            return stage(step)
        except InvalidEvent as exc:
            return step.outcome("rejected", exc.reason)
        except PermanentError as exc:
            logs.error("permanent failure", reason=exc.reason)
            return step.outcome("failed", exc.reason)
        except TransientError as exc:
            logs.warning("transient failure; the platform will retry", reason=exc.reason)
            raise
