"""Deterministic names and tokens, the manifest's tag filtering and the status record's transitions."""

from datetime import datetime, timedelta, timezone

from replicator.images import ImageFacts
from replicator.manifest import replica_tags
from replicator.naming import image_object, par_name, retry_token, source_id_from_object
from replicator.status import StatusRecord

SOURCE_ID = "ocid1.image.oc1.iad.aaaaaaaa0123456789abcdef"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def test_retry_tokens_are_deterministic_distinct_per_step_and_region_and_short_enough():
    token = retry_token("import", SOURCE_ID, "us-phoenix-1", "ocid1.compartment.oc1..x")
    assert token == retry_token("import", SOURCE_ID, "us-phoenix-1", "ocid1.compartment.oc1..x")
    assert token != retry_token("import", SOURCE_ID, "eu-frankfurt-1", "ocid1.compartment.oc1..x")
    assert token != retry_token("export", SOURCE_ID, "us-phoenix-1", "ocid1.compartment.oc1..x")
    assert 1 <= len(token) <= 64


def test_image_object_names_round_trip_to_the_source_image():
    name = image_object("image-replicator/", SOURCE_ID)
    assert source_id_from_object("image-replicator/", name) == SOURCE_ID
    assert source_id_from_object("image-replicator/", "image-replicator/images/not-an-ocid.oci") is None
    assert source_id_from_object("image-replicator/", "image-replicator/manifests/x.json") is None


def test_par_names_carry_the_project_prefix_and_no_secret():
    name = par_name("export", SOURCE_ID, "us-ashburn-1")
    assert name.startswith("image-replicator-export-us-ashburn-1-") and SOURCE_ID not in name


def test_replica_tags_drop_the_opt_in_tag_but_keep_the_rest():
    image = ImageFacts(
        id=SOURCE_ID, compartment_id="c", display_name="web", lifecycle_state="AVAILABLE",
        freeform_tags={"replicate-to": "default", "team": "a"}, defined_tags={"Ops": {"Replicate": "default", "CostCenter": "1"}, "Only": {"Replicate": "x"}},
    )
    freeform, defined = replica_tags(image, "replicate-to", ("Ops", "Replicate"))
    assert freeform == {"team": "a"}
    assert defined == {"Ops": {"CostCenter": "1"}, "Only": {"Replicate": "x"}}


def test_status_record_follows_a_region_through_every_stage():
    record = StatusRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1")
    for n, stage in enumerate(("export", "copy", "import")):
        record.begin("us-phoenix-1", stage, T0 + timedelta(minutes=10 * n))
        record.end("us-phoenix-1", stage, T0 + timedelta(minutes=10 * n + 5))
    record.begin("eu-frankfurt-1", "export", T0)
    record.done("us-phoenix-1", "ocid1.image.oc1.phx.replica", "spec-1", T0 + timedelta(hours=1))
    phoenix = record.targets["us-phoenix-1"]
    assert (phoenix.state, phoenix.attempts, phoenix.replica_image_id) == ("done", 1, "ocid1.image.oc1.phx.replica")
    assert phoenix.timings["copy"].ended - phoenix.timings["copy"].started == timedelta(minutes=5)
    assert record.state == "in_progress"


def test_a_failed_region_counts_a_new_attempt_when_it_starts_again():
    record = StatusRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1")
    record.begin("us-phoenix-1", "export", T0)
    record.fail("us-phoenix-1", "import", "import refused", T0)
    assert (record.state, record.targets["us-phoenix-1"].last_error) == ("failed", "import refused")
    record.begin("us-phoenix-1", "export", T0)
    assert (record.targets["us-phoenix-1"].attempts, record.targets["us-phoenix-1"].last_error) == (2, None)
