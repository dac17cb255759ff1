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
