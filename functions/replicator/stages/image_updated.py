"""A source image changed (tags, name): start a late opt-in, or bring finished replicas back in line."""

from .. import logs
from ..decision import decide
from ..reconcile.drive import repair_drift
from .context import IMAGE_GONE, Outcome, Step
from .image_created import start_export


def handle(step: Step) -> Outcome:
    image_id = step.event.image_id()
    with logs.bound(source_image_id=image_id):
        image = step.event_image()
        if image is None:
            return step.outcome("ignored", IMAGE_GONE, source_image_id=image_id)
        if image.replica_of:
            # Our own tag repairs on replicas come back as update events: never act on them.
            return step.outcome("ignored", "update of a replica", source_image_id=image_id)
        decision = decide(image, step.region, step.config)
        if not decision.opted_in:
            return step.outcome("ignored", decision.reason, source_image_id=image_id)
        record, _ = step.runtime.status.read(step.status_location(image_id, step.region))
        if record is None:
            if not decision.replicate:
                return step.outcome("skipped", decision.reason, source_image_id=image_id)
            logs.info("image opted in after creation")
            return start_export(step, image, decision)
        repaired = repair_drift(step, image, record)
        return step.outcome("continued" if repaired else "ignored", f"replicas brought in line: {', '.join(repaired) or 'none needed'}", source_image_id=image_id)
