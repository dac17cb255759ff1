"""Every call of the pipeline failing once: replication converges, with nothing done twice or left behind.

Every call that changes something fails each way it can (429, 500, and done with its
answer lost); every read fails once (for the pipeline all three are the same transient
failure). Deliveries are doubled and run in parallel, as OCI Functions runs invocations,
and no SDK retry hides the failure: the pipeline must recover by itself.
"""

import pytest

from ocifake import FakeCloud
from replicator_tools.sandbox import deploy
from tests.helpers import (
    FRANKFURT,
    PHOENIX,
    REGIONS,
    SOURCE,
    TARGETS,
    cross_region_calls,
    intermediate_objects,
    leftover_pars,
    performed,
    replicas,
    shapes,
    start_time,
    target_states,
)

MUTATING = [
    "PutObject",
    "CreatePreauthenticatedRequest",
    "DeletePreauthenticatedRequest",
    "ExportImage",
    "CopyObject",
    "CreateImage",
    "AddImageShapeCompatibilityEntry",
    "DeleteObject",
]
# GetNamespace is not among them: Terraform gives each function its namespace (IR_NAMESPACE).
READS = ["GetImage", "GetObject", "HeadObject", "ListObjects", "ListImageShapeCompatibilityEntries"]
CASES = [(op, fault) for op in MUTATING for fault in (429, 500, "timeout")] + [(op, "timeout") for op in READS]


@pytest.mark.parametrize(("operation", "fault"), CASES)
def test_one_failed_call_still_converges_without_duplicates_or_leaks(operation, fault):
    with FakeCloud(regions=REGIONS, start=start_time()) as cloud:
        compartment = cloud.create_compartment("images")
        sandbox = deploy(cloud, REGIONS, compartment, {"IR_SDK_MAX_ATTEMPTS": "1"})
        cloud.events.duplicate(2)
        cloud.faults.fail_call(operation, fault, nth=1)
        source = cloud.create_image(
            SOURCE,
            compartment,
            "web",
            size_gb=10,
            freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}"},
            shapes={"VM.Standard3.Flex": {}},
        )
        cloud.run_until_idle()
        sandbox.converge(max_passes=8)

        assert any(c.operation == operation and c.status == fault for c in cloud.calls), f"{operation} was never failed"
        for region in TARGETS:
            (replica,) = replicas(cloud, region, source.id, compartment)
            assert replica.lifecycle_state == "AVAILABLE" and set(shapes(cloud, region, replica.id)) == {
                "VM.Standard3.Flex"
            }
            assert len(performed(cloud, "CreateImage", region)) == 1
        assert len(performed(cloud, "ExportImage")) == 1
        assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
        assert leftover_pars(cloud, sandbox) == []
        assert intermediate_objects(cloud, sandbox) == []
        assert cross_region_calls(cloud) == []


@pytest.mark.parametrize("out", [SOURCE, FRANKFURT])
def test_a_region_out_of_service_for_eight_hours_is_caught_up_once_it_is_back_with_no_operator(out):
    # Every call its functions make answers 503 and the work that ends there meanwhile fails: the
    # hourly passes try each stage again, none is given up (IR_GIVE_UP_AFTER_HOURS), and the first
    # passes after the outage finish the replication.
    with FakeCloud(regions=REGIONS, start=start_time()) as cloud:
        compartment = cloud.create_compartment("images")
        sandbox = deploy(cloud, REGIONS, compartment)
        cloud.faults.outage(out, until=cloud.clock.seconds + 8 * 3600)
        source = cloud.create_image(
            SOURCE, compartment, "web", size_gb=10, freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}"}
        )
        cloud.run_until_idle()
        for _ in range(11):  # the outage, and the passes of the hours after it
            cloud.advance(3600)
            cloud.run_until_idle()
        sandbox.converge(max_passes=4)

        assert any(c.region == out and c.status == 503 for c in cloud.calls)
        assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
        for region in TARGETS:
            (replica,) = replicas(cloud, region, source.id, compartment)
            assert replica.lifecycle_state == "AVAILABLE"
        assert leftover_pars(cloud, sandbox) == []
        assert intermediate_objects(cloud, sandbox) == []
