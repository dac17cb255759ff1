"""How a reconcile pass grows with the number of images in a compartment."""

import time

from ocifake import FakeCloud
from replicator.config import ReplicatorConfig
from replicator.gateways.clients import Clients
from replicator.reconcile.drive import run_pass
from replicator.stages.context import Runtime

from .scenarios import SOURCE, targets


def dry_run_pass(images: int) -> dict:
    """A dry-run pass over `images` opted-in images none of whose events arrived: observe and plan."""
    regions = [SOURCE, *targets(2)]
    with FakeCloud(regions=regions) as cloud:
        compartment = cloud.create_compartment("images")
        config = ReplicatorConfig(compartments=(compartment,))
        for region in regions:
            cloud.create_bucket(region, config.staging_bucket, compartment)
            cloud.create_bucket(region, config.landing_bucket, compartment)
        for n in range(images):
            cloud.create_image(SOURCE, compartment, f"image-{n}", size_gb=10, freeform_tags={"replicate-to": ",".join(targets(2))})
        cloud.run_until_idle()
        runtime = Runtime(config, Clients(config, sdk_config=cloud.config(SOURCE)))
        runtime.objects.namespace  # resolved once per container, like a warm function
        before = len(cloud.calls)
        started = time.perf_counter()
        report = run_pass(runtime, dry_run=True)
        seconds = time.perf_counter() - started
        assert len(report.steps) == images * 2
        return {"images": images, "calls": len(cloud.calls) - before, "seconds": seconds}
