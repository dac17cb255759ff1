"""A region of the fake: the per-region backend of every service that has one."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

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
        for service in SERVICES:
            if service.backend is not None:
                made = service.backend(cloud, name)
                self._backends[type(made)] = made

    def backend(self, kind: type[B]) -> B:
        found = self._backends.get(kind)
        if not isinstance(found, kind):
            raise LookupError(f"no {kind.__name__} in {self.name}")
        return found
