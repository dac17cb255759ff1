"""Protected means what the cloud shows: a replica deleted behind the replicator's back is noticed,
counted exposed, and made again (or only reported, when so configured).

Three interleaving seeds, three containers per region, deliveries in parallel and shuffled.
"""

import oci
import pytest

from replicator.telemetry.catalog import Metric
from tests.helpers import (
    FRANKFURT,
    PHOENIX,
    SOURCE,
    compute,
    intermediate_objects,
    leftover_pars,
    object_names,
    record,
    replicas,
    target_states,
)
from tests.pipeline.test_adversarial import SEEDS, image, teardown, world  # noqa: F401  (teardown: a fixture)

RETENTION = {
    "name": "expire-intermediate-objects",
    "action": "DELETE",
    "target": "objects",
    "time_amount": 7,
    "time_unit": "DAYS",
    "is_enabled": True,
    "object_name_filter": oci.object_storage.models.ObjectNameFilter(inclusion_prefixes=["image-replicator/"]),
}


def exposure(cloud, target: str) -> list[float]:
    """The exposed-images gauge of the source region for `target`, oldest first, as Monitoring holds it."""
    return [p.value for p in cloud.metrics(SOURCE, name=Metric.EXPOSED_IMAGES, targetRegion=target)]


def deleted_notices(topic, region: str) -> list[str]:
    return [m.title for m in topic.messages if m.title.endswith(f"in {region} was deleted")]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("events", ["delivered", "lost"])
def test_a_deleted_replica_is_counted_exposed_until_it_is_made_again(seed, events, teardown):  # noqa: F811
    cloud, compartment, sandbox, topic = world(seed)
    teardown(cloud)
    source = image(cloud, compartment)
    cloud.run_until_idle()
    sandbox.converge()
    (first,) = replicas(cloud, PHOENIX, source.id, compartment)
    assert exposure(cloud, PHOENIX)[-1] == 0.0
    if events == "lost":
        cloud.events.drop()  # the deletion, and everything after it, only the passes see
    compute(cloud, PHOENIX).delete_image(first.id)
    cloud.run_until_idle()
    sandbox.converge()
    (second,) = replicas(cloud, PHOENIX, source.id, compartment)
    assert second.id != first.id and second.lifecycle_state == "AVAILABLE"
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    seen = exposure(cloud, PHOENIX)
    assert 1.0 in seen and seen[-1] == 0.0, "the region was never counted exposed, or still is"
    assert exposure(cloud, FRANKFURT)[-1] == 0.0
    assert deleted_notices(topic, PHOENIX) == [f"Replica of {source.display_name} in {PHOENIX} was deleted"]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_deleted_replica_is_only_reported_when_configured_so(seed, teardown):  # noqa: F811
    cloud, compartment, sandbox, topic = world(seed, env={"IR_ON_REPLICA_DELETED": "report"})
    teardown(cloud)
    source = image(cloud, compartment)
    cloud.run_until_idle()
    (first,) = replicas(cloud, PHOENIX, source.id, compartment)
    compute(cloud, PHOENIX).delete_image(first.id)
    cloud.run_until_idle()
    sandbox.converge()
    assert replicas(cloud, PHOENIX, source.id, compartment) == []
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "lost", FRANKFURT: "done"}
    assert exposure(cloud, PHOENIX)[-1] == 1.0
    failed = cloud.metrics(SOURCE, name=Metric.FAILED_IMAGES, targetRegion=PHOENIX)
    assert failed[-1].value == 1.0  # an operator must act: the replication-failed alarm fires
    assert len(deleted_notices(topic, PHOENIX)) == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_a_replica_deleted_with_its_source_is_not_made_again(seed, teardown):  # noqa: F811
    cloud, compartment, sandbox, _ = world(seed, env={"IR_ON_SOURCE_DELETED": "delete"})
    teardown(cloud)
    source = image(cloud, compartment)
    cloud.run_until_idle()
    compute(cloud, SOURCE).delete_image(source.id)
    cloud.run_until_idle()
    sandbox.converge()
    assert replicas(cloud, PHOENIX, source.id, compartment) == []
    assert set(target_states(cloud, sandbox, source.id).values()) == {"deleted"}


@pytest.mark.parametrize("seed", SEEDS)
def test_one_replicated_notice_even_when_the_source_changed_before_the_last_answer(seed, teardown):  # noqa: F811
    cloud, compartment, sandbox, topic = world(seed)
    teardown(cloud)
    # The targets' answers reach the source only through its passes.
    cloud.events.drop("com.oraclecloud.objectstorage.createobject", region=SOURCE)
    source = image(cloud, compartment)
    cloud.run_until_idle()
    compute(cloud, SOURCE).update_image(
        source.id, oci.core.models.UpdateImageDetails(freeform_tags={**source.freeform_tags, "tier": "gold"})
    )
    cloud.run_until_idle()
    sandbox.converge()
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    replicated = [m.title for m in topic.messages if m.title == f"Image {source.display_name} replicated"]
    assert replicated == [f"Image {source.display_name} replicated"]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_failed_manifest_copy_is_noticed_and_copied_again(seed, teardown):  # noqa: F811
    cloud, compartment, sandbox, _ = world(seed)
    teardown(cloud)
    # The first copy to end is Phoenix's manifest (small, so quicker than any image): it fails.
    cloud.faults.fail_work_request("CopyObject", times=1, region=SOURCE)
    source = image(cloud, compartment)
    cloud.run_until_idle()
    sandbox.converge()
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    assert len(replicas(cloud, PHOENIX, source.id, compartment)) == 1
    assert leftover_pars(cloud, sandbox) == [] and intermediate_objects(cloud, sandbox) == []


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("fault", "times"), [(500, 1), ("timeout", 1), (503, 3)])
def test_a_record_wedged_after_the_copies_started_converges_with_nothing_left(seed, fault, times, teardown):  # noqa: F811
    # distribute's own record write (after its copies started) fails, with no SDK retry to
    # save it: the record still says the export is running while the targets import and answer.
    _, nth = _distribute_calls(seed)["the record's write"]
    cloud, compartment, sandbox, topic = world(seed, env={"IR_SDK_MAX_ATTEMPTS": "1"})
    teardown(cloud)
    cloud.faults.fail_call("PutObject", fault, nth=nth, times=times, region=SOURCE)
    source = image(cloud, compartment)
    cloud.run_until_idle()
    sandbox.converge()
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    assert record(cloud, sandbox, "source", source.id, SOURCE)["export"]["state"] == "done"
    assert intermediate_objects(cloud, sandbox) == [] and leftover_pars(cloud, sandbox) == []
    assert [m.title for m in topic.messages].count(f"Image {source.display_name} replicated") == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_a_target_with_a_landing_bucket_but_no_replicator_is_given_up_after_the_deadline(seed, teardown):  # noqa: F811
    cloud, compartment, sandbox, topic = world(
        seed, deployed=[SOURCE, PHOENIX], env={"IR_TARGET_DEADLINE_HOURS": "6", "IR_GIVE_UP_AFTER_HOURS": "3"}
    )
    teardown(cloud)
    # Frankfurt has its landing bucket (the copies land, and its lifecycle rule as Terraform
    # makes it) but no function, rule or schedule.
    cloud.create_bucket(FRANKFURT, sandbox.config.landing_bucket, sandbox.buckets_compartment_id)
    compartment_id = sandbox.buckets_compartment_id
    cloud.create_policy(
        "frankfurt",
        [f"Allow service objectstorage-{FRANKFURT} to manage object-family in compartment id {compartment_id}"],
    )
    landing = oci.object_storage.ObjectStorageClient(cloud.config(FRANKFURT))
    landing.put_object_lifecycle_policy(
        cloud.namespace,
        sandbox.config.landing_bucket,
        oci.object_storage.models.PutObjectLifecyclePolicyDetails(
            items=[oci.object_storage.models.ObjectLifecycleRule(**RETENTION)]
        ),
    )
    source = image(cloud, compartment)
    cloud.run_until_idle()
    for _ in range(5):  # the schedules' hourly passes, within the deadline
        sandbox.reconcile_everywhere()
        cloud.run_until_idle()
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "landed"}
    sandbox.converge()
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "failed"}
    error = record(cloud, sandbox, "source", source.id, SOURCE)["targets"][FRANKFURT]["error"]
    assert "within 6 h after its copy landed" in error and "function" in error
    # The source's own export and manifests are removed; Frankfurt's copies are its bucket's to expire.
    assert [o for o in intermediate_objects(cloud, sandbox) if o.startswith(SOURCE)] == []
    failed = [m.title for m in topic.messages if m.title.endswith(f"to {FRANKFURT} failed")]
    assert failed == [f"Replication of {source.display_name} to {FRANKFURT} failed"]
    assert object_names(cloud, FRANKFURT, sandbox.config.landing_bucket)  # landed, never imported
    cloud.advance(8 * 24 * 3600)  # past the retention: Object Storage's own rule removes them
    assert object_names(cloud, FRANKFURT, sandbox.config.landing_bucket) == []


def _distribute_calls(seed: int) -> dict[str, tuple[str, int]]:
    """distribute's mutating calls in the source region, each as (operation, its number among that operation's)."""
    cloud, compartment, _, _ = world(seed)
    try:
        image(cloud, compartment)
        cloud.run_until_idle()
        calls = [c for c in cloud.calls if c.region == SOURCE and c.principal == "resource_principal"]
        first_copy = next(i for i, c in enumerate(calls) if c.operation == "CopyObject")

        def nth(index: int) -> tuple[str, int]:
            operation = calls[index].operation
            return operation, sum(1 for c in calls[: index + 1] if c.operation == operation)

        manifest_put = max(i for i in range(first_copy) if calls[i].operation == "PutObject")
        par_delete = max(i for i in range(first_copy) if calls[i].operation == "DeletePreauthenticatedRequest")
        copies = [i for i, c in enumerate(calls) if c.operation == "CopyObject"][:4]
        record_put = next(i for i in range(copies[-1], len(calls)) if calls[i].operation == "PutObject")
        return {
            "the export PAR's deletion": nth(par_delete),
            "the manifest's write": nth(manifest_put),
            "the first image copy": nth(copies[0]),
            "the first manifest copy": nth(copies[1]),
            "the last copy": nth(copies[-1]),
            "the record's write": nth(record_put),
        }
    finally:
        cloud.__exit__(None, None, None)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    "call",
    [
        "the export PAR's deletion",
        "the manifest's write",
        "the first image copy",
        "the first manifest copy",
        "the last copy",
        "the record's write",
    ],
)
def test_distribute_failing_at_any_mutating_call_converges_with_nothing_left(seed, call, teardown):  # noqa: F811
    operation, nth = _distribute_calls(seed)[call]
    # No SDK retries: the call fails for the step (its container might as well have died there),
    # and for the next two calls of the kind too.
    cloud, compartment, sandbox, topic = world(seed, env={"IR_SDK_MAX_ATTEMPTS": "1"})
    teardown(cloud)
    cloud.faults.fail_call(operation, 500, nth=nth, times=3, region=SOURCE)
    source = image(cloud, compartment)
    cloud.run_until_idle()
    sandbox.converge()
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    assert intermediate_objects(cloud, sandbox) == [] and leftover_pars(cloud, sandbox) == []
    assert [m.title for m in topic.messages].count(f"Image {source.display_name} replicated") == 1
