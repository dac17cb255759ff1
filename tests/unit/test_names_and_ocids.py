"""OCIDs checked in full, deterministic names and tokens, answers told by their names."""

import pytest

from replicator import ocids
from replicator.naming import AckName, image_object, manifest_object, par_name, parse_ack, parse_landed, retry_token

SOURCE_ID = "ocid1.image.oc1.iad.aaaaaaaa0123456789abcdef"
REPLICA_ID = "ocid1.image.oc1.phx.aaaaaaaafedcba9876543210"


@pytest.mark.parametrize(
    "value",
    [
        "ocid1.image.oc1.iad.x/../../instances",
        "ocid1.image.oc1.iad.",
        "ocid1.image.oc1.iad.AAAA",
        "../../x",
        "ocid1.image.oc1.iad.aaaa?limit=1",
        "ocid1.image.oc1.iad.aaaa bbbb",
        "ocid1.image.oc1.iad." + "a" * 300,
        "",
        None,
        42,
    ],
)
def test_anything_but_a_whole_ocid_is_refused(value):
    assert not ocids.is_image(value)


def test_whole_ocids_are_accepted_and_their_type_checked():
    assert ocids.is_image(SOURCE_ID)
    assert ocids.is_compartment("ocid1.compartment.oc1..aaaaaaaaexample")
    assert ocids.is_compartment("ocid1.tenancy.oc1..aaaaaaaaexample")
    assert not ocids.is_compartment(SOURCE_ID)
    assert ocids.region_of(SOURCE_ID) == "us-ashburn-1"
    assert ocids.region_of("ocid1.compartment.oc1..aaaa") is None


def test_retry_tokens_are_deterministic_distinct_per_step_region_and_attempt_and_short_enough():
    token = retry_token("import", SOURCE_ID, "us-phoenix-1", "c", "1")
    assert token == retry_token("import", SOURCE_ID, "us-phoenix-1", "c", "1")
    assert (
        len(
            {
                token,
                retry_token("import", SOURCE_ID, "eu-frankfurt-1", "c", "1"),
                retry_token("export", SOURCE_ID, "us-phoenix-1", "c", "1"),
                retry_token("import", SOURCE_ID, "us-phoenix-1", "c", "2"),
            }
        )
        == 4
    )
    assert 1 <= len(token) <= 64


def test_par_names_say_step_and_attempt_and_carry_no_secret():
    name = par_name("export", SOURCE_ID, "us-ashburn-1", 3)
    assert name.startswith("image-replicator-export-a3-us-ashburn-1-") and SOURCE_ID not in name


def test_landed_objects_are_told_apart_by_name():
    image = parse_landed("p/", image_object("p/", SOURCE_ID))
    manifest = parse_landed("p/", manifest_object("p/", SOURCE_ID, "1767604200000"))
    assert (image.kind, image.source_id) == ("image", SOURCE_ID)
    assert (manifest.kind, manifest.manifest) == ("manifest", "1767604200000")
    assert parse_landed("p/", "p/images/not-an-ocid.oci") is None
    assert parse_landed("p/", f"p/manifests/{SOURCE_ID}/../x.json") is None
    assert parse_landed("p/", "p/records/replica/x.json") is None


def test_an_answer_round_trips_through_its_object_name():
    ack = AckName(SOURCE_ID, "us-phoenix-1", "done", 1767604200000, 2, REPLICA_ID, "0f" * 16)
    assert parse_ack("p/", ack.object("p/")) == ack
    assert parse_ack("p/", f"p/acks/{SOURCE_ID}/us-phoenix-1/maybe.1.1.-.json") is None
    assert parse_ack("p/", f"p/acks/{SOURCE_ID}/us-phoenix-1/done.1.1.../x.json") is None
    assert parse_ack("p/", f"p/acks/{SOURCE_ID}/mars-north-1/done.1.1.-.json") is None


def test_newer_answers_outrank_older_ones_and_done_outranks_failed():
    failed = AckName(SOURCE_ID, "r", "failed", 10, 3)
    done = AckName(SOURCE_ID, "r", "done", 10, 3, REPLICA_ID)
    later = AckName(SOURCE_ID, "r", "failed", 20, 1)
    assert failed.rank < done.rank < later.rank
