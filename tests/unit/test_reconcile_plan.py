"""The reconciler's next step for one image and one target region, decided without any cloud."""

from datetime import datetime, timezone

import pytest

from replicator.images import ImageFacts
from replicator.reconcile.plan import SourceView, TargetView, next_action
from replicator.status import RegionStatus

T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
SOURCE = ImageFacts(id="ocid1.image.oc1.iad.aaaasource", compartment_id="c", display_name="web", lifecycle_state="AVAILABLE")


def replica(state="AVAILABLE"):
    return ImageFacts(id="ocid1.image.oc1.phx.aaaareplica", compartment_id="c", display_name="web", lifecycle_state=state, freeform_tags={"replica-of": SOURCE.id})


def source(exported=False, state="AVAILABLE"):
    return SourceView(image=SOURCE.model_copy(update={"lifecycle_state": state}), exported=exported, spec_fingerprint="spec-2")


@pytest.mark.parametrize(
    ("src", "target", "action"),
    [
        (source(), TargetView(region="r"), "export"),
        (source(state="EXPORTING"), TargetView(region="r"), "wait"),
        (source(exported=True), TargetView(region="r"), "copy"),
        (source(exported=True), TargetView(region="r", copy_state="IN_PROGRESS"), "wait"),
        (source(exported=True), TargetView(region="r", copy_state="UNKNOWN"), "wait"),
        (source(exported=True), TargetView(region="r", copy_state="FAILED"), "copy"),
        (source(exported=True), TargetView(region="r", landed=True), "import"),
        (source(), TargetView(region="r", replica=replica("IMPORTING")), "wait"),
        (source(), TargetView(region="r", replica=replica()), "finish"),
        (source(), TargetView(region="r", replica=replica(), record=RegionStatus(state="done", applied_spec="spec-1")), "repair"),
        (source(), TargetView(region="r", replica=replica(), record=RegionStatus(state="done", applied_spec="spec-2")), "none"),
    ],
)
def test_next_step_follows_what_exists(src, target, action):
    assert next_action(src, target, max_attempts=3).action == action


def test_a_region_that_failed_too_often_is_given_up_once_then_left_alone():
    failing = RegionStatus(state="failed", attempts=3, last_error="import refused")
    assert next_action(source(), TargetView(region="r", record=failing), 3).action == "give_up"
    given_up = failing.model_copy(update={"last_error": "gave up after 3 attempts: import refused"})
    assert next_action(source(), TargetView(region="r", record=given_up), 3).action == "none"


def test_an_operator_retry_counts_the_limit_afresh():
    retried = RegionStatus(state="failed", attempts=4, counted_from=3, last_error="import refused")
    assert next_action(source(exported=True), TargetView(region="r", record=retried, landed=True), 3).action == "import"


def test_a_permanent_failure_is_given_up_at_once():
    refused = RegionStatus(state="failed", attempts=1, permanent=True, last_error="image cannot be exported")
    assert next_action(source(), TargetView(region="r", record=refused), 3).action == "give_up"
