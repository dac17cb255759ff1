"""Metric data posted to one region, validated as PostMetricData validates it, and alarms over it.

Modelled: PostMetricData on the `telemetry-ingestion` endpoint only (the `telemetry` endpoint
refuses it), its naming rules for namespaces, metric names, resource groups, dimensions and
metadata, at least one and at most 20 dimensions, at most 50 metric streams per call, the
timestamp window (less than two hours old, less than ten minutes ahead), NON_ATOMIC
(per-metric failures reported in the answer) and ATOMIC batches (any failure refuses all).
Alarms: an MQL threshold or absence query evaluated on demand at the simulated time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core import errors
from ..notifications.models import NotificationsBackend
from . import mql

if TYPE_CHECKING:
    from ..core.platform import Platform

MAX_STREAMS_PER_CALL = 50
MAX_DIMENSIONS = 20
PAST = timedelta(hours=2)
FUTURE = timedelta(minutes=10)
_NAMESPACE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RESERVED_PREFIXES = ("oci_", "oracle_")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._\-$]*$")
_RESOURCE_GROUP = re.compile(r"^[A-Za-z][A-Za-z0-9._\-$]*$")
_DIMENSION_KEY = re.compile(r"^[!-~]+$")  # printable ASCII, no space


@dataclass(frozen=True)
class MetricPoint:
    """One datapoint as the service stored it."""

    region: str
    namespace: str
    compartment_id: str
    name: str
    dimensions: dict[str, str]
    timestamp: datetime
    value: float
    count: int = 1
    resource_group: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class Alarm:
    id: str
    region: str
    compartment_id: str
    metric_compartment_id: str
    namespace: str
    query: str
    destinations: list[str]
    display_name: str
    severity: str = "CRITICAL"
    is_enabled: bool = True
    body: str | None = None
    pending_duration: str | None = None
    repeat_notification_duration: str | None = None
    message_format: str = "RAW"
    per_dimension: bool = False  # isNotificationsPerMetricDimensionEnabled
    freeform_tags: dict = field(default_factory=dict)
    state: str = "ACTIVE"
    created: datetime | None = None
    etag: int = 1

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "displayName": self.display_name,
            "compartmentId": self.compartment_id,
            "metricCompartmentId": self.metric_compartment_id,
            "namespace": self.namespace,
            "query": self.query,
            "severity": self.severity,
            "destinations": self.destinations,
            "isEnabled": self.is_enabled,
            "body": self.body,
            "pendingDuration": self.pending_duration,
            "repeatNotificationDuration": self.repeat_notification_duration,
            "messageFormat": self.message_format,
            "isNotificationsPerMetricDimensionEnabled": self.per_dimension,
            "freeformTags": self.freeform_tags,
            "definedTags": {},
            "lifecycleState": self.state,
            "timeCreated": self.created.isoformat() if self.created else None,
            "timeUpdated": self.created.isoformat() if self.created else None,
        }


SEVERITIES = ("CRITICAL", "ERROR", "WARNING", "INFO")
MESSAGE_FORMATS = ("RAW", "PRETTY_JSON", "ONS_OPTIMIZED")
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def _seconds(value: str) -> int | None:
    found = _DURATION.match(value)
    if found is None or value in ("P", "PT"):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in found.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def _duration(details: dict, key: str, shortest: int, longest: int) -> str | None:
    value = details.get(key)
    if value is None:
        return None
    seconds = _seconds(value) if isinstance(value, str) else None
    if seconds is None or not shortest <= seconds <= longest:
        raise errors.InvalidParameter(f"{key} {value!r} must be an ISO 8601 duration of {shortest} s to {longest} s.")
    return value


class MonitoringBackend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.points: list[MetricPoint] = []
        self.alarms: dict[str, Alarm] = {}

    # ----- PostMetricData -------------------------------------------------------------------

    def holds(self, compartment_id: str) -> bool:
        """Whether any of its alarms is in the compartment (which is then not deleted)."""
        return any(a.compartment_id == compartment_id and a.state != "DELETED" for a in self.alarms.values())

    def post(self, details: Any) -> dict:
        if not isinstance(details, dict):
            raise errors.InvalidParameter("The request body must be a JSON object.")
        atomicity = details.get("batchAtomicity", "NON_ATOMIC")
        if atomicity not in ("ATOMIC", "NON_ATOMIC"):
            raise errors.InvalidParameter("batchAtomicity must be ATOMIC or NON_ATOMIC.")
        metrics = details.get("metricData")
        if not isinstance(metrics, list) or not metrics:
            raise errors.MissingParameter("metricData is required and must hold at least one metric.")
        streams = {self._stream_key(m) for m in metrics}
        if len(streams) > MAX_STREAMS_PER_CALL:
            raise errors.InvalidParameter(
                f"A request may post at most {MAX_STREAMS_PER_CALL} unique metric streams; this one has {len(streams)}."
            )
        now = self.cloud.clock.now()
        accepted: list[MetricPoint] = []
        failed = []
        for metric in metrics:
            problem = self._problem(metric, now)
            if problem is None:
                accepted += self._points(metric)
            else:
                failed.append({"metricData": metric, "message": problem})
        if failed and atomicity == "ATOMIC":
            raise errors.InvalidParameter(f"The batch was refused: {failed[0]['message']}")
        self.points += accepted
        return {"failedMetricsCount": len(failed), "failedMetrics": failed}

    def emit(self, namespace: str, compartment_id: str, name: str, dimensions: dict[str, str], value: float) -> None:
        """A datapoint a service posts of itself (`oci_faas` for Functions): no caller, no IAM, no
        validation of the reserved namespace, as Monitoring receives its own services' metrics."""
        self.points.append(
            MetricPoint(self.region, namespace, compartment_id, name, dict(dimensions), self.cloud.clock.now(), value)
        )

    @staticmethod
    def _stream_key(metric: Any) -> tuple:
        if not isinstance(metric, dict):
            return (id(metric),)
        dims = metric.get("dimensions")
        dims_key = tuple(sorted(dims.items())) if isinstance(dims, dict) else ()
        return (metric.get("namespace"), metric.get("compartmentId"), metric.get("name"), dims_key)

    def _problem(self, metric: Any, now: datetime) -> str | None:
        if not isinstance(metric, dict):
            return "Each metric must be a JSON object."
        for key in ("namespace", "compartmentId", "name", "datapoints"):
            if metric.get(key) in (None, "", []):
                return f"{key} is required."
        namespace, name = metric["namespace"], metric["name"]
        if not isinstance(namespace, str) or not _NAMESPACE.match(namespace) or len(namespace) > 255:
            return (
                f"Invalid namespace {namespace!r}: it starts with a letter and holds letters, digits and underscores."
            )
        if namespace.lower().startswith(_RESERVED_PREFIXES):
            return f"Invalid namespace {namespace!r}: the prefixes oci_ and oracle_ are reserved."
        if not isinstance(name, str) or not _NAME.match(name) or len(name) > 255:
            return f"Invalid metric name {name!r}: it starts with a letter and holds letters, digits, . _ - and $."
        group = metric.get("resourceGroup")
        if group is not None and (not isinstance(group, str) or not _RESOURCE_GROUP.match(group)):
            return f"Invalid resourceGroup {group!r}."
        compartment = metric["compartmentId"]
        if not isinstance(compartment, str) or not self.cloud.compartment_exists(compartment):
            return f"Compartment {compartment!r} does not exist or is not authorized."
        problem = _dimensions_problem(metric["dimensions"])
        if problem:
            return problem
        metadata = metric.get("metadata") or {}
        if not isinstance(metadata, dict) or any(
            not isinstance(k, str) or not isinstance(v, str) or len(k) > 256 or len(v) > 256
            for k, v in metadata.items()
        ):
            return "Invalid metadata: keys and values are strings of at most 256 characters."
        datapoints = metric["datapoints"]
        if not isinstance(datapoints, list):
            return "datapoints must be a list."
        for point in datapoints:
            problem = _datapoint_problem(point, now)
            if problem:
                return problem
        return None

    def _points(self, metric: dict) -> list[MetricPoint]:
        return [
            MetricPoint(
                region=self.region,
                namespace=metric["namespace"],
                compartment_id=metric["compartmentId"],
                name=metric["name"],
                dimensions=dict(metric["dimensions"]),
                timestamp=_timestamp(p["timestamp"]),
                value=float(p["value"]),
                count=int(p.get("count") or 1),
                resource_group=metric.get("resourceGroup"),
                metadata=dict(metric.get("metadata") or {}),
            )
            for p in metric["datapoints"]
        ]

    # ----- alarms ------------------------------------------------------------------------------
    def create_alarm(self, **kwargs) -> Alarm:
        query = kwargs["query"]
        mql.parse(query)  # an alarm with a query the service cannot read is refused
        alarm = Alarm(id=self.cloud.ids.ocid("alarm", self.region), region=self.region, **kwargs)
        alarm.created = self.cloud.clock.now()
        self.alarms[alarm.id] = alarm
        return alarm

    def create_alarm_from(self, details: Any) -> Alarm:
        """CreateAlarm: every field as the API reads it, validated."""
        if not isinstance(details, dict):
            raise errors.InvalidParameter("The request body must be a JSON object.")
        for key in ("displayName", "compartmentId", "metricCompartmentId", "namespace", "query", "severity"):
            if not details.get(key):
                raise errors.MissingParameter(f"{key} is required.")
        if not isinstance(details.get("isEnabled"), bool):
            raise errors.MissingParameter("isEnabled is required.")
        for key in ("compartmentId", "metricCompartmentId"):
            if not self.cloud.compartment_exists(details[key]):
                raise errors.NotAuthorizedOrNotFound()
        return self.create_alarm(**self._fields(details))

    def _fields(self, details: dict) -> dict:
        severity, message_format = details["severity"], details.get("messageFormat") or "RAW"
        if severity not in SEVERITIES:
            raise errors.InvalidParameter(f"severity must be one of {', '.join(SEVERITIES)}.")
        if message_format not in MESSAGE_FORMATS:
            raise errors.InvalidParameter(f"messageFormat must be one of {', '.join(MESSAGE_FORMATS)}.")
        destinations = details.get("destinations")
        if not isinstance(destinations, list) or not destinations:
            raise errors.MissingParameter("destinations is required: the topic the alarm notifies.")
        topics = self.cloud.require_region(self.region).backend(NotificationsBackend).topics
        for destination in destinations:
            if destination not in topics:
                raise errors.InvalidParameter(f"Destination {destination} is not a topic of {self.region}.")
        if len(destinations) > 1:
            raise errors.InvalidParameter("One destination per destination service: a single topic.")
        if len(details.get("body") or "") > 1000:
            raise errors.InvalidParameter("body is at most 1000 characters.")
        return {
            "compartment_id": details["compartmentId"],
            "metric_compartment_id": details["metricCompartmentId"],
            "namespace": details["namespace"],
            "query": details["query"],
            "destinations": list(destinations),
            "display_name": details["displayName"],
            "severity": severity,
            "is_enabled": details["isEnabled"],
            "body": details.get("body"),
            "pending_duration": _duration(details, "pendingDuration", 60, 86400),
            "repeat_notification_duration": _duration(details, "repeatNotificationDuration", 60, 30 * 86400),
            "message_format": message_format,
            "per_dimension": bool(details.get("isNotificationsPerMetricDimensionEnabled")),
            "freeform_tags": details.get("freeformTags") or {},
        }

    def alarm(self, alarm_id: str) -> Alarm:
        found = self.alarms.get(alarm_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def update_alarm(self, alarm_id: str, details: Any) -> Alarm:
        alarm = self.alarm(alarm_id)
        if alarm.state == "DELETED" or not isinstance(details, dict):
            raise (
                errors.NotAuthorizedOrNotFound()
                if alarm.state == "DELETED"
                else errors.InvalidParameter("The request body must be a JSON object.")
            )
        merged = {**alarm.to_json(), **{k: v for k, v in details.items() if v is not None}}
        fields = self._fields(merged)
        mql.parse(fields["query"])
        for key, value in fields.items():
            setattr(alarm, key, value)
        alarm.etag += 1
        return alarm

    def delete_alarm(self, alarm_id: str) -> None:
        self.alarm(alarm_id).state = "DELETED"

    def evaluate(self, namespace: str, query: str, compartment_id: str | None = None) -> list[mql.Series]:
        """The series `query` returns now, each with whether its condition holds."""
        points = [
            p
            for p in self.points
            if p.namespace == namespace and (compartment_id is None or p.compartment_id == compartment_id)
        ]
        return mql.evaluate(mql.parse(query), points, self.cloud.clock.now())

    def alarm_firing(self, alarm_id: str) -> list[dict[str, str]]:
        """The dimension sets (one per series) for which the alarm fires now; empty when it is OK."""
        alarm = self.alarms.get(alarm_id)
        if alarm is None:
            raise errors.NotAuthorizedOrNotFound()
        if not alarm.is_enabled or alarm.state == "DELETED":
            return []
        series = self.evaluate(alarm.namespace, alarm.query, alarm.metric_compartment_id)
        return [s.dimensions for s in series if s.firing]


def _dimensions_problem(dimensions: Any) -> str | None:
    if not isinstance(dimensions, dict) or not dimensions:
        return "dimensions are required: at least one."
    if len(dimensions) > MAX_DIMENSIONS:
        return f"At most {MAX_DIMENSIONS} dimensions per metric; this one has {len(dimensions)}."
    for key, value in dimensions.items():
        if not isinstance(key, str) or not key or len(key) > 256 or not _DIMENSION_KEY.match(key):
            return f"Invalid dimension key {key!r}: 1-256 printable ASCII characters without spaces."
        if not isinstance(value, str) or not value or len(value) > 512:
            return f"Invalid value for dimension {key!r}: 1-512 characters."
    return None


def _datapoint_problem(point: Any, now: datetime) -> str | None:
    if not isinstance(point, dict) or "timestamp" not in point or "value" not in point:
        return "Each datapoint needs a timestamp and a value."
    value = point["value"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"Invalid datapoint value {value!r}: a finite number."
    count = point.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        return f"Invalid datapoint count {count!r}: a positive integer."
    try:
        at = _timestamp(point["timestamp"])
    except (TypeError, ValueError):
        return f"Invalid datapoint timestamp {point['timestamp']!r}."
    if at <= now - PAST or at >= now + FUTURE:
        return (
            f"Datapoint timestamp {point['timestamp']} is outside the accepted window "
            "(less than two hours in the past and less than ten minutes in the future)."
        )
    return None


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("timestamp must be a string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("timestamp needs a time zone")
    return parsed
