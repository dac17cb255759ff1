"""Setting a fake cloud up from a test: groups, policies, schedules, secrets, buckets, topics,
alarms and images, made as the services' own operations make them (validated the same way).

A mixin of `FakeCloud`: what it reads of the cloud is declared below.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .identity.routes import availability_domain
from .monitoring.models import MonitoringBackend
from .networking.models import NetworkingBackend
from .notifications.models import NotificationsBackend
from .scheduler.models import SchedulerBackend
from .vault.models import VaultBackend

if TYPE_CHECKING:
    from .compute.models import ComputeBackend, Image
    from .core.identity import Tags
    from .identity.models import DynamicGroup, IdentityBackend, Policy
    from .monitoring.models import Alarm, MetricPoint
    from .notifications.models import Topic
    from .objectstorage.models import Bucket, ObjectStorageBackend
    from .regions import RegionState
    from .scheduler.models import Schedule


class Seeding:
    tenancy_id: str
    lock: threading.RLock
    tags: Tags
    identity: IdentityBackend
    identities: dict[str, IdentityBackend]
    regions: dict[str, RegionState]

    if TYPE_CHECKING:

        def require_region(self, region: str) -> RegionState: ...

        def compute(self, region: str) -> ComputeBackend: ...

        def objectstorage(self, region: str) -> ObjectStorageBackend: ...

        def tenancy_of(self, compartment_id: str) -> str: ...

        def namespace_of(self, tenancy_id: str) -> str: ...

        def identity_of(self, compartment_id: str) -> IdentityBackend: ...

    def create_dynamic_group(self, name: str, matching_rule: str, description: str | None = None) -> DynamicGroup:
        """A dynamic group, as CreateDynamicGroup makes it (the matching rule is parsed, 400 if invalid)."""
        with self.lock:
            return self.identity.create_dynamic_group(
                {"name": name, "matchingRule": matching_rule, "description": description or name}
            )

    def create_tenancy_dynamic_group(self, tenancy_id: str, name: str, matching_rule: str) -> DynamicGroup:
        """A dynamic group of another tenancy (`add_tenancy`)."""
        with self.lock:
            return self.identities[tenancy_id].create_dynamic_group(
                {"name": name, "matchingRule": matching_rule, "description": name, "compartmentId": tenancy_id}
            )

    def create_policy(
        self, name: str, statements: list[str], compartment_id: str | None = None, description: str | None = None
    ) -> Policy:
        """A policy, as CreatePolicy makes it (each statement parsed and checked, 400 if OCI would refuse it)."""
        with self.lock:
            return self.identity_of(compartment_id or self.tenancy_id).create_policy(
                {
                    "name": name,
                    "statements": statements,
                    "compartmentId": compartment_id or self.tenancy_id,
                    "description": description or name,
                }
            )

    def create_schedule(
        self,
        region: str,
        compartment_id: str,
        function_id: str,
        body: dict,
        *,
        recurrence: str = "0 * * * *",
        recurrence_type: str = "CRON",
        display_name: str = "schedule",
    ) -> Schedule:
        """A Resource Scheduler schedule that invokes a function with `body` (as CreateSchedule makes it)."""
        with self.lock:
            return (
                self.require_region(region)
                .backend(SchedulerBackend)
                .create_schedule(
                    {
                        "compartmentId": compartment_id,
                        "displayName": display_name,
                        "action": "START_RESOURCE",
                        "recurrenceType": recurrence_type,
                        "recurrenceDetails": recurrence,
                        "resources": [{"id": function_id, "parameters": [{"parameterType": "BODY", "value": body}]}],
                    }
                )
            )

    def create_secret(self, region: str, compartment_id: str, name: str, content: bytes) -> str:
        """A Vault secret in `region` (its current version holds `content`); returns its OCID."""
        with self.lock:
            return self.require_region(region).backend(VaultBackend).create_secret(compartment_id, name, content).id

    def offer_shapes(self, region: str, shapes: list[str]) -> None:
        """Limit the shapes `region` offers: shape compatibility entries for others are refused (400)."""
        self.compute(region).shape_catalog = set(shapes)

    def create_private_subnet(self, region: str, compartment_id: str, cidr: str = "10.9.0.0/16") -> str:
        """A VCN and one private subnet in it (no public IP on its VNICs), as CreateVcn and CreateSubnet
        make them: the subnet's OCID."""
        with self.lock:
            net = self.require_region(region).backend(NetworkingBackend)
            vcn = net.create_vcn({"compartmentId": compartment_id, "cidrBlock": cidr})
            subnet = {"compartmentId": compartment_id, "vcnId": vcn.id, "cidrBlock": cidr.replace(".0.0/16", ".1.0/24")}
            return net.create_subnet({**subnet, "prohibitPublicIpOnVnic": True}).id

    def availability_domain(self, region: str, compartment_id: str) -> str:
        """The name ListAvailabilityDomains gives the region's availability domain in that compartment's tenancy."""
        return availability_domain(self.namespace_of(self.tenancy_of(compartment_id)), region)

    def create_tag_namespace(self, namespace: str, keys: list[str]) -> None:
        self.tags.create_namespace(namespace, keys)

    def create_bucket(self, region: str, name: str, compartment_id: str, *, object_events: bool = True) -> Bucket:
        with self.lock:
            return self.objectstorage(region).create_bucket(
                self.namespace_of(self.tenancy_of(compartment_id)),
                {"name": name, "compartmentId": compartment_id, "objectEventsEnabled": object_events},
            )

    def create_topic(self, region: str, name: str, compartment_id: str) -> Topic:
        """A Notifications topic; what is published to it is kept in `topic.messages`."""
        with self.lock:
            return self.require_region(region).backend(NotificationsBackend).create_topic(name, compartment_id)

    def metrics(
        self, region: str | None = None, *, namespace: str | None = None, name: str | None = None, **dimensions: str
    ) -> list[MetricPoint]:
        """Datapoints posted with PostMetricData, oldest first, filtered by region, namespace, name and dimensions."""
        with self.lock:
            regions = [self.require_region(region)] if region else list(self.regions.values())
            return [
                p
                for r in regions
                for p in r.backend(MonitoringBackend).points
                if (namespace is None or p.namespace == namespace)
                and (name is None or p.name == name)
                and all(p.dimensions.get(k) == v for k, v in dimensions.items())
            ]

    def create_alarm(
        self,
        region: str,
        compartment_id: str,
        namespace: str,
        query: str,
        *,
        destinations: list[str] | None = None,
        display_name: str = "alarm",
        metric_compartment_id: str | None = None,
        severity: str = "CRITICAL",
    ) -> Alarm:
        """An alarm on `query` (MQL) over the metrics of `namespace` in `metric_compartment_id`."""
        if severity not in ("CRITICAL", "ERROR", "WARNING", "INFO"):
            raise ValueError("severity must be CRITICAL, ERROR, WARNING or INFO")
        with self.lock:
            return (
                self.require_region(region)
                .backend(MonitoringBackend)
                .create_alarm(
                    compartment_id=compartment_id,
                    metric_compartment_id=metric_compartment_id or compartment_id,
                    namespace=namespace,
                    query=query,
                    destinations=list(destinations or []),
                    display_name=display_name,
                    severity=severity,
                )
            )

    def alarm_firing(self, alarm: Alarm) -> list[dict[str, str]]:
        """The dimension sets for which `alarm` fires at the simulated time now (empty: OK)."""
        with self.lock:
            return self.regions[alarm.region].backend(MonitoringBackend).alarm_firing(alarm.id)

    def create_image(self, region: str, compartment_id: str, display_name: str, **kwargs) -> Image:
        """A custom image "captured from an instance"; see ComputeBackend.create_image_from_instance."""
        with self.lock:
            return self.compute(region).create_image_from_instance(compartment_id, display_name, **kwargs)
