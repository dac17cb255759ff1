"""End to end: a tagged image in one region becomes finished replicas in the others."""

import oci
import pytest

from tests.conftest import FRANKFURT, PHOENIX, SOURCE
from tests.pipeline.conftest import leftover_pars, mutations, read_status, replicas

# As many real region names as a 256-character tag value holds: more than the 10 allowed.
MANY_REGIONS = [r for r in sorted(oci.regions.REGIONS) if len(r) <= 12][:19]

SHAPES = {
    "VM.Standard.E4.Flex": {"memoryConstraints": {"minInGBs": 2, "maxInGBs": 64}, "ocpuConstraints": {"min": 1, "max": 16}},
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
    pipeline_calls = list(cloud.calls)

    for region in (PHOENIX, FRANKFURT):
        (replica,) = replicas(cloud, region, source.id)
        image = oci.core.ComputeClient(cloud.config(region)).get_image(replica.id).data
        assert (image.lifecycle_state, image.display_name, image.operating_system, image.operating_system_version, image.launch_mode) == (
            "AVAILABLE", "web-server", "Oracle Linux", "9.4", "NATIVE",
        )
        assert image.freeform_tags["team"] == "platform"
        assert image.freeform_tags["replica-of"] == source.id
        assert image.freeform_tags["replica-source-region"] == SOURCE
        assert "replicated-at" in image.freeform_tags
        assert "replicate-to" not in image.freeform_tags
        assert image.defined_tags == {"Ops": {"CostCenter": "42"}}
        shapes = oci.core.ComputeClient(cloud.config(region)).list_image_shape_compatibility_entries(replica.id).data
        flex = next(s for s in shapes if s.shape == "VM.Standard.E4.Flex")
        assert {s.shape for s in shapes} == set(SHAPES)
        assert (flex.memory_constraints.min_in_gbs, flex.memory_constraints.max_in_gbs, flex.ocpu_constraints.max) == (2, 64, 16)

    status = read_status(cloud, replicator, source.id)
    assert {r: (s["state"], s["attempts"]) for r, s in status["targets"].items()} == {PHOENIX: ("done", 1), FRANKFURT: ("done", 1)}
    assert all(set(s["timings"]) == {"export", "copy", "import", "finish"} for s in status["targets"].values())
    assert leftover_pars(cloud) == 0
    assert not [c for c in pipeline_calls if c.operation == "GetWorkRequest"], "nothing is polled"
    assert {c.principal for c in pipeline_calls} == {"resource_principal"}


def test_intermediate_objects_are_removed_once_every_region_is_done(cloud, compartment, replicator):
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    leftovers = {
        (region, bucket.name, name)
        for region, state in cloud.regions.items()
        for bucket in state.objectstorage.buckets.values()
        for name in bucket.objects
        if "/status/" not in name
    }
    assert leftovers == set()
    assert read_status(cloud, replicator, source.id)["targets"][PHOENIX]["state"] == "done"


def test_untagged_image_is_untouched(cloud, compartment, replicator):
    before = len(cloud.calls)
    cloud.create_image(SOURCE, compartment, "plain", freeform_tags={"team": "platform"})
    cloud.run_until_idle()
    assert mutations(cloud, before) == []
    assert cloud.compute(PHOENIX).images == cloud.compute(FRANKFURT).images == {}


def test_default_keyword_replicates_to_the_configured_default_regions(cloud, compartment, replicator):
    source = _source(cloud, compartment, freeform_tags={"replicate-to": "default"})
    cloud.run_until_idle()
    assert len(replicas(cloud, PHOENIX, source.id)) == len(replicas(cloud, FRANKFURT, source.id)) == 1


def test_defined_tag_opts_in_too(cloud, compartment, replicator):
    source = _source(cloud, compartment, freeform_tags={}, defined_tags={"Ops": {"Replicate": PHOENIX}})
    cloud.run_until_idle()
    (replica,) = replicas(cloud, PHOENIX, source.id)
    assert replicas(cloud, FRANKFURT, source.id) == []
    assert "Replicate" not in replica.defined_tags.get("Ops", {})


def test_replica_is_never_replicated_again(cloud, compartment, replicator):
    source = _source(cloud, compartment, freeform_tags={"replicate-to": PHOENIX})
    cloud.run_until_idle()
    (replica,) = replicas(cloud, PHOENIX, source.id)
    # Someone copies the opt-in tag onto the replica: it still must not start a replication.
    oci.core.ComputeClient(cloud.config(PHOENIX)).update_image(
        replica.id, oci.core.models.UpdateImageDetails(freeform_tags={**replica.freeform_tags, "replicate-to": FRANKFURT})
    )
    event = cloud.events.emit(PHOENIX, "com.oraclecloud.computeapi.createimage.end", compartment_id=compartment, resource_id=replica.id, resource_name=replica.display_name)
    cloud.run_until_idle()
    assert cloud.call_count("ExportImage") == 1
    assert replicas(cloud, FRANKFURT, source.id) == []
    assert event["data"]["resourceId"] == replica.id


def test_every_event_delivered_twice_still_gives_one_export_one_copy_and_one_replica_per_region(cloud, compartment, replicator):
    cloud.events.duplicate(2)
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    for region in (PHOENIX, FRANKFURT):
        assert len(replicas(cloud, region, source.id)) == 1
    exports = [c for c in cloud.calls if c.operation == "ExportImage" and c.status == 200]
    copies = [c for c in cloud.calls if c.operation == "CopyObject" and c.status == 202]
    assert (len(exports), len(copies)) == (1, 2)
    assert leftover_pars(cloud) == 0


def test_an_export_that_ends_without_its_object_is_recorded_as_failed(cloud, compartment, replicator):
    cloud.faults.export_without_object()
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    status = read_status(cloud, replicator, source.id)
    for region in (PHOENIX, FRANKFURT):
        assert status["targets"][region]["state"] == "failed"
        assert status["targets"][region]["last_error"] == "export finished without writing its object"
        assert replicas(cloud, region, source.id) == []
    assert leftover_pars(cloud) == 0


def test_an_image_that_cannot_be_exported_is_recorded_and_left_as_it_was(cloud, compartment, replicator):
    source = _source(cloud, compartment, kind="marketplace")
    cloud.run_until_idle()
    status = read_status(cloud, replicator, source.id)
    assert status["targets"][PHOENIX]["state"] == "failed"
    assert "cannot be exported" in status["targets"][PHOENIX]["last_error"]
    assert cloud.compute(SOURCE).images[source.id].lifecycle_state == "AVAILABLE"
    assert leftover_pars(cloud) == 0


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
    assert any(r.get("reason", "").find(reason) >= 0 and r.get("source_image_id") == source.id for r in replicator.logs())


def test_pre_authenticated_request_urls_never_reach_the_logs(cloud, compartment, replicator):
    _source(cloud, compartment)
    cloud.run_until_idle()
    everything = "".join(fn.read_log() for fn in replicator.functions.values())
    assert "CreatePreauthenticatedRequest" in everything
    assert "/p/" not in everything and "https://" not in everything


def test_every_log_line_names_the_source_image_and_the_region(cloud, compartment, replicator):
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    records = replicator.logs()
    assert records
    assert all(r.get("source_image_id") == source.id and r.get("region") and r.get("event_id") for r in records)
