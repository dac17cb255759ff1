"""FakeCloud: one tenancy, many regions, every request from the real oci SDK answered locally."""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import unquote, urlsplit

import oci
import responses

from .compute.models import ComputeBackend, Image
from .core import auth, backoff
from .core.clock import SimClock
from .core.faults import Faults
from .core.http import Response
from .core.identity import Compartments, Ids, Tags
from .core.interleave import Interleaver
from .core.options import Durations, Options
from .events.bus import EventBus
from .front import HOST, ApiCall, Front
from .identity.models import Caller, DynamicGroup, IdentityBackend, Policy, Target
from .monitoring.models import Alarm, MetricPoint, MonitoringBackend
from .notifications.models import NotificationsBackend, Topic
from .objectstorage.models import Bucket, ObjectStorageBackend
from .scheduler.models import Run, Schedule, SchedulerBackend
from .services import OPERATIONS, SERVICES, variables
from .vault.models import VaultBackend

_PAR_URI = re.compile(r"^/p/(?P<token>[^/]+)/n/(?P<ns>[^/]+)/b/(?P<bucket>[^/]+)/o/(?P<object>.+)$")
_PLAIN_URI = re.compile(r"^/n/(?P<ns>[^/]+)/b/(?P<bucket>[^/]+)/o/(?P<object>.+)$")

if TYPE_CHECKING:
    from .functions.loopback import LoopbackServer


B = TypeVar("B")


class RegionState:
    """One region: the per-region backend of every service that has one, found by its type
    (`state.backend(ComputeBackend)`), so that a caller holds what it asked for, typed."""

    def __init__(self, cloud: FakeCloud, name: str):
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


class FakeCloud:
    """A stateful, multi-region OCI for the real SDK, on a simulated clock.

    with FakeCloud(regions=["us-ashburn-1", "us-phoenix-1"]) as cloud:
        compute = oci.core.ComputeClient(cloud.config("us-ashburn-1"))
        ...
        cloud.run_until_idle()
    """

    # What each operation needs in IAM, and the variables of each service (services.py).
    operations = OPERATIONS

    def variables(self, service: str) -> frozenset[str]:
        return variables(service)

    def __init__(
        self,
        regions: list[str],
        *,
        tenancy_name: str = "acme",
        namespace: str = "acmecorp",
        start: datetime | None = None,
        options: Options | None = None,
        durations: Durations | None = None,
        seed: str = "ocifake",
        interleave_seed: int = 0,
    ):
        unknown = [r for r in regions if not oci.regions.is_region(r)]
        if unknown or not regions:
            raise ValueError(f"not OCI region names: {unknown or regions}")
        self.ids = Ids(seed)
        self.tenancy_id = self.ids.ocid("tenancy")
        self.user_id = self.ids.ocid("user")
        self.namespace = namespace
        self.options = options or Options()
        self.durations = durations or Durations()
        self.clock = SimClock(start)
        self.faults = Faults()
        self.tags = Tags()
        self.compartments = Compartments(self.tenancy_id, tenancy_name)
        self.identity = IdentityBackend(self)
        # Every tenancy's IAM and Object Storage namespace; the home tenancy is `tenancy_id`.
        self.identities: dict[str, IdentityBackend] = {self.tenancy_id: self.identity}
        self.namespaces: dict[str, str] = {namespace: self.tenancy_id}
        self.events = EventBus(self)
        self.regions: dict[str, RegionState] = {r: RegionState(self, r) for r in regions}
        self.calls: list[ApiCall] = []
        self.auth = auth.Authenticator(self.tenancy_id, self.user_id, self.options.key_bits)
        self.auth.tenancies = self.identities.keys()  # type: ignore[assignment]  # a live view
        self.lock = threading.RLock()
        self.interleaver = Interleaver(interleave_seed)
        self._egress: dict[str, list[float]] = {}  # region -> when each large transfer leaving it ends
        self.functions: list = []
        self.front = Front(self)
        self._mock: responses.RequestsMock | None = None
        self._tmp: str | None = None
        self._loopback: LoopbackServer | None = None

    # ----- context management -------------------------------------------------------------
    def __enter__(self) -> FakeCloud:
        self._tmp = tempfile.mkdtemp(prefix="ocifake-")
        self._key_file = auth.write_private_key(self._tmp, "api-key.pem", self.auth.user_key)
        self._mock = responses.RequestsMock(
            target="oci._vendor.requests.adapters.HTTPAdapter.send", assert_all_requests_are_fired=False
        )
        self._mock.__enter__()
        self._no_sleep = backoff.without_sleeping()
        self._no_sleep.__enter__()
        for method in ("GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"):
            self._mock.add_callback(method, re.compile(r".*"), callback=self._responses_callback, content_type=None)
        return self

    def __exit__(self, *exc) -> None:
        for fn in self.functions:
            fn.stop()
        if self._loopback is not None:
            self._loopback.stop()
        if self._mock is not None:
            self._mock.__exit__(*exc)
            self._no_sleep.__exit__(None, None, None)
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)

    # ----- credentials --------------------------------------------------------------------
    def config(self, region: str) -> dict:
        """An SDK config dict for the tenancy's API-key user in `region`."""
        self.require_region(region)
        return {
            "user": self.user_id,
            "tenancy": self.tenancy_id,
            "fingerprint": auth.fingerprint(self.auth.user_key),
            "key_file": self._key_file,
            "region": region,
        }

    def create_user(self, name: str, groups: list[str] | None = None) -> dict:
        """Another user of the tenancy, in `groups` (made if new), with an API key; its SDK config.

        Only the policies of its groups let it do anything (the `Administrators` group is the
        tenancy's own user's).
        """
        user_id = self.ids.ocid("user")
        key = self.auth.add_user(user_id)
        for group in groups or []:
            self.identity.groups.setdefault(group, set()).add(user_id)
        assert self._tmp is not None, "enter the FakeCloud first"
        key_file = auth.write_private_key(self._tmp, f"{name}.pem", key)
        return {
            "user": user_id,
            "tenancy": self.tenancy_id,
            "fingerprint": auth.fingerprint(key),
            "key_file": key_file,
            "region": next(iter(self.regions)),
        }

    def session_token_config(self, region: str, directory: str) -> dict:
        """An SDK config for the API-key user signed in with a session token (`--auth security_token`).

        The token file and its key are written to `directory`, as `oci session authenticate` does.
        """
        self.require_region(region)
        token = auth.session_token(
            {
                "sub": self.user_id,
                "tenant": self.tenancy_id,
                "ptype": "user",
                "exp": int(time.time()) + 3600,
            }
        )
        token_file = os.path.join(directory, "token")
        with open(token_file, "w") as f:
            f.write(token)
        key_file = auth.write_private_key(directory, "session-key.pem", self.auth.user_session_key)
        return {
            "user": self.user_id,
            "tenancy": self.tenancy_id,
            "fingerprint": auth.fingerprint(self.auth.user_session_key),
            "key_file": key_file,
            "security_token_file": token_file,
            "region": region,
        }

    @property
    def clock_round_trips(self) -> int:
        """How often a function process asked the simulated time over HTTP (not from the shared file)."""
        return self._loopback.clock_round_trips if self._loopback is not None else 0

    def process_env(self) -> dict[str, str]:
        """What another process needs in its environment for its oci SDK to reach this fake.

        Its SDK's requests go through a loopback endpoint (started here on first use) and
        are answered as in-process ones are; nothing else in that process changes.
        """
        from .functions.fdk_process import BOOTSTRAP_DIR
        from .functions.loopback import LoopbackServer

        if self._loopback is None:
            self._loopback = LoopbackServer(self)
            self._loopback.start()
        pythonpath = os.pathsep.join(p for p in (BOOTSTRAP_DIR, os.environ.get("PYTHONPATH")) if p)
        return {
            "OCIFAKE_ENDPOINT": self._loopback.url,
            "OCIFAKE_CLOCK_FILE": self._loopback.clock.path,
            "PYTHONPATH": pythonpath,
        }

    def resource_principal_env(
        self, region: str, function_id: str | None = None, compartment_id: str | None = None
    ) -> dict[str, str]:
        """The variables OCI Functions sets for a function's resource principal (version 2.2, file paths)."""
        self.require_region(region)
        function_id = function_id or self.ids.ocid("fnfunc", region)
        folder = tempfile.mkdtemp(prefix="rp-", dir=self._tmp)
        token = auth.session_token(
            {
                "sub": function_id,
                "res_type": "fnfunc",
                "res_tenant": self.tenancy_of(compartment_id or self.tenancy_id),
                "res_compartment": compartment_id or self.tenancy_id,
                "res_region": region,
                "exp": int(time.time()) + 7 * 24 * 3600,
            }
        )
        rpst = os.path.join(folder, "rpst")
        with open(rpst, "w") as f:
            f.write(token)
        key = auth.write_private_key(folder, "private.pem", self.auth.session_key)
        return {
            "OCI_RESOURCE_PRINCIPAL_VERSION": "2.2",
            "OCI_RESOURCE_PRINCIPAL_RPST": rpst,
            "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM": key,
            "OCI_RESOURCE_PRINCIPAL_REGION": region,
        }

    # ----- tenancy helpers ------------------------------------------------------------------
    def require_region(self, region: str) -> RegionState:
        if region not in self.regions:
            raise ValueError(f"region {region!r} is not part of this FakeCloud ({', '.join(self.regions)})")
        return self.regions[region]

    def knows_region(self, region: str) -> bool:
        return region in self.regions

    def compute(self, region: str) -> ComputeBackend:
        return self.require_region(region).backend(ComputeBackend)

    def objectstorage(self, region: str) -> ObjectStorageBackend:
        return self.require_region(region).backend(ObjectStorageBackend)

    def create_compartment(self, name: str, parent: str | None = None, *, tenancy: str | None = None) -> str:
        """A compartment under `parent`, else at the root of `tenancy` (the home tenancy by default)."""
        compartment_id = self.ids.ocid("compartment")
        self.compartments.add(compartment_id, name, parent or tenancy or self.tenancy_id)
        return compartment_id

    def add_tenancy(self, name: str, namespace: str) -> str:
        """Another tenancy (its own compartments, IAM and namespace, in the same regions): its OCID.

        Its principals are its functions' resource principals; its IAM starts with the
        built-in admin policy only. Requests that cross tenancies are decided as OCI decides
        them: an Endorse in the caller's tenancy and an Admit in the resource's."""
        with self.lock:
            if namespace in self.namespaces:
                raise ValueError(f"namespace {namespace!r} is taken")
            tenancy_id = self.ids.ocid("tenancy")
            self.compartments.add_root(tenancy_id, name)
            self.identities[tenancy_id] = IdentityBackend(self, tenancy_id)
            self.namespaces[namespace] = tenancy_id
            return tenancy_id

    def tenancy_of(self, compartment_id: str) -> str:
        """The tenancy a compartment belongs to (the home tenancy for one the fake does not know)."""
        return self.compartments.tenancy_of(compartment_id) or self.tenancy_id

    def namespace_of(self, tenancy_id: str) -> str:
        return next(n for n, t in self.namespaces.items() if t == tenancy_id)

    def identity_of(self, compartment_id: str) -> IdentityBackend:
        """The IAM of the tenancy a compartment belongs to."""
        return self.identities[self.tenancy_of(compartment_id)]

    def compartment_exists(self, compartment_id: str) -> bool:
        return self.compartments.exists(compartment_id)

    def compartment_name(self, compartment_id: str) -> str:
        return self.compartments.name(compartment_id)

    def compartment_covers(self, ancestor: str, compartment_id: str) -> bool:
        return self.compartments.covers(ancestor, compartment_id)

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

    def parse_object_uri(self, uri: str) -> dict | None:
        """Split an Object Storage object URL (plain or pre-authenticated) into its parts."""
        parts = urlsplit(uri)
        host = HOST.match(parts.hostname or "")
        if (
            parts.scheme != "https"
            or host is None
            or host["service"] != "objectstorage"
            or host["region"] not in self.regions
        ):
            return None
        par = _PAR_URI.match(parts.path)
        plain = None if par else _PLAIN_URI.match(parts.path)
        found = par or plain
        if found is None:
            return None
        return {
            "region": host["region"],
            "namespace": found["ns"],
            "bucket": found["bucket"],
            "object": unquote(found["object"]),
            "par": par["token"] if par else None,
        }

    # ----- time -------------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Move simulated time forward, finishing operations, delivering events and firing schedules that fall due."""
        target = self.clock.seconds + seconds
        while (due := self._next_schedule_seconds()) is not None and due <= target:
            self._fire_schedules(due, [])
        self._run(until=target)
        self.clock.move_to(target)
        with self.lock:
            for region in self.regions.values():
                region.backend(ObjectStorageBackend).run_lifecycle()

    def advance_to_next_schedule(self, also: list[tuple] | None = None) -> tuple[list[Run], list]:
        """Move time to the next moment a schedule falls due, and fire every schedule due then.

        `also` adds invocations [(function, body)] made at the same moment (an operator's
        manual pass, say); they run in parallel with the scheduled ones. Returns the
        schedules' runs and the invocations of `also`, in its order.
        """
        due = self._next_schedule_seconds()
        if due is None:
            raise ValueError("no schedule exists")
        return self._fire_schedules(due, also or [])

    def _next_schedule_seconds(self) -> float | None:
        times = [s.time_next_run for r in self.regions.values() for s in r.backend(SchedulerBackend).schedules.values()]
        if not times:
            return None
        return max(self.clock.seconds, (min(times) - self.clock.now()).total_seconds() + self.clock.seconds)

    def _fire_schedules(self, at: float, also: list[tuple]) -> tuple[list[Run], list]:
        self._run(until=at)
        self.clock.move_to(at)
        now = self.clock.now()
        used: dict[str, int] = {}
        tasks = []
        for region in self.regions.values():
            for schedule in region.backend(SchedulerBackend).due(now):
                schedule.time_next_run = schedule.cron.next_after(now)
                for function_id, body in schedule.resources:
                    container = used.get(function_id, 0)
                    used[function_id] = container + 1
                    tasks.append(
                        functools.partial(region.backend(SchedulerBackend).fire, schedule, function_id, body, container)
                    )
        manual = []
        for fn, body in also:
            container = used.get(fn.id, 0)
            used[fn.id] = container + 1
            manual.append(functools.partial(fn.invoke, body, container=container))
        outcomes = self.interleaver.run([*tasks, *manual])
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return outcomes[: len(tasks)], outcomes[len(tasks) :]

    def run_until_idle(self, max_seconds: float = 30 * 24 * 3600) -> float:
        """Run until nothing is pending (or `max_seconds` of simulated time pass); return the time used."""
        start = self.clock.seconds
        self._run(until=start + max_seconds)
        return self.clock.seconds - start

    def _run(self, until: float) -> None:
        while True:
            with self.lock:
                due = self.clock.pop_due_together(until)
            if not due:
                return
            parallel = [action for action in due if getattr(action, "parallel", False)]
            for action in due:
                if not getattr(action, "parallel", False):
                    with self.lock:
                        action()
            if parallel:
                self._run_parallel(parallel)

    def _run_parallel(self, deliveries: list) -> None:
        """Deliveries that fall due together, spread over each function's containers, at once.

        A delivery waits on a function whose own API calls come back (in process, or through
        the loopback server on another thread): none of them may hold the lock.
        """
        pending = list(deliveries)
        while pending:
            used: dict[int, int] = {}
            batch, later = [], []
            for delivery in pending:
                capacity = getattr(delivery.subscriber, "capacity", None)
                n = used.get(id(delivery.subscriber), 0)
                if capacity is not None and n >= capacity:
                    later.append(delivery)
                    continue
                used[id(delivery.subscriber)] = n + 1
                cost = self._invocation_cost(delivery, n)
                if cost > 0:  # the handler runs once its container has started and worked that long
                    with self.lock:
                        self.clock.call_later(cost, delivery)
                    continue
                batch.append((delivery, n))
            outcomes = self.interleaver.run([functools.partial(d, container=c) for d, c in batch])
            errors_seen = [o for o in outcomes if isinstance(o, BaseException)]
            if errors_seen and self.options.raise_subscriber_errors:
                raise errors_seen[0]
            pending = later

    def share_egress(self, region: str, seconds: float) -> float:
        """How long a transfer of 1 GB or more leaving `region` takes, `seconds` being its time
        alone: as many times longer as such transfers (copies, or imports reading a PAR from
        another region) are running from there when it starts (Durations.copy_shares_bandwidth).
        The transfer then counts against the transfers that start after it."""
        if not self.durations.copy_shares_bandwidth:
            return seconds
        now = self.clock.seconds
        running = [end for end in self._egress.get(region, []) if end > now]
        took = seconds * (1 + len(running))
        self._egress[region] = [*running, now + took]
        return took

    def _invocation_cost(self, delivery, container: int) -> float:
        """Simulated seconds before a delivered invocation's effects (Durations.invocation,
        cold_start); charged once per delivery, 0 for a subscriber that is not a function."""
        fn = delivery.subscriber
        if getattr(delivery, "charged", True) or not hasattr(fn, "warm_containers"):
            return 0.0
        delivery.charged = True
        cold = container >= fn.warm_containers
        fn.warm_containers = max(fn.warm_containers, container + 1)
        return self.durations.invocation + (self.durations.cold_start if cold else 0.0)

    def invoke_parallel(self, calls: list[tuple]) -> list:
        """Invoke functions at once, as a schedule firing in several containers would: [(function, body)]."""
        used: dict[int, int] = {}
        tasks = []
        for fn, body in calls:
            container = used.get(id(fn), 0)
            if container >= fn.capacity:
                raise ValueError(
                    f"{fn.name} in {fn.region} has {fn.capacity} containers; {container + 1} calls at once need more"
                )
            used[id(fn)] = container + 1
            tasks.append(functools.partial(fn.invoke, body, container=container))
        outcomes = self.interleaver.run(tasks)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return outcomes

    # ----- functions ----------------------------------------------------------------------------
    def deploy_function(
        self,
        region: str,
        entry: str,
        handler: str = "handler",
        *,
        config: dict[str, str] | None = None,
        name: str = "function",
        app_name: str | None = None,
        instances: int = 1,
        egress: str = "service_gateway",
        wait: bool = True,
        compartment_id: str | None = None,
    ):
        """Start `entry` as OCI Functions does (`fdk <entry> <handler>`, http-stream), in `instances` containers.

        With `wait=False` the processes are launched but not awaited: call `wait_ready()` on
        the function, so that several functions start in parallel.
        """
        from .functions.fdk_process import FdkProcess
        from .functions.hosting import Function

        self.require_region(region)
        reach = self.process_env()
        fn = Function(self, region, name, config or {}, app_name=app_name, egress=egress, compartment_id=compartment_id)
        fn.containers = [
            FdkProcess(
                fn,
                n,
                entry,
                handler,
                reach["OCIFAKE_ENDPOINT"],
                self._tmp or tempfile.gettempdir(),
                clock_file=reach["OCIFAKE_CLOCK_FILE"],
            )
            for n in range(instances)
        ]
        self.functions.append(fn)
        for container in fn.containers:
            container.launch()
        if wait:
            fn.wait_ready()
        return fn

    def deploy_handler(
        self,
        region: str,
        factory,
        *,
        config: dict[str, str] | None = None,
        name: str = "function",
        app_name: str | None = None,
        instances: int = 1,
        egress: str = "service_gateway",
        compartment_id: str | None = None,
    ):
        """Deploy a function whose containers run in this process: `factory()` gives each one its handler."""
        from .functions.hosting import Function

        try:
            from .functions.in_process import InProcess
        except ImportError as exc:  # the fdk is an extra: pip install 'ocifake[functions]'
            raise ImportError(
                f"serving a function in process needs the fdk: pip install 'ocifake[functions]' ({exc})"
            ) from exc

        self.require_region(region)
        fn = Function(self, region, name, config or {}, app_name=app_name, egress=egress, compartment_id=compartment_id)
        fn.containers = [InProcess(fn, n, factory) for n in range(instances)]
        for container in fn.containers:
            container.launch()
        self.functions.append(fn)
        return fn

    def function_by_id(self, function_id: str):
        return next((fn for fn in self.functions if fn.id == function_id), None)

    # ----- request handling -------------------------------------------------------------------
    def call_count(self, operation: str | None = None, *, region: str | None = None, service: str | None = None) -> int:
        return sum(
            1
            for c in self.calls
            if (operation is None or c.operation == operation)
            and (region is None or c.region == region)
            and (service is None or c.service == service)
        )

    def _responses_callback(self, prepared) -> tuple[int, dict, bytes]:
        # `self.calls` is the record; responses' own lists (global and per registered
        # response) would only grow.
        assert self._mock is not None
        self._mock.calls.reset()
        for registered in self._mock.registered():
            registered.calls.reset()
        body = prepared.body
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        reply = self.dispatch(prepared.method, prepared.url, dict(prepared.headers), body or b"")
        return reply.status, reply.headers, reply.body

    def dispatch(self, method: str, url: str, headers: dict[str, str], body: bytes) -> Response:
        """Answer one HTTP request as OCI would (front.py); raise the SDK's transport errors for faults."""
        return self.front.dispatch(method, url, headers, body)

    # ----- IAM ------------------------------------------------------------------------------------
    def caller(self, principal: auth.Principal) -> Caller:
        """IAM's view of a request's signer."""
        return self.front.caller(principal)

    def allows(self, caller: Caller, service: str, operation: str, target: Target, region: str) -> bool:
        """IAM's decision for work a service does on its own (a copy, a delivery, a schedule)."""
        return self.front.allows(caller, service, operation, target, region)

    def decide(self, caller: Caller, service: str, operation: str, target: Target, region: str) -> bool:
        """IAM's decision for `caller` on `target` (front.py: within a tenancy, across tenancies)."""
        return self.front.decide(caller, service, operation, target, region)
