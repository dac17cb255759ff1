"""SDK clients for one region, signed by the function's resource principal (or an operator's key)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, TypeVar

import oci

from ..config import ReplicatorConfig

T = TypeVar("T")

RP_VERSION = "OCI_RESOURCE_PRINCIPAL_VERSION"
# PostMetricData is served by Monitoring's ingestion endpoint, not its usual one.
INGESTION_ENDPOINT = "https://telemetry-ingestion.{region}.{secondLevelDomain}"


def retry_strategy(config: ReplicatorConfig, *, answered_only: bool = False):
    """Retries for throttling, 5xx and timeouts only, bounded well inside a function's 300 s.

    The SDK default can run for 600 s and also retries 409 IncorrectState, which for us means
    another operation holds the resource: that is an answer, not a reason to wait.

    `answered_only`: for a call that cannot be made twice safely (no retry token, nothing to
    compare): retried only when the service answered an error, never after a timeout or a dropped
    connection, which may follow the work done.
    """
    if config.sdk_max_attempts <= 1:
        return oci.retry.NoneRetryStrategy()
    strategy = oci.retry.RetryStrategyBuilder(
        max_attempts=config.sdk_max_attempts,
        total_elapsed_time_seconds=config.sdk_total_seconds,
        service_error_retry_config={429: []},
        service_error_retry_on_any_5xx=True,
        retry_max_wait_between_calls_seconds=10,
    ).get_retry_strategy()
    if answered_only:
        strategy.checkers.add_checker(_Answered())  # every checker must agree for a retry
    return strategy


class _Answered:
    """A retry checker (the SDK's interface) that allows a retry only after an error the service answered."""

    def should_retry(self, exception=None, response=None, **kwargs) -> bool:
        return isinstance(exception, oci.exceptions.ServiceError)


def resource_principal_signer(env: Mapping[str, str]):
    """The function's resource principal, read from its configuration (the fdk's ctx.Config()).

    In a container that is os.environ; reading it from the mapping given keeps several
    functions apart where they share one process.
    """
    if env.get(RP_VERSION) == "2.2":
        return _session_signer(
            env.get("OCI_RESOURCE_PRINCIPAL_RPST"),
            env.get("OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM"),
            env.get("OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM_PASSPHRASE"),
            env.get("OCI_RESOURCE_PRINCIPAL_REGION"),
        )
    return oci.auth.signers.get_resource_principals_signer()


@lru_cache(maxsize=16)
def _session_signer(token: str | None, key: str | None, passphrase: str | None, region: str | None):
    # Parsing the key is the slow part (tens of ms); one signer per principal is enough, and
    # it reloads its files by itself when a call is refused (the platform rotates them).
    return oci.auth.signers.EphemeralResourcePrincipalSigner(
        session_token=token, private_key=key, private_key_passphrase=passphrase, region=region
    )


@lru_cache(maxsize=16)
def _api_key_signer(
    tenancy: str, user: str, fingerprint: str, key_file: str | None, key_content: str | None, pass_phrase: str | None
):
    # One parse of the key (tens of ms) for every client of every region an operator reads.
    return oci.signer.Signer(tenancy, user, fingerprint, key_file, pass_phrase, private_key_content=key_content)


def api_key_signer(sdk_config: Mapping[str, Any]):
    """The signer of an SDK config file profile (an operator's API key), shared by its clients."""
    return _api_key_signer(
        sdk_config["tenancy"],
        sdk_config["user"],
        sdk_config["fingerprint"],
        sdk_config.get("key_file"),
        sdk_config.get("key_content"),
        sdk_config.get("pass_phrase"),
    )


class Clients:
    """One client per service for one region, built on first use and reused by warm invocations."""

    def __init__(
        self,
        config: ReplicatorConfig,
        region: str,
        *,
        signer: Any = None,
        sdk_config: dict | None = None,
        signer_from: Callable[[], Any] | None = None,
    ):
        """Authenticate with `sdk_config` (an oci config dict), `signer`, or `signer_from()` on first use."""
        self._config = config
        self.region = region
        self._signer = signer
        self._signer_from = signer_from
        self._sdk_config = sdk_config
        self._cache: dict[str, Any] = {}  # the invocation's own thread's clients
        # Failures a gateway logged and went on from (a notice, metrics, a PAR's deletion): a
        # refusal among them is counted and reported by whoever drains them (the step, the pass).
        self.swallowed: list[Exception] = []
        self._swallowing = threading.Lock()
        self._threads = threading.local()  # a fan-out worker's own (fanout.py)
        self._owner = threading.get_ident()
        self._signing = threading.Lock()

    @classmethod
    def for_function(cls, config: ReplicatorConfig, env: Mapping[str, str]) -> Clients:
        """The function's clients; its key is read when the first call needs it, not at start."""
        region = env.get("OCI_RESOURCE_PRINCIPAL_REGION")
        if not region:
            signer = resource_principal_signer(env)
            return cls(config, signer.region, signer=signer)
        return cls(config, region, signer_from=lambda: resource_principal_signer(env))

    def swallow(self, exc: Exception) -> None:
        with self._swallowing:
            self.swallowed.append(exc)

    def take_swallowed(self) -> list[Exception]:
        """The failures gateways went on from since the last take (a pass's steps run in threads)."""
        with self._swallowing:
            taken, self.swallowed = self.swallowed, []
        return taken

    def compute(self) -> oci.core.ComputeClient:
        return self._client(oci.core.ComputeClient)

    def objects(self) -> oci.object_storage.ObjectStorageClient:
        return self._client(oci.object_storage.ObjectStorageClient)

    def listing(self, cls: type[T]) -> T:
        """A client of `cls` whose answers stay the JSON the service sent (the SDK's own
        `skip_deserialization`): for the large listings a pass reads, which the gateway turns
        straight into its own types. Building the SDK's models first cost most of a pass's CPU
        at 20,000 images; everything else (signing, retries, errors) is the same client's."""
        return self._client(cls, cache_as=f"{cls.__name__}/listing", skip_deserialization=True)

    def work_requests(self) -> oci.work_requests.WorkRequestClient:
        """Compute's work requests (exports, imports): read by the operator's status, never by a step."""
        import oci.work_requests

        return self._client(oci.work_requests.WorkRequestClient)

    def identity(self) -> oci.identity.IdentityClient:
        """Identity, read by the operator's tools only (which compartments a bucket may be in)."""
        import oci.identity

        return self._client(oci.identity.IdentityClient)

    def notifications(self) -> oci.ons.NotificationDataPlaneClient:
        # A message published cannot be taken back, and PublishMessage has no retry token: a notice
        # whose answer was lost is not published again (the notice's mark keeps it told once).
        return self._client(
            oci.ons.NotificationDataPlaneClient, retry_strategy=retry_strategy(self._config, answered_only=True)
        )

    def secrets(self) -> oci.secrets.SecretsClient:
        import oci.secrets  # only the steps that sign or check what crosses regions load it

        return self._client(oci.secrets.SecretsClient)

    def metrics(self) -> oci.monitoring.MonitoringClient:
        """Monitoring's ingestion endpoint in this region: no retries, short timeouts (metrics wait for nothing)."""
        endpoint = oci.regions.endpoint_for("monitoring", self.region, service_endpoint_template=INGESTION_ENDPOINT)
        return self._client(
            oci.monitoring.MonitoringClient,
            service_endpoint=endpoint,
            retry_strategy=oci.retry.NoneRetryStrategy(),
            timeout=(5, 15),
        )

    def _client(self, cls, *, cache_as: str | None = None, **options):
        name = cache_as or cls.__name__
        cache = self._cache if threading.get_ident() == self._owner else self._thread_cache()
        if name not in cache:
            with self._signing:  # one signer for all threads: a resource principal's token is fetched once
                if self._signer is None and self._signer_from is not None:
                    self._signer = self._signer_from()
                if self._signer is None and self._sdk_config is not None:
                    self._signer = api_key_signer(self._sdk_config)
            auth = {"signer": self._signer} if self._signer is not None else {}
            client = cls(
                {**(self._sdk_config or {}), "region": self.region},
                **{
                    "retry_strategy": retry_strategy(self._config),
                    "timeout": (10, 60),
                    # Without a strategy, every client of the process shares the SDK's default breaker:
                    # ten failures in a row anywhere (a region's outage, a burst of 429s, or 409s that
                    # answer "not now") would refuse every call of every client, in every region, for
                    # 30 s of wall time. Retries are bounded here, and each step takes its failure.
                    "circuit_breaker_strategy": oci.circuit_breaker.NoCircuitBreakerStrategy(),
                    **options,
                },
                **auth,
            )
            client.base_client.session.trust_env = self._config.http_trust_env
            cache[name] = client
        return cache[name]

    def _thread_cache(self) -> dict[str, Any]:
        cache = getattr(self._threads, "cache", None)
        if cache is None:
            cache = self._threads.cache = {}
        return cache
