"""What a pass may plan for one replication: each action is named after the step module it runs.

`NONE` and `WAIT` run nothing. The registry (`run.STEPS`) maps each side's actions to the
`STEP` of the module of the same name, so a reader goes from a planned action in a report to
its code by name.
"""

from enum import StrEnum


class Action(StrEnum):
    # source side
    EXPORT = "export"
    DISTRIBUTE = "distribute"
    CHECK_COPY = "check_copy"
    SETTLE = "settle"
    DEADLINE = "deadline"
    ACKNOWLEDGE = "acknowledge"  # a target's answer whose event was lost
    REFRESH = "refresh"  # the replicas follow the source's tags and shapes
    TOMBSTONE = "tombstone"
    # target side
    LANDED = "landed"  # import what landed, or apply a newer manifest
    FINISH = "finish"
    LOST = "lost"
    ANSWER = "answer"  # send an answer whose delivery is not confirmed
    FAMILY = "family"  # a family's latest mark and retention
    RETIRE = "retire"  # finish deleting a replica retention retired
    DRILL = "drill"  # start a DR drill that is due, move one on, or end an instance no drill owns
    # both sides
    CLEANUP = "cleanup"
    REPAIR = "repair"
    # nothing to run
    NONE = "none"
    WAIT = "wait"


PASSIVE = (Action.NONE, Action.WAIT)
# What a pass concludes from an image's absence from the region's listing.
ABSENCE = (Action.TOMBSTONE, Action.LOST)
