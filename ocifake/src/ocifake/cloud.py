"""FakeCloud: one tenancy, many regions, every request from the real oci SDK answered locally.

The facade a test holds: its state, the regions and tenancies, and the request path. What it
also offers lives beside it, one concern a module, and is mixed in: the credentials it hands
out (`credentials.py`), setting it up from a test (`seeding.py`), the clock moving on
(`timeline.py`) and deploying functions (`functions/deploy.py`). The services never see it:
they see `core.platform.Platform`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import oci
import responses

from .compute.models import ComputeBackend
from .core import auth, backoff
from .core.clock import SimClock
from .core.faults import Faults
from .core.http import Response
from .core.identity import Compartments, Ids, Tags
from .core.interleave import Interleaver
from .core.options import Durations, Options
from .credentials import Credentials
from .events.bus import EventBus
from .front import HOST, ApiCall, Front
from .functions.deploy import Deploying
from .identity.models import Caller, IdentityBackend, Target
from .objectstorage.models import ObjectStorageBackend
from .regions import RegionState
from .seeding import Seeding
from .services import FAMILIES, OPERATIONS, variables
from .timeline import Timeline

_PAR_URI = re.compile(r"^/p/(?P<token>[^/]+)/n/(?P<ns>[^/]+)/b/(?P<bucket>[^/]+)/o/(?P<object>.+)$")
_PLAIN_URI = re.compile(r"^/n/(?P<ns>[^/]+)/b/(?P<bucket>[^/]+)/o/(?P<object>.+)$")

if TYPE_CHECKING:
    from .functions.loopback import LoopbackServer


class FakeCloud(Credentials, Seeding, Timeline, Deploying):
    """A stateful, multi-region OCI for the real SDK, on a simulated clock.

    with FakeCloud(regions=["us-ashburn-1", "us-phoenix-1"]) as cloud:
        compute = oci.core.ComputeClient(cloud.config("us-ashburn-1"))
        ...
        cloud.run_until_idle()
    """

    # What each operation needs in IAM, and the variables of each service (services.py).
    operations = OPERATIONS
    families = FAMILIES

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

    def compartment_in_use(self, compartment_id: str) -> str | None:
        """What keeps a compartment from being deleted (None: it is empty)."""
        held = [f"compartment {c}" for c in self.compartments.children(compartment_id)]
        held += [
            f"policy {p.name}"
            for p in self.identity_of(compartment_id).policies.values()
            if p.compartment_id == compartment_id
        ]
        held += [f"function {fn.name}" for fn in self.functions if fn.compartment_id == compartment_id]
        held += [
            f"{service} in {name}"
            for name, region in self.regions.items()
            for service in region.holding(compartment_id)
        ]
        return ", ".join(held) or None

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
