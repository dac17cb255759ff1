"""Shared set-up: a fake cloud with the replicator deployed, and the polling approach it replaces."""

import time
from datetime import timedelta

import oci

from ocifake import FakeCloud
from replicator.sandbox import deploy

SOURCE = "us-ashburn-1"
TARGET_POOL = [
    "us-phoenix-1", "eu-frankfurt-1", "uk-london-1", "ap-tokyo-1", "ap-sydney-1",
    "ca-toronto-1", "sa-saopaulo-1", "ap-mumbai-1", "eu-amsterdam-1", "ap-seoul-1",
]
IMAGE_GB = 50
POLL_SECONDS = 15


def targets(n: int) -> list[str]:
    return TARGET_POOL[:n]


def replicate_with_functions(n_targets: int, *, images: int = 1, env: dict | None = None) -> dict:
    """One (or more) tagged images replicated by the event-driven pipeline; calls, times, invocations."""
    regions = [SOURCE, *targets(n_targets)]
    with FakeCloud(regions=regions) as cloud:
        compartment = cloud.create_compartment("images")
        sandbox = deploy(cloud, regions, compartment, env)
        created = [
            cloud.create_image(SOURCE, compartment, f"image-{n}", size_gb=IMAGE_GB, freeform_tags={"replicate-to": ",".join(targets(n_targets))}, shapes={"VM.Standard3.Flex": {}})
            for n in range(images)
        ]
        available_at = cloud.durations.capture(IMAGE_GB)
        cpu_before = sum(fn.cpu_seconds() for fn in sandbox.functions.values())
        wall = time.perf_counter()
        cloud.run_until_idle()
        wall = time.perf_counter() - wall
        cpu = sum(fn.cpu_seconds() for fn in sandbox.functions.values()) - cpu_before
        # Includes ocifake's interception in each process, so it slightly overstates production.
        peak_rss = max(fn.peak_rss_mb() for fn in sandbox.functions.values())
        done = [
            i for i in created
            if all(
                sum(1 for img in cloud.compute(r).images.values() if img.freeform_tags.get("replica-of") == i.id and img.lifecycle_state == "AVAILABLE") == 1
                for r in targets(n_targets)
            )
        ]
        finished = max(
            d.time for d in cloud.events.deliveries if d.event_type == "com.oraclecloud.computeapi.createimage.end" and d.region != SOURCE
        )
        from ocifake.core.clock import parse_time

        start = cloud.clock.now() - timedelta(seconds=cloud.clock.seconds)
        return {
            "calls": [c.operation for c in cloud.calls],
            "images_done": len(done),
            "simulated_seconds": (parse_time(finished) - start).total_seconds() - available_at,
            "wall_seconds": wall,
            "cpu_seconds": cpu,
            "peak_rss_mb": peak_rss,
            "invocations": [(inv.event_type, inv.json().get("result"), inv.seconds) for fn in sandbox.functions.values() for inv in fn.invocations],
        }


def replicate_by_polling(n_targets: int) -> dict:
    """What people script today: export, poll every 15 s; then per region copy, poll; import, poll."""
    regions = [SOURCE, *targets(n_targets)]
    with FakeCloud(regions=regions) as cloud:
        compartment = cloud.create_compartment("images")
        ns = cloud.namespace
        for region in regions:
            cloud.create_bucket(region, "staging" if region == SOURCE else "landing", compartment, object_events=False)
        image = cloud.create_image(SOURCE, compartment, "image", size_gb=IMAGE_GB)
        cloud.run_until_idle()
        start, before = cloud.clock.seconds, len(cloud.calls)
        compute = {r: oci.core.ComputeClient(cloud.config(r)) for r in regions}
        objects = oci.object_storage.ObjectStorageClient(cloud.config(SOURCE))
        requests = {r: oci.work_requests.WorkRequestClient(cloud.config(r)) for r in regions}

        def poll(read, done):
            while True:
                cloud.advance(POLL_SECONDS)
                status = read()
                if status in done:
                    return status

        export = compute[SOURCE].export_image(image.id, oci.core.models.ExportImageViaObjectStorageTupleDetails(bucket_name="staging", namespace_name=ns, object_name="image.oci"))
        poll(lambda: requests[SOURCE].get_work_request(export.headers["opc-work-request-id"]).data.status, {"SUCCEEDED", "FAILED"})
        for region in targets(n_targets):
            copy = objects.copy_object(
                ns, "staging",
                oci.object_storage.models.CopyObjectDetails(source_object_name="image.oci", destination_region=region, destination_namespace=ns, destination_bucket="landing", destination_object_name="image.oci"),
            )
            poll(lambda: objects.get_work_request(copy.headers["opc-work-request-id"]).data.status, {"COMPLETED", "FAILED"})
            details = oci.core.models.CreateImageDetails(
                compartment_id=compartment, display_name="image",
                image_source_details=oci.core.models.ImageSourceViaObjectStorageTupleDetails(namespace_name=ns, bucket_name="landing", object_name="image.oci"),
            )
            created = compute[region].create_image(details)
            poll(lambda: requests[region].get_work_request(created.headers["opc-work-request-id"]).data.status, {"SUCCEEDED", "FAILED"})
        return {"calls": [c.operation for c in cloud.calls[before:]], "simulated_seconds": cloud.clock.seconds - start}


def floor_seconds(cloud_durations=None) -> float:
    """Export, then the slowest copy and the slowest import, every region in parallel."""
    from ocifake import Durations

    d = cloud_durations or Durations()
    return d.export(IMAGE_GB) + d.copy(IMAGE_GB) + d.import_(IMAGE_GB)

