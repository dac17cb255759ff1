"""Should this image replicate, and where: decided without any cloud."""

import pytest

from replicator.config import ReplicatorConfig
from replicator.decision import decide
from replicator.images import ImageFacts

SOURCE = "us-ashburn-1"


def image(**overrides) -> ImageFacts:
    values = dict(
        id="ocid1.image.oc1.iad.aaaaaaaasource",
        compartment_id="ocid1.compartment.oc1..aaaaaaaaimages",
        display_name="web",
        lifecycle_state="AVAILABLE",
        size_in_mbs=50 * 1024,
        freeform_tags={"replicate-to": "us-phoenix-1,eu-frankfurt-1"},
    )
    values.update(overrides)
    return ImageFacts(**values)


CONFIG = ReplicatorConfig(default_regions=("us-phoenix-1", "uk-london-1"))


def test_tagged_image_replicates_to_the_named_regions_in_order():
    decision = decide(image(), SOURCE, CONFIG)
    assert decision.replicate and decision.targets == ("us-phoenix-1", "eu-frankfurt-1")


def test_untagged_image_is_not_opted_in():
    decision = decide(image(freeform_tags={"team": "x"}), SOURCE, CONFIG)
    assert (decision.opted_in, decision.replicate, decision.reason) == (False, False, "image carries no opt-in tag")


def test_replica_is_never_replicated_even_with_the_opt_in_tag():
    decision = decide(
        image(freeform_tags={"replicate-to": "us-phoenix-1", "replica-of": "ocid1.image.oc1.iad.other"}), SOURCE, CONFIG
    )
    assert not decision.opted_in and "replica" in decision.reason


def test_default_keyword_expands_to_the_configured_regions_and_mixes_with_names():
    assert decide(image(freeform_tags={"replicate-to": "default"}), SOURCE, CONFIG).targets == (
        "us-phoenix-1",
        "uk-london-1",
    )
    mixed = decide(image(freeform_tags={"replicate-to": "DEFAULT, ap-tokyo-1, us-phoenix-1"}), SOURCE, CONFIG)
    assert mixed.targets == ("us-phoenix-1", "uk-london-1", "ap-tokyo-1")


def test_default_keyword_without_configured_defaults_is_a_skip():
    decision = decide(image(freeform_tags={"replicate-to": "default"}), SOURCE, ReplicatorConfig())
    assert decision.opted_in and not decision.replicate and "no default regions" in decision.reason


def test_source_region_and_duplicates_are_dropped():
    decision = decide(image(freeform_tags={"replicate-to": "us-ashburn-1, us-phoenix-1, us-phoenix-1"}), SOURCE, CONFIG)
    assert decision.targets == ("us-phoenix-1",)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"freeform_tags": {"replicate-to": "us-phoenix-1,moon-base-1"}}, "unknown region name(s): moon-base-1"),
        ({"freeform_tags": {"replicate-to": "us-ashburn-1"}}, "no target region other than the source region"),
        ({"freeform_tags": {"replicate-to": ""}}, "is empty"),
        ({"lifecycle_state": "PROVISIONING"}, "image is PROVISIONING; replicated once AVAILABLE"),
        ({"lifecycle_state": "DISABLED"}, "image is DISABLED, not AVAILABLE"),
        ({"size_in_mbs": 401 * 1024}, "OCI exports at most 400 GB"),
        ({"compartment_id": None}, "platform images cannot be exported"),
    ],
)
def test_opted_in_images_that_cannot_replicate_are_skipped_with_a_precise_reason(overrides, reason):
    decision = decide(image(**overrides), SOURCE, CONFIG)
    assert decision.opted_in and not decision.replicate
    assert reason in decision.reason


def test_regions_outside_the_allowed_list_are_refused():
    config = ReplicatorConfig(allowed_regions=("us-phoenix-1",))
    decision = decide(image(), SOURCE, config)
    assert not decision.replicate and decision.reason == "region(s) not on the allowed list: eu-frankfurt-1"


def test_too_many_targets_are_refused():
    names = ",".join(["us-phoenix-1", "eu-frankfurt-1", "uk-london-1", "ap-tokyo-1"])
    decision = decide(image(freeform_tags={"replicate-to": names}), SOURCE, ReplicatorConfig(max_targets=3))
    assert not decision.replicate and "at most 3" in decision.reason


def test_a_huge_tag_value_is_refused_without_listing_every_name():
    names = ",".join(f"nowhere-{n}" for n in range(500))
    decision = decide(image(freeform_tags={"replicate-to": names}), SOURCE, CONFIG)
    assert not decision.replicate and len(decision.reason) < 200


def test_defined_tag_opts_in_when_configured():
    config = ReplicatorConfig(opt_in_defined_tag="Ops.Replicate")
    decision = decide(image(freeform_tags={}, defined_tags={"Ops": {"Replicate": "us-phoenix-1"}}), SOURCE, config)
    assert decision.targets == ("us-phoenix-1",)
    assert not decide(
        image(freeform_tags={}, defined_tags={"Ops": {"Replicate": "x"}}), SOURCE, ReplicatorConfig()
    ).opted_in


def test_custom_opt_in_tag_key():
    config = ReplicatorConfig(opt_in_tag="dr-regions")
    assert decide(image(freeform_tags={"dr-regions": "us-phoenix-1"}), SOURCE, config).targets == ("us-phoenix-1",)
    assert not decide(image(), SOURCE, config).opted_in


@pytest.mark.parametrize("state", ["PROVISIONING", "EXPORTING", "IMPORTING"])
def test_an_image_on_its_way_to_available_is_not_replicated_now_but_its_targets_are_pending(state):
    decision = decide(image(lifecycle_state=state), SOURCE, CONFIG)
    assert not decision.replicate
    assert decision.pending == ("us-phoenix-1", "eu-frankfurt-1")
