"""The event samples parse and route, and events/rules covers exactly what the router handles."""

import pytest

from ocifake.events.conditions import matches
from replicator.cloudevents import EVENT_KINDS, EventKind, parse_event
from replicator.config import ReplicatorConfig
from replicator.registry import ROUTES
from replicator_tools.rules import event_types, load_rules
from tests.helpers import ROOT, load_event

SAMPLES = sorted(p.stem for p in (ROOT / "events" / "samples").glob("*.json"))
IMAGES, BUCKETS = "ocid1.compartment.oc1..aaaaaaaaexamplecompartment", "ocid1.compartment.oc1..aaaaaaaaexamplebuckets"
# A deployment that drills: its rules include the drills' own.
DRILLS = ReplicatorConfig(
    drill_compartment_id="ocid1.compartment.oc1..aaaaaaaaexampledrills",
    drill_subnet_id="ocid1.subnet.oc1.phx.aaaaaaaaexampledrillsubnet",
    drill_availability_domain="Uocm:PHX-AD-1",
)


def rules(config: ReplicatorConfig | None = None):
    return load_rules(config or DRILLS, image_compartments=[IMAGES], bucket_compartments=[BUCKETS])


def test_a_deployment_without_drills_has_no_rule_for_their_instances():
    assert "com.oraclecloud.computeapi.launchinstance.end" not in event_types(rules(ReplicatorConfig()))


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_parses_into_a_kind_the_router_handles(name):
    event = parse_event(load_event(name))
    assert event.kind in {kind for kind, _ in ROUTES}


def test_rules_subscribe_to_exactly_the_event_types_the_router_knows():
    assert event_types(rules()) == set(EVENT_KINDS)


def test_every_event_kind_has_a_route():
    assert {kind for kind, _ in ROUTES} == set(EventKind)


@pytest.mark.parametrize("name", SAMPLES)
def test_each_sample_matches_exactly_one_rule(name):
    assert sum(matches(rule.condition, load_event(name)) for rule in rules()) == 1


def test_rules_filter_on_the_compartments_of_images_and_buckets():
    by_name = {r.name: r for r in rules()}
    assert by_name["image-created"].condition["data"]["compartmentId"] == [IMAGES]
    assert by_name["object-landed"].condition["data"]["compartmentId"] == [BUCKETS]
    event = load_event("image-created")
    event["data"]["compartmentId"] = "ocid1.compartment.oc1..aaaaaaaasomeoneelse"
    assert not matches(by_name["image-created"].condition, event)


def test_the_landing_rule_ignores_other_buckets_and_other_objects():
    landing = next(r for r in rules() if r.name == "object-landed")
    event = load_event("object-landed")
    event["data"]["additionalDetails"]["bucketName"] = "another-bucket"
    assert not matches(landing.condition, event)
    event = load_event("object-landed")
    event["data"]["resourceName"] = "image-replicator/records/replica/x.json"
    assert not matches(landing.condition, event)


def test_the_answer_rule_sees_only_answers_in_the_staging_or_landing_bucket():
    """Staging: this tenancy's targets' answers; landing: another tenancy's, all it may write here."""
    answers = next(r for r in rules() if r.name == "answer-arrived")
    assert matches(answers.condition, load_event("answer-arrived"))
    event = load_event("answer-arrived")
    event["data"]["additionalDetails"]["bucketName"] = "image-replicator-landing"
    assert matches(answers.condition, event)
    event["data"]["additionalDetails"]["bucketName"] = "someone-elses"
    assert not matches(answers.condition, event)
    event = load_event("answer-arrived")
    event["data"]["resourceName"] = "image-replicator/images/x.oci"
    assert not matches(answers.condition, event)


def test_rule_placeholders_follow_the_configuration():
    landing = next(
        r
        for r in rules(ReplicatorConfig(landing_bucket="dr-landing", object_prefix="dr/"))
        if r.name == "object-landed"
    )
    assert landing.condition["data"]["additionalDetails"]["bucketName"] == ["dr-landing"]
    assert landing.condition["data"]["resourceName"] == ["dr/images/*.oci", "dr/manifests/*.json"]


def test_freeform_tags_are_read_under_either_spelling():
    event = load_event("image-created")
    event["data"]["freeformTags"] = event["data"].pop("freeFormTags")
    assert parse_event(event).data.freeform_tags == {"replicate-to": "us-phoenix-1,eu-frankfurt-1"}


@pytest.mark.parametrize("namespace", ["computeapi", "computeimagingapi"])
@pytest.mark.parametrize(
    "action", ["updateimage", "deleteimage", "addimageshapecompatibility", "removeimageshapecompatibility"]
)
def test_image_events_count_in_either_namespace(namespace, action):
    assert f"com.oraclecloud.{namespace}.{action}" in EVENT_KINDS


def test_every_route_names_a_step_of_the_right_side():
    sides = {step.name: step.side for step in ROUTES.values()}
    assert sides == {
        "export": "source",
        "distribute": "source",
        "refresh": "source",
        "tombstone": "source",
        "acknowledge": "source",
        "inbox": "source",
        "landed": "replica",
        "finish": "replica",
        "lost": "replica",
        "drill": "replica",
    }
