"""Other tenancies: what may be named as a target, what is accepted as a source, and how each side
names the other. Pure: configuration, decision, answer names and manifests, no cloud."""

from datetime import UTC, datetime

import pytest

from replicator.config import ReplicatorConfig
from replicator.decision import decide
from replicator.errors import ConfigError
from replicator.integrity import genuine_manifest, manifest_payload, signed
from replicator.manifest import ReplicationManifest
from replicator.naming import AckName, parse_ack
from replicator.tenancies import Place, as_target, key_setting, parse_peers, place, place_problem

from .test_decision import SOURCE, image

DR = "ocid1.tenancy.oc1..aaaaaaaadr"
SECRET = "ocid1.vaultsecret.oc1.iad.aaaaaaaadrkey"
PEERED = {"IR_TENANCIES": f"dr={DR}@acmedr", "IR_PEER_SECRET_IDS": f"dr={SECRET}"}


def test_a_target_is_a_region_here_or_a_region_of_a_named_tenancy():
    assert place("us-phoenix-1") == Place(None, "us-phoenix-1")
    assert place("dr:us-phoenix-1") == Place("dr", "us-phoenix-1")
    assert place("dr:us-phoenix-1").name == "dr:us-phoenix-1"
    assert place_problem("dr:us-phoenix-1", {"dr"}) is None
    assert place_problem("dr:us-phoenix-1", set()) == "dr is not a configured tenancy"
    assert place_problem("dr:mars-1", {"dr"}) == "not an OCI region name"


def test_tenancies_are_configured_with_their_ocid_namespace_and_key():
    config = ReplicatorConfig.from_env({**PEERED, "IR_DEFAULT_REGIONS": "us-phoenix-1,dr:us-phoenix-1"})
    assert config.peer("dr").namespace == "acmedr" and config.default_regions[1] == "dr:us-phoenix-1"
    assert parse_peers(f"dr={DR}@acmedr, backup={DR.replace('dr', 'bk')}@acmebk")[1].alias == "backup"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"IR_TENANCIES": "dr=ocid1.compartment.oc1..aaaa@acmedr"}, "not a tenancy OCID"),
        ({"IR_TENANCIES": f"dr={DR}"}, "is not <tenancy OCID>@<namespace>"),
        ({"IR_TENANCIES": f"dr={DR}@acmedr"}, "no signing key for tenancies dr"),
        ({"IR_DEFAULT_REGIONS": "dr:us-phoenix-1"}, "dr is not a configured tenancy"),
        ({**PEERED, "IR_PEER_SECRET_IDS": "dr=ocid1.compartment.oc1..aaaa"}, "not Vault secret OCIDs"),
        (
            {"IR_SOURCE_TENANCIES": f"dr={DR}@acmedr", "IR_PEER_SECRET_IDS": f"dr={SECRET}"},
            "needs target_compartment_id",
        ),
    ],
)
def test_a_tenancy_without_its_key_or_a_target_of_an_unknown_one_is_refused(env, message):
    with pytest.raises(ConfigError, match=message):
        ReplicatorConfig.from_env(env)


def test_only_configured_tenancies_are_accepted_as_targets():
    tagged = image(freeform_tags={"replicate-to": "us-phoenix-1,dr:us-phoenix-1,dr:eu-frankfurt-1"})
    peered = ReplicatorConfig.from_env(PEERED)
    assert decide(tagged, SOURCE, peered).targets == ("us-phoenix-1", "dr:us-phoenix-1", "dr:eu-frankfurt-1")
    # The same region of another tenancy is another target, even the source's own region.
    assert decide(image(freeform_tags={"replicate-to": f"dr:{SOURCE}"}), SOURCE, peered).targets == (f"dr:{SOURCE}",)
    refused = decide(tagged, SOURCE, ReplicatorConfig())
    assert not refused.replicate and refused.reason == "dr:us-phoenix-1: dr is not a configured tenancy; " + (
        "dr:eu-frankfurt-1: dr is not a configured tenancy"
    )


def test_an_answer_of_another_tenancy_names_its_region_as_the_source_does():
    ack = AckName("ocid1.image.oc1.iad.aaaaaaaasource", "dr:us-phoenix-1", "done", 1, 1, "-", "ab12")
    assert parse_ack("p/", ack.object("p/")) == ack
    for bad in ("DR!:us-phoenix-1", "dr:mars-1"):
        assert parse_ack("p/", ack.object("p/").replace("dr:us-phoenix-1", bad)) is None


def manifest(**fields) -> ReplicationManifest:
    return ReplicationManifest(
        name="initial",
        issued_at=datetime(2026, 1, 1, tzinfo=UTC),
        source_image_id="ocid1.image.oc1.iad.aaaaaaaasource",
        source_region=SOURCE,
        source_compartment_id="ocid1.compartment.oc1..aaaaaaaaimages",
        display_name="web",
        **fields,
    )


def test_a_destination_knows_its_name_from_the_namespaces_the_manifest_lists():
    namespaces = {"dr": "acmedr", "backup": "acmebk"}
    assert as_target(namespaces, "acmedr", "us-phoenix-1") == "dr:us-phoenix-1"
    assert as_target(namespaces, "acme", "us-phoenix-1") is None


def test_namespaces_are_signed_when_set_and_older_manifests_keep_their_signatures():
    key = b"k" * 32
    plain = manifest()
    assert b"namespace" not in manifest_payload(plain)  # as signed before other tenancies existed
    crossing = signed(key, manifest(source_namespace="acme", target_namespaces={"dr": "acmedr"}))
    assert genuine_manifest(key, crossing)
    redirected = crossing.model_copy(update={"target_namespaces": {"dr": "evil"}})
    assert not genuine_manifest(key, redirected) and not genuine_manifest(b"x" * 32, crossing)


def test_the_key_an_operator_compares_is_the_peer_s_for_another_tenancy_and_the_own_one_otherwise():
    assert key_setting("dr:us-phoenix-1") == "IR_PEER_SECRET_IDS (dr) in both tenancies"
    assert key_setting("us-phoenix-1") == "IR_SIGNING_SECRET_ID in both regions"
