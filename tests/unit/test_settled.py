"""A settled replication's mark: what its name holds, and when a pass may trust it instead of the record."""

from replicator.config import ReplicatorConfig
from replicator.decision import Decision
from replicator.images import ImageFacts
from replicator.naming import AckName, SettledMark, etag_version, parse_settled
from replicator.reconcile.settled import (
    exported,
    listed_answers,
    replica_mark,
    replica_mark_holds,
    source_mark,
    source_mark_holds,
    with_leftovers,
)
from replicator.records.replica import AnswerPart, ReplicaRecord
from replicator.records.source import SourceRecord
from replicator.records.states import ReplicaState

CONFIG = ReplicatorConfig()
P = CONFIG.object_prefix
SOURCE_ID = "ocid1.image.oc1.iad.aaaaaaaasource"
REPLICA_ID = "ocid1.image.oc1.phx.aaaaaaaareplica"
COMPARTMENT = "ocid1.compartment.oc1..aaaaimages"
IMAGE = ImageFacts(id=SOURCE_ID, compartment_id=COMPARTMENT, display_name="web", lifecycle_state="AVAILABLE")
REPLICA = ImageFacts(
    id=REPLICA_ID,
    compartment_id=COMPARTMENT,
    display_name="web",
    lifecycle_state="AVAILABLE",
    freeform_tags={"replica-of": SOURCE_ID},
)
DECISION = Decision(opted_in=True, targets=("us-phoenix-1",))
ACK = AckName(SOURCE_ID, "us-phoenix-1", "done", 1, 1, REPLICA_ID, "0f" * 16)


PREFIX = CONFIG.object_prefix


def settled_source() -> SourceRecord:
    from replicator.manifest import ReplicaSpec

    record = SourceRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1")
    record.export.state = "done"
    spec = ReplicaSpec.of_source(IMAGE, [], CONFIG.opt_in_tag, CONFIG.opt_in_defined)
    record.issue_manifest("initial", 1, spec.fingerprint(), spec.tags_fingerprint())
    part = record.target("us-phoenix-1")
    part.state, part.answer, part.applied_issued, part.replica_image_id = "done", ACK.object(P), 1, REPLICA_ID
    return record


def test_a_mark_s_name_carries_what_the_pass_needs_and_reads_back():
    mark = source_mark(settled_source(), '"etag-1"', IMAGE, DECISION, [ACK], False, CONFIG)
    assert mark is not None and parse_settled(P, mark.object(P)) == mark
    replica = ReplicaRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1", target_region="us-phoenix-1")
    replica.state, replica.import_.replica_image_id = ReplicaState.FINISHED, REPLICA_ID
    replica.answer = AnswerPart(
        object=ACK.object(P), sent_at=IMAGE.time_created or __import__("datetime").datetime(2026, 1, 1), delivered=True
    )
    mark = replica_mark(replica, '"etag-2"', REPLICA, [], key="1a2b3c4d")
    assert mark == SettledMark(
        "replica",
        SOURCE_ID,
        etag_version('"etag-2"'),
        state="finished",
        replica_id=REPLICA_ID,
        compartment_id=COMPARTMENT,
        key="1a2b3c4d",
    )
    assert parse_settled(P, mark.object(P)) == mark
    unknown = replica_mark(replica, '"etag-2"', REPLICA, [])  # the key could not be read
    assert unknown is not None and parse_settled(P, unknown.object(P)) == unknown


def test_a_replica_mark_made_before_keys_were_printed_reads_back_with_no_key_and_so_does_not_hold():
    head = f"{P}settled/replica/{SOURCE_ID}/0123456789abcdef"
    for old, compartment, replica_id in (
        (f"{head}.done.{COMPARTMENT}~{REPLICA_ID}", COMPARTMENT, REPLICA_ID),
        (f"{head}.retired.-~-", "", ""),
    ):
        mark = parse_settled(P, old)
        assert mark is not None and (mark.key, mark.compartment_id, mark.replica_id) == ("", compartment, replica_id)
    legacy = parse_settled(P, f"{head}.done.{COMPARTMENT}~{REPLICA_ID}")
    assert legacy is not None and not replica_mark_holds(legacy, REPLICA, [], frozenset({"1a2b3c4d"}))


def test_a_replica_mark_named_before_the_replica_had_words_of_its_own_reads_in_them_and_still_holds():
    """`done` and `retired` became `finished` and `pruned`: a settled fleet is not read again for it."""
    head = f"{P}settled/replica/{SOURCE_ID}/0123456789abcdef"
    finished = parse_settled(P, f"{head}.done.k1a2b3c4d.{COMPARTMENT}~{REPLICA_ID}")
    assert finished is not None and finished.state == "finished"
    assert replica_mark_holds(finished, REPLICA, [], frozenset({"1a2b3c4d"}))
    pruned = parse_settled(P, f"{head}.retired.k1a2b3c4d.{COMPARTMENT}~{REPLICA_ID}")
    assert pruned is not None and pruned.state == "pruned"
    assert replica_mark_holds(pruned, None, [], frozenset({"1a2b3c4d"}))


def test_a_replica_mark_holds_only_under_the_key_it_was_made_with():
    """Its answer was signed with that key: under another, the record is read and the answer signed again."""
    mark = SettledMark(
        "replica", SOURCE_ID, "v", state="finished", replica_id=REPLICA_ID, compartment_id=COMPARTMENT, key="1a2b3c4d"
    )
    assert replica_mark_holds(mark, REPLICA, [], frozenset({"1a2b3c4d", "99999999"}))
    assert not replica_mark_holds(mark, REPLICA, [], frozenset({"99999999"}))  # rotated, or put back
    assert replica_mark_holds(mark, REPLICA, [], None)  # the key unreadable: nothing could be signed anew


def test_a_replication_with_anything_open_gets_no_mark():
    record = settled_source()
    assert source_mark(record, "e", IMAGE, DECISION, [ACK], True, CONFIG) is None  # leftovers in staging
    newer = AckName(SOURCE_ID, "us-phoenix-1", "lost", 1, 1, "-", "0f" * 16)
    assert source_mark(record, "e", IMAGE, DECISION, [ACK, newer], False, CONFIG) is None  # an answer not applied
    wider = Decision(opted_in=True, targets=("us-phoenix-1", "eu-frankfurt-1"))
    assert source_mark(record, "e", IMAGE, wider, [ACK], False, CONFIG) is None  # a new target


def test_a_mark_is_trusted_only_while_the_listings_agree_with_it():
    mark = source_mark(settled_source(), "e", IMAGE, DECISION, [ACK], False, CONFIG)
    assert mark is not None
    assert source_mark_holds(mark, IMAGE, DECISION, listed_answers([ACK], PREFIX), False, CONFIG)
    retagged = IMAGE.model_copy(update={"freeform_tags": {"team": "web"}})
    assert not source_mark_holds(mark, retagged, DECISION, listed_answers([ACK], PREFIX), False, CONFIG)
    lost = AckName(SOURCE_ID, "us-phoenix-1", "lost", 1, 1, "-", "0f" * 16)
    assert not source_mark_holds(mark, IMAGE, DECISION, listed_answers([ACK, lost], PREFIX), False, CONFIG)
    assert not source_mark_holds(mark, None, None, listed_answers([ACK], PREFIX), False, CONFIG)  # the source is gone
    replica = SettledMark(
        "replica", SOURCE_ID, "v", state="finished", replica_id=REPLICA_ID, compartment_id=COMPARTMENT
    )
    assert replica_mark_holds(replica, REPLICA, [])
    assert not replica_mark_holds(replica, None, [])  # deleted behind the replicator's back


def test_settled_sources_are_looked_at_once_a_cycle_and_a_cycle_stretches_to_keep_passes_small():
    from datetime import UTC, datetime, timedelta

    from replicator.reconcile.settled import shape_cycle_hours, shapes_due

    assert shape_cycle_hours(500, 50) == 24  # a day of hourly passes covers them
    assert shape_cycle_hours(20_000, 50) == 500  # 40 a pass on average, never more than 50
    ids = [f"ocid1.image.oc1.iad.{n:040d}" for n in range(2000)]
    cycle = shape_cycle_hours(len(ids), 50)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    start = epoch + timedelta(hours=cycle * 1000)  # cycles count from the epoch
    due = [[i for i in ids if shapes_due(i, start + timedelta(hours=h), cycle)] for h in range(cycle)]
    assert sorted(i for hour in due for i in hour) == sorted(ids)  # each once a cycle
    assert max(len(hour) for hour in due) < 2 * 50
    # The next cycle draws the hours afresh: images sharing an hour do not share it again.
    later = [[i for i in ids if shapes_due(i, start + timedelta(hours=cycle + h), cycle)] for h in range(cycle)]
    assert due != later


def test_the_staging_listing_names_the_exports_and_the_leftovers_it_holds():
    # An export alone (its manifests not written yet, or removed) is a leftover too: with_leftovers once
    # looked for exports under a name no export has, and saw only manifests.
    prefix = "image-replicator/"
    alone, with_manifest = "ocid1.image.oc1.iad.aaaaaaaaalone", "ocid1.image.oc1.iad.aaaaaaaamanifest"
    staged = {f"{prefix}images/{alone}.oci", f"{prefix}manifests/{with_manifest}/initial.json"}
    assert exported(staged, prefix) == {alone}
    assert with_leftovers(staged, prefix) == {alone, with_manifest}


def test_a_folded_mark_and_one_that_says_when_to_fold_read_back_and_a_mark_of_before_folds_at_once():
    from datetime import UTC, datetime

    from replicator.reconcile.settled import fold_due, folded, stamp

    mark = source_mark(settled_source(), '"etag-1"', IMAGE, DECISION, [ACK], False, CONFIG)
    assert mark is not None and not mark.folded and mark.fold_at == ""
    into = folded(mark, settled_source())
    assert into.folded and into.answers == "" and into.object(P).endswith(".f")
    assert parse_settled(P, into.object(P)) == into
    now = datetime(2026, 12, 6, 10, 0, 30, tzinfo=UTC)
    later = __import__("dataclasses").replace(mark, fold_at=stamp(now))
    assert later.fold_at == "202612061001" and parse_settled(P, later.object(P)) == later
    assert fold_due(mark, now) and not fold_due(later, now) and fold_due(later, now.replace(minute=1))
    assert not fold_due(into, now)


def test_a_folded_record_keeps_listed_only_the_answers_that_carry_a_failed_drill():
    from datetime import UTC, datetime

    from replicator.naming import drill_token
    from replicator.reconcile.settled import folded, kept_answers

    record = settled_source()
    assert kept_answers(record) == []
    record.targets["us-phoenix-1"].drill = drill_token("no-expected-output", datetime(2026, 12, 1, tzinfo=UTC))
    assert kept_answers(record) == [ACK.object(P)]
    mark = source_mark(record, '"etag-1"', IMAGE, DECISION, [ACK], False, CONFIG)
    assert mark is not None and folded(mark, record).answers == listed_answers([ACK], P)
