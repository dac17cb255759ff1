"""Scheduled passes alone, after every event was lost: N tagged images, no event ever delivered.

Each tagged image is created in the source region while Events delivers nothing (every event of
every type dropped, for the whole run), so no function runs but the scheduled passes. Then
rounds of passes, the source region's then the target's, each pass in a fresh function process
(`fdk functions/func.py handler`, as deployed) with `latency` seconds per call, the fake's work
requests ended between passes and an hour between rounds (the schedule's), until a round
finds nothing to do and no image exposed. Measured per pass: calls,
wall time, the function process's CPU time and peak memory, and the steps it ran.

Assumes: one compartment, one target region, images of IMAGE_GB; the budget of a pass is
IR_RECONCILE_BUDGET_SECONDS as deployed (240 s); records read and replications started per pass
are bounded by IR_RECONCILE_MAX_READS as deployed.
"""

import json

from oci.resource_scheduler import ScheduleClient

from ocifake import FakeCloud, Options
from replicator_tools.sandbox import deploy

from .scenarios import SOURCE, _done, tagged_images
from .steady import TARGET, _pass

BUDGET_SECONDS = 240
HOUR = 3600


def passes(images: int, latency: float = 0.05, max_rounds: int | None = None) -> dict:
    """Rounds of passes (source, then target) until a round finds nothing to do and nothing exposed;
    by default at most 10 rounds and 4 more per 1,000 images (2,000 took 11: a pass takes on 1,000)."""
    max_rounds = max_rounds or 10 + 4 * images // 1000
    limit = 2 * images + 100
    with FakeCloud(regions=[SOURCE, TARGET], options=Options(custom_image_limit=limit)) as cloud:
        compartment = cloud.create_compartment("images")
        sandbox = deploy(cloud, [SOURCE, TARGET], compartment, {"IR_IMAGE_LIMIT": str(limit)})
        for region, schedule in sandbox.schedules.items():
            # The passes measured below are the hourly ones; the deployed schedules would run more.
            ScheduleClient(cloud.config(region)).delete_schedule(schedule.id)
        cloud.events.drop()  # every event, for the whole run
        created = tagged_images(cloud, compartment, images, [TARGET])
        cloud.run_until_idle()
        found: list[dict] = []
        done, converged = 0, False
        for round_ in range(1, max_rounds + 1):
            for region in (SOURCE, TARGET):
                one = _pass(cloud, sandbox, region, latency)
                found.append({"round": round_, "region": region, **one})
                cloud.run_until_idle()  # exports, copies and imports end between passes
            cloud.advance(HOUR)  # the schedule's next hour
            done = _done(cloud, created, [TARGET], compartment)
            if all(p["steps"] == 0 and not p["exposed"] for p in found[-2:]):
                converged = True
                break  # a round with nothing to do and nothing exposed: converged
        return {
            "images": images,
            "latency_seconds": latency,
            "budget_seconds": BUDGET_SECONDS,
            "done": done,
            "converged": converged,
            "rounds": found[-1]["round"] if found else 0,
            "passes": [
                {
                    k: p[k]
                    for k in (
                        "round",
                        "region",
                        "calls",
                        "wall_seconds",
                        "cpu_seconds",
                        "peak_rss_mb",
                        "steps",
                        "exposed",
                    )
                }
                for p in found
            ],
            "peak_rss_mb": max(p["peak_rss_mb"] for p in found),
            "longest_wall_seconds": max(p["wall_seconds"] for p in found),
            "most_calls": max(p["calls"] for p in found),
        }


if __name__ == "__main__":
    import sys

    print(json.dumps(passes(int(sys.argv[1]) if len(sys.argv) > 1 else 100), indent=2))
