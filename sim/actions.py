"""What happens to a world: one small frozen dataclass per action, drawn from a seed, applied in order.

Four actors: users (images created, retagged, deleted; replicas deleted), the cloud (events
dropped, duplicated, delayed; calls failing at their n-th occurrence; work requests failing;
a container dying right after a call; scheduled passes; hours passing), operators (the
replicator's bookkeeping objects deleted by hand) and an adversary with create-only rights
on the buckets (genuine objects replayed where they were not sent, answers forged). An action
names its images by script key (`img0`), never by OCID, so a script replays on any seed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from ocifake.vault.models import VaultBackend
from replicator.errors import ReplicatorError
from replicator.naming import AckName, acks_prefix, image_object, manifest_object, records_prefix, settled_prefix
from replicator.records.states import REPLICA_STATE_BEFORE, ReplicaState
from replicator.telemetry.catalog import Metric
from replicator_tools.operations import retry_region

from .world import OPT_IN_DEFINED, SHAPE, World

if TYPE_CHECKING:
    from ocifake.cloud import ApiCall
    from ocifake.compute.models import Image

EVENT_PATTERNS = (
    "*",
    "*createimage.end",
    "*exportimage.end",
    "com.oraclecloud.objectstorage.*",
    "*updateimage",
    "*deleteimage",
)
FAULTY_CALLS = (
    "PutObject",
    "CopyObject",
    "GetObject",
    "ExportImage",
    "CreateImage",
    "UpdateImage",
    "DeleteObject",
    "ListObjects",
    "ListImages",
    "CreatePreauthenticatedRequest",
)
# The other calls the functions make, failed or killed after in a third of those draws (drawn aside:
# the scripts drawn before them stay as they were, but for the call a third of their faults hit).
MORE_CALLS = (
    "HeadObject",
    "GetImage",
    "ListImageShapeCompatibilityEntries",
    "AddImageShapeCompatibilityEntry",
    "RemoveImageShapeCompatibilityEntry",
    "ListPreauthenticatedRequests",
    "DeletePreauthenticatedRequest",
    "GetSecretBundle",
    "PostMetricData",
    "PublishMessage",
    "GetWorkRequest",
    "DeleteImage",
)
# In a world that drills, half the calls failed or killed after are a drill's (drawn aside).
DRILL_CALLS = ("LaunchInstance", "GetInstance", "TerminateInstance", "CaptureConsoleHistory", "ListInstances")
STATUSES: tuple[int | str, ...] = (429, 500, 503, "timeout")
WORK = ("ExportImage", "ImportImage", "CopyObject")
BOOKKEEPING = ("source-record", "replica-record", "acks", "settled")
SHAPES = ("VM.Standard.E4.Flex", "VM.Standard.E5.Flex", SHAPE)
# Statements of iam/policies.json an administrator may remove from the functions' policy.
GRANTS = ("read-buckets", "metrics", "signing-key", "objects", "pars", "read-images", "change-images", "notices")


class Action:
    """One thing that happens; `apply` changes the world, `__str__` says what, in a script's words."""

    def apply(self, world: World) -> None:
        raise NotImplementedError

    # The invariants only judge truth once every region's pass has seen what changed.
    resets_truth = False
    # After the action the cloud runs until nothing is pending; an action that does not settle
    # leaves work in flight, so the invariants look at the world mid-way.
    settles = True


def _source(world: World, key: str) -> Image | None:
    image = world.ledger.images.get(key)
    if image is None or image.lifecycle_state == "DELETED":
        return None
    return image


def _targets(world: World, targets: tuple[str, ...]) -> str:
    return ",".join(targets) if targets else "default"


# ----- users ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateImage(Action):
    key: str
    targets: tuple[str, ...]  # () = the deployment's default set
    family: str | None = None
    # By default the next action meets the image on its way (PROVISIONING, then exported); with
    # `settle` the cloud first runs until nothing is pending.
    settle: bool = False
    defined: bool = False  # opted in with the defined tag (OPT_IN_DEFINED) instead of the freeform one

    @property
    def settles(self) -> bool:  # type: ignore[override]
        return self.settle

    def apply(self, world: World) -> None:
        tags, defined = {"team": "blue"}, {}
        if self.defined:
            defined = {OPT_IN_DEFINED[0]: {OPT_IN_DEFINED[1]: _targets(world, self.targets)}}
        else:
            tags["replicate-to"] = _targets(world, self.targets)
        if self.family:
            tags["image-family"] = self.family
        with world.cloud.lock:
            image = world.cloud.compute(world.spec.source).create_image_from_instance(
                world.compartment, self.key, size_gb=2, freeform_tags=tags, defined_tags=defined, shapes={SHAPE: {}}
            )
        world.ledger.images[self.key] = image
        wanted = set(self.targets or world.spec.default_regions)
        world.ledger.requested[image.id] = wanted


@dataclass(frozen=True)
class CreateBatch(Action):
    """A team makes `count` images at once (`key`-0, `key`-1, ...): more than a pass of a world that
    reads few records (`WorldSpec.max_reads`) reads, so that passes leave records to later ones."""

    key: str
    count: int
    targets: tuple[str, ...]

    def apply(self, world: World) -> None:
        for n in range(self.count):
            CreateImage(f"{self.key}-{n}", self.targets).apply(world)


@dataclass(frozen=True)
class Retag(Action):
    key: str
    targets: tuple[str, ...]
    resets_truth = True

    def apply(self, world: World) -> None:
        image = _source(world, self.key)
        if image is None or image.lifecycle_state != "AVAILABLE":
            return
        if "replicate-to" in image.freeform_tags:
            details: dict = {"freeformTags": {**image.freeform_tags, "replicate-to": _targets(world, self.targets)}}
        else:
            namespace, key = OPT_IN_DEFINED
            defined = {ns: dict(v) for ns, v in image.defined_tags.items()}
            defined.setdefault(namespace, {})[key] = _targets(world, self.targets)
            details = {"definedTags": defined}
        with world.cloud.lock:
            world.cloud.compute(world.spec.source).update_image(image.id, details, None)
        world.ledger.requested[image.id] |= set(self.targets or world.spec.default_regions)


@dataclass(frozen=True)
class Relabel(Action):
    """A user changes a tag the replicas carry too (not the opt-in one)."""

    key: str
    team: str
    resets_truth = True

    def apply(self, world: World) -> None:
        image = _source(world, self.key)
        if image is None or image.lifecycle_state != "AVAILABLE":
            return
        with world.cloud.lock:
            tags = {**image.freeform_tags, "team": self.team}
            world.cloud.compute(world.spec.source).update_image(image.id, {"freeformTags": tags}, None)


@dataclass(frozen=True)
class Reshape(Action):
    """A user adds or removes a shape compatibility entry of a source."""

    key: str
    shape: str
    add: bool
    resets_truth = True

    def apply(self, world: World) -> None:
        image = _source(world, self.key)
        if image is None or image.lifecycle_state != "AVAILABLE":
            return
        with world.cloud.lock:
            compute = world.cloud.compute(world.spec.source)
            if self.add:
                compute.put_shape(image.id, self.shape, {"ocpuConstraints": {"min": 1, "max": 8}})
            elif self.shape in image.shapes:
                compute.remove_shape(image.id, self.shape)


@dataclass(frozen=True)
class DeleteSource(Action):
    key: str
    resets_truth = True

    def apply(self, world: World) -> None:
        image = _source(world, self.key)
        if image is None or image.lifecycle_state != "AVAILABLE":
            return
        with world.cloud.lock:
            world.cloud.compute(world.spec.source).delete_image(image.id)


@dataclass(frozen=True)
class DeleteReplica(Action):
    key: str
    region: str  # a place: `dr:<region>` for the DR tenancy's replica
    resets_truth = True

    def apply(self, world: World) -> None:
        image = world.ledger.images.get(self.key)
        region = self.region.rpartition(":")[2]
        if image is None or region not in world.spec.regions:
            return
        recorded = world.recorded(self.region, image.id)
        with world.cloud.lock:
            compute = world.cloud.compute(region)
            for replica in list(compute.images.values()):
                if (
                    replica.freeform_tags.get("replica-of") == image.id
                    and replica.lifecycle_state == "AVAILABLE"
                    and world.place_of(replica) == self.region
                ):
                    compute.delete_image(replica.id)
                    world.ledger.deleted[(image.id, self.region)] = world.now()
                    if not recorded:
                        world.ledger.untraced[(image.id, self.region)] = world.now()
                    return


# ----- the cloud --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DropEvents(Action):
    pattern: str
    times: int
    region: str | None = None

    def apply(self, world: World) -> None:
        world.cloud.events.drop(self.pattern, self.times, region=self.region)


@dataclass(frozen=True)
class DuplicateEvents(Action):
    pattern: str
    copies: int
    times: int

    def apply(self, world: World) -> None:
        world.cloud.events.duplicate(self.copies, self.pattern, self.times)


@dataclass(frozen=True)
class DelayEvents(Action):
    pattern: str
    seconds: int
    times: int

    def apply(self, world: World) -> None:
        world.cloud.events.delay(self.seconds, self.pattern, self.times)


@dataclass(frozen=True)
class FailCall(Action):
    operation: str
    status: int | str
    nth: int
    region: str | None = None

    def apply(self, world: World) -> None:
        world.cloud.faults.fail_call(self.operation, self.status, nth=self.nth, region=self.region)


@dataclass(frozen=True)
class RegionOutage(Action):
    """`region` is out of service for `hours`: every call its functions make answers 503 (their
    invocations, the events' and the scheduled passes', all fail), and the work that ends meanwhile
    fails (a copy into or out of it, an export or an import there, an import reading from it). It
    ends when the hours are over, or when the faults stop."""

    region: str
    hours: int

    def apply(self, world: World) -> None:
        now = world.cloud.clock.now()
        world.cloud.faults.outage(self.region, until=world.cloud.clock.seconds + self.hours * 3600)
        world.ledger.outages.append((self.region, now, now + timedelta(hours=self.hours)))


@dataclass(frozen=True)
class FailWork(Action):
    operation: str

    def apply(self, world: World) -> None:
        world.cloud.faults.fail_work_request(self.operation)


@dataclass(frozen=True)
class ImageLimit(Action):
    """A target region's custom-image limit is reached but for `room` images (raised again when the
    faults stop, as a limit request would)."""

    region: str
    room: int

    def apply(self, world: World) -> None:
        if self.region not in world.spec.regions:
            return
        with world.cloud.lock:
            compute = world.cloud.compute(self.region)
            compute.custom_image_limit = compute.custom_images() + self.room


@dataclass(frozen=True)
class KillAfter(Action):
    """The container making the n-th call of `operation` dies right after the call did its work."""

    operation: str
    nth: int

    def apply(self, world: World) -> None:
        world.cloud.faults.kill_after(self.operation, nth=self.nth)


@dataclass(frozen=True)
class Pass(Action):
    """Time moves to the next full hour: every region's scheduled pass runs. The calls IAM refused
    the functions meanwhile are noted: the pass must have made them visible."""

    def apply(self, world: World) -> None:
        start, deaths = len(world.cloud.calls), len(world.cloud.faults.died)
        world.ledger.gauges_from = len(world.cloud.metrics(world.spec.source, name=Metric.EXPOSED_IMAGES))
        began = world.cloud.clock.now()
        world.sandbox.advance_to_next_pass()  # a drill world's ticks fire on the way
        world.ledger.count_passes(began, world.cloud.clock.now(), 1)
        # A region whose container died meanwhile may not have reported: its next pass does.
        died = set(world.cloud.faults.died[deaths:])
        for call in world.cloud.calls[start:]:
            if call.principal != "resource_principal" or not call.caller_region or call.caller_region in died:
                continue
            if call.caller_tenancy != world.sandbox.tenancy_id:
                continue  # the DR tenancy's own passes report there; its grants are not withheld
            # A signing secret deleted answers 404 like a refused read: the same must be seen.
            missing = call.operation == "GetSecretBundle" and call.status == 404
            if (call.denied and _mattered(world, call)) or missing:
                world.ledger.denied.setdefault(call.caller_region, set()).add(call.operation)


def _mattered(world: World, call: ApiCall) -> bool:
    """Whether a refusal changed anything: a deletion refused of what is gone already answered the
    404 it would have answered with the grant, so neither the function nor an operator could tell."""
    if call.operation != "DeletePreauthenticatedRequest":
        return True
    with world.cloud.lock:
        store = world.cloud.objectstorage(call.region)
        bucket = store.buckets_of(call.params.get("namespaceName", "")).get(call.params.get("bucketName", ""))
        return bucket is not None and call.params.get("parId") in bucket.pars


@dataclass(frozen=True)
class Wait(Action):
    """Simulated minutes pass with work in flight (exports, copies, imports, deliveries not yet due)."""

    minutes: int
    settles = False

    def apply(self, world: World) -> None:
        world.cloud.advance(self.minutes * 60)


@dataclass(frozen=True)
class Jump(Action):
    hours: int

    def apply(self, world: World) -> None:
        began = world.cloud.clock.now()
        world.cloud.advance(self.hours * 3600)
        world.ledger.count_passes(began, world.cloud.clock.now(), self.hours)


# ----- operators --------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeleteBookkeeping(Action):
    """An operator "tidies" the staging bucket: a record, the answers or the settled marks of an image."""

    key: str
    kind: str  # one of BOOKKEEPING
    region: str

    def apply(self, world: World) -> None:
        image = world.ledger.images.get(self.key)
        if image is None or self.region not in world.spec.regions:
            return
        config = world.sandbox.config
        prefix = {
            "source-record": records_prefix(config.object_prefix, "source") + image.id,
            "replica-record": records_prefix(config.object_prefix, "replica") + image.id,
            "acks": acks_prefix(config.object_prefix, image.id),
            "settled": settled_prefix(config.object_prefix),
        }[self.kind]
        with world.cloud.lock:
            store = world.cloud.objectstorage(self.region)
            bucket = store.bucket(world.sandbox.namespace, config.staging_bucket)
            for name in [n for n in bucket.objects if n.startswith(prefix) and image.id in n]:
                store.delete_object(world.sandbox.namespace, config.staging_bucket, name, {})
        deleted = world.ledger.deleted.get((image.id, self.region))
        if self.kind == "replica-record" and deleted is not None:
            last = world.last_pass(self.region)
            if last is None or last < deleted:  # no pass there has seen the replica gone
                world.ledger.untraced.setdefault((image.id, self.region), deleted)


@dataclass(frozen=True)
class BreakSigningKey(Action):
    """An operator deletes a region's signing secret, or gives it new content in that region only
    (put back when the faults stop). `key`: the region's own secret, or its copy of the key shared
    with the other tenancy, on the production side ("peer") or the DR side ("dr-peer") only."""

    region: str
    how: str  # "delete" | "rotate"
    key: str = "own"  # "own" | "peer" | "dr-peer"

    def apply(self, world: World) -> None:
        if self.region not in world.spec.regions:
            return
        secret_id = world.secret_id(self.region, self.key)
        if secret_id is None:
            return  # no DR tenancy, or none of its regions here
        with world.cloud.lock:
            vault = world.cloud.require_region(self.region).backend(VaultBackend)
            kept = world.ledger.secrets.get(secret_id)
            secret = vault.secrets.get(secret_id) or (kept[1] if kept else None)
            if secret is None:
                return
            world.ledger.secrets.setdefault(secret_id, (self.region, dataclasses.replace(secret)))
            if self.how == "delete":
                vault.secrets.pop(secret_id, None)
            else:
                vault.secrets[secret_id] = dataclasses.replace(
                    secret, content=bytes(b ^ 0x5A for b in secret.content), version=secret.version + 1
                )


@dataclass(frozen=True)
class OperatorRetry(Action):
    """`image-replicator retry IMAGE --target REGION`, whatever state the replication is in."""

    key: str
    region: str

    def apply(self, world: World) -> None:
        image = world.ledger.images.get(self.key)
        if image is None:
            return
        operator = world.operator
        with contextlib.suppress(ReplicatorError):  # the CLI prints it and exits 1
            retry_region(operator.runtime(), operator.runtime, image.id, self.region)


@dataclass(frozen=True)
class EarlierWords(Action):
    """The region's replica records and settled marks are as the version before this one left them,
    when a replica's states shared the targets' words: each object stays the one written then (its
    etag unchanged), only its words are the earlier ones, as if written before an upgrade."""

    region: str

    def apply(self, world: World) -> None:
        if self.region not in world.spec.regions:
            return
        config = world.sandbox.config
        records = records_prefix(config.object_prefix, "replica")
        marks = settled_prefix(config.object_prefix, "replica")
        with world.cloud.lock:
            bucket = world.cloud.objectstorage(self.region).bucket(world.sandbox.namespace, config.staging_bucket)
            for name, stored in list(bucket.objects.items()):
                if name.startswith(records):
                    for now, before in EARLIER_RECORD_WORDS.items():
                        stored.data = stored.data.replace(f'"state": "{now}"'.encode(), f'"state": "{before}"'.encode())
                elif name.startswith(marks):
                    head, _, leaf = name.rpartition("/")
                    version, dot, rest = leaf.partition(".")
                    state, dot2, tail = rest.partition(".")
                    if state in EARLIER_MARK_WORDS and dot and dot2:
                        older = f"{head}/{version}.{EARLIER_MARK_WORDS[state]}.{tail}"
                        del bucket.objects[name]
                        bucket.objects[older] = dataclasses.replace(stored, name=older)


# A replica record's state and a replica mark's (finished or pruned), as the version before wrote them.
EARLIER_RECORD_WORDS = {now.value: before for before, now in REPLICA_STATE_BEFORE.items()}
EARLIER_MARK_WORDS = {w.value: EARLIER_RECORD_WORDS[w.value] for w in (ReplicaState.FINISHED, ReplicaState.PRUNED)}


# ----- an adversary with create-only rights on the buckets --------------------------------------
@dataclass(frozen=True)
class ReplayPair(Action):
    """A genuine manifest and image object, as they landed somewhere, written into a region's landing bucket
    (another target's, or one the image never targeted)."""

    key: str
    region: str

    def apply(self, world: World) -> None:
        image = world.ledger.images.get(self.key)
        if image is None:
            return
        config = world.sandbox.config
        names = (image_object(config.object_prefix, image.id), manifest_object(config.object_prefix, image.id))
        if any(n not in world.ledger.tapped for n in names):
            return  # nothing genuine seen yet to replay
        region = self.region.rpartition(":")[2]
        deployment = world.recover if ":" in self.region else world.sandbox
        if region not in world.spec.regions or deployment is None:
            return
        with world.cloud.lock:
            store = world.cloud.objectstorage(region)
            landing = store.bucket(deployment.namespace, config.landing_bucket)
            for name in names:
                if name in landing.objects:
                    continue  # create-only: what is there stays
                data, size_gb, multipart_md5 = world.ledger.tapped[name]
                store.put_object(
                    deployment.namespace,
                    config.landing_bucket,
                    name,
                    data,
                    {"if-none-match": "*"},
                    declared_size_gb=size_gb,
                    multipart_md5=multipart_md5,
                )
                world.ledger.replays.append((self.region, name))


@dataclass(frozen=True)
class ForgeAnswer(Action):
    """An unsigned `done` answer for a target, written into the source region's staging bucket."""

    key: str
    region: str

    def apply(self, world: World) -> None:
        image = world.ledger.images.get(self.key)
        if image is None:
            return
        config = world.sandbox.config
        forged = AckName(image.id, self.region, "done", 2**40, 99, "-", "0" * 64)
        with world.cloud.lock:
            world.cloud.objectstorage(world.spec.source).put_object(
                world.sandbox.namespace, config.staging_bucket, forged.object(config.object_prefix), b"{}", {}
            )


@dataclass(frozen=True)
class RemoveGrant(Action):
    """An administrator removes one statement of the functions' policy (put back when the faults stop)."""

    statement: str

    def apply(self, world: World) -> None:
        world.ledger.withheld.add(self.statement)
        world.sandbox.withhold(frozenset(world.ledger.withheld))


@dataclass(frozen=True)
class RestoreGrants(Action):
    """Every statement removed is put back."""

    def apply(self, world: World) -> None:
        world.ledger.withheld.clear()
        world.sandbox.withhold(frozenset())


# ----- drawing a script -------------------------------------------------------------------------
def draw(
    world_rng: random.Random,
    spec_regions: tuple[str, ...],
    steps: int,
    places: tuple[str, ...] = (),
    *,
    drills: bool = False,
    batches: bool = False,
) -> list[Action]:
    """A random script of `steps` actions over `spec_regions` (the first is the source); images may be
    sent to `places` (default: the other regions; `dr:<region>` names one of the DR tenancy); in a
    world that `drills`, the calls that fail or are killed after may be a drill's; in one that draws
    `batches`, images may come several at once."""
    rng = world_rng
    drill_rng = random.Random(f"{rng.getstate()!r}/drills")  # aside: the other draws stay as they were
    # An upgrade from the version whose replica states shared the targets' words, drawn aside too.
    upgrade_rng = random.Random(f"{rng.getstate()!r}/upgrade")
    batch_rng = random.Random(f"{rng.getstate()!r}/batches")  # and so are batches
    calls_rng = random.Random(f"{rng.getstate()!r}/calls")  # and the other calls faulted
    outage_rng = random.Random(f"{rng.getstate()!r}/outages")  # and regions out of service

    def faulty() -> str:
        chosen = rng.choice(FAULTY_CALLS)
        if calls_rng.random() < 1 / 3:
            chosen = calls_rng.choice(MORE_CALLS)
        return drill_rng.choice(DRILL_CALLS) if drills and drill_rng.random() < 0.5 else chosen

    # Which key an operator breaks, drawn aside: scripts drawn before peer keys were explored stay
    # as they were.
    aside = random.Random(repr(rng.getstate()))
    peers = any(place.startswith("dr:") for place in places)

    def which_key() -> str:
        return aside.choice(["own", "own", "peer", "dr-peer"]) if peers else "own"

    source, targets = spec_regions[0], spec_regions[1:]
    places = places or targets
    keys: list[str] = []
    script: list[Action] = []

    def some_targets() -> tuple[str, ...]:
        if rng.random() < 0.25:
            return ()
        return tuple(sorted(rng.sample(places, rng.randint(1, len(places)))))

    def key() -> str:
        return rng.choice(keys)

    for _ in range(steps):
        if keys and upgrade_rng.random() < 0.04:
            script.append(EarlierWords(upgrade_rng.choice(spec_regions)))
        if keys and outage_rng.random() < 0.04:
            script.append(RegionOutage(outage_rng.choice(spec_regions), outage_rng.choice([1, 3, 8])))
        if batches and len(keys) < 12 and batch_rng.random() < 0.15:
            k, count = f"batch{len(keys)}", batch_rng.randint(5, 8)
            script.append(CreateBatch(k, count, tuple(sorted(batch_rng.sample(places, 1)))))
            keys.extend(f"{k}-{n}" for n in range(count))
        if not keys or (len(keys) < 6 and rng.random() < 0.2):
            k = f"img{len(keys)}"
            keys.append(k)
            script.append(
                CreateImage(k, some_targets(), rng.choice([None, None, "web", "db"]), defined=rng.random() < 0.3)
            )
            if rng.random() < 0.4:
                script.append(Wait(rng.choice([1, 5, 20, 45])))
            continue
        if rng.random() < 0.15:  # what users and operators change besides the opt-in
            script.append(
                rng.choice(
                    [
                        lambda: Relabel(key(), rng.choice(["red", "green"])),
                        lambda: Reshape(key(), rng.choice(SHAPES), rng.random() < 0.6),
                        lambda: ImageLimit(rng.choice(targets), rng.randint(0, 2)),
                        lambda: BreakSigningKey(
                            rng.choice(spec_regions), rng.choice(["delete", "rotate"]), which_key()
                        ),
                        lambda: OperatorRetry(key(), rng.choice(targets)),
                    ]
                )()
            )
            continue
        roll = rng.random()
        if roll < 0.22:
            script.append(Pass())
        elif roll < 0.30:
            script.append(DropEvents(rng.choice(EVENT_PATTERNS), rng.randint(1, 6), rng.choice([None, *spec_regions])))
        elif roll < 0.36:
            script.append(DuplicateEvents(rng.choice(EVENT_PATTERNS), rng.randint(2, 4), rng.randint(1, 4)))
        elif roll < 0.40:
            script.append(DelayEvents(rng.choice(EVENT_PATTERNS), rng.choice([60, 600, 3600, 7200]), rng.randint(1, 4)))
        elif roll < 0.48:
            script.append(FailCall(faulty(), rng.choice(STATUSES), rng.randint(1, 6), rng.choice([None, source])))
        elif roll < 0.51:
            script.append(FailWork(rng.choice(WORK)))
        elif roll < 0.57:
            script.append(KillAfter(faulty(), rng.randint(1, 5)))
        elif roll < 0.61:
            script.append(Jump(rng.choice([2, 6, 25])))
        elif roll < 0.66:
            script.append(Retag(key(), some_targets()))
        elif roll < 0.70:
            script.append(DeleteSource(key()))
        elif roll < 0.76:
            script.append(DeleteReplica(key(), rng.choice(places)))
        elif roll < 0.82:
            script.append(DeleteBookkeeping(key(), rng.choice(BOOKKEEPING), rng.choice(spec_regions)))
        elif roll < 0.88:
            script.append(ReplayPair(key(), rng.choice(places)))
        elif roll < 0.92:
            script.append(ForgeAnswer(key(), rng.choice(targets)))
        elif roll < 0.955:
            script.append(RemoveGrant(rng.choice(GRANTS)))
        elif roll < 0.97:
            script.append(RestoreGrants())
        else:
            k = f"img{len(keys)}"
            keys.append(k)
            script.append(CreateImage(k, some_targets(), rng.choice([None, "web"])))
    return script
