"""The records' state machines: tables that refuse what they do not list, and a page generated from them."""

from pathlib import Path
from typing import get_args

import pytest

from replicator.naming import AckOutcome
from replicator.records.machine import InvalidTransition
from replicator.records.replica import ReplicaRecord
from replicator.records.source import ON_ANSWER, SourceRecord
from replicator.records.states import EXPORT, IMPORT, MACHINES, REPLICA, TARGET, ExportState, ReplicaState, document

PAGE = Path(__file__).resolve().parents[2] / "docs" / "state-machines.md"


def test_the_committed_page_is_generated_from_the_tables():
    assert PAGE.read_text() == document(), "run: python -m replicator.records.states > docs/state-machines.md"


def test_every_state_of_every_machine_is_reached_by_some_transition_or_is_its_first():
    for machine in MACHINES:
        first = next(iter(machine.states))
        reached = {t.target for t in machine.transitions} | {first}
        assert reached == set(machine.states), machine.name


def test_a_transition_the_table_does_not_list_is_refused():
    with pytest.raises(InvalidTransition, match="export: end is not allowed from failed"):
        EXPORT.fire(ExportState.FAILED, "end")
    with pytest.raises(InvalidTransition):
        REPLICA.fire(ReplicaState.QUEUED, "retire")
    with pytest.raises(InvalidTransition):
        IMPORT.fire("done", "no such event")


def test_a_record_refuses_an_invalid_transition_and_keeps_its_state():
    record = ReplicaRecord(source_image_id="ocid1.image.oc1..a", source_region="r", target_region="t")
    record.retire(record.updated_at or __import__("datetime").datetime(2026, 1, 1), "kept newer")
    assert record.state == ReplicaState.QUEUED  # only a finished replica is retired: the record asks first
    with pytest.raises(InvalidTransition):
        record._fire("retire")
    assert record.state == ReplicaState.QUEUED


def test_every_answer_outcome_is_one_entry_of_the_lookup_and_one_transition_of_the_target_table():
    assert set(ON_ANSWER) == set(get_args(AckOutcome))
    assert {e for e in TARGET.events if e.startswith("answer_")} >= {f"answer_{o}" for o in get_args(AckOutcome)}


def test_a_done_answer_makes_any_target_done():
    from datetime import datetime

    from replicator.naming import AckName

    for state in TARGET.states:
        record = SourceRecord(source_image_id="ocid1.image.oc1..a", source_region="r")
        record.target("t").state = state
        record.apply_answer(
            AckName("ocid1.image.oc1..a", "t", "done", 5, 1, "ocid1.image.oc1..r"), "n", datetime(2026, 1, 1)
        )
        assert record.targets["t"].state == "done" and record.targets["t"].applied_issued == 5


def test_an_answer_for_a_manifest_the_record_never_learnt_of_makes_its_spec_unknown():
    """Regression (simulator, 'truth', seed 4483): a refresh died between its copy and its write; the
    target applied that manifest and answered it. The record, still holding the older spec, took the
    source's next change (back to that spec) for no change at all, and the replica kept the shapes of
    the manifest nobody remembered. Now the next drift check sends the current spec."""
    from datetime import datetime

    from replicator.naming import AckName

    record = SourceRecord(source_image_id="ocid1.image.oc1..a", source_region="r")
    record.issue_manifest("initial", 3, "spec-before")
    answer = AckName("ocid1.image.oc1..a", "t", "done", 7, 1, "ocid1.image.oc1..r")
    record.apply_answer(answer, "n", datetime(2026, 1, 1))
    assert (record.manifest_issued, record.manifest_fingerprint) == (7, None)
    known = AckName("ocid1.image.oc1..a", "t", "done", 7, 1, "ocid1.image.oc1..r")
    record.issue_manifest("8", 8, "spec-now")
    record.apply_answer(known, "n", datetime(2026, 1, 1))  # an older answer: the spec stays known
    assert record.manifest_fingerprint == "spec-now"


def test_step_results_target_states_replica_states_and_protection_states_share_no_word():
    """Each family says what it means in words of its own: a log line, a record or a report read alone
    tells which it is."""
    from itertools import combinations

    from replicator.engine import Result
    from replicator.protection import ImageState
    from replicator.protection import TargetState as TargetProtectionState
    from replicator.records.states import TargetState

    families = {
        "step result": set(get_args(Result)),
        "target state": {s.value for s in TargetState},
        "replica state": {s.value for s in ReplicaState},
        "protection state": set(get_args(ImageState)) | set(get_args(TargetProtectionState)),
    }
    shared = {(a, b): families[a] & families[b] for a, b in combinations(families, 2) if families[a] & families[b]}
    assert shared == {}
