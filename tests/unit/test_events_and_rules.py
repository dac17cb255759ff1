"""The event samples parse, and events/rules covers exactly what the router handles."""

import pytest

from ocifake.events.conditions import matches
from replicator.cloudevents import parse_event
from replicator.config import ReplicatorConfig
from replicator.router import ROUTES
from replicator.rules import event_types, load_rules
from tests.conftest import ROOT, load_event

SAMPLES = sorted(p.stem for p in (ROOT / "events" / "samples").glob("*.json"))


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_parses_and_is_routed(name):
    event = parse_event(load_event(name))
    assert event.event_type in ROUTES


def test_rules_and_router_name_the_same_event_types():
    assert event_types(load_rules(ReplicatorConfig())) == set(ROUTES)


@pytest.mark.parametrize("name", SAMPLES)
def test_each_sample_matches_exactly_one_rule(name):
    rules = load_rules(ReplicatorConfig())
    assert sum(matches(rule.condition, load_event(name)) for rule in rules) == 1


def test_the_landing_rule_ignores_other_buckets_and_other_objects():
    (landing,) = [r for r in load_rules(ReplicatorConfig()) if r.name == "object-arrived"]
    event = load_event("object-arrived")
    event["data"]["additionalDetails"]["bucketName"] = "another-bucket"
    assert not matches(landing.condition, event)
    event = load_event("object-arrived")
    event["data"]["resourceName"] = "image-replicator/manifests/x.json"
    assert not matches(landing.condition, event)


def test_rule_placeholders_follow_the_configuration():
    (landing,) = [r for r in load_rules(ReplicatorConfig(landing_bucket="dr-landing", object_prefix="dr/")) if r.name == "object-arrived"]
    assert landing.condition["data"]["additionalDetails"]["bucketName"] == ["dr-landing"]
    assert landing.condition["data"]["resourceName"] == ["dr/images/*.oci"]


def test_freeform_tags_are_read_under_either_spelling():
    event = load_event("image-created")
    event["data"]["freeformTags"] = event["data"].pop("freeFormTags")
    assert parse_event(event).data.freeform_tags == {"replicate-to": "us-phoenix-1,eu-frankfurt-1"}
