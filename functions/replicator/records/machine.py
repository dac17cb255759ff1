"""State machines declared as data: states, and the transitions allowed between them.

A record's state changes only by `Machine.fire(current, event)`, which returns the state the
table names or refuses with `InvalidTransition`. Where a late or duplicated event may meet a
state it no longer applies to, the record asks `allows` first and leaves the state as it is:
that is a decision of the record, written next to the call, not a transition.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)


class InvalidTransition(Exception):
    """A transition the machine does not allow: a programming error, never a cloud's answer."""

    def __init__(self, machine: str, current: str, event: str):
        super().__init__(f"{machine}: {event} is not allowed from {current}")
        self.machine, self.current, self.event = machine, current, event


@dataclass(frozen=True)
class Transition(Generic[S]):
    event: str
    sources: frozenset[S]
    target: S
    why: str = ""


class Machine(Generic[S]):
    """The states of one kind of record part and the transitions between them, as a table."""

    def __init__(self, name: str, states: type[S], transitions: Iterable[Transition[S]]):
        self.name, self.states = name, states
        self.transitions = tuple(transitions)
        self._table: dict[tuple[S, str], S] = {}
        for t in self.transitions:
            for source in t.sources:
                key = (source, t.event)
                if key in self._table and self._table[key] != t.target:
                    raise ValueError(f"{name}: {t.event} from {source} leads to two states")
                self._table[key] = t.target

    @property
    def events(self) -> set[str]:
        return {t.event for t in self.transitions}

    def allows(self, current: S, event: str) -> bool:
        return (self.states(current), event) in self._table

    def fire(self, current: S, event: str) -> S:
        """The state `event` leads to from `current`; refused when the table has no such transition."""
        if event not in self.events:
            raise InvalidTransition(self.name, str(current), event)
        try:
            return self._table[(self.states(current), event)]
        except KeyError:
            raise InvalidTransition(self.name, str(current), event) from None

    def mermaid(self) -> str:
        """The machine as a mermaid state diagram: one arrow per pair of states, labelled with its events."""
        order = list(self.states)
        edges: dict[tuple[S, S], list[str]] = {}
        for t in self.transitions:
            for source in t.sources:
                edges.setdefault((source, t.target), []).append(t.event)
        lines = ["stateDiagram-v2"]
        for (source, target), events in sorted(
            edges.items(), key=lambda e: (order.index(e[0][0]), order.index(e[0][1]))
        ):
            lines.append(f"    {source.value} --> {target.value}: {', '.join(events)}")
        return "\n".join(lines)


def every(states: type[S], *but: S) -> frozenset[S]:
    """All the states of `states` except `but`: a transition that any of them may take."""
    return frozenset(s for s in states if s not in but)


def of(*states: S) -> frozenset[S]:
    return frozenset(states)
