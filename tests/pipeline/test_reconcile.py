"""Self-healing: each region's reconcile pass converges its own part, whatever happened to the events."""

import oci
import pytest

from replicator_tools.cli.auth import AuthOptions, Operator
from replicator_tools.operations import retry_region
from replicator_tools.sandbox import deploy, idle
from tests.helpers import (
    FRANKFURT,
    PHOENIX,
    REGIONS,
    SOURCE,
    TARGETS,
    at_an_hour_with_no_shape_look,
    compute,
    cross_region_calls,
    intermediate_objects,
    leftover_pars,
    mutations,
    record,
    replicas,
    shapes,
    successful,
    target_states,
)


def _source(cloud, compartment, **kwargs):
    tags = kwargs.pop("freeform_tags", {"replicate-to": f"{PHOENIX},{FRANKFURT}", "team": "platform"})
    return cloud.create_image(
        SOURCE,
        compartment,
        "web",
        size_gb=20,
        freeform_tags=tags,
        shapes={"VM.Standard.E4.Flex": {"ocpuConstraints": {"min": 1, "max": 4}}},
        **kwargs,
    )


def _all_done(cloud, replicator, source_id):
    return target_states(cloud, replicator, source_id) == {t: "done" for t in TARGETS}


def test_with_every_event_dropped_reconcile_passes_alone_reach_the_full_result(cloud, compartment, replicator):
    cloud.events.drop()
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    passes = replicator.converge(max_passes=10)
    assert passes <= 8
    for region in TARGETS:
        (replica,) = replicas(cloud, region, source.id, compartment)
        assert replica.lifecycle_state == "AVAILABLE" and replica.freeform_tags["team"] == "platform"
        assert set(shapes(cloud, region, replica.id)) == {"VM.Standard.E4.Flex"}
    assert _all_done(cloud, replicator, source.id)
    assert leftover_pars(cloud, replicator) == []
    assert intermediate_objects(cloud, replicator) == []
    assert cross_region_calls(cloud) == []


def test_events_delivered_three_times_and_shuffled_give_exactly_one_export_and_replica_per_region(
    cloud, compartment, replicator
):
    cloud.events.duplicate(3)
    cloud.events.shuffle(600, seed=11)
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    replicator.converge()
    for region in TARGETS:
        assert len(replicas(cloud, region, source.id, compartment)) == 1
    assert len(successful(cloud, "ExportImage")) == 1
    assert len(successful(cloud, "CreateImage")) == 2
    assert leftover_pars(cloud, replicator) == []


def test_an_import_that_fails_in_one_region_is_retried_there_only_then_given_up(cloud, compartment, tag_namespace):
    sandbox = deploy(cloud, REGIONS, compartment, {"IR_MAX_ATTEMPTS": "3", "IR_GIVE_UP_AFTER_HOURS": "0"})
    topic = sandbox.topics[SOURCE]
    cloud.faults.fail_work_request("ImportImage", region=FRANKFURT, times=10, message="disk image is corrupt")
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    sandbox.converge()
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "failed"}
    frankfurt = record(cloud, sandbox, "replica", source.id, FRANKFURT)
    assert (frankfurt["state"], frankfurt["import"]["failures"], frankfurt["gave_up"]) == ("abandoned", 3, True)
    assert frankfurt["error"] == "gave up after 3 attempts: import ended with the replica DELETED"
    assert (
        len(replicas(cloud, PHOENIX, source.id, compartment)) == 1
        and replicas(cloud, FRANKFURT, source.id, compartment) == []
    )
    imports = successful(cloud, "CreateImage")
    assert [c.region for c in imports].count(PHOENIX) == 1 and [c.region for c in imports].count(FRANKFURT) == 3
    titles = [m.title for m in topic.messages]
    assert titles.count(f"Replication of web to {FRANKFURT} failed") == 1
    assert titles.count("Image web replicated (failed in eu-frankfurt-1)") == 1
    assert intermediate_objects(cloud, sandbox) == [] and leftover_pars(cloud, sandbox) == []


def test_an_import_that_keeps_failing_is_tried_at_each_pass_until_it_has_failed_for_half_a_day(
    cloud, compartment, tag_namespace
):
    # The defaults: 3 attempts, and 12 hours of failures. A region out of service fails imports as a
    # corrupt disk does, and OCI's codes do not tell them apart: each pass tries once more meanwhile.
    # The target then answers why, before its source would stop waiting (IR_TARGET_DEADLINE_HOURS).
    sandbox = deploy(cloud, REGIONS, compartment)
    cloud.faults.fail_work_request("ImportImage", region=FRANKFURT, times=100, message="disk image is corrupt")
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    for _ in range(8):
        cloud.advance(3600)  # the hourly passes
        cloud.run_until_idle()
    frankfurt = record(cloud, sandbox, "replica", source.id, FRANKFURT)
    assert frankfurt["import"]["failures"] > 3 and not frankfurt["gave_up"]
    assert target_states(cloud, sandbox, source.id)[FRANKFURT] != "failed"
    for _ in range(6):
        cloud.advance(3600)
        cloud.run_until_idle()
    frankfurt = record(cloud, sandbox, "replica", source.id, FRANKFURT)
    assert frankfurt["gave_up"] and frankfurt["error"].startswith(f"gave up after {frankfurt['import']['failures']}")
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "failed"}
    error = record(cloud, sandbox, "source", source.id, SOURCE)["targets"][FRANKFURT]["error"]
    assert error == "the target region gave up (see its record)"  # its answer, not its silence


def test_retry_counts_a_given_up_region_afresh_so_the_next_passes_try_again(cloud, compartment, tag_namespace):
    sandbox = deploy(cloud, REGIONS, compartment, {"IR_MAX_ATTEMPTS": "1", "IR_GIVE_UP_AFTER_HOURS": "0"})
    cloud.faults.fail_work_request("ImportImage", region=FRANKFURT, times=1)
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    assert target_states(cloud, sandbox, source.id)[FRANKFURT] == "failed"
    operator = Operator(AuthOptions(fake=cloud.config(SOURCE), fake_env=sandbox.env))
    retry_region(operator.runtime(), operator.runtime, source.id, FRANKFURT)
    cloud.run_until_idle()
    sandbox.converge()
    assert len(replicas(cloud, FRANKFURT, source.id, compartment)) == 1
    assert _all_done(cloud, sandbox, source.id)


def test_tags_and_shapes_changed_on_the_source_reach_every_replica_after_one_pass(cloud, compartment, replicator):
    cloud.events.drop("*updateimage")
    cloud.events.drop("*shapecompatibility")
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    client = compute(cloud, SOURCE)
    client.update_image(
        source.id,
        oci.core.models.UpdateImageDetails(
            freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}", "team": "security"}
        ),
    )
    client.add_image_shape_compatibility_entry(source.id, "VM.Standard3.Flex")
    replicator.reconcile(SOURCE)
    cloud.run_until_idle()
    for region in TARGETS:
        (replica,) = replicas(cloud, region, source.id, compartment)
        assert replica.freeform_tags["team"] == "security"
        assert set(shapes(cloud, region, replica.id)) == {"VM.Standard.E4.Flex", "VM.Standard3.Flex"}
    assert cross_region_calls(cloud) == []


def test_an_update_event_brings_replicas_in_line_without_waiting_for_a_pass(cloud, compartment, replicator):
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    compute(cloud, SOURCE).update_image(
        source.id,
        oci.core.models.UpdateImageDetails(freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}", "team": "data"}),
    )
    compute(cloud, SOURCE).remove_image_shape_compatibility_entry(source.id, "VM.Standard.E4.Flex")
    cloud.run_until_idle()
    for region in TARGETS:
        (replica,) = replicas(cloud, region, source.id, compartment)
        assert replica.freeform_tags["team"] == "data"
        assert shapes(cloud, region, replica.id) == {}
        part = record(cloud, replicator, "source", source.id, SOURCE)["targets"][region]
        assert part["applied_issued"] == record(cloud, replicator, "source", source.id, SOURCE)["manifest_issued"]


def test_tagging_an_existing_image_later_starts_its_replication(cloud, compartment, replicator):
    source = _source(cloud, compartment, freeform_tags={"team": "platform"})
    cloud.run_until_idle()
    compute(cloud, SOURCE).update_image(
        source.id, oci.core.models.UpdateImageDetails(freeform_tags={"replicate-to": PHOENIX})
    )
    cloud.run_until_idle()
    assert len(replicas(cloud, PHOENIX, source.id, compartment)) == 1


def test_dry_run_lists_the_steps_and_changes_nothing(cloud, compartment, replicator):
    cloud.events.drop()
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    before = len(cloud.calls)
    report = replicator.reconcile(SOURCE, dry_run=True)
    assert [(s.source_image_id, s.side, s.action) for s in report.steps] == [(source.id, "source", "export")]
    assert mutations(cloud, before) == []


@pytest.mark.parametrize("policy", ["keep", "delete"])
def test_source_deletion_policy_applies_only_to_our_replicas(cloud, compartment, tag_namespace, policy):
    sandbox = deploy(cloud, REGIONS, compartment, {"IR_ON_SOURCE_DELETED": policy})
    source = _source(cloud, compartment)
    bystander = cloud.create_image(PHOENIX, compartment, "web", freeform_tags={"team": "platform"})
    cloud.run_until_idle()
    compute(cloud, SOURCE).delete_image(source.id)
    cloud.run_until_idle()
    assert len(replicas(cloud, PHOENIX, source.id, compartment)) == (1 if policy == "keep" else 0)
    assert compute(cloud, PHOENIX).get_image(bystander.id).data.lifecycle_state == "AVAILABLE"
    closing = record(cloud, sandbox, "source", source.id, SOURCE)
    assert closing["closed"] == "source image deleted"
    assert {p["state"] for p in closing["targets"].values()} == {"deleted"}
    assert intermediate_objects(cloud, sandbox) == []


def test_a_deleted_source_whose_event_was_lost_is_closed_by_a_pass(cloud, compartment, replicator):
    cloud.events.drop("*deleteimage")
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    compute(cloud, SOURCE).delete_image(source.id)
    replicator.converge()
    assert record(cloud, replicator, "source", source.id, SOURCE)["closed"] == "source image deleted"


def _settle(cloud, sandbox, image_ids) -> None:
    """Let the answers' deliveries be confirmed (a pass checks them half an hour after sending),
    then run passes in each region at a quiet hour until one has nothing to do: that one reads
    each record and leaves its mark. (Whether a scheduled pass already confirmed the answers
    depends on how far the quiet hour is, so on the wall clock's hour.)"""
    cloud.advance(3600)
    cloud.run_until_idle()
    at_an_hour_with_no_shape_look(cloud, image_ids, schedules=True)
    for region in (SOURCE, PHOENIX):
        for _ in range(3):
            if idle(sandbox.reconcile(region)):
                break


def test_a_pass_over_settled_replications_reads_no_record_yet_sees_what_changes(cloud, compartment):
    from collections import Counter

    sandbox = deploy(cloud, REGIONS, compartment)
    tags = {"replicate-to": PHOENIX}
    images = [cloud.create_image(SOURCE, compartment, f"web-{n}", freeform_tags=tags) for n in range(5)]
    cloud.run_until_idle()
    _settle(cloud, sandbox, [i.id for i in images])
    before = len(cloud.calls)
    for region in (SOURCE, PHOENIX):
        report = sandbox.reconcile(region)
        assert report.steps == [] and report.exposed == 0
    done = Counter(c.operation for c in cloud.calls[before:])
    # The only object a settled pass reads and writes is its own report (health/<region>.json).
    assert done["GetObject"] == 2 and done["PutObject"] == 2, "a settled pass read or wrote a record"
    allowed = {"ListImages", "ListObjects", "ListPreauthenticatedRequests", "PostMetricData", "GetObject", "PutObject"}
    assert set(done) <= allowed
    # What the listings show still counts: a source's tags changed while every event is lost.
    cloud.events.drop()
    client = compute(cloud, SOURCE)
    client.update_image(images[0].id, oci.core.models.UpdateImageDetails(freeform_tags={**tags, "team": "web"}))
    report = sandbox.reconcile(SOURCE)
    assert [(s.source_image_id, s.action) for s in report.steps] == [(images[0].id, "refresh")]
    cloud.run_until_idle()
    sandbox.reconcile(PHOENIX)
    (replica,) = replicas(cloud, PHOENIX, images[0].id, compartment)
    assert replica.freeform_tags["team"] == "web"
    # A replica deleted behind the replicator's back: the listing contradicts its mark.
    (other,) = replicas(cloud, PHOENIX, images[1].id, compartment)
    compute(cloud, PHOENIX).delete_image(other.id)
    report = sandbox.reconcile(PHOENIX)
    assert [(s.source_image_id, s.action) for s in report.steps] == [(images[1].id, "lost")]


def test_a_steady_pass_holds_nothing_of_a_settled_replication_and_caps_its_shape_looks(cloud, compartment):
    from datetime import timedelta

    from replicator.reconcile.observe import observe
    from replicator.records.store import QUIET

    sandbox = deploy(cloud, REGIONS, compartment, {"IR_RECONCILE_SHAPE_LOOKS": "1"})
    images = [
        cloud.create_image(SOURCE, compartment, f"web-{n}", freeform_tags={"replicate-to": PHOENIX}) for n in range(30)
    ]
    cloud.run_until_idle()
    _settle(cloud, sandbox, [i.id for i in images])
    cloud.advance(int(QUIET.total_seconds()))
    assert idle(sandbox.reconcile(SOURCE))  # quiet for long enough: the records are folded into their marks
    start, at = cloud.clock.now(), [cloud.clock.now()]

    def runtime(region):
        env = sandbox.region_env[region]
        return Operator(AuthOptions(fake=cloud.config(region), fake_env=env, clock=lambda: at[0])).runtime()

    looks = []
    for hour in range(48):  # two days of hourly passes, each with at most one look
        at[0] = start + timedelta(hours=hour)
        seen = observe(runtime(SOURCE))
        assert (seen.images, seen.source_records, len(seen.settled_sources)) == ({}, {}, 30)
        looks.append(seen.shape_looks)
    assert max(looks) == 1 and sum(looks) >= 24
    target = observe(runtime(PHOENIX))
    assert (target.replicas, target.replica_records, len(target.settled_replicas)) == ({}, {}, 30)


def test_a_pass_answers_a_bounded_summary_and_logs_every_step(cloud, compartment):
    from replicator.reconcile.run import run_pass

    sandbox = deploy(cloud, REGIONS, compartment)
    cloud.events.drop()
    for n in range(5):
        cloud.create_image(SOURCE, compartment, f"web-{n}", freeform_tags={"replicate-to": PHOENIX})
    cloud.run_until_idle()
    operator = Operator(
        AuthOptions(fake=cloud.config(SOURCE), fake_env=sandbox.region_env[SOURCE], clock=cloud.clock.now)
    )
    report = run_pass(operator.runtime(), dry_run=True, report_limit=2)
    assert (len(report.steps), report.steps_total, report.actions) == (2, 5, {"export": 5})


def test_the_daily_look_at_a_settled_source_costs_one_call_and_finds_changed_shapes(cloud, compartment):
    from collections import Counter

    from replicator.reconcile.settled import shapes_due

    sandbox = deploy(cloud, REGIONS, compartment)
    image = cloud.create_image(
        SOURCE, compartment, "web", freeform_tags={"replicate-to": PHOENIX}, shapes={"VM.Standard3.Flex": {}}
    )
    cloud.run_until_idle()
    at_an_hour_with_no_shape_look(cloud, [image.id], schedules=True)
    sandbox.reconcile(SOURCE)  # leaves the mark
    while not shapes_due(image.id, cloud.clock.now()):
        cloud.advance(3600)
    before = len(cloud.calls)
    assert sandbox.reconcile(SOURCE).steps == []
    done = Counter(c.operation for c in cloud.calls[before:])
    assert done["ListImageShapeCompatibilityEntries"] == 1 and done["GetObject"] == 1  # the pass's own report
    cloud.events.drop()  # the shape change's event is lost: the next daily look finds it
    compute(cloud, SOURCE).add_image_shape_compatibility_entry(image.id, "VM.Standard.E4.Flex")
    # The hourly schedules run while the days pass; the image's hour of the next day looks and
    # sends the change (each day draws its hour afresh: within two days).
    cloud.advance(48 * 3600)
    cloud.run_until_idle()
    sandbox.reconcile(PHOENIX)
    (replica,) = replicas(cloud, PHOENIX, image.id, compartment)
    assert set(shapes(cloud, PHOENIX, replica.id)) == {"VM.Standard3.Flex", "VM.Standard.E4.Flex"}


def test_a_pass_reads_at_most_its_share_of_records_and_the_next_pass_goes_on_from_there(cloud, compartment):
    sandbox = deploy(cloud, REGIONS, compartment, {"IR_RECONCILE_MAX_READS": "10"})
    for n in range(12):
        cloud.create_image(SOURCE, compartment, f"web-{n}", freeform_tags={"replicate-to": PHOENIX})
    cloud.run_until_idle()  # no scheduled pass has run (the clock did not pass the hour): nothing is marked
    from replicator.reconcile.observe import observe

    env = sandbox.region_env[SOURCE]
    seen = observe(Operator(AuthOptions(fake=cloud.config(SOURCE), fake_env=env, clock=cloud.clock.now)).runtime())
    # What the pass holds is what it reads: the deferred replications' images wait for their pass.
    assert (len(seen.source_records), len(seen.images), len(seen.deferred["source"])) == (10, 10, 2)
    first = sandbox.reconcile(SOURCE)
    assert first.deferred == 2, "a pass read more records than its share"
    second = sandbox.reconcile(SOURCE)  # the two left over
    third = sandbox.reconcile(SOURCE)
    assert (second.deferred, third.deferred, third.exposed) == (0, 0, 0)


def test_a_pass_takes_on_at_most_its_share_of_images_whose_events_were_lost_and_counts_the_rest_exposed(
    cloud, compartment
):
    sandbox = deploy(cloud, REGIONS, compartment, {"IR_RECONCILE_MAX_READS": "10"})
    cloud.events.drop()  # no replication starts but by the passes
    images = [
        cloud.create_image(SOURCE, compartment, f"web-{n}", freeform_tags={"replicate-to": PHOENIX}) for n in range(25)
    ]
    cloud.run_until_idle()
    first = sandbox.reconcile(SOURCE)
    # Ten started; the fifteen others are not held, only counted: exposed, and in Monitoring's gauge.
    assert ({s.action for s in first.steps}, len(first.steps)) == ({"export"}, 10)
    assert (first.deferred, first.exposed) == (15, 25)
    gauge = cloud.metrics(SOURCE, name="exposed_images", targetRegion=PHOENIX)
    assert gauge[-1].value == 25
    # The next passes take on more as the first settle (and a quarter of the budget meanwhile): every
    # image is replicated once, by the passes alone.
    sandbox.converge(max_passes=16)  # 13 as this is written: 25 images at 10 a pass, each over 5 passes
    assert all(len(replicas(cloud, PHOENIX, i.id, compartment)) == 1 for i in images)
    assert sandbox.reconcile(SOURCE).exposed == 0


def test_during_a_catch_up_no_pass_counts_fewer_exposed_than_the_cloud_shows_unprotected(cloud, compartment):
    # A pass reads at most IR_RECONCILE_MAX_READS records; the replications whose records it leaves
    # for later passes are not known protected that pass, so its gauge counts them exposed.
    sandbox = deploy(cloud, REGIONS, compartment, {"IR_RECONCILE_MAX_READS": "10"})
    cloud.events.drop()
    images = [
        cloud.create_image(SOURCE, compartment, f"web-{n}", freeform_tags={"replicate-to": PHOENIX}) for n in range(25)
    ]
    cloud.run_until_idle()
    counted, unread = [], []
    for _ in range(16):
        unprotected = sum(
            not any(r.lifecycle_state == "AVAILABLE" for r in replicas(cloud, PHOENIX, i.id, compartment))
            for i in images
        )
        report = sandbox.reconcile(SOURCE)
        gauge = cloud.metrics(SOURCE, name="exposed_images", targetRegion=PHOENIX)[-1].value
        assert report.exposed == gauge >= unprotected, (report.exposed, gauge, unprotected)
        counted.append(report.exposed)
        unread.append(any("left unread counted as exposed" in p for p in report.problems))
        sandbox.reconcile(PHOENIX)
        cloud.run_until_idle()
        if report.exposed == 0:
            break
    assert counted[-1] == 0 and any(unread), counted


def test_a_replica_lost_behind_a_backlog_of_records_is_answered_by_the_first_pass(cloud, compartment):
    # Phoenix holds more records without a mark than a pass reads (imports refused for want of
    # room), and a settled replica there is deleted with its event lost: the mark that stopped
    # holding is read first, so the loss reaches the source now, not once the backlog is read.
    sandbox = deploy(cloud, REGIONS, compartment, {"IR_RECONCILE_MAX_READS": "4"})
    image = cloud.create_image(SOURCE, compartment, "web", freeform_tags={"replicate-to": PHOENIX})
    cloud.run_until_idle()
    _settle(cloud, sandbox, [image.id])
    phoenix = cloud.compute(PHOENIX)
    phoenix.custom_image_limit = phoenix.custom_images()
    for n in range(6):
        cloud.create_image(SOURCE, compartment, f"batch-{n}", freeform_tags={"replicate-to": PHOENIX})
    cloud.run_until_idle()
    cloud.events.drop()
    (replica,) = replicas(cloud, PHOENIX, image.id, compartment)
    compute(cloud, PHOENIX).delete_image(replica.id)
    cloud.run_until_idle()
    report = sandbox.reconcile(PHOENIX)
    assert report.deferred > 0, "no backlog: the pass read every record"
    assert image.id in {s.source_image_id for s in report.steps}, report.steps
    cloud.run_until_idle()
    sandbox.reconcile(SOURCE)
    assert target_states(cloud, sandbox, image.id)[PHOENIX] != "done"


def test_a_pass_that_runs_out_of_time_leaves_a_cursor_and_the_next_one_starts_there(cloud, compartment, monkeypatch):
    from replicator.reconcile import run
    from replicator.reconcile.observe import cursor_object

    sandbox = deploy(cloud, REGIONS, compartment)
    cloud.events.drop()
    images = [
        cloud.create_image(SOURCE, compartment, f"web-{n}", freeform_tags={"replicate-to": PHOENIX}) for n in range(5)
    ]
    cloud.run_until_idle()
    operator = Operator(
        AuthOptions(fake=cloud.config(SOURCE), fake_env=sandbox.region_env[SOURCE], clock=cloud.clock.now)
    )
    staging = cloud.objectstorage(SOURCE).bucket(cloud.namespace, sandbox.config.staging_bucket)
    cursor = cursor_object(sandbox.config.object_prefix) + "."
    started = run.time.monotonic()
    ticks = iter([started])  # the pass's start; every later look at the time is past its budget
    monkeypatch.setattr(run.time, "monotonic", lambda: next(ticks, started + 10_000))
    spent = run.run_pass(operator.runtime())
    assert (spent.unfinished, [s.result for s in spent.steps]) == (5, [None] * 5)
    # Where the next pass starts is in an object's name: the first replication not done.
    assert [n for n in staging.objects if n.startswith(cursor)] == [cursor + min(i.id for i in images)]
    monkeypatch.undo()
    resumed = run.run_pass(operator.runtime())
    assert resumed.unfinished == 0 and {s.result for s in resumed.steps} == {"started"}
    assert not [n for n in staging.objects if n.startswith(cursor)]


def test_a_settled_source_deleted_while_its_events_are_lost_is_closed_despite_its_mark(cloud, compartment):
    sandbox = deploy(cloud, REGIONS, compartment)
    image = cloud.create_image(SOURCE, compartment, "web", freeform_tags={"replicate-to": PHOENIX})
    cloud.run_until_idle()
    _settle(cloud, sandbox, [image.id])
    staging = cloud.objectstorage(SOURCE).bucket(cloud.namespace, sandbox.config.staging_bucket)
    assert any("/settled/source/" in n for n in staging.objects), "the replication was not marked settled"
    cloud.events.drop()
    compute(cloud, SOURCE).delete_image(image.id)
    first = sandbox.reconcile(SOURCE)  # the image is gone from the listing: the mark cannot vouch
    assert [(s.source_image_id, s.action) for s in first.steps] == [(image.id, "tombstone")]
    sandbox.converge()
    assert record(cloud, sandbox, "source", image.id, SOURCE)["closed"] == "source image deleted"
