"""What a region's reconcile pass does next for each replication: decided without any cloud."""

from datetime import UTC, datetime, timedelta

import pytest

from replicator.config import ReplicatorConfig
from replicator.decision import Decision
from replicator.images import ImageFacts
from replicator.manifest import ReplicaSpec, ReplicationManifest
from replicator.naming import AckName, LandedObject, image_object, manifest_object
from replicator.reconcile.plan import plan_replica, plan_source
from replicator.reconcile.run import ParOwners, orphaned
from replicator.reconcile.settled import shapes_hour
from replicator.records.lease import Lease
from replicator.records.replica import AnswerPart, ReplicaRecord
from replicator.records.source import SourceRecord

SOURCE_ID = "ocid1.image.oc1.iad.aaaaaaaa0123456789abcdef"
REPLICA_ID = "ocid1.image.oc1.phx.aaaaaaaareplica"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
CONFIG = ReplicatorConfig()
P = CONFIG.object_prefix
IMAGE = ImageFacts(
    id=SOURCE_ID,
    compartment_id="ocid1.compartment.oc1..aaaa",
    display_name="web",
    lifecycle_state="AVAILABLE",
    size_in_mbs=20 * 1024,
)
DECISION = Decision(opted_in=True, targets=("us-phoenix-1",))
EXPORT = image_object(P, SOURCE_ID)


def source(export_state="done", target_state="pending", **part) -> SourceRecord:
    record = SourceRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1", size_in_mbs=20 * 1024)
    record.export.state, record.export.attempt = export_state, 1
    target = record.target("us-phoenix-1")
    target.state = target_state
    for key, value in part.items():
        setattr(target, key, value)
    return record


def actions(record, staged=(), acks=(), image=IMAGE, decision=DECISION, now=T0):
    return [
        (p.action, p.target)
        for p in plan_source(SOURCE_ID, image, decision, record, list(acks), set(staged), now, CONFIG)
    ]


def test_an_opted_in_image_without_a_record_is_exported():
    assert actions(None) == [("export", None)]


def test_a_lost_export_end_is_picked_up_from_what_the_staging_bucket_holds():
    assert actions(source("running"), staged=[EXPORT]) == [("distribute", None)]
    assert actions(source("running")) == [("export", None)]
    assert actions(source("running"), image=IMAGE.model_copy(update={"lifecycle_state": "EXPORTING"})) == [
        ("wait", None)
    ]


def test_a_target_whose_copy_never_started_is_copied_or_exported_again():
    assert actions(source(), staged=[EXPORT]) == [("distribute", None)]
    assert actions(source()) == [("export", None)]


def test_a_copy_is_looked_at_once_it_should_have_landed():
    copying = source(target_state="copying", copy_started_at=T0, copy_work_request_id="wr")
    assert ("check_copy", "us-phoenix-1") not in actions(copying, now=T0 + timedelta(minutes=5))
    assert ("check_copy", "us-phoenix-1") in actions(copying, now=T0 + timedelta(hours=2))
    looked = source(
        target_state="copying", copy_started_at=T0, copy_work_request_id="wr", copy_checked_at=T0 + timedelta(hours=2)
    )
    assert ("check_copy", "us-phoenix-1") not in actions(looked, now=T0 + timedelta(hours=2, minutes=5))


def test_an_answer_whose_event_was_lost_is_recorded_by_the_pass():
    ack = AckName(SOURCE_ID, "us-phoenix-1", "done", 1, 1, REPLICA_ID, "0f" * 16)
    assert ("acknowledge", "us-phoenix-1") in actions(source(target_state="copying"), acks=[ack])
    recorded = source(target_state="done", answer=ack.object(P))
    assert ("acknowledge", "us-phoenix-1") not in actions(recorded, acks=[ack])


def settled(image=IMAGE) -> SourceRecord:
    """A finished replication whose newest manifest carried `image`'s tags."""
    record = source(target_state="done")
    spec = ReplicaSpec.of_source(image, [], CONFIG.opt_in_tag, CONFIG.opt_in_defined)
    record.issue_manifest("1", 1, spec.fingerprint(), spec.tags_fingerprint())
    record.targets["us-phoenix-1"].applied_issued = 1
    return record


def test_a_finished_replication_cleans_up_and_keeps_following_its_source():
    # The manifest the targets applied is unknown (a settled record): send the current one.
    assert actions(source(target_state="done"), staged=[EXPORT]) == [("cleanup", None), ("refresh", None)]
    quiet = T0.replace(hour=(shapes_hour(SOURCE_ID, T0) + 1) % 24)
    assert actions(settled(), staged=[EXPORT], now=quiet) == [("cleanup", None)]


def test_a_settled_replication_plans_nothing_until_the_listing_shows_a_change():
    quiet = T0.replace(hour=(shapes_hour(SOURCE_ID, T0) + 1) % 24)
    assert actions(settled(), now=quiet) == []
    retagged = IMAGE.model_copy(update={"freeform_tags": {"team": "web"}})
    assert actions(settled(), image=retagged, now=quiet) == [("refresh", None)]
    wider = Decision(opted_in=True, targets=("us-phoenix-1", "eu-frankfurt-1"))
    assert actions(settled(), decision=wider, now=quiet) == [("refresh", None)]
    # Shapes are not in a listing: once a day, at the image's own hour, they are looked at.
    assert actions(settled(), now=T0.replace(hour=shapes_hour(SOURCE_ID, T0))) == [("refresh", None)]
    hours = {shapes_hour(f"ocid1.image.oc1.iad.{n:040d}", T0) for n in range(200)}
    assert len(hours) == 24  # spread over the day, not all at one pass


def test_a_gone_source_sends_the_deletion_once():
    assert actions(source(target_state="done"), image=None, decision=None) == [("tombstone", None)]
    closed = source(target_state="deleted")
    closed.closed = "source image deleted"
    assert actions(closed, image=None, decision=None) == []


def test_a_landing_refused_after_the_deletion_went_out_is_sent_the_deletion_again():
    # Nothing will be copied again for a deleted source: the region that asks for a copy is told
    # of the deletion instead (it answers it, and the replication closes), not left waiting.
    record = source(target_state="landed", copy_started_at=T0)
    record.tombstoned("2000", 2000)
    refused = AckName(SOURCE_ID, "us-phoenix-1", "refused", 0, 1, "r1", "ab")
    record.apply_answer(refused, refused.object(P), T0, on_replica_deleted="recreate", max_attempts=3)
    assert record.targets["us-phoenix-1"].state == "pending"
    deletion = manifest_object(P, SOURCE_ID, "2000")
    assert actions(record, staged=[deletion], image=None, now=T0 + timedelta(hours=3)) == [("tombstone", None)]


def test_an_image_no_longer_opted_in_closes_its_replication():
    assert actions(
        source(target_state="done"), decision=Decision(opted_in=False, reason="image carries no opt-in tag")
    ) == [("refresh", None)]


def test_a_given_up_export_is_left_for_the_operator():
    record = source("failed", target_state="failed", gave_up=True)
    record.export.permanent, record.export.error = True, "refused"
    assert actions(record) == [("none", None)]


def test_a_failed_export_is_tried_again_only_for_a_region_still_asked_for():
    """Regression (simulator, seed 10482): an export attempted for a region the tags then dropped kept
    being planned, and the export step, finding no region to export for, did nothing, at every pass."""
    record = source("failed", target_state="done")
    record.export.error = "ExportImage refused"
    record.target("eu-frankfurt-1")  # asked for a while, pending, then dropped from the tags
    assert ("export", None) not in actions(record)
    asking_again = Decision(opted_in=True, targets=("us-phoenix-1", "eu-frankfurt-1"))
    assert actions(record, decision=asking_again) == [("export", None)]
    newly = Decision(opted_in=True, targets=("us-phoenix-1", "ap-tokyo-1"))
    assert actions(record, decision=newly) == [("export", None)]


def test_a_step_under_way_is_not_disturbed():
    record = source("running")
    record.lease = Lease(holder="x", step="export", until=T0 + timedelta(minutes=5))
    assert actions(record, staged=[EXPORT]) == [("wait", None)]


# ----- the target side ---------------------------------------------------------------------------
IMAGE_LANDED = LandedObject(SOURCE_ID, "image", EXPORT)
MANIFEST_LANDED = LandedObject(SOURCE_ID, "manifest", manifest_object(P, SOURCE_ID), "initial")


def replica_record(state="waiting", import_state="none", **fields) -> ReplicaRecord:
    record = ReplicaRecord(
        source_image_id=SOURCE_ID, source_region="us-ashburn-1", target_region="us-phoenix-1", state=state
    )
    record.import_.state, record.import_.attempt = import_state, 1
    for key, value in fields.items():
        setattr(record, key, value)
    return record


def replica(state="AVAILABLE") -> ImageFacts:
    return ImageFacts(
        id=REPLICA_ID,
        compartment_id="c",
        display_name="web",
        lifecycle_state=state,
        freeform_tags={"replica-of": SOURCE_ID},
    )


def target_actions(record, landed=(), found=None, now=T0):
    return [p.action for p in plan_replica(SOURCE_ID, record, list(landed), found, now, CONFIG)]


def test_landed_objects_without_a_record_are_imported():
    assert target_actions(None, [IMAGE_LANDED, MANIFEST_LANDED]) == ["landed"]
    assert target_actions(None, [IMAGE_LANDED]) == []


def test_an_import_whose_end_was_lost_is_finished_from_the_replica_state():
    running = replica_record("importing", "running")
    running.import_.replica_image_id = REPLICA_ID
    assert target_actions(running, found=replica()) == ["finish"]
    assert target_actions(running, found=replica("IMPORTING")) == ["wait"]
    assert target_actions(running, found=None) == ["finish"]  # not listed: read it, it ended


def test_a_failed_import_is_tried_again_while_attempts_remain():
    failed = replica_record("failed", "failed")
    failed.import_.error = "disk corrupt"
    assert target_actions(failed, [IMAGE_LANDED, MANIFEST_LANDED]) == ["landed"]
    failed.gave_up = True
    assert target_actions(failed, [IMAGE_LANDED]) == ["cleanup"]


def test_a_finished_replica_applies_a_newer_manifest_and_removes_leftovers():
    done = replica_record("done", "done", applied_issued=1000)
    newer = LandedObject(SOURCE_ID, "manifest", manifest_object(P, SOURCE_ID, "2000"), "2000")
    assert target_actions(done, [newer]) == ["landed"]
    assert target_actions(done, [IMAGE_LANDED]) == ["cleanup"]


def test_a_later_manifest_waiting_beside_a_refused_landing_is_taken_up():
    # The landing was refused (its image removed, the record waits for another copy), and the
    # source's deletion landed after it: the deletion is answered, not left waiting for an image.
    initial = ReplicationManifest(
        name="initial",
        issued_at=T0,
        source_image_id=SOURCE_ID,
        source_region="us-ashburn-1",
        source_compartment_id="c",
        display_name="web",
    )
    refused = replica_record("queued", "none", manifest=initial, manifest_object=MANIFEST_LANDED.name)
    deletion = LandedObject(SOURCE_ID, "manifest", manifest_object(P, SOURCE_ID, "2000"), "2000")
    assert target_actions(refused, [deletion]) == ["landed"]
    # Once noted (a later replicate manifest waits for its image), nothing more until the image lands.
    later = initial.model_copy(update={"name": "2000", "issued_at": T0 + timedelta(hours=1)})
    noted = replica_record("queued", "none", manifest=later, manifest_object=deletion.name)
    assert target_actions(noted, [deletion]) == []
    assert target_actions(refused, [MANIFEST_LANDED]) == []


def test_an_unconfirmed_answer_is_sent_again_once_it_is_overdue():
    done = replica_record("done", "done", answer=AnswerPart(object="x", sent_at=T0))
    assert target_actions(done, now=T0 + timedelta(minutes=5)) == []
    assert target_actions(done, now=T0 + timedelta(hours=1)) == ["answer"]


@pytest.mark.parametrize(
    ("name", "current", "expected"),
    [
        (
            "image-replicator-export-a2-us-ashburn-1-0123456789abcdef",
            {("export", "0123456789abcdef"): (2, True)},
            False,
        ),
        ("image-replicator-export-a1-us-ashburn-1-0123456789abcdef", {("export", "0123456789abcdef"): (2, True)}, True),
        (
            "image-replicator-export-a2-us-ashburn-1-0123456789abcdef",
            {("export", "0123456789abcdef"): (2, False)},
            True,
        ),
        (
            "image-replicator-export-a3-us-ashburn-1-0123456789abcdef",
            {("export", "0123456789abcdef"): (2, False)},
            False,
        ),
        ("image-replicator-import-a1-us-phoenix-1-0123456789abcdef", {}, False),
        ("someone-elses-par", {}, False),
    ],
)
def test_a_pass_removes_only_requests_no_running_attempt_can_use(name, current, expected):
    assert orphaned(name, T0 + timedelta(hours=1), ParOwners(current), T0) is expected


def test_expired_requests_of_ours_are_removed():
    assert orphaned("image-replicator-export-a2-us-ashburn-1-0123456789abcdef", T0, ParOwners({}), T0)


IMPORT_PAR = "image-replicator-import-a1-us-phoenix-1-0123456789abcdef"


@pytest.mark.parametrize(
    ("listed", "created", "expected"),
    [
        ({"export": set(), "import": set()}, T0 - timedelta(hours=1), True),  # its record removed by hand
        ({"export": set(), "import": set()}, T0 - timedelta(minutes=5), False),  # a claim may be on its way
        ({"export": set(), "import": {"0123456789abcdef"}}, T0 - timedelta(hours=1), False),  # listed, not read
        (None, T0 - timedelta(hours=1), False),  # the listing failed: a record may well exist
        ({"export": set(), "import": set()}, None, False),  # no creation time to judge by
    ],
)
def test_a_request_no_record_names_is_removed_once_no_claim_can_be_on_its_way(listed, created, expected):
    owners = ParOwners({}, listed, T0)
    assert orphaned(IMPORT_PAR, T0 + timedelta(hours=2), owners, T0, created) is expected


TRANSFER_PAR = "image-replicator-transfer-a2-us-ashburn-1-0123456789abcdef"


@pytest.mark.parametrize(
    ("exports", "created", "expected"),
    [
        (frozenset(), T0 - timedelta(hours=1), True),  # its export is gone: the replication ended
        (frozenset({"0123456789abcdef"}), T0 - timedelta(hours=1), False),  # targets may be reading it
        (frozenset(), T0 - timedelta(minutes=5), False),  # made for an export the listing did not show yet
        (None, T0 - timedelta(hours=1), False),  # the listing failed: the export may well be there
    ],
)
def test_a_direct_transfers_request_is_removed_once_its_export_is_gone(exports, created, expected):
    # Its attempt and its record do not matter: whoever removed the export (the last answer, the
    # pass's cleanup, a deletion of the source), nothing is left to read through it.
    owners = ParOwners({("export", "0123456789abcdef"): (2, False)}, None, T0, exports)
    assert orphaned(TRANSFER_PAR, T0 + timedelta(days=7), owners, T0, created) is expected


def test_a_pass_that_ran_out_of_time_is_resumed_where_it_stopped():
    from replicator.actions import Action
    from replicator.reconcile.plan import Planned
    from replicator.reconcile.run import resume

    plans = [Planned("source", f"ocid1.image.oc1.iad.{c}", Action.EXPORT, "") for c in "abcde"]
    order = [p.source_id[-1] for p in resume(plans, "ocid1.image.oc1.iad.c")]
    assert order == ["c", "d", "e", "a", "b"]
    assert resume(plans, None) == plans


def test_a_request_for_an_attempt_whose_claim_never_came_is_removed_once_it_could_have():
    owners = ParOwners({("import", "0123456789abcdef"): (1, False)}, {"export": set(), "import": set()}, T0)
    newer = "image-replicator-import-a2-us-phoenix-1-0123456789abcdef"
    assert orphaned(newer, T0 + timedelta(hours=2), owners, T0, T0 - timedelta(hours=1))
    assert not orphaned(newer, T0 + timedelta(hours=2), owners, T0, T0 - timedelta(minutes=1))
    assert not orphaned(newer, T0 + timedelta(hours=2), owners, T0)


def test_an_image_without_record_or_manifest_is_removed_once_the_deadline_has_passed():
    """Seed 3139 (under load): the step that copied the image died before its record said the copy had
    started, and the source was deleted; its deletion went only where something was known to have gone,
    and the image waited in the landing bucket for a manifest that never came."""
    landed = LandedObject(SOURCE_ID, "image", EXPORT, landed_at=T0)
    assert plan_replica(SOURCE_ID, None, [landed], None, T0 + timedelta(hours=2), CONFIG) == []
    late = T0 + timedelta(hours=CONFIG.target_deadline_hours + 1)
    (cleanup,) = plan_replica(SOURCE_ID, None, [landed], None, late, CONFIG)
    assert cleanup.action == "cleanup" and cleanup.subject.objects == (EXPORT,)
