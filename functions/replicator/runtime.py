"""The composition root: one region's configuration, clock and gateways, reused by warm invocations."""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from . import logs
from .config import ReplicatorConfig
from .errors import ConfigError
from .gateways import sdk
from .gateways.clients import Clients
from .gateways.compute import Compute
from .gateways.instances import Instances
from .gateways.monitoring import MetricsSink
from .gateways.notifications import Notifier
from .gateways.objects import Objects
from .gateways.secrets import Secrets
from .records.store import RecordStore
from .tenancies import place


def wall_clock() -> datetime:
    return datetime.now(UTC)


# A key read from Vault is used this long by a warm container: a secret an operator rotated (in
# every region, one after the other) or put back is taken up without a redeployment.
KEY_LIFETIME = timedelta(minutes=15)
# What fails to verify with a key read longer ago than this is checked once more with the key as it
# is now: one Vault read per such object at most, never a loop.
KEY_RECHECK_AFTER = timedelta(minutes=1)


class Runtime:
    """Everything a step needs in one region: nothing here can reach another region."""

    def __init__(self, config: ReplicatorConfig, clients: Clients, *, clock: Callable[[], datetime] = wall_clock):
        self.config = config
        self.clients = clients
        self.clock = clock
        self._namespace = config.namespace
        self.compute = Compute(clients)
        self.instances = Instances(clients)
        self.objects = Objects(clients, lambda: self.namespace)
        self.notifier = Notifier(clients, config.notification_topic_id)
        self.records = RecordStore(self.objects, config.staging_bucket, config.object_prefix)
        self.metrics = MetricsSink(clients, config)
        self.secrets = Secrets(clients)
        self._keys: dict[str | None, tuple[bytes, datetime]] = {}  # alias (None: this tenancy's) -> key, read at

    @classmethod
    def for_function(cls, env: Mapping[str, str], *, clock: Callable[[], datetime] = wall_clock) -> "Runtime":
        """The runtime of a function container, from its configuration (`ctx.Config()`)."""
        config = ReplicatorConfig.from_env(env)
        runtime = cls(config, Clients.for_function(config, env), clock=clock)
        # About the container, not a replication: the one line without a source image.
        logs.info("container ready", scope="container", region=runtime.region, sdk=sdk.status)
        return runtime

    @property
    def region(self) -> str:
        return self.clients.region

    @property
    def namespace(self) -> str:
        """The Object Storage namespace: configured, learned from an event, or asked for once."""
        if self._namespace is None:
            self._namespace = self.objects.get_namespace()
        return self._namespace

    def learn_namespace(self, namespace: str) -> None:
        if self._namespace is None:
            self._namespace = namespace

    def now(self) -> datetime:
        return self.clock()

    def signing_key(self, alias: str | None = None, *, fresh: bool = False) -> bytes:
        """The key for what crosses regions (alias None) or is exchanged with the tenancy `alias`, read
        from the region's Vault and kept for KEY_LIFETIME (`fresh`: read again unless just read)."""
        cached = self._keys.get(alias)
        now = self.now()
        limit = KEY_RECHECK_AFTER if fresh else KEY_LIFETIME
        if cached is None or now - cached[1] >= limit:
            secret_id = self.config.signing_secret_id if alias is None else self.config.peer_secret_ids.get(alias)
            if not secret_id:
                raise ConfigError(
                    "IR_SIGNING_SECRET_ID is not set: nothing can cross regions unsigned (set it to the Vault "
                    "secret Terraform creates in this region)"
                    if alias is None
                    else f"no signing key for tenancy {alias} (IR_PEER_SECRET_IDS)"
                )
            key = self.secrets.read(secret_id)
            if len(key) < 16:
                raise ConfigError("the signing secret is shorter than 16 bytes")
            cached = self._keys[alias] = (key, now)
        return cached[0]

    def verified(self, alias: str | None, check: Callable[[bytes], bool]) -> bool:
        """Whether `check` holds with the key of `alias`: with the key kept, else once more with the key
        as Vault holds it now (it may have been rotated or put back since it was read)."""
        return check(self.signing_key(alias)) or check(self.signing_key(alias, fresh=True))

    def key_for(self, where: str) -> bytes:
        """The key shared with a place (`us-phoenix-1`, or `dr:us-phoenix-1` of another tenancy)."""
        return self.signing_key(place(where).alias)

    def destination(self, where: str) -> tuple[str | None, str]:
        """A place's Object Storage namespace (None: this tenancy's) and region."""
        found = place(where)
        if found.alias is None:
            return None, found.region
        peer = self.config.peer(found.alias)
        if peer is None:
            raise ConfigError(f"{found.alias} is not a configured tenancy (IR_TENANCIES, IR_SOURCE_TENANCIES)")
        return peer.namespace, found.region
