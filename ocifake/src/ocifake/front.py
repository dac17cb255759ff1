"""The front door: one HTTP request from the SDK to a service's handler, as OCI answers it.

The host names the service and the region; the route, the operation; the signature, the
principal; IAM (each tenancy's Allow statements, or an Endorse and an Admit across tenancies)
decides; injected faults, the function network's reach and retry tokens apply; every call is
recorded (`ApiCall`). `Platform.dispatch` hands each request here.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import format_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import oci
from oci._vendor.requests.exceptions import ConnectionError as SdkConnectionError
from oci._vendor.requests.exceptions import ConnectTimeout, ReadTimeout

from .core import auth, errors
from .core.errors import OciError
from .core.faults import ContainerDied, dead, kill_this_thread
from .core.http import Request, Response, Route, json_response, match
from .core.service import Service
from .identity.models import Caller, Target
from .services import BY_HOST

if TYPE_CHECKING:
    from .core.platform import Platform

# `<service>.<region>.oraclecloud.com`; a service's name may have dots (`secrets.vaults`).
HOST = re.compile(r"^(?P<service>[a-z][a-z.-]*?)\.(?P<region>[a-z]+(?:-[a-z]+)+-\d+)\.(?:oci\.)?oraclecloud\.com$")
_VAULT_ENDPOINT = re.compile(r"^[a-z]+-management\.kms$")
# How long OCI keeps a retry token's answer.
RETRY_TOKEN_TTL = 24 * 3600


@dataclass(frozen=True)
class ApiCall:
    """One request as the fake saw it; `status` is an HTTP status, "timeout" or "blocked"."""

    region: str
    service: str
    operation: str
    status: int | str
    principal: str  # "api_key", "session_token", "resource_principal", "anonymous" or "none"
    at: float
    caller_region: str | None = None  # a resource principal's own region
    caller_id: str | None = None  # the principal's OCID (a function's, for a resource principal)
    caller_tenancy: str | None = None  # the principal's tenancy
    namespace: str | None = None  # the Object Storage namespace the request names (whose tenancy it reaches)
    denied: bool = False  # IAM refused it (the answer is the service's usual 404 or 401)
    # The path's parameters (namespaceName, bucketName, parId, …): which resource the request named.
    params: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class _StoredReply:
    fingerprint: str
    response: Response
    expires: float


class Front:
    """Routing, authentication, IAM, faults and retry tokens for one cloud's requests."""

    def __init__(self, cloud: Platform):
        self.cloud = cloud
        self._retry_replies: dict[tuple, _StoredReply] = {}

    def dispatch(self, method: str, url: str, headers: dict[str, str], body: bytes) -> Response:
        """Answer one HTTP request as OCI would; raise the SDK's transport errors for faults."""
        if dead():
            # The container died at an earlier call of this invocation: a killed process sends nothing more.
            raise ContainerDied("ocifake: the container is dead; the call was never made")
        parts = urlsplit(url)
        host = HOST.match(parts.hostname or "")
        if host is None or not oci.regions.is_region(host["region"]):
            raise SdkConnectionError(f"ocifake: no request leaves the machine ({parts.hostname})")
        request = Request(method.upper(), url, {k.lower(): v for k, v in headers.items()}, body, region=host["region"])
        # Each vault has endpoints of its own: its keys are served at <label>-management.kms.
        request.service = _VAULT_ENDPOINT.sub("management.kms", host["service"])
        if self.cloud.options.call_latency_seconds:
            # Real time, outside the lock: concurrent callers wait side by side, as on a network.
            time.sleep(self.cloud.options.call_latency_seconds)
        if self.cloud.interleaver.active and 'keyId="ST$' in request.headers.get("authorization", ""):
            self.cloud.interleaver.checkpoint(f"{request.method} {url}")
        with self.cloud.lock:
            request_id = hashlib.md5(f"{len(self.cloud.calls)}{url}".encode()).hexdigest().upper()
            operation, reply, fault = self._handle(request)
            principal = request.principal
            self.cloud.calls.append(
                ApiCall(
                    request.region,
                    request.service,
                    operation,
                    fault or reply.status,
                    principal.kind if principal else "none",
                    self.cloud.clock.seconds,
                    principal.region if principal and principal.is_resource_principal else None,
                    principal.id if principal else None,
                    (principal.tenancy_id or self.cloud.tenancy_id) if principal else None,
                    request.params.get("namespaceName"),
                    request.denied,
                    dict(request.params),
                )
            )
        if fault == "blocked":
            raise ConnectTimeout(
                f"ocifake: {request.region} is out of reach of the function's network "
                "(service gateway: own region only)"
            )
        if fault == "timeout":
            raise ReadTimeout(f"ocifake: injected timeout on {operation}")
        if (
            principal is not None
            and principal.is_resource_principal
            and reply.status < 300
            and self.cloud.faults.dies_after(operation, request.region)
        ):
            kill_this_thread()
            raise ContainerDied(f"ocifake: the container died right after {operation}")
        reply.headers.setdefault("opc-request-id", request_id)
        # Every OCI reply carries the service's time; here it is the simulated clock's.
        reply.headers.setdefault("date", format_datetime(self.cloud.clock.now(), usegmt=True))
        if request.method == "HEAD":
            reply.body = b""
        return reply

    def _handle(self, request: Request) -> tuple[str, Response, str | None]:
        operation, timeout = "Unknown", False
        try:
            if request.region not in self.cloud.regions:
                raise errors.NotAuthenticated(f"The tenancy is not subscribed to region {request.region}.")
            request.cloud_region = self.cloud.regions[request.region]
            served = BY_HOST.get(request.service)
            if not served:
                raise errors.NotImplementedByFake(f"not implemented by ocifake: the {request.service} service")
            service, route, request.params, anonymous = self._route(served, request)
            request.service = service.name
            if anonymous:
                request.principal = auth.ANONYMOUS
            else:
                request.principal = self.cloud.auth.principal_for(
                    request.method, request.path_and_query, request.headers
                )
            operation = route.operation
            if self._blocked(request):
                return operation, Response(599), "blocked"
            if request.principal is not auth.ANONYMOUS:
                try:
                    self._authorize(service, request, operation)
                except OciError:
                    request.denied = True
                    raise
            fault = self.cloud.faults.call_fault(operation, request.region)
            if request.principal.is_resource_principal and self.cloud.faults.out(
                request.region, self.cloud.clock.seconds
            ):
                fault = 503
            if fault in errors.FAULT_ERRORS:
                raise errors.FAULT_ERRORS[fault](f"Injected fault on {operation}.")
            # A timeout loses the answer, whatever it was: the work is done, the caller never knows.
            timeout = fault == "timeout"
            return operation, self._with_retry_token(request, service, route), "timeout" if timeout else None
        except OciError as exc:
            return (
                operation,
                json_response({"code": exc.code, "message": exc.message}, status=exc.status),
                "timeout" if timeout else None,
            )

    @staticmethod
    def _route(served: tuple[Service, ...], request: Request) -> tuple[Service, Route, dict[str, str], bool]:
        """The service of the host whose route matches (anonymous routes first), and that route."""
        for anonymous in (True, False):
            for service in served:
                found = match(service.anonymous_routes if anonymous else service.routes, request)
                if found is not None:
                    return service, found[0], found[1], anonymous
        raise errors.NotImplementedByFake(
            f"not implemented by ocifake: {request.method} {served[0].host} {request.path}"
        )

    # ----- IAM ------------------------------------------------------------------------------------
    def caller(self, principal: auth.Principal) -> Caller:
        """IAM's view of a request's signer."""
        if principal.is_resource_principal:
            return Caller(
                "fnfunc", principal.id, compartment_id=principal.compartment_id, tenancy_id=principal.tenancy_id
            )
        groups = frozenset(g for g, members in self.cloud.identity.groups.items() if principal.id in members)
        return Caller("user", principal.id, groups=groups)

    def _authorize(self, service: Service, request: Request, operation: str) -> None:
        if not self.cloud.options.iam_enforced:
            return
        assert request.principal is not None
        targets = service.targets(request, operation)
        if targets is None or not all(self.cloud.compartment_exists(t.compartment_id) for t in targets):
            return  # no such resource or compartment: the handler answers as it would anyway
        caller = self.caller(request.principal)
        for target in targets:
            if not self.decide(caller, service.iam, operation, target, request.region):
                raise service.denied(request, operation)

    def allows(self, caller: Caller, service: str, operation: str, target: Target, region: str) -> bool:
        """IAM's decision for work a service does on its own (a copy, a delivery, a schedule)."""
        return not self.cloud.options.iam_enforced or self.decide(caller, service, operation, target, region)

    def decide(self, caller: Caller, service: str, operation: str, target: Target, region: str) -> bool:
        """Within a tenancy, its Allow statements decide; a caller from another tenancy needs an
        Endorse in its own tenancy and an Admit in the resource's. A service acting on its own is
        decided by the resource's tenancy."""
        home = self.cloud.tenancy_of(target.compartment_id)
        # A resource (a function, a schedule) belongs to the tenancy of its compartment.
        theirs = caller.tenancy_id or (
            self.cloud.tenancy_of(caller.compartment_id) if caller.compartment_id else self.cloud.tenancy_id
        )
        if caller.type == "service" or theirs == home:
            return self.cloud.identities[home].allows(caller, service, operation, target, region)
        own, resource = self.cloud.identities[theirs], self.cloud.identities[home]
        need = resource.need_of(service, operation, target)
        context = resource.context(caller, service, operation, target, region, need)
        allowed = own.endorses(caller, need, home) and resource.admits(
            caller, own.member_of(caller), need, target, context
        )
        if not allowed:
            with self.cloud.lock:
                resource.denials.append((caller.id, operation, target.compartment_id))
        return allowed

    def _blocked(self, request: Request) -> bool:
        """A function behind a service gateway reaches its own region's services only."""
        principal = request.principal
        if principal is None or not principal.is_resource_principal:
            return False
        fn = self.cloud.function_by_id(principal.id)
        return fn is not None and fn.egress == "service_gateway" and request.region != principal.region

    def _with_retry_token(self, request: Request, service: Service, route) -> Response:
        token = request.headers.get("opc-retry-token")
        if not token or route.operation not in service.retry_token_operations:
            return route.handler(request)
        if len(token) > 64:
            raise errors.InvalidParameter("opc-retry-token must be at most 64 characters.")
        key = (request.region, route.operation, token)
        fingerprint = hashlib.sha256(request.method.encode() + request.path.encode() + request.body).hexdigest()
        stored = self._retry_replies.get(key)
        if stored and stored.expires > self.cloud.clock.seconds:
            if stored.fingerprint != fingerprint and self.cloud.options.retry_token_reuse == "reject":
                raise errors.InvalidatedRetryToken("The retry token was already used for a different request.")
            return Response(stored.response.status, stored.response.body, dict(stored.response.headers))
        reply = route.handler(request)
        if 200 <= reply.status < 300:
            self._retry_replies[key] = _StoredReply(fingerprint, reply, self.cloud.clock.seconds + RETRY_TOKEN_TTL)
        return reply
