"""Every API call of the pipeline failing once (429, 500, timeout): replication still converges."""

import pytest

from ocifake import FakeCloud
from replicator.sandbox import deploy
from tests.conftest import FRANKFURT, PHOENIX, REGIONS, SOURCE
from tests.pipeline.conftest import leftover_pars, read_status

PIPELINE_OPERATIONS = [
    "GetNamespace",
    "GetImage",
    "GetObject",
    "HeadObject",
    "PutObject",
    "CreatePreauthenticatedRequest",
    "ListPreauthenticatedRequests",
    "DeletePreauthenticatedRequest",
    "ExportImage",
    "ListImageShapeCompatibilityEntries",
    "CopyObject",
    "ListImages",
    "CreateImage",
    "AddImageShapeCompatibilityEntry",
    "DeleteObject",
]


@pytest.mark.parametrize("fault", [429, 500, "timeout"])
@pytest.mark.parametrize("operation", PIPELINE_OPERATIONS)
def test_one_failed_call_still_converges_without_duplicates_or_leaks(operation, fault):
    with FakeCloud(regions=REGIONS) as cloud:
        compartment = cloud.create_compartment("images")
        # No SDK retries: the failure reaches the pipeline, which must recover on its own.
        sandbox = deploy(cloud, REGIONS, compartment, {"IR_SDK_MAX_ATTEMPTS": "1"})
        cloud.faults.fail_call(operation, fault, nth=1)
        source = cloud.create_image(SOURCE, compartment, "web", size_gb=10, freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}"}, shapes={"VM.Standard3.Flex": {}})
        cloud.run_until_idle()
        sandbox.converge(max_passes=8)

        assert any(c.operation == operation and c.status in (429, 500, "timeout") for c in cloud.calls), f"{operation} was never failed"
        for region in (PHOENIX, FRANKFURT):
            ours = [i for i in cloud.compute(region).images.values() if i.freeform_tags.get("replica-of") == source.id]
            assert [(i.lifecycle_state, sorted(i.shapes)) for i in ours] == [("AVAILABLE", ["VM.Standard3.Flex"])]
        status = read_status(cloud, sandbox, source.id)
        assert {r: s["state"] for r, s in status["targets"].items()} == {PHOENIX: "done", FRANKFURT: "done"}
        assert leftover_pars(cloud) == 0
