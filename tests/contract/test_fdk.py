"""The contract with OCI Functions: the real fdk serving functions/func.py in its own processes.

The rest of the suite runs the same handler in process; these run it as the Fn container
does (`fdk func.py handler`, http-stream over a unix socket), several containers per region.
"""

import json

import pytest

from replicator_tools.sandbox import deploy
from tests.helpers import (
    FRANKFURT,
    FUNC_ENTRY,
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
    target_states,
)

pytestmark = pytest.mark.contract


@pytest.fixture
def fdk_replicator(cloud, compartment):
    return deploy(cloud, REGIONS, compartment, {"IR_DEFAULT_REGIONS": PHOENIX}, fdk=True, containers=2)


def test_a_replication_through_the_real_fdk_with_duplicate_deliveries_in_parallel(cloud, compartment, fdk_replicator):
    cloud.events.duplicate(2)
    source = cloud.create_image(
        SOURCE,
        compartment,
        "web",
        size_gb=20,
        freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}"},
        shapes={"VM.Standard3.Flex": {}},
    )
    cloud.run_until_idle()
    for region in TARGETS:
        (replica,) = replicas(cloud, region, source.id, compartment)
        assert replica.lifecycle_state == "AVAILABLE" and set(shapes(cloud, region, replica.id)) == {
            "VM.Standard3.Flex"
        }
    assert target_states(cloud, fdk_replicator, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    assert len(performed(cloud, "ExportImage")) == 1
    assert {i.instance for fn in fdk_replicator.functions.values() for i in fn.invocations} == {0, 1}
    assert leftover_pars(cloud, fdk_replicator) == [] and intermediate_objects(cloud, fdk_replicator) == []
    assert cross_region_calls(cloud) == []
    log = [r for fn in fdk_replicator.functions.values() for r in fn.log_records()]
    containers = [r for r in log if r.get("scope") == "container"]
    assert {r["sdk"] for r in containers} == {"lazy"}, "the function processes loaded the SDK whole"
    replication = [r for r in log if r.get("scope") != "container"]
    assert replication and all(r.get("source_image_id") == source.id for r in replication)


def test_reconcile_passes_through_the_real_fdk_finish_a_replication_whose_events_were_all_lost(
    cloud, compartment, fdk_replicator
):
    cloud.events.drop()
    source = cloud.create_image(SOURCE, compartment, "web", size_gb=20, freeform_tags={"replicate-to": "default"})
    cloud.run_until_idle()
    fdk_replicator.converge(max_passes=10, parallel=2)
    assert [r.lifecycle_state for r in replicas(cloud, PHOENIX, source.id, compartment)] == ["AVAILABLE"]
    assert target_states(cloud, fdk_replicator, source.id) == {PHOENIX: "done"}
    assert cross_region_calls(cloud) == []


def test_a_failure_answers_502_and_anything_else_200_as_the_fdk_enforces(cloud, compartment):
    fn = cloud.deploy_function(SOURCE, str(FUNC_ENTRY), config={"IR_DEFAULT_REGIONS": "mars-north-1"})
    reply = fn.invoke(json.dumps({"action": "reconcile"}).encode())
    assert (reply.status, reply.json()["result"]) == (200, "errored")
    assert "IR_DEFAULT_REGIONS" in reply.json()["reason"]
    assert cloud.calls == []


def test_a_replication_into_another_tenancy_through_the_real_fdk(cloud):
    """Both tenancies' functions as fdk processes: each signs in with its own tenancy's resource
    principal, reads its own Vault's copy of the shared key and reaches its own region only."""
    from tests.pipeline.test_tenancies import DR_TARGETS, World, cross_tenancy_calls, left_over

    world = World(cloud, fdk=True)
    image = world.source()
    cloud.run_until_idle()
    assert world.protected(image.id) == {PHOENIX: True, **dict.fromkeys(DR_TARGETS, True)}
    assert cross_region_calls(cloud) == [] and cross_tenancy_calls(cloud) == [] and left_over(world) == []
