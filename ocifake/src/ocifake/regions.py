"""A region of the fake: the per-region backend of every service that has one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .services import SERVICES

if TYPE_CHECKING:
    from .core.platform import Platform

B = TypeVar("B")


class RegionState:
    """One region: the per-region backend of every service that has one, found by its type
    (`state.backend(ComputeBackend)`), so that a caller holds what it asked for, typed."""

    def __init__(self, cloud: Platform, name: str):
        self.cloud = cloud
        self.name = name
        self._backends: dict[type, object] = {}
        self._after_time: list[tuple[Callable[[Any], object], object]] = []
        self._holds: list[tuple[str, Callable[[Any, str], bool], object]] = []
        for service in SERVICES:
            if service.backend is not None:
                made = service.backend(cloud, name)
                self._backends[type(made)] = made
                if service.after_time is not None:
                    self._after_time.append((service.after_time, made))
                if service.holds is not None:
                    self._holds.append((service.name, service.holds, made))

    def holding(self, compartment_id: str) -> list[str]:
        """The services that keep something of this region in the compartment."""
        return [name for name, holds, backend in self._holds if holds(backend, compartment_id)]

    def time_moved(self) -> None:
        """What each service does by itself once the clock has moved on (its `after_time`)."""
        for hook, backend in self._after_time:
            hook(backend)

    def backend(self, kind: type[B]) -> B:
        found = self._backends.get(kind)
        if not isinstance(found, kind):
            raise LookupError(f"no {kind.__name__} in {self.name}")
        return found
