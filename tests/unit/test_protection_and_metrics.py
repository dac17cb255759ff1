"""Protection, stage metrics and exposure gauges, decided without any cloud."""

from datetime import UTC, datetime, timedelta

import pytest

from replicator.config import ReplicatorConfig
from replicator.decision import Decision
from replicator.errors import ConfigError
from replicator.images import ImageFacts
from replicator.manifest import ReplicationManifest
from replicator.naming import AckName
from replicator.protection import exposure_points, protection
from replicator.records.replica import ReplicaRecord
from replicator.records.source import SourceRecord
from replicator.records.states import ExportState, ImportState, ReplicaState, TargetState
from replicator.telemetry.catalog import (
    DIMENSION_KEY_RULE,
    MAX_DIMENSIONS,
    NAME_RULE,
    Dimension,
    Metric,
    namespace_problem,
)
from replicator.telemetry.stages import record_points

SOURCE, PHOENIX, FRANKFURT = "us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1"
IMAGE_ID = "ocid1.image.oc1.iad.aaaaaaaa0123456789abcdef"
COMPARTMENT = "ocid1.compartment.oc1..aaaaimages"
CREATED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
IMAGE = ImageFacts(
    id=IMAGE_ID, compartment_id=COMPARTMENT, display_name="web", lifecycle_state="AVAILABLE", time_created=CREATED
)
BOTH = Decision(opted_in=True, targets=(PHOENIX, FRANKFURT))


def source_record(**targets: dict) -> SourceRecord:
    record = SourceRecord(source_image_id=IMAGE_ID, source_region=SOURCE, compartment_id=COMPARTMENT)
    for region, fields in targets.items():
        part = record.target(region)
        for key, value in fields.items():
            setattr(part, key, value)
    return record


def regions(found) -> dict[str, tuple]:
    return {t.region: (t.state, t.since) for t in found.targets}


# ----- protection -------------------------------------------------------------------------------
def test_an_image_with_no_record_is_exposed_in_every_target_since_it_was_created():
    found = protection(IMAGE, SOURCE, BOTH, None, [], CREATED + 3 * HOUR)
    assert found.state == "lagging" and found.since == CREATED
    assert regions(found) == {PHOENIX: ("lagging", CREATED), FRANKFURT: ("lagging", CREATED)}
    assert found.exposure_seconds(CREATED + 3 * HOUR) == 3 * 3600


def test_an_image_being_exported_is_exposed_in_every_target_it_asks_for_since_it_was_created():
    """Regression (simulator, 'visibility'): an image mid-export was in neither the report nor the gauges."""
    exporting = IMAGE.model_copy(update={"lifecycle_state": "EXPORTING"})
    decision = Decision(opted_in=True, pending=(PHOENIX, FRANKFURT), reason="image is EXPORTING")
    found = protection(exporting, SOURCE, decision, None, [], CREATED + 3 * HOUR)
    assert found is not None and found.state == "lagging" and found.since == CREATED
    assert regions(found) == {PHOENIX: ("lagging", CREATED), FRANKFURT: ("lagging", CREATED)}
    points = exposure_points(SOURCE, [found], CREATED + 3 * HOUR)
    assert sum(p.value for p in points if p.metric == Metric.EXPOSED_IMAGES) == 2


def test_a_done_target_is_protected_and_the_other_lags():
    record = source_record(**{PHOENIX: {"state": "done"}, FRANKFURT: {"state": "copying"}})
    found = protection(IMAGE, SOURCE, BOTH, record, [], CREATED + HOUR)
    assert regions(found) == {PHOENIX: ("protected", None), FRANKFURT: ("lagging", CREATED)}
    assert found.state == "lagging"


def test_a_target_silent_after_its_copy_landed_names_the_key_both_sides_must_share():
    """Regression (simulator, peer key rotated on one side): the region lagged with no reason at all."""
    peer = "dr:eu-frankfurt-1"
    landed = {"state": "landed", "copy_ended_at": CREATED + HOUR}
    record = source_record(**{PHOENIX: landed, peer: landed})
    decision = Decision(opted_in=True, targets=(PHOENIX, peer))
    early = protection(IMAGE, SOURCE, decision, record, [], CREATED + 2 * HOUR)
    assert [t.reason for t in early.targets] == ["", ""]  # not yet: the answer may be on its way
    late = {t.region: t for t in protection(IMAGE, SOURCE, decision, record, [], CREATED + 4 * HOUR).targets}
    assert late[PHOENIX].state == late[peer].state == "lagging"
    assert "IR_SIGNING_SECRET_ID in both regions" in late[PHOENIX].reason
    assert "IR_PEER_SECRET_IDS (dr) in both tenancies" in late[peer].reason


def test_a_target_whose_answers_do_not_verify_here_is_not_protected_whatever_its_record_says():
    """Regression (simulator, 'truth', seed 106): with the source's key rotated on its side only, a
    target's answer that its replica was deleted read as forged and was removed; the record's old
    'done' kept the region protected with no replica there."""
    record = source_record(**{PHOENIX: {"state": "done"}, FRANKFURT: {"state": "done"}})
    found = protection(IMAGE, SOURCE, BOTH, record, [], CREATED + HOUR, doubted={PHOENIX})
    assert found.state == "lagging"
    phoenix = next(t for t in found.targets if t.region == PHOENIX)
    assert phoenix.state == "lagging" and "IR_SIGNING_SECRET_ID" in phoenix.reason


def test_a_region_that_cannot_sign_its_answers_is_not_claimed_protected():
    """Regression (simulator, 'truth', seed 779): a region whose signing secret was deleted lost its
    replica; its answer could not be signed, and the source kept reporting it protected."""
    from replicator.protection import unheard

    record = source_record(**{PHOENIX: {"state": "done"}, FRANKFURT: {"state": "done"}})
    found = unheard(protection(IMAGE, SOURCE, BOTH, record, [], CREATED + HOUR), {PHOENIX: "secret not found"})
    assert regions(found)[PHOENIX][0] == "lagging" and regions(found)[FRANKFURT][0] == "protected"
    assert "cannot sign its answers (secret not found)" in found.targets[0].reason + found.targets[1].reason


def test_a_region_that_cannot_see_its_images_is_not_claimed_protected():
    """Regression (simulator, 'truth', seed 4310): without 'read-images' a region's pass could not list
    its images, so it never saw its replica deleted, and the source kept reporting it protected."""
    from replicator.protection import unseen

    record = source_record(**{PHOENIX: {"state": "done"}, FRANKFURT: {"state": "done"}})
    refused = {PHOENIX: "ListImages: 404 NotAuthorizedOrNotFound"}
    found = unseen(protection(IMAGE, SOURCE, BOTH, record, [], CREATED + HOUR), refused)
    assert regions(found)[PHOENIX][0] == "lagging" and regions(found)[FRANKFURT][0] == "protected"
    assert "cannot see its images (ListImages" in found.targets[0].reason + found.targets[1].reason


def test_a_region_of_another_tenancy_is_not_claimed_protected_while_the_source_region_is_silent():
    """Regression (simulator, 'truth', seed 6775): a DR region is heard only through the answers the source
    region's functions take in; while the source region's passes have stopped reporting, its loss may lie
    unread in the landing bucket. A region of this tenancy is judged by its own reports, not this rule."""
    from replicator.protection import unrelayed

    dr = "dr:uk-london-1"
    decision = Decision(opted_in=True, targets=(PHOENIX, dr))
    record = source_record(**{PHOENIX: {"state": "done"}, dr: {"state": "done"}})
    now = CREATED + 3 * HOUR
    found = protection(IMAGE, SOURCE, decision, record, [], now)
    assert unrelayed(found, {PHOENIX: None}, now, HOUR) == found  # the source reports: nothing doubted
    silent = unrelayed(found, {SOURCE: CREATED + HOUR}, now, HOUR)
    assert regions(silent) == {PHOENIX: ("protected", None), dr: ("lagging", CREATED + HOUR)}
    reason = next(t.reason for t in silent.targets if t.region == dr)
    assert reason.startswith(f"its answers are taken in by {SOURCE}, where no reconcile pass has reported since")


def test_an_answer_not_yet_recorded_is_doubted_once_its_region_never_reported_past_the_grace():
    """Regression (simulator, 'truth', seed 8887): a region answered done, then lost its replica while its
    functions could write nothing; the answer was never recorded, so it carried no time, and a region
    that never reported was not doubted. The answer is no older than the manifest it answers."""
    from replicator.protection import unconfirmed

    answer = AckName(IMAGE_ID, PHOENIX, "done", int(CREATED.timestamp() * 1000), 1, "ocid1.image.oc1.phx.aaaa")
    found = protection(IMAGE, SOURCE, Decision(opted_in=True, targets=(PHOENIX,)), None, [answer], CREATED + HOUR)
    assert found.state == "protected" and found.targets[0].answered_at == CREATED
    assert unconfirmed(found, {PHOENIX: None}, CREATED + HOUR, 2 * HOUR).state == "protected"  # within the grace
    late = unconfirmed(found, {PHOENIX: None}, CREATED + 3 * HOUR, 2 * HOUR)
    assert late.state == "lagging" and "has reported in us-phoenix-1 ever" in late.targets[0].reason


def test_an_answer_not_yet_applied_already_protects():
    record = source_record(**{PHOENIX: {"state": "copying"}, FRANKFURT: {"state": "done"}})
    answer = AckName(IMAGE_ID, PHOENIX, "done", 0, 1, "ocid1.image.oc1.phx.aaaa")
    assert protection(IMAGE, SOURCE, BOTH, record, [answer], CREATED + HOUR).state == "protected"


def test_a_replica_of_an_older_version_lags_since_the_newer_one_was_issued():
    changed = CREATED + 5 * HOUR
    record = source_record(**{PHOENIX: {"state": "done", "applied_issued": 1}, FRANKFURT: {"state": "done"}})
    record.manifest_issued = int(changed.timestamp() * 1000)
    record.targets[FRANKFURT].applied_issued = record.manifest_issued
    found = protection(IMAGE, SOURCE, BOTH, record, [], changed + HOUR)
    assert regions(found) == {PHOENIX: ("lagging", changed), FRANKFURT: ("protected", None)}


def test_a_region_asked_for_later_lags_since_it_was_asked_for():
    asked = CREATED + 24 * HOUR
    record = source_record(**{PHOENIX: {"state": "done"}, FRANKFURT: {"state": "pending", "requested_at": asked}})
    found = protection(IMAGE, SOURCE, BOTH, record, [], asked + HOUR)
    assert found.exposure_seconds(asked + HOUR) == 3600


def test_given_up_targets_and_permanently_failed_exports_are_failed_with_their_reason():
    record = source_record(**{PHOENIX: {"state": "failed", "gave_up": True, "error": "no landing bucket"}})
    record.target(FRANKFURT).state = TargetState.DONE
    found = protection(IMAGE, SOURCE, BOTH, record, [], CREATED + HOUR)
    assert found.state == "given_up" and found.reason == f"{PHOENIX}: no landing bucket"
    refused = source_record()
    refused.export.state, refused.export.permanent, refused.export.error = ExportState.FAILED, True, "marketplace image"
    found = protection(IMAGE, SOURCE, BOTH, refused, [], CREATED + HOUR)
    assert {t.state for t in found.targets} == {"given_up"} and "marketplace image" in found.reason


def test_images_that_do_not_ask_are_not_measured_and_refusals_are_exposed_since_creation():
    assert protection(IMAGE, SOURCE, Decision(opted_in=False), None, [], CREATED) is None
    capturing = IMAGE.model_copy(update={"lifecycle_state": "PROVISIONING"})
    assert protection(capturing, SOURCE, BOTH, None, [], CREATED) is None
    refused = protection(IMAGE, SOURCE, Decision(opted_in=True, reason="unknown region"), None, [], CREATED + HOUR)
    assert (refused.state, refused.reason, refused.exposure_seconds(CREATED + HOUR)) == (
        "refused",
        "unknown region",
        3600,
    )


# ----- stage metrics ------------------------------------------------------------------------------
def dims(point) -> dict:
    return dict(point.dimensions)


def test_the_end_of_an_export_is_reported_once_per_target_with_its_time():
    before = source_record(**{PHOENIX: {}, FRANKFURT: {}})
    before.export.state, before.export.started_at = ExportState.RUNNING, CREATED
    after = before.model_copy(deep=True)
    after.export.state, after.export.ended_at = ExportState.DONE, CREATED + timedelta(minutes=20)
    points = record_points(before, after, CREATED + timedelta(minutes=20))
    seconds = [p for p in points if p.metric == Metric.STAGE_SECONDS]
    assert sorted(dims(p)["targetRegion"] for p in seconds) == [FRANKFURT, PHOENIX]
    assert {p.value for p in seconds} == {1200.0}
    assert dims(seconds[0])["compartmentId"] == COMPARTMENT and dims(seconds[0])["sourceRegion"] == SOURCE
    assert record_points(after, after.model_copy(deep=True), CREATED + HOUR) == []  # a duplicate moves nothing


def test_a_copy_given_up_at_the_source_is_a_failed_copy_unless_the_target_answered():
    before = source_record(**{PHOENIX: {"state": "failed", "failures": 2}})
    after = before.model_copy(deep=True)
    after.targets[PHOENIX].gave_up, after.targets[PHOENIX].failures = True, 3
    (failed,) = record_points(before, after, CREATED)
    assert (dims(failed)["stage"], dims(failed)["outcome"]) == ("copy", "failed")
    after.targets[PHOENIX].answer = "acks/x/failed.json"
    assert record_points(before, after, CREATED) == []


def _replica(state="importing", manifest_name="initial") -> ReplicaRecord:
    manifest = ReplicationManifest(
        name=manifest_name,
        issued_at=CREATED,
        source_image_id=IMAGE_ID,
        source_region=SOURCE,
        source_compartment_id=COMPARTMENT,
        display_name="web",
    )
    record = ReplicaRecord(
        source_image_id=IMAGE_ID,
        source_region=SOURCE,
        target_region=PHOENIX,
        state=state,
        manifest=manifest,
        landed_at=CREATED + timedelta(minutes=15),
    )
    record.import_.state, record.import_.started_at = "running", CREATED + timedelta(minutes=16)
    return record


def test_a_finished_replica_reports_its_copy_import_and_finish():
    before = _replica()
    after = before.model_copy(deep=True)
    after.state, after.import_.state = ReplicaState.FINISHED, ImportState.DONE
    after.import_.ended_at = CREATED + timedelta(minutes=46)
    after.finished_at = CREATED + timedelta(minutes=47)
    seconds = {dims(p)["stage"]: p.value for p in record_points(before, after, CREATED) if p.metric == "stage_seconds"}
    assert seconds == {"copy": 900.0, "import": 1800.0, "finish": 60.0}
    assert record_points(after, after.model_copy(deep=True), CREATED) == []


def test_a_copy_time_is_only_reported_from_the_first_manifest():
    before = _replica(manifest_name="1767000000000")
    after = before.model_copy(deep=True)
    after.state = "done"
    stages = {dims(p)["stage"] for p in record_points(before, after, CREATED) if p.metric == "stage_seconds"}
    assert "copy" not in stages


def test_an_import_given_up_on_and_one_retried_are_reported_as_such():
    before = _replica()
    retried = before.model_copy(deep=True)
    retried.import_.failures = 1
    (point,) = record_points(before, retried, CREATED)
    assert dims(point)["outcome"] == "retried"
    failed = retried.model_copy(deep=True)
    failed.gave_up = True
    (point,) = record_points(retried, failed, CREATED)
    assert (dims(point)["stage"], dims(point)["outcome"]) == ("import", "failed")


# ----- exposure gauges ----------------------------------------------------------------------------
def test_each_target_and_compartment_reports_its_gauges_zeros_included():
    now = CREATED + 6 * HOUR
    lagging = protection(IMAGE, SOURCE, BOTH, source_record(**{PHOENIX: {"state": "done"}}), [], now)
    points = exposure_points(SOURCE, [lagging], now)
    gauges = {(p.metric.value, dims(p).get("targetRegion")): p.value for p in points}
    assert gauges == {
        ("reconcile_passes", None): 1.0,
        ("exposed_images", PHOENIX): 0.0,
        ("oldest_exposure_seconds", PHOENIX): 0.0,
        ("failed_images", PHOENIX): 0.0,
        ("exposed_images", FRANKFURT): 1.0,
        ("oldest_exposure_seconds", FRANKFURT): 6 * 3600.0,
        ("failed_images", FRANKFURT): 0.0,
    }


def test_settled_replications_report_zeros_for_their_target_and_compartment_without_a_protection_built():
    now = CREATED + 6 * HOUR
    lagging = protection(IMAGE, SOURCE, BOTH, source_record(**{PHOENIX: {"state": "done"}}), [], now)
    covered = {(PHOENIX, IMAGE.compartment_id), ("uk-london-1", IMAGE.compartment_id)}
    points = exposure_points(SOURCE, [lagging], now, covered=covered)
    gauges = {(p.metric.value, dims(p).get("targetRegion")): p.value for p in points}
    assert gauges[("exposed_images", "uk-london-1")] == 0.0  # a settled pair alone: zeros, not silence
    assert gauges[("exposed_images", FRANKFURT)] == 1.0  # another image's gap still counts
    assert gauges[("exposed_images", PHOENIX)] == 0.0


def test_a_pass_with_nothing_opted_in_still_says_it_ran():
    (point,) = exposure_points(SOURCE, [], CREATED)
    assert point.metric == Metric.RECONCILE_PASSES and dims(point) == {"sourceRegion": SOURCE}


# ----- names OCI accepts ----------------------------------------------------------------------------
def test_every_metric_and_dimension_name_follows_ocis_rules_for_custom_metrics():
    assert all(NAME_RULE.match(m.value) for m in Metric)
    assert all(DIMENSION_KEY_RULE.match(d.value) for d in Dimension)
    assert len(Dimension) <= MAX_DIMENSIONS


@pytest.mark.parametrize(
    ("namespace", "ok"),
    [
        ("image_replicator", True),
        ("dr2", True),
        ("oci_images", False),
        ("Oracle_x", False),
        ("a-b", False),
        ("_a", False),
    ],
)
def test_a_metrics_namespace_is_checked_as_oci_checks_it(namespace, ok):
    assert (namespace_problem(namespace) is None) == ok
    if ok:
        assert ReplicatorConfig.from_env({"IR_METRICS_NAMESPACE": namespace}).metrics_namespace == namespace
    else:
        with pytest.raises(ConfigError, match="IR_METRICS_NAMESPACE"):
            ReplicatorConfig.from_env({"IR_METRICS_NAMESPACE": namespace})


def test_a_metrics_compartment_must_be_a_compartment():
    with pytest.raises(ConfigError, match="IR_METRICS_COMPARTMENT_ID"):
        ReplicatorConfig.from_env({"IR_METRICS_COMPARTMENT_ID": "ocid1.bucket.oc1..x"})
