"""The replicator on the fake cloud, and the polling scripts it is compared with, on the same durations."""

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import oci

from ocifake import Durations, FakeCloud, Options
from ocifake.core.clock import parse_time
from replicator import logs
from replicator_tools.sandbox import deploy

SOURCE = "us-ashburn-1"
TARGET_POOL = [
    "us-phoenix-1",
    "eu-frankfurt-1",
    "uk-london-1",
    "ap-tokyo-1",
    "ap-sydney-1",
    "ca-toronto-1",
    "sa-saopaulo-1",
    "ap-mumbai-1",
    "eu-amsterdam-1",
    "ap-seoul-1",
]
IMAGE_GB = 50
SHAPES: dict[str, dict] = {"VM.Standard3.Flex": {}}


def targets(n: int) -> list[str]:
    return TARGET_POOL[:n]


def floor_seconds(n_targets: int = 1, durations: Durations | None = None, *, images: int = 1) -> float:
    """The fastest any orchestration gets under the fake's model: export, then every target's
    transfer started at once (sharing the source region's bandwidth, the last of the images x
    targets transfers taking as many times as long), then its import; no waiting between steps."""
    d = durations or Durations()
    shared = n_targets * images if d.copy_shares_bandwidth else 1
    return d.export(IMAGE_GB) + shared * d.copy(IMAGE_GB) + d.import_(IMAGE_GB)


@dataclass
class Replication:
    calls: list = field(default_factory=list)  # (region is the source, step, operation) of each call
    metric_calls: int = 0  # PostMetricData: measuring, which the polling baselines do not do
    images_done: int = 0
    simulated_seconds: float = 0.0
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    max_concurrency: int = 0
    invocations: list = field(default_factory=list)  # (event type, result, seconds)


def _done(cloud: FakeCloud, created: list, regions: list[str], compartment: str) -> int:
    """Source images with exactly one AVAILABLE replica in every region (every page listed)."""
    counts: Counter = Counter()
    for region in regions:
        client = oci.core.ComputeClient(cloud.config(region))
        for image in oci.pagination.list_call_get_all_results(client.list_images, compartment).data:
            if image.lifecycle_state == "AVAILABLE" and (image.freeform_tags or {}).get("replica-of"):
                counts[(image.freeform_tags["replica-of"], region)] += 1
    return sum(1 for image in created if all(counts[(image.id, region)] == 1 for region in regions))


def tagged_images(cloud: FakeCloud, compartment: str, images: int, regions: list[str]) -> list:
    """`images` source images of IMAGE_GB in the source region, tagged for `regions`."""
    return [
        cloud.create_image(
            SOURCE,
            compartment,
            f"image-{n}",
            size_gb=IMAGE_GB,
            freeform_tags={"replicate-to": ",".join(regions)},
            shapes=SHAPES,
        )
        for n in range(images)
    ]


def replicate_with_functions(
    n_targets: int,
    *,
    images: int = 1,
    fdk: bool = False,
    containers: int = 1,
    held: int = 0,
    transfer: str = "copy",
    durations: Durations | None = None,
) -> Replication:
    """Tagged images replicated by the event-driven pipeline: its calls, stage by stage, and its time.

    `held`: custom images each target region already holds in the compartment (made before the
    functions are deployed, so no event concerns them): what the import path must not list.
    `transfer`: IR_TRANSFER; `durations`: the fake's model (its two bounds for a direct read)."""
    regions = [SOURCE, *targets(n_targets)]
    # A burst holds more custom images than OCI's default limit: a tenancy whose limit was raised.
    limit = max(100, 2 * images + 10) + held
    with FakeCloud(regions=regions, options=Options(custom_image_limit=limit), durations=durations) as cloud:
        compartment = cloud.create_compartment("images")
        with cloud.lock:
            for region in targets(n_targets):
                for n in range(held):
                    cloud.compute(region).create_image_from_instance(compartment, f"held-{n}")
        cloud.run_until_idle()
        # IR_NAMESPACE as Terraform sets it; events only (no pass): the steady state.
        env = {"IR_NAMESPACE": cloud.namespace, "IR_IMAGE_LIMIT": str(limit), "IR_TRANSFER": transfer}
        sandbox = deploy(cloud, regions, compartment, env, fdk=fdk, containers=containers)
        created = tagged_images(cloud, compartment, images, targets(n_targets))
        available_at = cloud.durations.capture(IMAGE_GB)
        cpu_before = sum(c.cpu_seconds() for fn in sandbox.functions.values() for c in fn.containers) if fdk else 0.0
        started = time.perf_counter()
        cloud.run_until_idle()
        run = Replication(wall_seconds=time.perf_counter() - started, max_concurrency=cloud.interleaver.max_concurrency)
        if fdk:
            run.cpu_seconds = (
                sum(c.cpu_seconds() for fn in sandbox.functions.values() for c in fn.containers) - cpu_before
            )
            run.peak_rss_mb = max(c.peak_rss_mb() for fn in sandbox.functions.values() for c in fn.containers)
        else:
            every = [
                (r.get("region") == SOURCE, r.get("step", "route"), r["operation"])
                for r in sandbox.logs()
                if r.get("message") == "api"
            ]
            run.calls = [c for c in every if c[2] != "PostMetricData"]
            run.metric_calls = len(every) - len(run.calls)
            logs.enable(False)
        run.images_done = _done(cloud, created, targets(n_targets), compartment)
        # Done when the last replica is finished: its import's end reaches its region's function.
        finished = max(
            d.time
            for d in cloud.events.deliveries
            if d.event_type == "com.oraclecloud.computeapi.createimage.end" and d.region != SOURCE
        )
        start = cloud.clock.now().timestamp() - cloud.clock.seconds
        run.simulated_seconds = parse_time(finished).timestamp() - start - available_at
        run.invocations = [
            (i.event_type, i.json().get("result"), i.seconds)
            for fn in sandbox.functions.values()
            for i in fn.invocations
        ]
        if not fdk:
            assert len(run.calls) + run.metric_calls == sum(
                1 for c in cloud.calls if c.principal == "resource_principal"
            ), "a call was not logged"
        return run


def waiter_intervals(max_interval: float = 30.0):
    """The SDK's oci.wait_until: 1 s, doubling, up to max_interval_seconds (30 by default)."""
    interval = 1.0
    while True:
        yield interval
        interval = min(interval * 2, max_interval)


def fixed_intervals(seconds: float):
    while True:
        yield seconds


def direct_floor_seconds(n_targets: int, durations: Durations, *, images: int = 1) -> float:
    """The fastest a direct import gets under the fake's model: export, then every target's import
    started at once, each reading the source region's object (the transfers sharing its bandwidth);
    the transfer after the import, or within it (Durations.import_overlaps_transfer)."""
    shared = n_targets * images if durations.copy_shares_bandwidth else 1
    transfer = shared * IMAGE_GB * durations.cross_region_import_per_gb
    importing = durations.import_(IMAGE_GB)
    last = max(importing, transfer) if durations.import_overlaps_transfer else importing + transfer
    return durations.export(IMAGE_GB) + last


def replicate_by_polling(n_targets: int, schedule, *, direct: bool = False, durations: Durations | None = None) -> dict:
    """What a competent script does today: export, then every region in parallel, copy then import,
    each work request polled on `schedule()` (a fresh schedule per wait, as each waiter starts anew).

    `direct`: no copy; each target imports straight from a read PAR on the exported object in
    the source region (the shortest path a script can take; the fake charges the cross-region
    transfer to the import, Durations.cross_region_import_per_gb, after the import's own time or
    within it as `durations` says: the two bounds). It needs every target's
    import to reach the source region's Object Storage, which a function limited to its own
    region (a service gateway) cannot ask of its region's Compute.

    Both omit what the replicator adds: tags and shape compatibility on the replicas, removing
    the objects, retries with idempotency, a record, notices.
    """
    regions = [SOURCE, *targets(n_targets)]
    with FakeCloud(regions=regions, durations=durations) as cloud:
        compartment = cloud.create_compartment("images")
        ns = cloud.namespace
        for region in regions:
            cloud.create_bucket(region, "staging" if region == SOURCE else "landing", compartment, object_events=False)
        if not direct:  # what a cross-region copy needs: the source region's service may write the objects
            cloud.create_policy(
                "script-copies",
                [f"Allow service objectstorage-{SOURCE} to manage object-family in compartment id {compartment}"],
            )
        image = cloud.create_image(SOURCE, compartment, "image", size_gb=IMAGE_GB)
        cloud.run_until_idle()
        start, before = cloud.clock.seconds, len(cloud.calls)
        compute = {r: oci.core.ComputeClient(cloud.config(r)) for r in regions}
        objects = oci.object_storage.ObjectStorageClient(cloud.config(SOURCE))
        requests = {r: oci.work_requests.WorkRequestClient(cloud.config(r)) for r in regions}

        # Each entry is one waiter: (next poll at, its interval schedule, how to read it, what to do when done).
        waiters: list[list] = []

        def wait(read, done_states, then):
            intervals = schedule()
            waiters.append([cloud.clock.seconds + next(intervals), intervals, read, done_states, then])

        def import_into(region):
            details = oci.core.models.CreateImageDetails(
                compartment_id=compartment,
                display_name="image",
                image_source_details=oci.core.models.ImageSourceViaObjectStorageTupleDetails(
                    namespace_name=ns, bucket_name="landing", object_name="image.oci"
                ),
            )
            created = compute[region].create_image(details)
            wr = created.headers["opc-work-request-id"]
            wait(lambda: requests[region].get_work_request(wr).data.status, {"SUCCEEDED", "FAILED"}, lambda: None)

        def import_everywhere_from_the_source():
            expires = cloud.clock.now() + timedelta(days=1)
            par = objects.create_preauthenticated_request(
                ns,
                "staging",
                oci.object_storage.models.CreatePreauthenticatedRequestDetails(
                    name="direct-import",
                    object_name="image.oci",
                    access_type="ObjectRead",
                    time_expires=expires,
                ),
            ).data
            uri = f"https://objectstorage.{SOURCE}.oraclecloud.com{par.access_uri}"
            for region in targets(n_targets):
                details = oci.core.models.CreateImageDetails(
                    compartment_id=compartment,
                    display_name="image",
                    image_source_details=oci.core.models.ImageSourceViaObjectStorageUriDetails(source_uri=uri),
                )
                created = compute[region].create_image(details)
                wr = created.headers["opc-work-request-id"]
                wait(
                    lambda region=region, wr=wr: requests[region].get_work_request(wr).data.status,
                    {"SUCCEEDED", "FAILED"},
                    lambda: None,
                )

        def copy_everywhere():
            for region in targets(n_targets):
                copy = objects.copy_object(
                    ns,
                    "staging",
                    oci.object_storage.models.CopyObjectDetails(
                        source_object_name="image.oci",
                        destination_region=region,
                        destination_namespace=ns,
                        destination_bucket="landing",
                        destination_object_name="image.oci",
                    ),
                )
                wr = copy.headers["opc-work-request-id"]
                wait(
                    lambda wr=wr: objects.get_work_request(wr).data.status,
                    {"COMPLETED", "FAILED"},
                    lambda region=region: import_into(region),
                )

        export = compute[SOURCE].export_image(
            image.id,
            oci.core.models.ExportImageViaObjectStorageTupleDetails(
                bucket_name="staging", namespace_name=ns, object_name="image.oci"
            ),
        )
        wr = export.headers["opc-work-request-id"]
        then = import_everywhere_from_the_source if direct else copy_everywhere
        wait(lambda: requests[SOURCE].get_work_request(wr).data.status, {"SUCCEEDED", "FAILED"}, then)
        while waiters:
            waiters.sort(key=lambda w: w[0])
            waiter = waiters.pop(0)
            cloud.advance(max(0.0, waiter[0] - cloud.clock.seconds))
            if waiter[2]() in waiter[3]:
                waiter[4]()
            else:
                waiter[0] = cloud.clock.seconds + next(waiter[1])
                waiters.append(waiter)
        calls = Counter(c.operation for c in cloud.calls[before:])
        return {
            "calls": sum(calls.values()),
            "polls": calls["GetWorkRequest"],
            "simulated_seconds": cloud.clock.seconds - start,
        }
