"""SDK clients for every region, all signed by the function's resource principal."""

from functools import cached_property

import oci

from ..config import ReplicatorConfig


def retry_strategy(config: ReplicatorConfig):
    """Retries for throttling, 5xx and timeouts only, bounded well inside a function's 300 s.

    The SDK default can run for 600 s and also retries 409 IncorrectState, which for us means
    another invocation is already doing the step: that is an answer, not a reason to wait.
    """
    return oci.retry.RetryStrategyBuilder(
        max_attempts=config.sdk_max_attempts,
        total_elapsed_time_seconds=config.sdk_total_seconds,
        service_error_retry_config={429: []},
        service_error_retry_on_any_5xx=True,
        retry_max_wait_between_calls_seconds=10,
    ).get_retry_strategy()


class Clients:
    """One client per service and region, built on first use and reused by warm invocations."""

    def __init__(self, config: ReplicatorConfig, *, signer=None, sdk_config: dict | None = None, region: str | None = None):
        """Authenticate with `sdk_config` (an oci config dict), `signer`, or else the resource principal."""
        self._config = config
        self._signer = signer
        self._sdk_config = sdk_config
        self._region = region
        self._cache: dict[tuple[str, str], object] = {}

    @cached_property
    def signer(self):
        return self._signer or oci.auth.signers.get_resource_principals_signer()

    @property
    def home_region(self) -> str:
        return self._region or (self._sdk_config or {}).get("region") or self.signer.region

    def compute(self, region: str) -> oci.core.ComputeClient:
        return self._client(oci.core.ComputeClient, "compute", region)

    def objects(self, region: str) -> oci.object_storage.ObjectStorageClient:
        return self._client(oci.object_storage.ObjectStorageClient, "objects", region)

    def notifications(self, region: str) -> oci.ons.NotificationDataPlaneClient:
        return self._client(oci.ons.NotificationDataPlaneClient, "notifications", region)

    def _client(self, cls, kind: str, region: str):
        key = (kind, region)
        if key not in self._cache:
            auth = {"signer": self.signer} if self._sdk_config is None else {}
            self._cache[key] = cls(
                {**(self._sdk_config or {}), "region": region},
                retry_strategy=retry_strategy(self._config),
                timeout=(10, 60),
                **auth,
            )
        return self._cache[key]
