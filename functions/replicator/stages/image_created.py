"""Stage 1: a source image became AVAILABLE. Decide, then export it to the staging bucket."""

from datetime import timedelta

from .. import logs
from ..decision import Decision, decide
from ..errors import Conflict, PermanentError, ReplicatorError
from ..images import ImageFacts
from ..naming import PROVENANCE_TAG, image_object, par_name, retry_token
from . import export_completed, import_completed
from .context import IMAGE_GONE, Outcome, Step


def handle(step: Step) -> Outcome:
    image_id = step.event.image_id()
    # Until GetImage answers, the payload's tags are the best guess at which replication this is.
    source_hint = step.event.data.freeform_tags.get(PROVENANCE_TAG, image_id)
    with logs.bound(source_image_id=source_hint, image_id=image_id):
        image = step.event_image()
        if image is None:
            return step.outcome("ignored", IMAGE_GONE, source_image_id=image_id)
        if image.replica_of:
            # The import of one of our replicas finished: that is stage 4, not a new source.
            with logs.bound(source_image_id=image.replica_of, replica_image_id=image.id):
                return import_completed.finish(step, image)
        decision = decide(image, step.region, step.config)
        logs.info("decision", opted_in=decision.opted_in, targets=list(decision.targets), reason=decision.reason or None)
        if not decision.opted_in:
            return step.outcome("ignored", decision.reason, source_image_id=image_id)
        if not decision.replicate:
            return step.outcome("skipped", decision.reason, source_image_id=image_id)
        return start_export(step, image, decision)


def start_export(step: Step, image: ImageFacts, decision: Decision) -> Outcome:
    """Export `image` to its deterministic staging object through a short-lived write PAR."""
    config, objects, region = step.config, step.runtime.objects, step.region
    object_name = image_object(config.object_prefix, image.id)
    if image.lifecycle_state == "EXPORTING":
        return step.outcome("in_progress", "export already running", source_image_id=image.id)
    if objects.head(region, config.staging_bucket, object_name) is not None:
        # The export finished earlier but its completion was never handled (a lost event).
        logs.info("export object already present; continuing with the copy")
        return export_completed.distribute(step, image, decision)

    # A new attempt after a failed one needs its own retry token, or OCI would replay the old answer.
    record, _ = step.runtime.status.read(step.status_location(image.id, region))
    attempt = max((t.current_attempt for t in record.targets.values()), default=1) if record else 1
    expires = step.now + timedelta(minutes=config.par_lifetime_minutes)
    uri = objects.create_par(region, config.staging_bucket, par_name("export", image.id, region), object_name, "ObjectWrite", expires)
    try:
        work_request = step.runtime.compute.export_image(region, image.id, uri, retry_token("export", image.id, region, object_name, str(attempt)))
    except Conflict as exc:
        objects.delete_pars(region, config.staging_bucket, object_name)
        return step.outcome("in_progress", f"another export is running: {exc.reason}", source_image_id=image.id)
    except PermanentError as exc:
        objects.delete_pars(region, config.staging_bucket, object_name)
        reason = f"image cannot be exported: {exc.reason}"

        def failed(record):
            for target in decision.targets:
                record.fail(target, "export", reason, step.now, permanent=True)

        step.record(image.id, region, image.display_name, failed)
        return step.outcome("failed", reason, source_image_id=image.id)
    except ReplicatorError:
        # The answer was lost, not necessarily the request: an export that did start needs
        # its write PAR until it ends, so keep the PAR if the image is now exporting.
        if step.runtime.compute.get_image(region, image.id).lifecycle_state != "EXPORTING":
            objects.delete_pars(region, config.staging_bucket, object_name)
            raise
        work_request = None

    def began(record):
        for target in decision.targets:
            record.begin(target, "export", step.now, work_request_id=work_request)

    step.record(image.id, region, image.display_name, began)
    return step.outcome("started", f"exporting to {config.staging_bucket} for {', '.join(decision.targets)}", source_image_id=image.id)
