"""Posting the replication metrics to OCI Monitoring in the function's own region.

Points are buffered while a step runs and posted when it ends (a reconcile pass holds them
until the pass ends), at most 50 metric streams per call as PostMetricData allows. A metric
that cannot be posted is logged and dropped: measuring a replication never fails it,
retries it or slows it down.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import oci

from .. import logs
from ..config import ReplicatorConfig
from ..errors import ReplicatorError
from ..telemetry.catalog import MAX_STREAMS_PER_CALL, Metric
from ..telemetry.points import Point
from .calls import call
from .clients import Clients

_UNITS = {Metric.STAGE_SECONDS: "seconds", Metric.OLDEST_EXPOSURE_SECONDS: "seconds"}


class MetricsSink:
    def __init__(self, clients: Clients, config: ReplicatorConfig):
        self._clients = clients
        self._namespace = config.metrics_namespace
        self._compartment = config.metrics_compartment_id
        self._pending: list[Point] = []
        self._held = 0
        self.region = clients.region
        self.failure: ReplicatorError | None = None  # why the last flush posted nothing, if it did not

    @property
    def enabled(self) -> bool:
        """Metrics go out when a namespace and a compartment are configured."""
        return bool(self._namespace and self._compartment)

    def add(self, points: list[Point]) -> None:
        if self.enabled:
            self._pending += points

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep the points of every step run inside, for one flush after (a reconcile pass)."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1

    def flush(self) -> int:
        """Post what is pending (unless held); how many points Monitoring accepted."""
        if self._held:
            return 0
        pending, self._pending = self._pending, []
        if not pending:
            return 0
        self.failure = None
        streams: dict[tuple, list[Point]] = defaultdict(list)
        for p in pending:
            streams[p.stream].append(p)
        batches = list(streams.values())
        accepted = 0
        for start in range(0, len(batches), MAX_STREAMS_PER_CALL):
            accepted += self._post(batches[start : start + MAX_STREAMS_PER_CALL])
        return accepted

    def _post(self, streams: list[list[Point]]) -> int:
        models = oci.monitoring.models
        details = models.PostMetricDataDetails(
            metric_data=[
                models.MetricDataDetails(
                    namespace=self._namespace,
                    compartment_id=self._compartment,
                    name=points[0].metric.value,
                    dimensions=dict(points[0].dimensions),
                    metadata={"unit": _UNITS.get(points[0].metric, "count")},
                    datapoints=[models.Datapoint(timestamp=p.at, value=p.value) for p in points],
                )
                for points in streams
            ]
        )
        sent = sum(len(points) for points in streams)
        try:
            answer = call("PostMetricData", self.region, lambda: self._clients.metrics().post_metric_data(details)).data
        except ReplicatorError as exc:
            logs.warning("metrics not posted", reason=exc.reason, points=sent)
            self.failure = exc  # the pass reports it; a step's cannot be counted where it was refused
            return 0
        except Exception as exc:
            logs.error("metrics not posted", reason=f"{type(exc).__name__}: {exc}", points=sent)
            return 0
        refused = answer.failed_metrics or []
        if refused:
            logs.warning("metrics refused by Monitoring", refused=len(refused), reason=refused[0].message, points=sent)
        return sent - sum(len(r.metric_data.datapoints or []) for r in refused)
