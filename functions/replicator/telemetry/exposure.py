"""The recovery point exposure of a region's images, as gauges posted by each reconcile pass.

Per target region and compartment: how many opted-in images lack a current, finished
replica there, how long the oldest such gap has been open, and how many were given up on.
Every pair with an opted-in image reports, zeros included, so that an alarm sees the gap
close rather than the data stop.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime

from ..protection import COVERED, ImageProtection
from .catalog import Dimension, Metric
from .points import Point, point


def exposure_points(
    source_region: str,
    protections: list[ImageProtection],
    now: datetime,
    covered: Iterable[tuple[str, str]] = (),
    waiting: Mapping[tuple[str, str], tuple[int, float]] | None = None,
) -> list[Point]:
    """The pass's gauges, plus the one point that says the pass ran.

    `covered`: the (target region, compartment) pairs of replications known protected without
    their protection being built (settled): their gauges say 0 unless another image's says more.
    `waiting`: per pair, the opted-in images not started that the pass left for the next ones
    (past its budget), and how long the oldest has been exposed: counted, not held."""
    exposed: dict[tuple[str, str], int] = defaultdict(int)
    failed: dict[tuple[str, str], int] = defaultdict(int)
    oldest: dict[tuple[str, str], float] = defaultdict(float)
    for key in covered:
        oldest[key] = max(oldest[key], 0.0)
    for image in protections:
        for target in image.targets:
            key = (target.region, image.compartment_id or "")
            oldest[key] = max(oldest[key], target.exposure_seconds(now))
            exposed[key] += target.state not in COVERED
            failed[key] += target.state == "failed"
    for key, (count, waited) in (waiting or {}).items():
        exposed[key] += count
        oldest[key] = max(oldest[key], waited)
    out = [point(Metric.RECONCILE_PASSES, 1, now, {Dimension.SOURCE_REGION: source_region})]
    for region, compartment in sorted(oldest):
        dims = {
            Dimension.SOURCE_REGION: source_region,
            Dimension.TARGET_REGION: region,
            Dimension.COMPARTMENT_ID: compartment,
        }
        key = (region, compartment)
        out.append(point(Metric.EXPOSED_IMAGES, exposed[key], now, dims))
        out.append(point(Metric.OLDEST_EXPOSURE_SECONDS, oldest[key], now, dims))
        out.append(point(Metric.FAILED_IMAGES, failed[key], now, dims))
    return out
