"""How a reconcile pass grows with the number of images in a compartment."""

import time

from ocifake import FakeCloud, Options
from replicator.config import ReplicatorConfig
from replicator.gateways.clients import Clients
from replicator.reconcile.run import run_pass
from replicator.runtime import Runtime

from .scenarios import SOURCE, targets


def dry_run_pass(images: int) -> dict:
    """A dry-run pass over `images` opted-in images none of whose events arrived: observe and plan."""
    regions = [SOURCE, *targets(2)]
    with FakeCloud(regions=regions, options=Options(custom_image_limit=images + 100)) as cloud:
        compartment = cloud.create_compartment("images")
        config = ReplicatorConfig(compartments=(compartment,), namespace=cloud.namespace)
        for region in regions:
            cloud.create_bucket(region, config.staging_bucket, compartment)
            cloud.create_bucket(region, config.landing_bucket, compartment)
        for n in range(images):
            cloud.create_image(
                SOURCE, compartment, f"image-{n}", size_gb=10, freeform_tags={"replicate-to": ",".join(targets(2))}
            )
        cloud.run_until_idle()
        runtime = Runtime(config, Clients(config, SOURCE, sdk_config=cloud.config(SOURCE)))
        before = len(cloud.calls)
        started = time.perf_counter()
        report = run_pass(runtime, dry_run=True)
        seconds = time.perf_counter() - started
        assert report.steps_total == images, report.steps[:3]
        return {"images": images, "calls": len(cloud.calls) - before, "seconds": seconds}
