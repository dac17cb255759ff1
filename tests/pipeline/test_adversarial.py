"""Production is parallel, late and lossy: each scenario here failed on the old flow.

Every scenario runs with several seeds (the interleaving of parallel calls, and the order
events take) and must end the same way: exactly one AVAILABLE, finished replica per target
region, no pre-authenticated request or intermediate object left, no export, copy, import
or notice done twice, and no reconcile pass answering anything but 200.
"""

import json

import pytest

from ocifake import FakeCloud, Options
from replicator.errors import PermanentError, redact
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
    objects,
    performed,
    record,
    replicas,
    shapes,
    start_time,
    target_states,
)

SEEDS = [1, 2, 3]
TAGS = {"replicate-to": f"{PHOENIX},{FRANKFURT}", "team": "platform"}


def world(seed: int, *, regions=REGIONS, env: dict | None = None, options: Options | None = None, deployed=REGIONS):
    """A fake cloud whose parallel calls interleave as `seed` says, with the replicator deployed."""
    cloud = FakeCloud(regions=regions, interleave_seed=seed, options=options, start=start_time()).__enter__()
    compartment = cloud.create_compartment("images")
    sandbox = deploy(cloud, list(deployed), compartment, env)
    topic = sandbox.topics[SOURCE]
    cloud.events.shuffle(120, seed=seed)
    return cloud, compartment, sandbox, topic


@pytest.fixture
def teardown():
    opened = []
    yield opened.append
    for cloud in opened:
        cloud.__exit__(None, None, None)


def image(cloud, compartment, name="web", **kwargs):
    return cloud.create_image(
        SOURCE,
        compartment,
        name,
        size_gb=20,
        freeform_tags=kwargs.pop("tags", TAGS),
        shapes={"VM.Standard3.Flex": {}},
        **kwargs,
    )


def assert_replicated_once(cloud, compartment, sandbox, topic, source, targets=TARGETS):
    for region in targets:
        (replica,) = replicas(cloud, region, source.id, compartment)
        assert replica.lifecycle_state == "AVAILABLE"
        assert set(shapes(cloud, region, replica.id)) == {"VM.Standard3.Flex"}
        assert len(performed(cloud, "CreateImage", region)) == 1, f"{region} imported more than once"
    assert target_states(cloud, sandbox, source.id) == {t: "done" for t in targets}
    assert len(performed(cloud, "ExportImage")) == 1
    image_copies = [c for c in performed(cloud, "CopyObject", SOURCE)]
    assert len(image_copies) == 2 * len(targets), "an image or manifest was copied twice"
    assert leftover_pars(cloud, sandbox) == []
    assert intermediate_objects(cloud, sandbox) == []
    assert [m.title for m in topic.messages].count(f"Image {source.display_name} replicated") == 1
    assert cross_region_calls(cloud) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_image_created_delivered_five_times_at_once_exports_once_and_keeps_its_par(seed, teardown):
    cloud, compartment, sandbox, topic = world(seed)
    teardown(cloud)
    assert all(len(sandbox.functions[region].containers) == 3 for region in REGIONS)
    cloud.events.duplicate(5, "*createimage.end", region=SOURCE)
    source = image(cloud, compartment)
    cloud.run_until_idle()
    assert cloud.interleaver.max_concurrency >= 3
    assert_replicated_once(cloud, compartment, sandbox, topic, source)


@pytest.mark.parametrize("seed", SEEDS)
def test_landed_objects_delivered_five_times_at_once_import_once_and_keep_the_read_par(seed, teardown):
    cloud, compartment, sandbox, topic = world(seed)
    teardown(cloud)
    cloud.events.duplicate(5, "com.oraclecloud.objectstorage.*")
    cloud.events.duplicate(3, "*createimage.end")
    source = image(cloud, compartment)
    cloud.run_until_idle()
    assert_replicated_once(cloud, compartment, sandbox, topic, source)


@pytest.mark.parametrize("seed", SEEDS)
def test_three_reconcile_passes_at_once_with_every_event_lost_converge(seed, teardown):
    cloud, compartment, sandbox, topic = world(seed)
    teardown(cloud)
    cloud.events.drop()
    source = image(cloud, compartment)
    cloud.run_until_idle()
    sandbox.converge(max_passes=12, parallel=3)
    assert_replicated_once(cloud, compartment, sandbox, topic, source)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_failed_export_whose_end_event_is_lost_is_tried_again_with_a_new_attempt(seed, teardown):
    cloud, compartment, sandbox, _topic = world(seed)
    teardown(cloud)
    cloud.faults.fail_work_request("ExportImage", times=1)
    cloud.events.drop("*exportimage.end", times=1)
    source = image(cloud, compartment)
    cloud.run_until_idle()
    sandbox.converge(parallel=2)
    exports = performed(cloud, "ExportImage")
    assert len(exports) == 2
    assert record(cloud, sandbox, "source", source.id, SOURCE)["export"]["attempt"] == 2
    for region in TARGETS:
        assert len(replicas(cloud, region, source.id, compartment)) == 1
    assert target_states(cloud, sandbox, source.id) == {t: "done" for t in TARGETS}
    assert leftover_pars(cloud, sandbox) == [] and intermediate_objects(cloud, sandbox) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_a_failed_import_whose_end_event_is_lost_is_tried_again_with_a_new_attempt(seed, teardown):
    cloud, compartment, sandbox, _topic = world(seed)
    teardown(cloud)
    cloud.faults.fail_work_request("ImportImage", region=FRANKFURT, times=1)
    cloud.events.drop("*createimage.end", region=FRANKFURT, times=1)
    source = image(cloud, compartment)
    cloud.run_until_idle()
    sandbox.converge(parallel=2)
    assert len(performed(cloud, "CreateImage", FRANKFURT)) == 2
    assert record(cloud, sandbox, "replica", source.id, FRANKFURT)["import"]["attempt"] == 2
    assert [r.lifecycle_state for r in replicas(cloud, FRANKFURT, source.id, compartment)] == ["AVAILABLE"]
    assert target_states(cloud, sandbox, source.id) == {t: "done" for t in TARGETS}
    assert leftover_pars(cloud, sandbox) == [] and intermediate_objects(cloud, sandbox) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_a_target_region_without_the_replicator_does_not_stop_the_others(seed, teardown):
    regions = [*REGIONS, "uk-london-1"]
    cloud, compartment, sandbox, _topic = world(seed, regions=regions, env={"IR_MAX_ATTEMPTS": "2"})
    teardown(cloud)
    # London is subscribed but nothing of the replicator is there; Tokyo is not subscribed at all.
    source = image(cloud, compartment, tags={"replicate-to": f"uk-london-1,ap-tokyo-1,{PHOENIX}"})
    other = image(cloud, compartment, "unrelated", tags={"replicate-to": FRANKFURT})
    cloud.run_until_idle()
    reports = []
    for _ in range(4):
        reports += sandbox.reconcile_everywhere(parallel=2)
        cloud.run_until_idle()
        cloud.advance(3600)
    states = target_states(cloud, sandbox, source.id)
    assert states == {PHOENIX: "done", "uk-london-1": "failed", "ap-tokyo-1": "failed"}
    parts = record(cloud, sandbox, "source", source.id, SOURCE)["targets"]
    assert "is the replicator deployed there?" in parts["uk-london-1"]["error"]
    assert parts["ap-tokyo-1"]["gave_up"] and parts["ap-tokyo-1"]["permanent"]
    assert target_states(cloud, sandbox, other.id) == {FRANKFURT: "done"}
    assert [r.lifecycle_state for r in replicas(cloud, PHOENIX, source.id, compartment)] == ["AVAILABLE"]
    assert len(reports) == 4 * len(REGIONS) * 2  # every pass answered 200 with its report


def _damaged(doc: bytes, damage: str, side: str) -> bytes:
    if damage == "truncated":
        return doc[: len(doc) // 2]
    record = json.loads(doc)
    if damage == "wrong types":
        record["targets" if side == "source" else "refused_shapes"] = ["not", "a", "mapping"]
    elif damage == "unknown value":
        record["export" if side == "source" else "import"]["state"] = "teleporting"
    else:  # written by a newer version of the replicator
        record["schema_version"] = 9
    return json.dumps(record).encode()


@pytest.mark.parametrize("damage", ["truncated", "wrong types", "unknown value", "newer schema"])
@pytest.mark.parametrize("side", ["source", "replica"])
def test_an_unreadable_record_is_rebuilt_and_fails_no_event_and_no_pass(damage, side, teardown):
    cloud, compartment, sandbox, _topic = world(1)
    teardown(cloud)
    source = image(cloud, compartment)
    region = SOURCE if side == "source" else PHOENIX
    name = f"{sandbox.config.object_prefix}records/{side}/{source.id}.json"
    cloud.advance(8 * 60)  # exported; the copies run
    while record(cloud, sandbox, side, source.id, region) is None:  # until the record to damage exists
        cloud.advance(60)
    client = objects(cloud, region)
    found = client.get_object(cloud.namespace, sandbox.config.staging_bucket, name).data.content
    client.put_object(cloud.namespace, sandbox.config.staging_bucket, name, _damaged(found, damage, side))
    cloud.run_until_idle()
    sandbox.converge(parallel=2)
    assert {i.status for fn in sandbox.functions.values() for i in fn.invocations} == {200}
    assert record(cloud, sandbox, side, source.id, region)["rebuilt_at"] is not None
    for target in TARGETS:
        assert [r.lifecycle_state for r in replicas(cloud, target, source.id, compartment)] == ["AVAILABLE"]
    assert target_states(cloud, sandbox, source.id) == {t: "done" for t in TARGETS}
    assert leftover_pars(cloud, sandbox) == [] and intermediate_objects(cloud, sandbox) == []
    assert sum(r.get("message") == "record unreadable; rebuilt from what is observed" for r in sandbox.logs()) == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_late_redelivery_never_regresses_finished_work_nor_repeats_a_notice(seed, teardown):
    cloud, compartment, sandbox, topic = world(seed)
    teardown(cloud)
    source = image(cloud, compartment)
    cloud.run_until_idle()
    before = [
        e
        for e in cloud.events.emitted
        if e["region"] == SOURCE and e["eventType"].endswith((".createimage.end", ".exportimage.end"))
    ]
    cloud.advance(25 * 3600)  # every retry token has lapsed
    for event in before:
        payload = {k: v for k, v in event.items() if k != "region"}
        cloud.invoke_parallel([(sandbox.functions[SOURCE], json.dumps(payload).encode())] * 2)
    cloud.run_until_idle()
    sandbox.converge(parallel=2)
    assert_replicated_once(cloud, compartment, sandbox, topic, source)


def test_a_shape_the_target_refuses_is_recorded_and_the_others_applied(teardown):
    cloud, compartment, sandbox, _topic = world(1)
    teardown(cloud)
    cloud.offer_shapes(PHOENIX, ["VM.Standard3.Flex"])
    source = cloud.create_image(
        SOURCE,
        compartment,
        "gpu",
        size_gb=20,
        freeform_tags={"replicate-to": PHOENIX},
        shapes={"VM.Standard3.Flex": {}, "BM.GPU.A100-v2.8": {}},
    )
    cloud.run_until_idle()
    (replica,) = replicas(cloud, PHOENIX, source.id, compartment)
    assert set(shapes(cloud, PHOENIX, replica.id)) == {"VM.Standard3.Flex"}
    part = record(cloud, sandbox, "replica", source.id, PHOENIX)
    assert part["state"] == "finished" and set(part["refused_shapes"]) == {"BM.GPU.A100-v2.8"}
    assert "not available" in part["refused_shapes"]["BM.GPU.A100-v2.8"]


def test_a_permanent_failure_line_names_the_source_image(teardown):
    cloud, compartment, sandbox, topic = world(1)
    teardown(cloud)
    source = image(cloud, compartment, kind="marketplace")
    cloud.run_until_idle()
    failed = [r for r in sandbox.logs() if r.get("result") == "errored" or r.get("level") == "ERROR"]
    assert failed and all(r.get("source_image_id") == source.id for r in failed)
    assert [m.title for m in topic.messages] == [f"Replication of {source.display_name} failed"]


def test_pre_authenticated_request_paths_never_reach_a_stored_or_logged_error():
    secret = "https://objectstorage.us-ashburn-1.oraclecloud.com/p/Zs9-secret_token/n/acme/b/staging/o/image.oci"
    error = PermanentError(f"CreateImage: 400 InvalidParameter: cannot read {secret}")
    assert "secret_token" not in error.reason and "/p/<redacted>/n/acme" in error.reason
    assert redact("/p/abc/ and /p/def/") == "/p/<redacted>/ and /p/<redacted>/"


@pytest.mark.parametrize("at_request", [True, False])
def test_copies_never_overwrite_whether_oci_checks_at_request_time_or_at_the_end(at_request, teardown):
    cloud, compartment, sandbox, _topic = world(2, options=Options(copy_preconditions_at_request=at_request))
    teardown(cloud)
    cloud.events.drop("com.oraclecloud.objectstorage.*", region=SOURCE)  # answers only through passes
    source = image(cloud, compartment)
    cloud.run_until_idle()
    sandbox.converge(parallel=2)
    for region in TARGETS:
        assert [r.lifecycle_state for r in replicas(cloud, region, source.id, compartment)] == ["AVAILABLE"]
    assert target_states(cloud, sandbox, source.id) == {t: "done" for t in TARGETS}
    assert intermediate_objects(cloud, sandbox) == []
