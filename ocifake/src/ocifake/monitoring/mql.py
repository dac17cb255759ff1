"""The part of the Monitoring Query Language that alarms on custom metrics use.

    metric[interval]{dimension = "value", ...}.groupBy(dimension, ...).statistic() > threshold
    metric[interval]{...}.absent(period)

Statistics: max, min, mean, sum, count, and absent (default detection period two hours).
Operators: >, >=, <, <=, ==, !=. Without groupBy each metric stream is its own series, as
the service answers. A query outside this subset is refused with InvalidParameter, so an
alarm that the fake cannot evaluate never passes silently.
"""

from __future__ import annotations

import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..core import errors

_UNITS = {"m": 60, "h": 3600, "d": 86400}
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
_STATS: dict[str, Callable[[list[float]], float]] = {
    "max": max,
    "min": min,
    "sum": sum,
    "mean": lambda v: sum(v) / len(v),
    "count": len,
}
_QUERY = re.compile(
    r"""^\s*(?P<metric>[A-Za-z][A-Za-z0-9._\-$]*)
    \[(?P<interval>\d+[mhd])\]
    (?:\{(?P<filter>[^}]*)\})?
    (?:\.groupBy\((?P<group>[^)]*)\))?
    \.(?P<stat>[a-z]+)\((?P<arg>[^)]*)\)
    \s*(?:(?P<op>>=|<=|==|!=|>|<)\s*(?P<threshold>-?\d+(?:\.\d+)?))?\s*$""",
    re.VERBOSE,
)
_CLAUSE = re.compile(r'^\s*(?P<key>[!-~]+?)\s*(?P<op>!=|=)\s*"(?P<value>[^"]*)"\s*$')


@dataclass(frozen=True)
class Query:
    metric: str
    interval: timedelta
    filters: tuple[tuple[str, str, str], ...]  # (key, "=" or "!=", value)
    group_by: tuple[str, ...] | None
    statistic: str
    absence_period: timedelta
    op: str | None
    threshold: float | None


@dataclass(frozen=True)
class Series:
    dimensions: dict[str, str]
    value: float
    firing: bool


def _duration(text: str) -> timedelta:
    return timedelta(seconds=int(text[:-1]) * _UNITS[text[-1]])


def parse(query: str) -> Query:
    found = _QUERY.match(query or "")
    if found is None:
        raise errors.InvalidParameter(f"Invalid MQL query (or outside what ocifake evaluates): {query!r}")
    filters = []
    for clause in (found["filter"] or "").split(","):
        if not clause.strip():
            continue
        parsed = _CLAUSE.match(clause)
        if parsed is None:
            raise errors.InvalidParameter(f"Invalid dimension filter {clause.strip()!r} in {query!r}")
        filters.append((parsed["key"], parsed["op"], parsed["value"]))
    group = found["group"]
    group_by = tuple(g.strip() for g in group.split(",") if g.strip()) if group is not None else None
    statistic, arg = found["stat"], found["arg"].strip()
    if statistic == "absent":
        if found["op"]:
            raise errors.InvalidParameter("An absence query takes no threshold.")
        period = _duration(arg) if arg else timedelta(hours=2)
        if not timedelta(minutes=1) <= period <= timedelta(days=3):
            raise errors.InvalidParameter("The absence detection period is between 1m and 3d.")
        return Query(
            found["metric"], _duration(found["interval"]), tuple(filters), group_by, statistic, period, None, None
        )
    if statistic not in _STATS or arg:
        raise errors.InvalidParameter(f"Statistic {statistic}({arg}) is not one ocifake evaluates.")
    if not found["op"]:
        raise errors.InvalidParameter("An alarm query needs a trigger rule (a threshold or absent()).")
    return Query(
        found["metric"],
        _duration(found["interval"]),
        tuple(filters),
        group_by,
        statistic,
        timedelta(0),
        found["op"],
        float(found["threshold"]),
    )


def _selected(query: Query, dims: dict[str, str]) -> bool:
    return all((dims.get(key) == value) == (op == "=") for key, op, value in query.filters)


def evaluate(query: Query, points: Iterable[Any], now: datetime) -> list[Series]:
    """The series of `query` at `now` over `points` (objects with name, dimensions, timestamp, value)."""
    groups: dict[tuple, list[Any]] = defaultdict(list)
    for p in points:
        if p.name != query.metric or not _selected(query, p.dimensions):
            continue
        if query.group_by is None:
            key = tuple(sorted(p.dimensions.items()))
        else:
            key = tuple((k, p.dimensions.get(k, "")) for k in query.group_by)
        groups[key].append(p)
    start = now - query.interval
    out = []
    for key, members in sorted(groups.items()):
        in_window = [p.value for p in members if start < p.timestamp <= now]
        if query.statistic == "absent":
            if not any(start - query.absence_period < p.timestamp <= now for p in members):
                continue  # absent for longer than the detection period: no more values
            value = 0.0 if in_window else 1.0
            out.append(Series(dict(key), value, value == 1.0))
            continue
        if not in_window:
            continue
        value = float(_STATS[query.statistic](in_window))
        assert query.op is not None and query.threshold is not None
        out.append(Series(dict(key), value, _OPS[query.op](value, query.threshold)))
    return out
