"""End to end: a tagged image in one region becomes finished replicas in the others, driven by events."""

import oci
import pytest

from tests.helpers import (
    FRANKFURT,
    PHOENIX,
    SOURCE,
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

# As many real region names as a 256-character tag value holds: more than the 10 allowed.
MANY_REGIONS = [r for r in sorted(oci.regions.REGIONS) if len(r) <= 12][:19]

SHAPES = {
    "VM.Standard.E4.Flex": {
        "memoryConstraints": {"minInGBs": 2, "maxInGBs": 64},
        "ocpuConstraints": {"min": 1, "max": 16},
    },
    "VM.Standard2.1": {},
}


def _source(cloud, compartment, **overrides):
    kwargs = dict(
        size_gb=50,
        operating_system="Oracle Linux",
        operating_system_version="9.4",
        launch_mode="NATIVE",
        freeform_tags={"replicate-to": f"{PHOENIX}, {FRANKFURT}", "team": "platform"},
        defined_tags={"Ops": {"CostCenter": "42"}},
        shapes=SHAPES,
    )
    kwargs.update(overrides)
    return cloud.create_image(SOURCE, compartment, "web-server", **kwargs)


def test_tagged_image_becomes_a_finished_replica_in_every_target_region(cloud, compartment, replicator):
    source = _source(cloud, compartment)
    cloud.run_until_idle()

    for region in (PHOENIX, FRANKFURT):
        (replica,) = replicas(cloud, region, source.id, compartment)
        image = compute(cloud, region).get_image(replica.id).data
        assert (
            image.lifecycle_state,
            image.display_name,
            image.operating_system,
            image.operating_system_version,
            image.launch_mode,
        ) == (
            "AVAILABLE",
            "web-server",
            "Oracle Linux",
            "9.4",
            "NATIVE",
        )
        assert image.freeform_tags["team"] == "platform"
        assert (image.freeform_tags["replica-of"], image.freeform_tags["replica-source-region"]) == (source.id, SOURCE)
        assert "replicated-at" in image.freeform_tags and "replicate-to" not in image.freeform_tags
        # The version it carries, read by a region that lost its record before it applies what lands again.
        assert image.freeform_tags["replica-manifest-issued"].isdigit()
        assert image.defined_tags == {"Ops": {"CostCenter": "42"}}
        entries = shapes(cloud, region, replica.id)
        flex = entries["VM.Standard.E4.Flex"]
        assert set(entries) == set(SHAPES)
        assert (flex.memory_constraints.min_in_gbs, flex.memory_constraints.max_in_gbs, flex.ocpu_constraints.max) == (
            2,
            64,
            16,
        )
    assert target_states(cloud, replicator, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    assert leftover_pars(cloud, replicator) == []
    assert not [c for c in cloud.calls if c.operation == "GetWorkRequest" and c.principal == "resource_principal"], (
        "nothing is polled"
    )


def test_no_function_calls_a_region_other_than_its_own(cloud, compartment, replicator):
    _source(cloud, compartment)
    cloud.run_until_idle()
    functions = [c for c in cloud.calls if c.principal == "resource_principal"]
    assert {c.caller_region for c in functions} == {SOURCE, PHOENIX, FRANKFURT}
    assert cross_region_calls(cloud) == []


def test_each_region_records_its_own_part(cloud, compartment, replicator):
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    assert record(cloud, replicator, "source", source.id, SOURCE)["export"]["state"] == "done"
    for region in (PHOENIX, FRANKFURT):
        part = record(cloud, replicator, "replica", source.id, region)
        assert (part["state"], part["source_region"], part["target_region"]) == ("finished", SOURCE, region)
    assert record(cloud, replicator, "replica", source.id, SOURCE) is None


def test_intermediate_objects_are_removed_once_every_region_answered(cloud, compartment, replicator):
    _source(cloud, compartment)
    cloud.run_until_idle()
    assert intermediate_objects(cloud, replicator) == []


def test_untagged_image_is_untouched(cloud, compartment, replicator):
    before = len(cloud.calls)
    cloud.create_image(SOURCE, compartment, "plain", freeform_tags={"team": "platform"})
    cloud.run_until_idle()
    assert mutations(cloud, before) == []


def test_default_keyword_replicates_to_the_configured_default_regions(cloud, compartment, replicator):
    source = _source(cloud, compartment, freeform_tags={"replicate-to": "default"})
    cloud.run_until_idle()
    assert (
        len(replicas(cloud, PHOENIX, source.id, compartment))
        == len(replicas(cloud, FRANKFURT, source.id, compartment))
        == 1
    )


def test_defined_tag_opts_in_too(cloud, compartment, replicator):
    source = _source(cloud, compartment, freeform_tags={}, defined_tags={"Ops": {"Replicate": PHOENIX}})
    cloud.run_until_idle()
    (replica,) = replicas(cloud, PHOENIX, source.id, compartment)
    assert replicas(cloud, FRANKFURT, source.id, compartment) == []
    assert "Replicate" not in (replica.defined_tags or {}).get("Ops", {})


def test_replica_is_never_replicated_again(cloud, compartment, replicator):
    source = _source(cloud, compartment, freeform_tags={"replicate-to": PHOENIX})
    cloud.run_until_idle()
    (replica,) = replicas(cloud, PHOENIX, source.id, compartment)
    # Someone copies the opt-in tag onto the replica: it still must not start a replication.
    compute(cloud, PHOENIX).update_image(
        replica.id,
        oci.core.models.UpdateImageDetails(freeform_tags={**replica.freeform_tags, "replicate-to": FRANKFURT}),
    )
    cloud.events.emit(
        PHOENIX,
        "com.oraclecloud.computeapi.createimage.end",
        compartment_id=compartment,
        resource_id=replica.id,
        resource_name=replica.display_name,
    )
    cloud.run_until_idle()
    assert len(successful(cloud, "ExportImage")) == 1
    assert replicas(cloud, FRANKFURT, source.id, compartment) == []


def test_every_event_delivered_twice_in_parallel_still_gives_one_export_copy_and_replica_per_region(
    cloud, compartment, replicator
):
    cloud.events.duplicate(2)
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    for region in (PHOENIX, FRANKFURT):
        assert len(replicas(cloud, region, source.id, compartment)) == 1
    assert len(successful(cloud, "ExportImage")) == 1
    assert len(successful(cloud, "CreateImage")) == 2
    assert cloud.interleaver.max_concurrency >= 2
    assert leftover_pars(cloud, replicator) == []


def test_an_export_that_ends_without_its_object_is_recorded_as_a_failed_attempt(cloud, compartment, replicator):
    cloud.faults.export_without_object()
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    export = record(cloud, replicator, "source", source.id, SOURCE)["export"]
    assert (export["state"], export["error"], export["failures"]) == (
        "failed",
        "export finished without writing its object",
        1,
    )
    assert replicas(cloud, PHOENIX, source.id, compartment) == []
    assert leftover_pars(cloud, replicator) == []


def test_an_image_that_cannot_be_exported_is_recorded_and_left_as_it_was(cloud, compartment, replicator):
    source = _source(cloud, compartment, kind="marketplace")
    cloud.run_until_idle()
    parts = record(cloud, replicator, "source", source.id, SOURCE)["targets"]
    assert parts[PHOENIX]["state"] == "failed" and parts[PHOENIX]["gave_up"]
    assert "cannot be exported" in parts[PHOENIX]["error"]
    assert compute(cloud, SOURCE).get_image(source.id).data.lifecycle_state == "AVAILABLE"
    assert leftover_pars(cloud, replicator) == []


@pytest.mark.parametrize(
    ("tags", "reason"),
    [
        ({"replicate-to": "us-phoenix-1,mars-north-1"}, "unknown region name(s): mars-north-1"),
        ({"replicate-to": ",".join(MANY_REGIONS)}, "at most 10 targets"),
        ({"replicate-to": SOURCE}, "no target region other than the source region"),
        ({"replicate-to": " , "}, "is empty"),
    ],
)
def test_a_bad_tag_value_is_skipped_with_its_reason_and_changes_nothing(cloud, compartment, replicator, tags, reason):
    before = len(cloud.calls)
    source = _source(cloud, compartment, freeform_tags=tags)
    cloud.run_until_idle()
    (reply,) = replicator.functions[SOURCE].invocations
    assert reply.json()["result"] == "skipped"
    assert reason in reply.json()["reason"]
    assert mutations(cloud, before) == []
    assert any(reason in r.get("reason", "") and r.get("source_image_id") == source.id for r in replicator.logs())


def test_pre_authenticated_request_urls_never_reach_the_logs(cloud, compartment, replicator):
    _source(cloud, compartment)
    cloud.run_until_idle()
    lines = [str(r) for r in replicator.logs()]
    assert any("CreatePreauthenticatedRequest" in line for line in lines)
    assert not [line for line in lines if "/p/" in line and "/p/<redacted>/" not in line]
    assert not [line for line in lines if "https://" in line]


def test_every_log_line_of_a_replication_names_the_source_image_and_the_region(cloud, compartment, replicator):
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    lines = [r for r in replicator.logs() if r.get("scope") != "container"]
    assert len(lines) > 20
    assert all(r.get("source_image_id") == source.id and r.get("region") and r.get("event_id") for r in lines), [
        r for r in lines if r.get("source_image_id") != source.id
    ][:3]
