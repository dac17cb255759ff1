"""A world drawn from a seed: regions, containers, settings, and the replicator deployed on ocifake."""

from __future__ import annotations

import contextlib
import dataclasses
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ocifake import FakeCloud, Options
from ocifake.compute.models import Image
from ocifake.vault.models import Secret, VaultBackend
from replicator import logs
from replicator.config import MIN_READS
from replicator.errors import ReplicatorError
from replicator.health import PassHealth, health_object
from replicator.naming import record_object
from replicator_tools.cli.auth import AuthOptions, Operator
from replicator_tools.inventory import protections
from replicator_tools.operations import retry_region
from replicator_tools.sandbox import Sandbox, deploy, drill_places, grant_peer

REGION_POOL = ("us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1", "uk-london-1")
SHAPE = "VM.Standard3.Flex"
OPT_IN_DEFINED = ("Ops", "Replicate")
DR_ALIAS, DR_NAMESPACE = "dr", "acmedr"  # the defined tag that opts an image in, besides `replicate-to`
# Where every world's clock starts: seven minutes past an hour (schedules fire on the hour), in
# the future of any wall clock this runs on, so expiries the code stamps are never in the past.
START = datetime(2030, 1, 1, 0, 7, tzinfo=UTC)
_LANDING_CREATED = {
    "eventType": ["com.oraclecloud.objectstorage.createobject"],
    "data": {"additionalDetails": {"bucketName": ["image-replicator-landing"]}},
}


@dataclass(frozen=True)
class WorldSpec:
    """What a seed decides before the script starts."""

    seed: int
    regions: tuple[str, ...]  # the first is where images are created
    containers: int
    default_regions: tuple[str, ...]
    keep_versions: int | None  # retention: None keeps every version
    # Regions of a disaster-recovery tenancy with its own deployment (`dr:<region>` as a target).
    dr_regions: tuple[str, ...] = ()
    drills: bool = False  # DR drills every day in the production deployment's regions
    # IR_RECONCILE_MAX_READS (None: the default): at its smallest, a few images are enough for a pass
    # to leave records to later ones, as thousands do at the default.
    max_reads: int | None = None
    # IR_TRANSFER in both deployments: `direct` lands tickets naming the source region's PAR, not disks.
    transfer: str = "copy"

    @classmethod
    def draw(cls, seed: int) -> WorldSpec:
        rng = random.Random(f"world-{seed}")
        regions = tuple(REGION_POOL[: rng.randint(2, len(REGION_POOL))])
        others = list(regions[1:])
        defaults = tuple(sorted(rng.sample(others, rng.randint(1, len(others)))))
        containers, keep = rng.randint(1, 3), rng.choice([None, None, 1, 2])
        dr = tuple(sorted(rng.sample(others, rng.randint(1, len(others))))) if rng.random() < 0.3 else ()
        drills = rng.random() < 0.3  # drawn after the others: the worlds drawn before stay as they were
        max_reads = MIN_READS if rng.random() < 0.3 else None
        transfer = "direct" if rng.random() < 0.3 else "copy"  # last too
        return cls(
            seed=seed,
            regions=regions,
            containers=containers,
            default_regions=defaults,
            keep_versions=keep,
            dr_regions=dr,
            drills=drills,
            max_reads=max_reads,
            transfer=transfer,
        )

    @property
    def places(self) -> tuple[str, ...]:
        """Where an image may be sent: the other regions of its tenancy, and the DR tenancy's."""
        return (*self.targets, *(f"{DR_ALIAS}:{r}" for r in self.dr_regions))

    @property
    def source(self) -> str:
        return self.regions[0]

    @property
    def targets(self) -> tuple[str, ...]:
        return self.regions[1:]


NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass
class Ledger:
    """What the script did, as the invariants need to judge what they see."""

    images: dict[str, Image] = field(default_factory=dict)  # script key -> source image
    requested: dict[str, set[str]] = field(default_factory=dict)  # source OCID -> every region ever asked for
    # Passes since the last change a pass must first see (a deletion, a retag); truth is judged from the
    # second on. Nothing has changed yet when a world starts.
    checked_after: int = 2
    replays: list[tuple[str, str]] = field(default_factory=list)  # (region, object) the adversary planted
    withheld: set[str] = field(default_factory=set)  # statements an administrator removed
    # Per region, the operations IAM refused the functions during the last action's pass.
    denied: dict[str, set[str]] = field(default_factory=dict)
    acted_at: datetime = NEVER  # when the last action began (the fake's clock)
    # What the adversary saw land, as it landed: object name -> (bytes, size in GB, multipart MD5).
    tapped: dict[str, tuple[bytes, float | None, str | None]] = field(default_factory=dict)
    # Signing secrets an operator broke: the region of each, and the secret as it was.
    secrets: dict[str, tuple[str, Secret]] = field(default_factory=dict)
    # (source OCID, place) -> when its replica was deleted while the region held no record of it (removed
    # by hand, and no pass adopted the replica since), or whose record was removed after the deletion
    # before any pass there: if that deletion's event is lost too, nothing the product reads tells of it.
    untraced: dict[tuple[str, str], datetime] = field(default_factory=dict)
    # (source OCID, place) -> when the script deleted its replica.
    deleted: dict[tuple[str, str], datetime] = field(default_factory=dict)
    # Where the source region's gauge points stood when the last action's passes began (None: it ran none).
    gauges_from: int | None = None
    # Regions out of service: (region, from, until), on the fake's clock.
    outages: list[tuple[str, datetime, datetime]] = field(default_factory=list)

    def count_passes(self, start: datetime, end: datetime, passes: int) -> None:
        """The `passes` that ran between `start` and `end` (one each full hour) count toward judging
        truth, unless a region was out of service meanwhile: then only those after the outage count,
        from none (an answer that could not travel during it travels at the first pass after)."""
        ended = [until for _, since, until in self.outages if since < end and until > start]
        if not ended:
            self.checked_after += passes
            return
        self.checked_after = max(0, int(end.timestamp() // 3600) - int(max(ended).timestamp() // 3600))


@dataclass
class World:
    spec: WorldSpec
    cloud: FakeCloud
    sandbox: Sandbox
    compartment: str
    ledger: Ledger = field(default_factory=Ledger)
    recover: Sandbox | None = None  # the DR tenancy's deployment, if the world has one
    _operator: Operator | None = None

    @classmethod
    def build(cls, spec: WorldSpec) -> World:
        # 1024-bit throwaway keys: signing is half of a run's CPU, and nothing checked depends on the size.
        options = Options(key_bits=1024)
        cloud = FakeCloud(
            regions=list(spec.regions), interleave_seed=spec.seed, start=START, options=options
        ).__enter__()
        try:
            compartment = cloud.create_compartment("images")
            cloud.create_tag_namespace(OPT_IN_DEFINED[0], [OPT_IN_DEFINED[1]])
            # One invocation's independent calls go one after the other: the interleaver orders the
            # calls of parallel containers, not of threads a container starts, and a seed must replay.
            sequential = {"IR_CALL_CONCURRENCY": "1", "IR_TRANSFER": spec.transfer}
            env = sequential | {
                "IR_DEFAULT_REGIONS": ",".join(spec.default_regions),
                "IR_OPT_IN_DEFINED_TAG": ".".join(OPT_IN_DEFINED),
            }
            if spec.max_reads is not None:
                env["IR_RECONCILE_MAX_READS"] = str(spec.max_reads)
            if spec.keep_versions is not None:
                env |= {"IR_KEEP_VERSIONS": str(spec.keep_versions), "IR_MIN_AGE_HOURS": "1"}
            dr = None
            if spec.dr_regions:
                # A DR tenancy with its own deployment, as README's "Another tenancy" sets it up: the two
                # share a key, and each grants the other what policies.json's peer policy says.
                dr = cloud.add_tenancy("acme-dr", namespace=DR_NAMESPACE)
                recovery = cloud.create_compartment("recovery", tenancy=dr)
                key = random.Random(f"peer-key-{spec.seed}").randbytes(32)
                env["IR_TENANCIES"] = f"{DR_ALIAS}={dr}@{DR_NAMESPACE}"
            peers = {DR_ALIAS: key} if dr else None
            places = None
            if spec.drills:
                drills = cloud.create_compartment("drills")
                env |= {"IR_DRILL_EVERY_DAYS": "1", "IR_DRILL_COMPARTMENT_ID": drills, "IR_DRILL_EXPECT": "login:"}
                places = drill_places(cloud, drills, list(spec.regions))
            sandbox = deploy(
                cloud,
                list(spec.regions),
                compartment,
                env,
                containers=spec.containers,
                peer_keys=peers,
                per_region=places,
            )
            recover = None
            if dr:
                recover = deploy(
                    cloud,
                    list(spec.dr_regions),
                    recovery,
                    sequential
                    | {
                        "IR_SOURCE_TENANCIES": f"prod={cloud.tenancy_id}@{cloud.namespace}",
                        "IR_TARGET_COMPARTMENT_ID": recovery,
                    },
                    tenancy=dr,
                    peer_keys={"prod": key},
                    containers=spec.containers,
                )
                grant_peer(sandbox, recover, DR_ALIAS)
                grant_peer(recover, sandbox, "prod")
        except BaseException:
            cloud.__exit__(None, None, None)
            raise
        logs.enable(False)  # thousands of runs: the log lines are not what is checked
        world = cls(spec, cloud, sandbox, compartment, recover=recover)
        for region in spec.regions:
            # The adversary reads what lands (it may not delete or overwrite): a rule of its own.
            cloud.events.create_rule(region, _LANDING_CREATED, world._tap, display_name="adversary-tap")
        return world

    def _tap(self, event: dict) -> None:
        name = event["data"]["resourceName"]
        namespace = event["data"]["additionalDetails"].get("namespace", self.sandbox.namespace)
        region = next(r["region"] for r in reversed(self.cloud.events.emitted) if r["eventID"] == event["eventID"])
        with self.cloud.lock:
            bucket = self.cloud.objectstorage(region).bucket(namespace, self.sandbox.config.landing_bucket)
            found = bucket.objects.get(name)
            if found is not None and name not in self.ledger.tapped:
                self.ledger.tapped[name] = (found.data, found.declared_size_gb, found.multipart_md5)

    def place_of(self, image) -> str:
        """An image's place: its region, as `dr:<region>` in the DR tenancy."""
        region = next(r for r in self.spec.regions if image.id in self.cloud.compute(r).images)
        if self.recover is not None and self.cloud.tenancy_of(image.compartment_id) == self.recover.tenancy_id:
            return f"{DR_ALIAS}:{region}"
        return region

    def secret_id(self, region: str, key: str) -> str | None:
        """The Vault secret a region's function reads: its own signing key ("own"), or its copy of the
        key shared with the other tenancy, in the production deployment ("peer") or the DR one ("dr-peer")."""
        deployment = self.recover if key == "dr-peer" else self.sandbox
        if deployment is None or region not in deployment.region_env:
            return None
        env = deployment.region_env[region]
        if key == "own":
            return env["IR_SIGNING_SECRET_ID"]
        pairs = dict(pair.split("=", 1) for pair in env.get("IR_PEER_SECRET_IDS", "").split(",") if "=" in pair)
        return next(iter(pairs.values()), None)

    def recorded(self, place: str, source_id: str) -> bool:
        """Whether the region `place` holds its record of its replica of `source_id`."""
        alias, _, region = place.rpartition(":")
        deployment = self.recover if alias else self.sandbox
        if deployment is None:
            return False
        config = deployment.config
        with self.cloud.lock:
            bucket = self.cloud.objectstorage(region).bucket(deployment.namespace, config.staging_bucket)
            return record_object(config.object_prefix, "replica", source_id) in bucket.objects

    def last_pass(self, region: str) -> datetime | None:
        """When the production deployment's last pass in `region` reported (None: never)."""
        config = self.sandbox.config
        with self.cloud.lock:
            bucket = self.cloud.objectstorage(region).bucket(self.sandbox.namespace, config.staging_bucket)
            found = bucket.objects.get(health_object(config.object_prefix, region))
        return PassHealth.model_validate_json(found.data).at if found is not None else None

    def deployments(self) -> list[Sandbox]:
        return [self.sandbox, *([self.recover] if self.recover else [])]

    def repair(self) -> None:
        """The faults stop: events and calls behave, every statement removed is put back, every signing
        secret is as it was, every custom-image limit is raised back."""
        self.cloud.faults.clear()
        now = self.cloud.clock.now()  # an outage ends here, if its hours were not over
        self.ledger.outages = [(region, since, min(until, now)) for region, since, until in self.ledger.outages]
        self.cloud.events.clear_faults()
        if self.ledger.withheld:
            self.ledger.withheld.clear()
            self.sandbox.withhold(frozenset())
        with self.cloud.lock:
            for secret_id, (region, secret) in self.ledger.secrets.items():
                vault = self.cloud.require_region(region).backend(VaultBackend)
                current = vault.secrets.get(secret_id)
                # As an operator puts it back: a new version holding the old content.
                version = (current.version if current else secret.version) + 1
                vault.secrets[secret_id] = dataclasses.replace(secret, version=version)
            self.ledger.secrets.clear()
            for region in self.spec.regions:
                self.cloud.compute(region).custom_image_limit = self.cloud.options.custom_image_limit
        self.retry_given_up()

    def retry_given_up(self) -> None:
        """What README asks of an operator once a region given up for its silence works again (its
        notice says so): `image-replicator retry IMAGE --target REGION` for each such region."""
        runtime = self.operator.runtime()
        for image in protections(runtime, [self.compartment]):
            for target in image.targets:
                if target.state == "given_up" and target.reason.startswith("no answer from"):
                    with contextlib.suppress(ReplicatorError):
                        retry_region(runtime, self.operator.runtime, image.source_image_id, target.region)

    def close(self) -> None:
        self.cloud.__exit__(None, None, None)
        logs.enable(True)

    @property
    def operator(self) -> Operator:
        """The operator's view of the source region, as `image-replicator --fake` builds it."""
        if self._operator is None:
            source = self.spec.source
            options = AuthOptions(
                fake=self.cloud.config(source),
                fake_env=dict(self.sandbox.region_env[source]),
                clock=self.cloud.clock.now,
            )
            self._operator = Operator(options, env={})
        return self._operator

    def now(self) -> datetime:
        return self.cloud.clock.now()

    def age(self, image: Image) -> timedelta:
        return self.now() - image.time_created
