"""Every step of the product, gathered once from what each declares next to its code.

A step says which events it handles (`Step.routes`) and which of the pass's actions runs it
(`Step.action`); the router's table, the pass's runner and the operator's retry are read
from here. Adding a step is its module and one line below; a second step claiming an event
or an action someone already handles is refused when this module is imported.
"""

from .actions import PASSIVE, Action
from .cloudevents import EventKind
from .engine import Step
from .naming import Side
from .steps import (
    acknowledge,
    answer,
    check_copy,
    cleanup,
    deadline,
    distribute,
    drill,
    export,
    family,
    finish,
    inbox,
    landed,
    lost,
    refresh,
    repair,
    retire,
    retry,
    settle,
    tombstone,
)

ALL: tuple[Step, ...] = (
    # source region
    export.STEP,
    distribute.STEP,
    check_copy.STEP,
    settle.STEP,
    deadline.STEP,
    acknowledge.STEP,
    inbox.STEP,
    refresh.STEP,
    tombstone.STEP,
    # target region
    landed.STEP,
    finish.STEP,
    lost.STEP,
    family.STEP,
    retire.STEP,
    drill.STEP,
    answer.RESEND,
    # both
    cleanup.SOURCE,
    cleanup.REPLICA,
    repair.SOURCE,
    repair.REPLICA,
    retry.SOURCE,
    retry.REPLICA,
)


class RegistryError(Exception):
    """Two steps claim the same event or action, or an action has no step: a programming error."""


def _by_route(steps: tuple[Step, ...]) -> dict[tuple[EventKind, type], Step]:
    table: dict[tuple[EventKind, type], Step] = {}
    for step in steps:
        for route in step.routes:
            if route in table:
                raise RegistryError(f"{route[0].value} of a {route[1].__name__}: {table[route].name} and {step.name}")
            table[route] = step
    return table


def _by_action(steps: tuple[Step, ...]) -> dict[tuple[Side, Action], Step]:
    table: dict[tuple[Side, Action], Step] = {}
    for step in steps:
        if step.action is None:
            continue
        key = (step.side, step.action)
        if key in table:
            raise RegistryError(f"{step.side} action {step.action.value}: {table[key].name} and {step.name}")
        table[key] = step
    missing = {a for a in Action if a not in PASSIVE} - {action for _, action in table}
    if missing:
        raise RegistryError(f"actions no step runs: {', '.join(sorted(missing))}")
    return table


ROUTES = _by_route(ALL)
ACTIONS = _by_action(ALL)
_BY_NAME = {(step.side, step.name): step for step in ALL}


def for_event(kind: EventKind, subject: object) -> Step | None:
    """The step that handles `kind` of what the event turned out to be about, if any."""
    return ROUTES.get((kind, type(subject)))


def for_action(side: Side, action: Action) -> Step:
    """The step a pass's planned `action` runs on `side`."""
    return ACTIONS[(side, action)]


def named(side: Side, name: str) -> Step:
    """A step by its name and side (the operator's `retry`)."""
    return _BY_NAME[(side, name)]
