"""Self-healing: reconcile passes converge every replication, whatever happened to the events."""

import oci
import pytest

from replicator.gateways.clients import Clients
from replicator.operations import retry_region
from replicator.sandbox import deploy
from replicator.stages.context import Runtime
from tests.conftest import FRANKFURT, PHOENIX, REGIONS, SOURCE
from tests.pipeline.conftest import leftover_pars, read_status, replicas

TARGETS = (PHOENIX, FRANKFURT)


def _source(cloud, compartment, **kwargs):
    tags = kwargs.pop("freeform_tags", {"replicate-to": f"{PHOENIX},{FRANKFURT}", "team": "platform"})
    return cloud.create_image(SOURCE, compartment, "web", size_gb=20, freeform_tags=tags, shapes={"VM.Standard.E4.Flex": {"ocpuConstraints": {"min": 1, "max": 4}}}, **kwargs)


def _all_done(cloud, replicator, source_id):
    status = read_status(cloud, replicator, source_id)
    return {r: s["state"] for r, s in status["targets"].items()} == {t: "done" for t in TARGETS}


def test_with_every_event_dropped_reconcile_passes_alone_reach_the_full_result(cloud, compartment, replicator):
    cloud.events.drop()
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    passes = replicator.converge(max_passes=8)
    assert passes <= 6
    for region in TARGETS:
        (replica,) = replicas(cloud, region, source.id)
        assert replica.lifecycle_state == "AVAILABLE"
        assert replica.freeform_tags["team"] == "platform"
        assert set(replica.shapes) == {"VM.Standard.E4.Flex"}
    assert _all_done(cloud, replicator, source.id)
    assert leftover_pars(cloud) == 0
    assert all(not [n for n in b.objects if "/images/" in n] for r in cloud.regions.values() for b in r.objectstorage.buckets.values())


def test_events_delivered_three_times_and_shuffled_give_exactly_one_export_copy_and_replica(cloud, compartment, replicator):
    cloud.events.duplicate(3)
    cloud.events.shuffle(600, seed=11)
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    replicator.converge()
    for region in TARGETS:
        assert len(replicas(cloud, region, source.id)) == 1
    assert len([c for c in cloud.calls if c.operation == "ExportImage" and c.status == 200]) == 1
    assert len([c for c in cloud.calls if c.operation == "CopyObject" and c.status == 202]) == 2
    assert leftover_pars(cloud) == 0


def test_an_import_that_fails_in_one_region_is_retried_there_only_then_given_up(cloud, compartment, tag_namespace):
    topic = cloud.create_topic(SOURCE, "replication", compartment)
    sandbox = deploy(cloud, REGIONS, compartment, {"IR_NOTIFICATION_TOPIC_ID": topic.id, "IR_MAX_ATTEMPTS": "3"})
    cloud.faults.fail_work_request("ImportImage", region=FRANKFURT, times=10, message="disk image is corrupt")
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    for _ in range(6):
        sandbox.reconcile(SOURCE)
        cloud.run_until_idle()
    status = read_status(cloud, sandbox, source.id)
    assert (status["targets"][PHOENIX]["state"], status["targets"][PHOENIX]["attempts"]) == ("done", 1)
    frankfurt = status["targets"][FRANKFURT]
    assert (frankfurt["state"], frankfurt["attempts"]) == ("failed", 3)
    assert frankfurt["last_error"] == "gave up after 3 attempts: import ended with the replica DELETED"
    assert len(replicas(cloud, PHOENIX, source.id)) == 1
    assert replicas(cloud, FRANKFURT, source.id) == []
    imports = [c for c in cloud.calls if c.operation == "CreateImage" and c.status == 200]
    assert [c.region for c in imports].count(PHOENIX) == 1 and [c.region for c in imports].count(FRANKFURT) == 3
    titles = [m.title for m in topic.messages]
    assert titles.count(f"Replication of web to {FRANKFURT} failed") == 1


def test_retry_clears_a_given_up_region_so_the_next_pass_tries_again(cloud, compartment, tag_namespace):
    sandbox = deploy(cloud, REGIONS, compartment, {"IR_MAX_ATTEMPTS": "1"})
    cloud.faults.fail_work_request("ImportImage", region=FRANKFURT, times=1)
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    sandbox.reconcile(SOURCE)
    assert read_status(cloud, sandbox, source.id)["targets"][FRANKFURT]["last_error"].startswith("gave up")
    runtime = Runtime(sandbox.config, Clients(sandbox.config, sdk_config=cloud.config(SOURCE)))
    retry_region(runtime, source.id, FRANKFURT)
    sandbox.converge()
    assert len(replicas(cloud, FRANKFURT, source.id)) == 1


def test_tags_changed_on_the_source_reach_every_replica_after_one_pass(cloud, compartment, replicator):
    cloud.events.drop("*updateimage")
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    compute = oci.core.ComputeClient(cloud.config(SOURCE))
    compute.update_image(source.id, oci.core.models.UpdateImageDetails(freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}", "team": "security"}))
    compute.add_image_shape_compatibility_entry(source.id, "VM.Standard3.Flex")
    replicator.reconcile(SOURCE)
    for region in TARGETS:
        (replica,) = replicas(cloud, region, source.id)
        assert replica.freeform_tags["team"] == "security"
        assert set(replica.shapes) == {"VM.Standard.E4.Flex", "VM.Standard3.Flex"}


def test_an_update_event_brings_replicas_in_line_without_waiting_for_a_pass(cloud, compartment, replicator):
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    oci.core.ComputeClient(cloud.config(SOURCE)).update_image(source.id, oci.core.models.UpdateImageDetails(freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}", "team": "data"}))
    cloud.run_until_idle()
    for region in TARGETS:
        assert replicas(cloud, region, source.id)[0].freeform_tags["team"] == "data"


def test_tagging_an_existing_image_later_starts_its_replication(cloud, compartment, replicator):
    source = _source(cloud, compartment, freeform_tags={"team": "platform"})
    cloud.run_until_idle()
    oci.core.ComputeClient(cloud.config(SOURCE)).update_image(source.id, oci.core.models.UpdateImageDetails(freeform_tags={"replicate-to": PHOENIX}))
    cloud.run_until_idle()
    assert len(replicas(cloud, PHOENIX, source.id)) == 1


def test_dry_run_lists_the_steps_and_changes_nothing(cloud, compartment, replicator):
    cloud.events.drop()
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    before = len([c for c in cloud.calls if not c.operation.startswith(("Get", "List", "Head"))])
    report = replicator.reconcile(SOURCE, dry_run=True)
    assert [(s["region"], s["action"]) for s in report["steps"]] == [(PHOENIX, "export"), (FRANKFURT, "export")]
    assert report["steps"][0]["source_image_id"] == source.id
    assert len([c for c in cloud.calls if not c.operation.startswith(("Get", "List", "Head"))]) == before


@pytest.mark.parametrize("policy", ["keep", "delete"])
def test_source_deletion_policy_applies_only_to_our_replicas(cloud, compartment, tag_namespace, policy):
    sandbox = deploy(cloud, REGIONS, compartment, {"IR_ON_SOURCE_DELETED": policy})
    source = _source(cloud, compartment)
    bystander = cloud.create_image(PHOENIX, compartment, "web", freeform_tags={"team": "platform"})
    cloud.run_until_idle()
    oci.core.ComputeClient(cloud.config(SOURCE)).delete_image(source.id)
    cloud.run_until_idle()
    sandbox.reconcile(SOURCE)
    remaining = len(replicas(cloud, PHOENIX, source.id))
    assert remaining == (1 if policy == "keep" else 0)
    assert cloud.compute(PHOENIX).images[bystander.id].lifecycle_state == "AVAILABLE"
    assert read_status(cloud, sandbox, source.id)["closed"] == "source image deleted"
