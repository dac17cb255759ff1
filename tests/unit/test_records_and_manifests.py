"""Records read tolerantly, manifests ordered by issue time, the steps' guards decided without any cloud."""

from datetime import UTC, datetime, timedelta

from replicator.decision import Decision
from replicator.images import ImageFacts, ShapeEntry
from replicator.manifest import ReplicationManifest, replica_tags
from replicator.records.source import SourceRecord
from replicator.records.states import ExportState, ImportState, ReplicaState, TargetState
from replicator.records.store import dump, parse
from replicator.steps import export, landed
from replicator.subjects import SourceImage

SOURCE_ID = "ocid1.image.oc1.iad.aaaaaaaa0123456789abcdef"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
IMAGE = ImageFacts(
    id=SOURCE_ID,
    compartment_id="ocid1.compartment.oc1..aaaa",
    display_name="web",
    lifecycle_state="AVAILABLE",
    size_in_mbs=50 * 1024,
)
DECISION = Decision(opted_in=True, targets=("us-phoenix-1", "eu-frankfurt-1"))


def manifest(ms: int, **changes) -> ReplicationManifest:
    values = dict(
        name=str(ms),
        issued_at=datetime.fromtimestamp(ms / 1000, UTC),
        source_image_id=SOURCE_ID,
        source_region="us-ashburn-1",
        source_compartment_id="c",
        display_name="web",
    )
    values.update(changes)
    return ReplicationManifest(**values)


def test_a_record_round_trips_and_a_damaged_one_says_why():
    record = SourceRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1")
    record.target("us-phoenix-1").state = TargetState.COPYING
    again, problem = parse("source", dump(record))
    assert (again, problem) == (record, None)
    for damaged in (b'{"schema_version": 2, "source_im', b'{"schema_version": 2, "source_image_id": 7}', b"[" * 5000):
        assert parse("source", damaged)[0] is None
    newer = dump(record).replace(b'"state": "copying"', b'"state": "teleporting"')
    found, problem = parse("source", newer)
    assert (found is None and "teleporting" in problem) or "state" in problem


def test_a_replica_record_written_before_the_replica_had_words_of_its_own_reads_in_them_and_is_written_so():
    from replicator.records.replica import ReplicaRecord
    from replicator.records.states import REPLICA_STATE_BEFORE

    record = ReplicaRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1", target_region="us-phoenix-1")
    for before, now in REPLICA_STATE_BEFORE.items():
        record.state = now
        old = dump(record).replace(f'"state": "{now}"'.encode(), f'"state": "{before}"'.encode())
        found, problem = parse("replica", old)
        assert (found, problem) == (record, None), before
        assert f'"state": "{now}"'.encode() in dump(found)
    assert set(REPLICA_STATE_BEFORE) == {"waiting", "done", "failed", "deleted", "lost", "retired"}


def test_a_record_from_a_newer_schema_is_not_taken_for_ours():
    doc = dump(SourceRecord(source_image_id=SOURCE_ID, source_region="r")).replace(
        b'"schema_version": 2', b'"schema_version": 3'
    )
    assert parse("source", doc)[0] is None


def test_manifests_are_ordered_by_issue_time_then_content():
    older, newer = manifest(1000), manifest(2000)
    assert newer.outranks(older) and not older.outranks(newer) and older.outranks(None)
    same_time = manifest(2000, freeform_tags={"team": "b"})
    assert same_time.outranks(newer) != newer.outranks(same_time)


def test_replica_tags_drop_the_opt_in_tag_but_keep_the_rest():
    image = IMAGE.model_copy(
        update={
            "freeform_tags": {"replicate-to": "default", "team": "a"},
            "defined_tags": {"Ops": {"Replicate": "x", "CostCenter": "1"}, "Only": {"Replicate": "x"}},
        }
    )
    freeform, defined = replica_tags(image, "replicate-to", ("Ops", "Replicate"))
    assert freeform == {"team": "a"}
    assert defined == {"Ops": {"CostCenter": "1"}, "Only": {"Replicate": "x"}}


def test_the_spec_fingerprint_ignores_order():
    a = manifest(
        1, shapes=(ShapeEntry(shape="A"), ShapeEntry(shape="B", ocpu_min=1)), freeform_tags={"x": "1", "y": "2"}
    )
    b = manifest(
        1, shapes=(ShapeEntry(shape="B", ocpu_min=1), ShapeEntry(shape="A")), freeform_tags={"y": "2", "x": "1"}
    )
    assert (
        a.spec.model_copy(update={"shapes": tuple(sorted(a.shapes, key=lambda s: s.shape))}).fingerprint()
        == b.spec.model_copy(update={"shapes": tuple(sorted(b.shapes, key=lambda s: s.shape))}).fingerprint()
    )


# ----- the export's guard ---------------------------------------------------------------------
def source_record(**export_fields) -> SourceRecord:
    record = SourceRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1")
    for region in DECISION.targets:
        record.target(region)
    for key, value in export_fields.items():
        setattr(record.export, key, value)
    return record


def blocker(record, image_state="AVAILABLE", export_object=None):
    subject = SourceImage(IMAGE.model_copy(update={"lifecycle_state": image_state}), DECISION, export_object)
    return export.blocker(record, subject)


def test_a_running_export_is_left_alone_while_the_image_exports_or_its_end_may_still_come():
    assert blocker(source_record(state="running", attempt=1), image_state="EXPORTING").startswith("export running")
    assert blocker(source_record(state="running", attempt=1), export_object=None).startswith("export running")


def test_an_export_that_ended_without_its_object_makes_way_for_a_new_attempt():
    record = source_record(state="running", attempt=1)
    assert blocker(record, export_object=True) == "exported; the copies are next"
    assert blocker(record, export_object=False) is None
    export.begin(SourceImage(IMAGE, DECISION, False), T0)(record)
    assert (record.export.attempt, record.export.failures, record.export.state) == (2, 1, "running")


def test_finished_targets_are_never_exported_again_by_a_late_event():
    record = source_record(state="done", attempt=1)
    for part in record.targets.values():
        part.state = TargetState.DONE
    assert blocker(record, export_object=False) == "every target region has its copy or its answer"


def test_copies_chosen_before_a_target_answered_leave_its_answer_as_it_is():
    """Seed 8070: the copy's record write lands after a target answered done (its replica finished from
    an earlier copy); the results apply only to targets that still want a copy."""
    from replicator.steps import distribute

    record = source_record(state="running", attempt=2)
    phoenix = record.target("us-phoenix-1")
    phoenix.state, phoenix.answer = TargetState.DONE, "acks/done"
    copying = distribute.CopyResult("copying", "wr-image", manifest_work_request_id="wr-manifest")
    results = {"us-phoenix-1": copying, "eu-frankfurt-1": copying}
    distribute.distributed(2, 10, manifest(1000), results, T0, 3, timedelta(hours=24))(record)
    assert (phoenix.state, phoenix.answer) == (TargetState.DONE, "acks/done")
    assert record.targets["eu-frankfurt-1"].state == TargetState.COPYING


def test_a_region_is_given_up_only_once_its_copies_failed_over_the_target_deadline():
    # A region out of service for hours fails every copy tried meanwhile, under a code OCI does not
    # document: attempts alone would give it up within three passes, and wait for an operator.
    record = source_record(state="done", attempt=1)
    part = record.target("us-phoenix-1")
    patience = timedelta(hours=24)
    for hour in range(5):
        part.state = TargetState.COPYING
        part.copy_failed("copy FAILED: ServiceUnavailable", T0 + timedelta(hours=hour), 3, patience=patience)
        assert not part.gave_up
    part.state = TargetState.COPYING
    part.copy_landed(T0 + timedelta(hours=6))
    assert part.failing_since is None  # a copy that lands ends the run of failures
    for hours in (30, 40, 54):
        part.state = TargetState.COPYING
        part.copy_failed("copy FAILED", T0 + timedelta(hours=hours), 3, patience=patience)
    assert part.gave_up and part.failures == 8
    refused = record.target("eu-frankfurt-1")
    refused.state = TargetState.COPYING
    refused.copy_failed("the bucket is gone", T0, 3, patience=patience, permanent=True)
    assert refused.gave_up  # a permanent refusal is given up at once


def test_a_copy_that_failed_but_was_not_given_up_is_exported_again_once_the_export_is_gone():
    record = source_record(state="done", attempt=1)
    first, second = DECISION.targets[:2]
    record.targets[first].state = TargetState.DONE
    record.targets[second].state, record.targets[second].failures = TargetState.FAILED, 1
    assert blocker(record, export_object=False) is None
    record.targets[second].gave_up = True
    assert blocker(record, export_object=False) == "every target region has its copy or its answer"


def test_a_permanently_refused_export_is_not_tried_again():
    assert "given up" in blocker(source_record(state="failed", attempt=1, failures=1, permanent=True, error="refused"))
    assert (
        blocker(source_record(state="failed", attempt=1, failures=1, error="object lost"), export_object=False) is None
    )
    assert "given up" in blocker(source_record(state="failed", attempt=3, failures=3, gave_up=True, error="lost"))


def test_an_export_is_given_up_only_once_its_attempts_failed_over_the_target_deadline():
    record = source_record()
    patience = timedelta(hours=24)
    for attempt, hours in enumerate((0, 1, 2, 23, 24), start=1):
        record.export.state, record.export.attempt = ExportState.RUNNING, attempt
        at = T0 + timedelta(hours=hours)
        record.export_failed(attempt, "lost", at, permanent=False, max_attempts=3, patience=patience, notice=None)
        assert record.export.gave_up == (hours >= 24)
    assert all(part.gave_up for part in record.targets.values())


def test_a_refused_export_after_failures_that_healed_is_not_given_up():
    # A refusal (IAM) is not counted: it is tried again at each pass until the grant is back, however
    # many attempts failed before the export last worked.
    record = source_record()
    patience = timedelta(hours=12)
    for attempt in (1, 2, 3):
        record.export.state, record.export.attempt = ExportState.RUNNING, attempt
        at = T0 + timedelta(hours=attempt)
        record.export_failed(attempt, "lost", at, permanent=False, max_attempts=3, patience=patience, notice=None)
    assert not record.export.gave_up and record.export.failures == 3
    record.export.state, record.export.attempt = ExportState.RUNNING, 4
    record.export_done(4, 10, T0 + timedelta(hours=5))
    record.export.state, record.export.attempt = ExportState.RUNNING, 5
    at = T0 + timedelta(hours=30)
    record.export_failed(
        5, "refused", at, permanent=False, max_attempts=3, patience=patience, notice=None, counted=False
    )
    assert not record.export.gave_up


# ----- the import's guard ---------------------------------------------------------------------
def test_an_import_whose_step_died_before_its_replica_was_known_starts_again_only_if_no_replica_exists():
    from replicator.records.replica import ReplicaRecord

    record = ReplicaRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1", target_region="us-phoenix-1")
    record.import_.state, record.import_.attempt, record.import_.started_at = ImportState.RUNNING, 1, T0
    nothing, replica = (
        (lambda: None),
        (lambda: IMAGE.model_copy(update={"id": "ocid1.image.oc1.phx.aaaa", "lifecycle_state": "IMPORTING"})),
    )
    assert (
        landed.import_blocker(record, T0 + timedelta(minutes=1), nothing) == "another invocation is starting the import"
    )
    assert landed.import_blocker(record, T0 + timedelta(hours=1), nothing) is None
    assert landed.import_blocker(record, T0 + timedelta(hours=1), replica).startswith(
        "import running (ocid1.image.oc1.phx.aaaa"
    )
    record.import_.replica_image_id = "ocid1.image.oc1.phx.aaaa"
    assert landed.import_blocker(record, T0 + timedelta(hours=1), nothing).startswith("import running")
    record.state = ReplicaState.FINISHED
    assert landed.import_blocker(record, T0, nothing) == "replica already finished"


def test_an_import_is_given_up_only_once_its_attempts_failed_over_the_target_deadline():
    from replicator.records.replica import ReplicaRecord

    record = ReplicaRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1", target_region="us-phoenix-1")
    patience, nothing = timedelta(hours=24), (lambda: None)
    for attempt, hours in enumerate((0, 1, 2, 23, 24), start=1):
        at = T0 + timedelta(hours=hours)
        record.start_import(manifest(1000), "m", at, attempt, None)
        gave_up = record.import_failed(attempt, f"ocid1.image.oc1.phx.{attempt}", "DELETED", at, 3, patience)
        assert gave_up == record.gave_up == (hours >= 24)
        blocked = landed.import_blocker(record, at, nothing)
        assert (blocked is not None and "given up" in blocked) == (hours >= 24)


def test_a_delivery_marks_only_the_answer_it_copied():
    from replicator.records.replica import ReplicaRecord

    record = ReplicaRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1", target_region="us-phoenix-1")
    record.answer_due("acks/done", T0)
    record.answer_due("acks/retired", T0 + timedelta(hours=1))  # made due since the done answer was copied
    record.answer_delivered("acks/done")
    record.answer_resent("acks/done", T0 + timedelta(hours=1), "wr-1")
    assert record.answer is not None
    assert (record.answer.object, record.answer.delivered, record.answer.work_request_id) == (
        "acks/retired",
        False,
        None,
    )
    record.answer_delivered("acks/retired")
    assert record.answer.delivered
