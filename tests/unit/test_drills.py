"""DR drills decided without a cloud: which replica is due, on which shape, what its console says,
which instance is a stray, and how a drill's record may change."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from replicator.config import ReplicatorConfig
from replicator.drills import DrillOutcome, choose_shape, due, judge, last_line, oldest, period
from replicator.errors import ConfigError
from replicator.images import ImageFacts, ShapeEntry
from replicator.instances import DRILL_ATTEMPT_TAG, DRILL_OF_TAG, InstanceFacts
from replicator.integrity import genuine_ack, tagged
from replicator.naming import AckName, SettledMark, drill_ended, drill_outcome, drill_token, parse_ack, parse_settled
from replicator.protection import ImageProtection, TargetProtection, requiring_drill
from replicator.reconcile.observations import Observed
from replicator.reconcile.plan_drills import STRAY_AFTER, plan_drills
from replicator.reconcile.settled import drilled_stamp, replica_mark, stamped_at
from replicator.records.machine import InvalidTransition
from replicator.records.read import Read
from replicator.records.replica import DrillPart, ReplicaRecord
from replicator.records.source import SourceRecord
from replicator.records.states import DrillState, ReplicaState, TargetState

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SOURCE_ID = "ocid1.image.oc1.iad.aaaaaaaasource"
REPLICA_ID = "ocid1.image.oc1.phx.aaaaaaaareplica"
PLACE = {
    "drill_compartment_id": "ocid1.compartment.oc1..aaaaaaaadrills",
    "drill_subnet_id": "ocid1.subnet.oc1.phx.aaaaaaaadrills",
    "drill_availability_domain": "Uocm:PHX-AD-1",
}
WEEKLY = ReplicatorConfig(drill_every_days=7, **PLACE)


# ----- configuration ------------------------------------------------------------------------------
def test_drills_need_a_place_to_run():
    with pytest.raises(ConfigError, match="drill_compartment_id"):
        ReplicatorConfig.from_env({"IR_DRILL_EVERY_DAYS": "7"})


def test_an_expected_line_that_is_not_a_regular_expression_is_refused_naming_the_variable():
    with pytest.raises(ConfigError, match="IR_DRILL_EXPECT"):
        ReplicatorConfig.from_env({"IR_DRILL_EXPECT": "login:("})


# ----- which replica is due ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("tags", "expected"),
    [({}, timedelta(days=7)), ({"replicate-drill": "1"}, timedelta(days=1)), ({"replicate-drill": "0"}, None)],
)
def test_a_replica_s_period_is_its_source_s_tag_else_the_deployment_s(tags, expected):
    assert period(WEEKLY, tags) == expected


def test_a_tag_that_is_not_a_number_of_days_drills_nothing():
    assert period(WEEKLY, {"replicate-drill": "weekly"}) is None


def test_a_replica_is_due_once_its_period_has_passed_since_its_last_counted_drill():
    assert due(WEEKLY, {}, None, T0)
    assert not due(WEEKLY, {}, T0 - timedelta(days=6), T0)
    assert due(WEEKLY, {}, T0 - timedelta(days=7), T0)


def test_without_a_place_nothing_is_ever_due_whatever_a_tag_asks():
    assert not due(ReplicatorConfig(), {"replicate-drill": "1"}, None, T0)


def test_new_replicas_are_drilled_once_when_asked_even_without_a_period():
    once = ReplicatorConfig(drill_new_replicas=True, **PLACE)
    assert due(once, {}, None, T0) and not due(once, {}, T0 - timedelta(days=400), T0)


def test_the_longest_undrilled_go_first_never_drilled_before_all():
    candidates = [(T0 - timedelta(days=9), "b"), (None, "c"), (T0 - timedelta(days=30), "a"), (None, "c")]
    assert oldest(candidates, 2) == [(None, "c"), (T0 - timedelta(days=30), "a")]


# ----- on which shape ----------------------------------------------------------------------------
def test_the_cheapest_compatible_shape_is_chosen_with_the_least_it_allows():
    entries = [
        ShapeEntry(shape="VM.Standard2.1"),
        ShapeEntry(shape="VM.Standard.E4.Flex", ocpu_min=2, memory_min_gbs=8),
    ]
    chosen = choose_shape(entries, None)
    assert not isinstance(chosen, str)
    assert (chosen.shape, chosen.ocpus, chosen.memory_gbs) == ("VM.Standard.E4.Flex", 2.0, 8.0)


def test_the_operator_s_shape_is_taken_only_when_the_replica_allows_it():
    entries = [ShapeEntry(shape="VM.Standard2.1")]
    assert isinstance(choose_shape(entries, "VM.Standard.E4.Flex"), str)
    chosen = choose_shape(entries, "VM.Standard2.1")
    assert not isinstance(chosen, str) and chosen.ocpus is None


def test_no_shape_is_guessed_for_a_replica_without_entries():
    assert "IR_DRILL_SHAPE" in str(choose_shape([], None))


# ----- what the console says ---------------------------------------------------------------------
def test_without_an_expected_line_running_is_enough():
    assert judge("", None) == (DrillOutcome.BOOTED, "the instance ran")


def test_the_expected_line_is_looked_for_line_by_line():
    console = "[ 1.0] kernel\nweb-1 login: \n"
    assert judge(console, r"^web-\d login:") is not None
    assert judge(console, "cloud-init finished") is None
    assert last_line("a\n\nKernel panic - not syncing\n\n") == "Kernel panic - not syncing"


# ----- the record's drill ------------------------------------------------------------------------
def finished() -> ReplicaRecord:
    record = ReplicaRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1", target_region="us-phoenix-1")
    record.state = ReplicaState.FINISHED
    record.import_.replica_image_id = REPLICA_ID
    return record


def test_a_drill_goes_launching_booting_reading_and_back_to_idle_with_its_result():
    record = finished()
    attempt = record.drill_launching(T0, "VM.Standard.E4.Flex")
    record.drill_launched(attempt, "ocid1.instance.oc1.phx.i1")
    record.drill_running("ocid1.instance.oc1.phx.i1", T0 + timedelta(minutes=1))
    record.drill_capturing("ocid1.instance.oc1.phx.i1", "ocid1.consolehistory.oc1.phx.c1")
    record.drill_ended(attempt, "booted", "ok", T0 + timedelta(minutes=6))
    assert record.drill.state == DrillState.IDLE
    (run,) = record.drill.history
    assert (run.outcome, run.seconds, run.instance_id) == ("booted", 360.0, "ocid1.instance.oc1.phx.i1")


def test_a_duplicate_end_of_a_drill_records_nothing_and_a_second_launch_while_one_runs_is_refused():
    record = finished()
    attempt = record.drill_launching(T0, "s")
    with pytest.raises(InvalidTransition):
        record.drill_launching(T0, "s")
    record.drill_ended(attempt, "booted", "", T0)
    record.drill_ended(attempt, "booted", "", T0)
    assert len(record.drill.history) == 1


def test_refused_launches_never_push_the_last_verdict_out_of_the_history():
    record = finished()
    record.drill_ended(record.drill_launching(T0, "s"), "failed-to-run", "", T0)
    for n in range(DrillPart.HISTORY + 3):
        record.drill_ended(record.drill_launching(T0, "s"), "not-launched", "", T0 + timedelta(hours=n), counted=False)
    assert len(record.drill.history) == DrillPart.HISTORY
    last = record.drill.last_counted()
    assert last is not None and last.outcome == "failed-to-run"


# ----- the settled mark carries the last drill ---------------------------------------------------
def test_a_replica_s_mark_names_its_last_counted_drill_and_is_read_back():
    record = finished()
    record.drill_ended(record.drill_launching(T0, "s"), "booted", "", T0 + timedelta(minutes=7))
    replica = ImageFacts(id=REPLICA_ID, compartment_id="c", display_name="web", lifecycle_state="AVAILABLE")
    mark = replica_mark(record, "etag-1", replica, [])
    assert mark is not None and stamped_at(mark.drilled) == T0 + timedelta(minutes=7)
    again = parse_settled("p/", mark.object("p/"))
    assert again == mark


def test_a_mark_made_before_drills_reads_as_never_drilled():
    old = SettledMark(
        "replica", SOURCE_ID, "v1", state="done", replica_id=REPLICA_ID, compartment_id="ocid1.compartment.oc1..c"
    )
    name = old.object("p/").replace(".d", ".")  # no drill field at all
    parsed = parse_settled("p/", name)
    assert parsed is not None and parsed.drilled == "" and parsed.compartment_id == "ocid1.compartment.oc1..c"


def test_no_mark_is_left_while_a_drill_is_under_way():
    record = finished()
    record.drill_launching(T0, "s")
    replica = ImageFacts(id=REPLICA_ID, compartment_id="c", display_name="web", lifecycle_state="AVAILABLE")
    assert replica_mark(record, "etag-1", replica, []) is None
    assert drilled_stamp(finished()) == ""


# ----- the pass's plan ---------------------------------------------------------------------------
def instance(n: int, *, attempt: str = "1", created: datetime = T0, state: str = "RUNNING") -> InstanceFacts:
    return InstanceFacts(
        id=f"ocid1.instance.oc1.phx.i{n}",
        compartment_id=PLACE["drill_compartment_id"],
        lifecycle_state=state,
        freeform_tags={DRILL_OF_TAG: f"{SOURCE_ID}{n}", DRILL_ATTEMPT_TAG: attempt},
        time_created=created,
    )


def observed(records: dict[str, ReplicaRecord], instances: list[InstanceFacts] | None) -> Observed:
    seen = Observed("us-phoenix-1")
    seen.replica_records = {i: Read(r, "e") for i, r in records.items()}
    seen.drill_instances = instances
    for source_id, record in records.items():
        seen.replicas[source_id] = ImageFacts(
            id=record.import_.replica_image_id or "", compartment_id="c", display_name="w", lifecycle_state="AVAILABLE"
        )
    return seen


def numbered(n: int) -> ReplicaRecord:
    record = finished()
    record.source_image_id = f"{SOURCE_ID}{n}"
    record.import_.replica_image_id = f"{REPLICA_ID}{n}"
    return record


def test_at_most_the_concurrency_starts_counting_what_runs_and_the_never_drilled_first():
    records = {f"{SOURCE_ID}{n}": numbered(n) for n in range(4)}
    records[f"{SOURCE_ID}3"].drill_ended(
        records[f"{SOURCE_ID}3"].drill_launching(T0 - timedelta(days=30), "s"), "booted", "", T0 - timedelta(days=30)
    )
    two = ReplicatorConfig(drill_every_days=7, drill_concurrency=2, **PLACE)
    started = [p.source_id for p in plan_drills(observed(records, []), two, T0)]
    assert started == [f"{SOURCE_ID}0", f"{SOURCE_ID}1"]
    busy = observed(records, [instance(9, created=T0)])  # a launch whose record this pass did not read
    assert [p.source_id for p in plan_drills(busy, two, T0) if p.subject.start] == [f"{SOURCE_ID}0"]


def test_nothing_starts_when_the_instances_could_not_be_listed():
    records = {f"{SOURCE_ID}0": numbered(0)}
    assert plan_drills(observed(records, None), WEEKLY, T0) == []


def test_an_instance_no_record_owns_is_terminated_and_one_owned_is_left_to_its_drill():
    owner = numbered(1)
    attempt = owner.drill_launching(T0, "s")
    owner.drill_launched(attempt, "ocid1.instance.oc1.phx.i1")
    idle = numbered(2)
    plans = plan_drills(
        observed({owner.source_image_id: owner, idle.source_image_id: idle}, [instance(1), instance(2)]), WEEKLY, T0
    )
    strays = [p.subject.instance_id for p in plans if p.subject.stray]
    assert strays == ["ocid1.instance.oc1.phx.i2"]
    assert any(p.source_id == owner.source_image_id and not p.subject.stray for p in plans)


def test_an_instance_launched_before_its_record_knew_its_ocid_is_owned_by_its_attempt():
    owner = numbered(1)
    owner.drill_launching(T0, "s")  # the run died before writing the instance down
    plans = plan_drills(observed({owner.source_image_id: owner}, [instance(1, attempt="1")]), WEEKLY, T0)
    assert not any(p.subject.stray for p in plans)


def test_whatever_the_records_say_an_instance_past_its_timeout_is_terminated():
    late = T0 + timedelta(minutes=WEEKLY.drill_timeout_minutes) + STRAY_AFTER + timedelta(minutes=1)
    plans = plan_drills(observed({}, [instance(5)]), WEEKLY, late)
    assert [p.subject.instance_id for p in plans if p.subject.stray] == ["ocid1.instance.oc1.phx.i5"]
    young = plan_drills(observed({}, [instance(5)]), WEEKLY, T0 + timedelta(minutes=5))
    assert not any(p.subject.stray for p in young)


# ----- the answer carries the drill --------------------------------------------------------------
def answer(drill: str = "", tag: str = "ab12") -> AckName:
    return AckName(SOURCE_ID, "us-phoenix-1", "done", 1767604200000, 1, REPLICA_ID, tag, drill)


def test_a_done_answer_names_its_replica_s_last_drill_and_reads_back():
    ack = answer(drill_token("booted", T0))
    assert parse_ack("p/", ack.object("p/")) == ack
    assert drill_outcome(ack.drill) == "booted" and drill_ended(ack.drill) == int(T0.timestamp())


def test_only_a_done_answer_may_carry_a_drill_and_only_a_well_formed_one():
    done = answer(drill_token("failed-to-run", T0)).object("p/")
    assert parse_ack("p/", done.replace("done~", "failed~")) is None
    assert parse_ack("p/", done.replace("~f", "~x")) is None


def test_a_later_drill_outranks_the_same_answer_and_only_the_drill_differs():
    first, later = answer(drill_token("booted", T0)), answer(drill_token("no-expected-output", T0 + timedelta(days=7)))
    assert later.rank > first.rank > answer().rank
    assert first.same_but_drill(later) and not first.same_but_drill(replace(later, attempt=2))


def test_the_drill_is_signed_with_the_rest_of_the_answer():
    key = b"k" * 32
    signed = tagged(key, answer(drill_token("booted", T0)))
    assert genuine_ack(key, signed)
    assert not genuine_ack(key, replace(signed, drill=drill_token("booted", T0 + timedelta(days=1))))
    assert genuine_ack(key, tagged(key, answer()))  # an answer without a drill signs as it always did


def test_a_newer_drill_of_the_same_replica_changes_only_what_the_source_knows_of_its_drill():
    record = SourceRecord(source_image_id=SOURCE_ID, source_region="us-ashburn-1")
    first = answer(drill_token("booted", T0))
    record.apply_answer(first, first.object("p/"), T0)
    part = record.targets["us-phoenix-1"]
    part.state = TargetState.PENDING  # a newer version is being copied meanwhile
    again = answer(drill_token("failed-to-run", T0 + timedelta(days=7)))
    assert record.takes(again)
    assert record.apply_answer(again, again.object("p/"), T0 + timedelta(days=7)) == set()
    assert (part.state, part.drill) == ("pending", again.drill)


def test_a_report_that_requires_a_drill_counts_a_region_that_never_booted_as_a_gap():
    booted = TargetProtection(region="us-phoenix-1", state="protected", drill=drill_token("booted", T0))
    silent = TargetProtection(region="eu-frankfurt-1", state="protected", answered_at=T0)
    image = ImageProtection(
        source_image_id=SOURCE_ID,
        display_name="web",
        source_region="us-ashburn-1",
        compartment_id=None,
        state="protected",
        targets=(booted, silent),
    )
    seen = requiring_drill(image, T0 + timedelta(hours=3))
    assert seen.state == "lagging" and seen.since == T0
    assert [t.state for t in seen.targets] == ["protected", "lagging"]
    assert seen.targets[1].reason == "no passed DR drill (never drilled)"
    assert booted.drilled(T0 + timedelta(days=3)) == "booted 3d ago"
