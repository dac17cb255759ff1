"""The five state machines of a replication's records, as tables: read them here, not in the code.

In the source region: the export (`EXPORT`) and each target's part (`TARGET`). In a target
region: the replica (`REPLICA`), its import attempt (`IMPORT`) and its DR drill (`DRILL`). The records' methods fire
these events and nothing else sets a state; `docs/state-machines.md` is generated from the
tables (`python -m replicator.records.states`), and a test fails when it is stale.
"""

from enum import StrEnum

from .machine import Machine, Transition, every, of


class ExportState(StrEnum):
    NONE = "none"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class TargetState(StrEnum):
    PENDING = "pending"
    COPYING = "copying"
    LANDED = "landed"
    DONE = "done"
    FAILED = "failed"
    DELETED = "deleted"
    LOST = "lost"
    RETIRED = "retired"


class ReplicaState(StrEnum):
    """Words of their own, not a target's (the source's view) nor a step result's nor a protection's."""

    QUEUED = "queued"
    IMPORTING = "importing"
    FINISHED = "finished"
    ABANDONED = "abandoned"
    WITHDRAWN = "withdrawn"
    VANISHED = "vanished"
    PRUNED = "pruned"


# What records and settled marks written before the replica's words were its own say: read as the
# words they became, and written anew in these.
REPLICA_STATE_BEFORE = {
    "waiting": ReplicaState.QUEUED,
    "done": ReplicaState.FINISHED,
    "failed": ReplicaState.ABANDONED,
    "deleted": ReplicaState.WITHDRAWN,
    "lost": ReplicaState.VANISHED,
    "retired": ReplicaState.PRUNED,
}


class DrillState(StrEnum):
    IDLE = "idle"
    LAUNCHING = "launching"
    BOOTING = "booting"
    READING = "reading"


class ImportState(StrEnum):
    NONE = "none"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


E, T, R, I, D = ExportState, TargetState, ReplicaState, ImportState, DrillState  # noqa: E741

EXPORT = Machine(
    "export",
    ExportState,
    [
        Transition("start", every(E), E.RUNNING, "a new attempt; one running without its object counts as failed"),
        Transition("release", of(E.RUNNING), E.NONE, "the attempt never started"),
        Transition("fail", every(E), E.FAILED, "an attempt failed or was refused"),
        Transition("end", of(E.RUNNING), E.DONE, "the export's object is there"),
        Transition("settle", every(E), E.DONE, "every target answered: the export worked"),
        Transition("count_afresh", of(E.FAILED), E.NONE, "the operator's retry"),
        Transition("observe_running", every(E), E.RUNNING, "rebuilt: the image is exporting"),
        Transition("observe_done", every(E), E.DONE, "rebuilt: the export's object is there"),
    ],
)

TARGET = Machine(
    "target",
    TargetState,
    [
        Transition("copy", every(T), T.COPYING, "the image and manifest are copied (again) to the target"),
        Transition("land", of(T.PENDING, T.COPYING, T.FAILED), T.LANDED, "the copies are seen in the target"),
        Transition("copy_fail", every(T), T.FAILED, "a copy's work request failed"),
        Transition("wait_again", of(T.FAILED), T.PENDING, "a failed copy not given up waits for the next one"),
        Transition("give_up_silent", of(T.LANDED), T.FAILED, "no answer within IR_TARGET_DEADLINE_HOURS"),
        Transition("give_up_export", of(T.PENDING, T.COPYING, T.LANDED), T.FAILED, "the export was given up"),
        Transition(
            "count_afresh", every(T, T.DONE, T.DELETED), T.PENDING, "the operator's retry: attempts counted afresh"
        ),
        Transition("tombstone", of(T.PENDING, T.FAILED), T.DELETED, "the source was deleted; nothing there to follow"),
        Transition("answer_done", every(T), T.DONE, "the target answered: its replica is finished"),
        Transition("answer_deleted", every(T), T.DELETED, "the target applied the source's deletion"),
        Transition("answer_retired", every(T), T.RETIRED, "retention there retired this version's replica"),
        Transition("answer_failed", every(T), T.FAILED, "the target gave up"),
        Transition("answer_refused", every(T), T.PENDING, "the image that landed did not match: copied again"),
        Transition("answer_refused_last", every(T), T.FAILED, "the same, at the last attempt allowed"),
        Transition("answer_lost", every(T), T.PENDING, "the replica was deleted there: made again"),
        Transition("answer_lost_kept", every(T), T.LOST, "the same, with IR_ON_REPLICA_DELETED=report"),
    ],
)

REPLICA = Machine(
    "replica",
    ReplicaState,
    [
        Transition("import", every(R), R.IMPORTING, "an import attempt starts"),
        Transition("release", every(R), R.QUEUED, "the attempt never started (no room, or another holds it)"),
        Transition("refuse", every(R), R.ABANDONED, "the region refused the import, or the attempt failed"),
        Transition("finish", every(R), R.FINISHED, "the replica is AVAILABLE with its tags and shapes"),
        Transition("adopt", every(R), R.FINISHED, "a lost record rebuilt from the replica its tags name"),
        Transition("source_deleted", every(R), R.WITHDRAWN, "the source's deletion was applied"),
        Transition("retire", of(R.FINISHED), R.PRUNED, "retention deleted this finished replica"),
        Transition("lose", every(R), R.VANISHED, "the replica was deleted in this region"),
        Transition("count_afresh", of(R.ABANDONED), R.QUEUED, "the operator's retry"),
        Transition("observe_import", every(R), R.IMPORTING, "rebuilt: a replica of this source exists here"),
    ],
)

IMPORT = Machine(
    "import",
    ImportState,
    [
        Transition("start", every(I), I.RUNNING, "CreateImage is asked, with this attempt's retry token"),
        Transition("release", of(I.RUNNING), I.NONE, "the attempt never started"),
        Transition("refuse_before", of(I.NONE, I.FAILED), I.FAILED, "no room: the attempt is used, nothing made"),
        Transition("refuse", every(I), I.FAILED, "the region refused the import"),
        Transition("fail", of(I.RUNNING), I.FAILED, "the replica ended in a state other than AVAILABLE"),
        Transition("abandon", of(I.RUNNING), I.FAILED, "its image was deleted before the import was finished"),
        Transition("finish", every(I), I.DONE, "the replica is AVAILABLE"),
        Transition("observe", every(I), I.RUNNING, "rebuilt: a replica of this source exists here"),
    ],
)

DRILL = Machine(
    "drill",
    DrillState,
    [
        Transition("launch", of(D.IDLE), D.LAUNCHING, "a drill is due: LaunchInstance with this attempt's retry token"),
        Transition("run", of(D.LAUNCHING), D.BOOTING, "the instance is RUNNING"),
        Transition("capture", of(D.BOOTING), D.READING, "its boot had time: the serial console is captured"),
        Transition("reread", of(D.READING), D.BOOTING, "the expected line is not there yet: captured again later"),
        Transition("end", of(D.LAUNCHING, D.BOOTING, D.READING), D.IDLE, "a result; the instance is terminated"),
    ],
)

MACHINES = (EXPORT, TARGET, REPLICA, IMPORT, DRILL)


def document() -> str:
    """docs/state-machines.md, from the tables above."""
    parts = [
        "# State machines of the records",
        "",
        "Generated from `functions/replicator/records/states.py` by "
        "`python -m replicator.records.states > docs/state-machines.md`; a test fails when this page is stale.",
        "Each record method fires one of these events; a transition not drawn here is refused.",
        "",
        "A replica's states have words of their own, shared with no target state (the source's view of",
        "it), no step result (`engine.Result`) and no protection state (`protection.py`). Records and",
        "settled marks written before say "
        + ", ".join(f"`{old}` for `{new.value}`" for old, new in REPLICA_STATE_BEFORE.items())
        + ": they are read as such and written anew in the words below.",
    ]
    titles = {
        "export": "The source's export (source region)",
        "target": "Each target's part (source region)",
        "replica": "The replica (target region)",
        "import": "Its import attempt (target region)",
        "drill": "Its DR drill (target region)",
    }
    for machine in MACHINES:
        parts += ["", f"## {titles[machine.name]}", "", "```mermaid", machine.mermaid(), "```", ""]
        parts += ["| event | from | to | why |", "|---|---|---|---|"]
        order = list(machine.states)
        for t in machine.transitions:
            sources = (
                "any"
                if len(t.sources) == len(order)
                else ", ".join(s.value for s in sorted(t.sources, key=order.index))
            )
            parts.append(f"| {t.event} | {sources} | {t.target.value} | {t.why} |")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(document(), end="")
