"""What tests observe, through the real SDK as an operator would (never the fake's internals)."""

import json
import weakref
from pathlib import Path

import oci

from replicator.gateways.clients import api_key_signer
from replicator.naming import BOOKKEEPING

SOURCE, PHOENIX, FRANKFURT = "us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1"
REGIONS = [SOURCE, PHOENIX, FRANKFURT]
TARGETS = (PHOENIX, FRANKFURT)
ROOT = Path(__file__).resolve().parent.parent
FUNC_ENTRY = ROOT / "functions" / "func.py"  # the function image's entry file
READ_ONLY = ("Get", "List", "Head")


def at_an_hour_with_no_shape_look(cloud, image_ids, *, schedules: bool) -> None:
    """Move the clock an hour at a time until none of the images has its daily look at shapes due (a
    look plans a refresh, and the hour it falls at follows the wall clock's). `schedules`: let the
    scheduled passes fire on the way (`advance`), or move the clock alone (`move_to`)."""
    from replicator.reconcile.settled import shapes_due

    while any(shapes_due(i, cloud.clock.now()) for i in image_ids):
        if schedules:
            cloud.advance(3600)
        else:
            cloud.clock.move_to(cloud.clock.seconds + 3600)


def start_time():
    """Where the tests' simulated clocks start: seven minutes past the next full hour.

    The reconcile schedules fire on the hour; starting at the same minute every time makes
    where their passes fall among a test's events the same whatever the wall clock says, and
    starting ahead of the wall clock keeps every expiry the code stamps in the future.
    """
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1, minutes=7)


def load_event(name: str) -> dict:
    """A sample event from events/samples/."""
    return json.loads((ROOT / "events" / "samples" / f"{name}.json").read_text())


_clients: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()


def _client(cloud, kind, region: str):
    # Parsing the API key takes tens of ms: one signer per cloud, one client per kind and region.
    cache = _clients.setdefault(cloud, {})
    if "signer" not in cache:
        cache["signer"] = api_key_signer(cloud.config(region))
    if (kind, region) not in cache:
        config = {**cloud.config(region), "region": region}
        cache[(kind, region)] = kind(config, signer=cache["signer"], retry_strategy=oci.retry.NoneRetryStrategy())
    return cache[(kind, region)]


def compute(cloud, region: str) -> oci.core.ComputeClient:
    return _client(cloud, oci.core.ComputeClient, region)


def objects(cloud, region: str) -> oci.object_storage.ObjectStorageClient:
    return _client(cloud, oci.object_storage.ObjectStorageClient, region)


def replicas(cloud, region: str, source_id: str, compartment: str) -> list:
    """The live images in `region` that carry `replica-of = source_id`."""
    found = oci.pagination.list_call_get_all_results(compute(cloud, region).list_images, compartment).data
    return [
        i for i in found if (i.freeform_tags or {}).get("replica-of") == source_id and i.lifecycle_state != "DELETED"
    ]


def shapes(cloud, region: str, image_id: str) -> dict:
    entries = compute(cloud, region).list_image_shape_compatibility_entries(image_id).data
    return {e.shape: e for e in entries}


def object_names(cloud, region: str, bucket: str, prefix: str = "") -> list[str]:
    client = objects(cloud, region)
    listed = oci.pagination.list_call_get_all_results(client.list_objects, cloud.namespace, bucket, prefix=prefix).data
    return sorted(o.name for o in listed.objects)


def leftover_pars(cloud, sandbox) -> list[str]:
    """Every pre-authenticated request still alive in the replicator's buckets."""
    found = []
    for region in sandbox.regions:
        client = objects(cloud, region)
        for bucket in (sandbox.config.staging_bucket, sandbox.config.landing_bucket):
            found += [
                f"{region}/{bucket}/{p.name}"
                for p in client.list_preauthenticated_requests(cloud.namespace, bucket).data
            ]
    return found


def intermediate_objects(cloud, sandbox) -> list[str]:
    """Objects a finished replication must not leave: exports, manifests, anything in landing (the
    bookkeeping stays: records, answers, settled marks, the passes' reports)."""
    prefix = sandbox.config.object_prefix
    found = []
    for region in sandbox.regions:
        for name in object_names(cloud, region, sandbox.config.staging_bucket, prefix):
            if not name.startswith(tuple(prefix + head for head in BOOKKEEPING)):
                found.append(f"{region}/staging/{name}")
        found += [f"{region}/landing/{n}" for n in object_names(cloud, region, sandbox.config.landing_bucket, prefix)]
    return found


def record(cloud, sandbox, side: str, source_id: str, region: str) -> dict | None:
    """A region's record of its part of a replication, as a person would fetch it: from `records/`, or
    for a settled source, from the settled mark it is folded into (the one whose name ends in `.f`)."""
    prefix, bucket = sandbox.config.object_prefix, sandbox.config.staging_bucket
    names = [f"{prefix}records/{side}/{source_id}.json"]
    names += [
        n for n in object_names(cloud, region, bucket, f"{prefix}settled/{side}/{source_id}/") if n.endswith(".f")
    ]
    for name in names:
        try:
            return json.loads(objects(cloud, region).get_object(cloud.namespace, bucket, name).data.content)
        except oci.exceptions.ServiceError as exc:
            if exc.status != 404:
                raise
    return None


def target_states(cloud, sandbox, source_id: str) -> dict[str, str]:
    """Each target region's state as the source region's record says."""
    found = record(cloud, sandbox, "source", source_id, SOURCE) or {"targets": {}}
    return {region: part["state"] for region, part in found["targets"].items()}


def mutations(cloud, since: int = 0) -> list[str]:
    """Operations after call number `since` that could have changed something."""
    return [c.operation for c in cloud.calls[since:] if not c.operation.startswith(READ_ONLY)]


def cross_region_calls(cloud) -> list:
    """Calls a function made to a region other than its own."""
    return [c for c in cloud.calls if c.principal == "resource_principal" and c.region != c.caller_region]


def successful(cloud, operation: str, region: str | None = None) -> list:
    return [
        c
        for c in cloud.calls
        if c.operation == operation
        and isinstance(c.status, int)
        and c.status < 300
        and (region is None or c.region == region)
    ]


def performed(cloud, operation: str, region: str | None = None) -> list:
    """Calls of `operation` that did their work: answered 2xx, or lost their answer after doing it."""
    return [
        c
        for c in cloud.calls
        if c.operation == operation
        and (c.status == "timeout" or (isinstance(c.status, int) and c.status < 300))
        and (region is None or c.region == region)
    ]
