"""A datapoint to post: a metric of the catalog, its value, its time and its dimensions."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .catalog import UNKNOWN, Dimension, Metric


@dataclass(frozen=True)
class Point:
    metric: Metric
    value: float
    at: datetime
    dimensions: tuple[tuple[str, str], ...]

    @property
    def stream(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """What OCI counts as one metric stream: the name and the dimension values."""
        return self.metric.value, self.dimensions


def point(metric: Metric, value: float, at: datetime, dims: Mapping[Dimension, str | None]) -> Point:
    """A point whose missing dimension values read `unknown` (OCI refuses empty ones)."""
    return Point(metric, float(value), at, tuple(sorted((d.value, v or UNKNOWN) for d, v in dims.items())))
