"""Disaster recovery into another tenancy, with IAM enforced in both.

Production (the fake's home tenancy) replicates from SOURCE to PHOENIX of its own and to
PHOENIX and FRANKFURT of a DR tenancy that runs its own deployment. The tenancies exchange
only objects: images and manifests into the DR's landing buckets, answers into production's,
each signed with the key the two share. Each side grants the other what policies.json's peer
policy says, and nothing more.
"""

import contextlib
import json
import secrets
import sys

import oci
import pytest

from ocifake import FakeCloud
from ocifake.core.errors import OciError
from replicator.integrity import signed
from replicator.manifest import ReplicationManifest
from replicator.naming import BOOKKEEPING, AckName, image_object, manifest_object
from replicator_tools.cli import main
from replicator_tools.policies import POLICIES_FILE
from replicator_tools.sandbox import deploy, grant_peer
from tests.helpers import FRANKFURT, PHOENIX, SOURCE, compute, cross_region_calls, replicas, start_time, target_states

DR_TARGETS = (f"dr:{PHOENIX}", f"dr:{FRANKFURT}")
TAG = {"replicate-to": ",".join((PHOENIX, *DR_TARGETS))}


def peer_statement_ids() -> list[str]:
    doc = json.loads(POLICIES_FILE.read_text())
    return [s["id"] for p in doc["policies"] if p["scope"] == "peer" for s in p["statements"]]


class World:
    """Both tenancies deployed and granting each other the peer policy (less `without`, on both sides)."""

    def __init__(
        self,
        cloud: FakeCloud,
        without: frozenset[str] = frozenset(),
        prod_env: dict | None = None,
        *,
        dr_env: dict | None = None,
        fdk: bool = False,
    ):
        processes = {"fdk": True, "containers": 2} if fdk else {}
        self.cloud = cloud
        self.dr = cloud.add_tenancy("acme-dr", namespace="acmedr")
        self.images = cloud.create_compartment("images")
        self.recovery = cloud.create_compartment("recovery", tenancy=self.dr)
        key = self.key = secrets.token_bytes(32)  # the key the two tenancies share
        self.prod = deploy(
            cloud,
            [SOURCE, PHOENIX],
            self.images,
            {"IR_TENANCIES": f"dr={self.dr}@acmedr", **(prod_env or {})},
            peer_keys={"dr": key},
            **processes,
        )
        self.recover = deploy(
            cloud,
            [PHOENIX, FRANKFURT],
            self.recovery,
            {
                "IR_SOURCE_TENANCIES": f"prod={cloud.tenancy_id}@{cloud.namespace}",
                "IR_TARGET_COMPARTMENT_ID": self.recovery,
                **(dr_env or {}),
            },
            tenancy=self.dr,
            peer_keys={"prod": key},
            **processes,
        )
        grant_peer(self.prod, self.recover, "dr", without=without)
        grant_peer(self.recover, self.prod, "prod", without=without)

    def source(self, name: str = "web"):
        return self.cloud.create_image(SOURCE, self.images, name, freeform_tags=dict(TAG))

    def protected(self, source_id: str) -> dict[str, bool]:
        """Where a replica exists, and whether production's record says done there."""
        states = target_states(self.cloud, self.prod, source_id)
        return {
            PHOENIX: bool(replicas(self.cloud, PHOENIX, source_id, self.images)) and states.get(PHOENIX) == "done",
            **{
                target: bool(held(self.cloud, target.split(":")[1], source_id, self.recovery))
                and states.get(target) == "done"
                for target in DR_TARGETS
            },
        }


def held(cloud: FakeCloud, region: str, source_id: str, compartment: str) -> list:
    """The live replicas of `source_id` in a compartment of any tenancy, as the cloud holds them
    (the test's user belongs to one tenancy only)."""
    return [
        i
        for i in cloud.compute(region).images.values()
        if i.compartment_id == compartment
        and i.freeform_tags.get("replica-of") == source_id
        and i.lifecycle_state not in ("DELETED", "IMPORTING")
    ]


def left_over(world: World) -> list[str]:
    """Exports, manifests and answers a finished replication must not leave, in either tenancy."""
    found = []
    for sandbox in (world.prod, world.recover):
        for region in sandbox.regions:
            buckets = world.cloud.objectstorage(region).buckets_of(sandbox.namespace)
            for name in buckets["image-replicator-staging"].objects:
                if not name.startswith(tuple(f"image-replicator/{head}" for head in BOOKKEEPING)):
                    found.append(f"{sandbox.namespace}/{region}/staging/{name}")
            found += [f"{sandbox.namespace}/{region}/landing/{n}" for n in buckets["image-replicator-landing"].objects]
    return found


def cross_tenancy_calls(cloud: FakeCloud) -> list:
    """Calls a function made to an Object Storage namespace of a tenancy other than its own."""
    return [
        c
        for c in cloud.calls
        if c.principal == "resource_principal" and c.namespace and cloud.namespaces.get(c.namespace) != c.caller_tenancy
    ]


@pytest.fixture
def world():
    with FakeCloud(regions=[SOURCE, PHOENIX, FRANKFURT], start=start_time()) as cloud:
        yield World(cloud)


def test_events_alone_replicate_into_this_tenancy_and_two_regions_of_the_dr_tenancy(world):
    image = world.source()
    world.cloud.run_until_idle()
    assert world.protected(image.id) == {PHOENIX: True, DR_TARGETS[0]: True, DR_TARGETS[1]: True}
    assert cross_region_calls(world.cloud) == [] and cross_tenancy_calls(world.cloud) == []
    assert left_over(world) == []
    replica = held(world.cloud, FRANKFURT, image.id, world.recovery)[0]
    # Named in the DR tenancy's terms; the source's versions-to-keep and defined tags stay behind.
    assert replica.freeform_tags["replica-source-region"] == f"prod:{SOURCE}"
    assert replica.compartment_id == world.recovery


def test_reconcile_passes_alone_replicate_across_tenancies(world):
    world.cloud.events.drop()  # no event is ever delivered, in either tenancy
    image = world.source()
    world.cloud.run_until_idle()
    world.prod.converge(max_passes=12)
    assert world.protected(image.id) == {PHOENIX: True, DR_TARGETS[0]: True, DR_TARGETS[1]: True}
    assert cross_region_calls(world.cloud) == [] and cross_tenancy_calls(world.cloud) == []
    assert left_over(world) == []


@contextlib.contextmanager
def source_deleted(**settings):
    """A World (`prod_env`, `dr_env`) whose replicated source image was then deleted; yields it and the image."""
    with FakeCloud(regions=[SOURCE, PHOENIX, FRANKFURT], start=start_time()) as cloud:
        world = World(cloud, **settings)
        image = world.source()
        cloud.run_until_idle()
        compute(cloud, SOURCE).delete_image(image.id)
        cloud.run_until_idle()
        yield world, image


def test_a_deleted_source_never_deletes_the_dr_replicas_unless_the_dr_opts_in():
    """Production deletes its own replicas with its source (its IR_ON_SOURCE_DELETED); the DR
    tenancy keeps its copies: only its own setting could delete them, and it reports by default."""
    with source_deleted(prod_env={"IR_ON_SOURCE_DELETED": "delete"}) as (world, image):
        world.prod.converge(max_passes=6)
        assert replicas(world.cloud, PHOENIX, image.id, world.images) == []
        assert all(held(world.cloud, t.split(":")[1], image.id, world.recovery) for t in DR_TARGETS)
        answered = target_states(world.cloud, world.prod, image.id)
        assert answered == {PHOENIX: "deleted", **dict.fromkeys(DR_TARGETS, "deleted")}


def test_the_dr_tenancy_deletes_its_replicas_with_their_source_only_if_it_opts_in():
    with source_deleted(dr_env={"IR_ON_SOURCE_DELETED": "delete"}) as (world, image):
        assert all(held(world.cloud, t.split(":")[1], image.id, world.recovery) == [] for t in DR_TARGETS)
        assert replicas(world.cloud, PHOENIX, image.id, world.images) != []  # production's default: keep


def as_function(world: World, monkeypatch, sandbox, region: str) -> oci.object_storage.ObjectStorageClient:
    """An Object Storage client signed as `sandbox`'s functions (the identity the other side admits)."""
    for key, value in world.cloud.resource_principal_env(
        region, compartment_id=sandbox.functions_compartment_id
    ).items():
        monkeypatch.setenv(key, value)
    signer = oci.auth.signers.get_resource_principals_signer()
    return oci.object_storage.ObjectStorageClient({}, signer=signer, retry_strategy=oci.retry.NoneRetryStrategy())


def test_each_side_may_write_into_the_others_landing_bucket_and_nowhere_else(world, monkeypatch):
    prod = as_function(world, monkeypatch, world.prod, PHOENIX)
    prod.put_object("acmedr", "image-replicator-landing", "image-replicator/anything", b"x")
    for bucket in ("image-replicator-staging",):
        with pytest.raises(oci.exceptions.ServiceError):
            prod.put_object("acmedr", bucket, "image-replicator/records/source/x.json", b"{}")
    with pytest.raises(oci.exceptions.ServiceError):
        prod.get_object("acmedr", "image-replicator-landing", "image-replicator/anything")
    with pytest.raises(oci.exceptions.ServiceError):
        prod.delete_object("acmedr", "image-replicator-landing", "image-replicator/anything")
    dr = as_function(world, monkeypatch, world.recover, PHOENIX)
    with pytest.raises(oci.exceptions.ServiceError):
        dr.put_object(world.cloud.namespace, "image-replicator-staging", "image-replicator/records/source/x.json", b"")
    dr.put_object(world.cloud.namespace, "image-replicator-landing", "image-replicator/anything", b"x")


def forged_manifest(world: World, source_id: str, region: str, namespace: str, targets: dict) -> ReplicationManifest:
    """A well-formed initial manifest from `namespace` to the tenancies `targets` (alias: namespace)."""
    return ReplicationManifest(
        name="initial",
        issued_at=world.cloud.clock.now(),
        source_image_id=source_id,
        source_region=region,
        source_compartment_id=world.images,
        display_name="forged",
        targets=tuple(f"{alias}:{PHOENIX}" for alias in targets),
        source_namespace=namespace,
        target_namespaces=targets,
        object_name=image_object("image-replicator/", source_id),
    )


def test_a_manifest_not_signed_with_the_shared_key_is_refused_by_the_dr_tenancy(world, monkeypatch):
    """Production's functions may write into the DR's landing bucket; what they write is imported only
    if signed with the key the DR holds for production (a compromised production's own key is not it)."""
    image = world.cloud.create_image(SOURCE, world.images, "never-tagged")
    forged = forged_manifest(world, image.id, SOURCE, world.cloud.namespace, {"dr": "acmedr"})
    prod = as_function(world, monkeypatch, world.prod, PHOENIX)
    name = manifest_object("image-replicator/", image.id)
    prod.put_object("acmedr", "image-replicator-landing", image_object("image-replicator/", image.id), b"disk")
    prod.put_object("acmedr", "image-replicator-landing", name, signed(b"k" * 32, forged).to_bytes())
    world.cloud.run_until_idle()  # the landing's events
    world.recover.reconcile(PHOENIX)  # and a pass
    world.cloud.run_until_idle()
    assert held(world.cloud, PHOENIX, image.id, world.recovery) == []
    assert [c for c in world.cloud.calls if c.operation == "CreateImage" and c.region == PHOENIX] == []
    landing = world.cloud.objectstorage(PHOENIX).buckets_of("acmedr")["image-replicator-landing"]
    assert name not in landing.objects  # quarantined


def test_a_manifest_from_the_dr_tenancy_is_refused_by_production_which_accepts_no_source_there(world, monkeypatch):
    """Even signed with the key the two share: production lists the DR as a target, not a source."""
    world.cloud.events.drop()
    image = world.cloud.create_image(PHOENIX, world.images, "never-tagged")
    forged = forged_manifest(world, image.id, PHOENIX, "acmedr", {"prod": world.cloud.namespace})
    dr = as_function(world, monkeypatch, world.recover, PHOENIX)
    landing = world.cloud.namespace, "image-replicator-landing"
    dr.put_object(*landing, image_object("image-replicator/", image.id), b"disk")
    dr.put_object(*landing, manifest_object("image-replicator/", image.id), signed(world.key, forged).to_bytes())
    world.prod.reconcile(SOURCE)
    world.cloud.run_until_idle()
    assert [c for c in world.cloud.calls if c.operation == "CreateImage" and c.region == SOURCE] == []
    held_here = world.cloud.objectstorage(SOURCE).buckets_of(world.cloud.namespace)["image-replicator-landing"]
    assert manifest_object("image-replicator/", image.id) not in held_here.objects


def test_an_answer_not_signed_with_the_shared_key_is_refused_by_production(world, monkeypatch):
    world.cloud.events.drop()
    image = world.source("answered")
    dr = as_function(world, monkeypatch, world.recover, PHOENIX)
    forged = AckName(image.id, DR_TARGETS[0], "done", 1, 1, "-", "0" * 32)
    dr.put_object(world.cloud.namespace, "image-replicator-landing", forged.object("image-replicator/"), b"{}")
    world.prod.reconcile(SOURCE)
    states = target_states(world.cloud, world.prod, image.id)
    assert states.get(DR_TARGETS[0]) != "done"
    staged = world.cloud.objectstorage(SOURCE).buckets_of(world.cloud.namespace)["image-replicator-staging"]
    assert not any("/acks/" in name for name in staged.objects)


@pytest.mark.parametrize("statement", peer_statement_ids())
def test_every_cross_tenancy_statement_is_needed(statement):
    with FakeCloud(regions=[SOURCE, PHOENIX, FRANKFURT], start=start_time()) as cloud:
        try:
            world = World(cloud, without=frozenset({statement}))
        except OciError as exc:
            # Without its Define, an Endorse or Admit is refused as IAM refuses it (terraform apply stops).
            assert statement in ("peer-tenancy", "peer-functions") and "is not defined" in exc.message
            return
        image = world.source()
        cloud.run_until_idle()
        with contextlib.suppress(AssertionError):  # passes that keep trying, or that gave up
            world.prod.converge(max_passes=4)
        protected = world.protected(image.id)
        assert protected[PHOENIX] and not all(protected[t] for t in DR_TARGETS)


def test_status_the_protection_report_and_the_gauges_show_a_dr_region_like_any_region(
    world, tmp_path, capsys, monkeypatch
):
    image = world.source()
    world.cloud.run_until_idle()
    world.prod.reconcile(SOURCE)
    config = tmp_path / "config"
    config.write_text("[DEFAULT]\n" + "".join(f"{k}={v}\n" for k, v in world.cloud.config(SOURCE).items()))
    for key, value in world.prod.region_env[SOURCE].items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "argv", ["image-replicator", "--config-file", str(config), "status", image.id, "--json"])
    with contextlib.suppress(SystemExit):
        main()
    (doc,) = json.loads(capsys.readouterr().out)["data"]
    assert {r["region"]: r["state"] for r in doc["regions"]} == {PHOENIX: "done", **dict.fromkeys(DR_TARGETS, "done")}
    dr = next(r for r in doc["regions"] if r["region"] == DR_TARGETS[0])
    assert dr["replica-image-id"] and dr["note"] == "in tenancy dr: as its answers say"
    exposed = world.cloud.metrics(SOURCE, name="exposed_images", targetRegion=DR_TARGETS[1])
    assert exposed and exposed[-1].value == 0


def test_the_replication_completes_whether_or_not_oci_checks_the_copy_s_requester_across_tenancies():
    """Unconfirmed for a copy into another region of another tenancy: the peer policy grants both."""
    with FakeCloud(regions=[SOURCE, PHOENIX, FRANKFURT], start=start_time()) as cloud:
        cloud.options.cross_tenancy_copy_checks_requester = False
        world = World(cloud)
        image = world.source()
        cloud.run_until_idle()
        assert all(world.protected(image.id).values())


def test_a_dr_replica_deleted_in_its_tenancy_is_replicated_again_on_the_same_terms(world):
    """The DR answers `lost` to production, which counts the region exposed and copies again."""
    image = world.source()
    world.cloud.run_until_idle()
    (lost,) = held(world.cloud, FRANKFURT, image.id, world.recovery)
    world.cloud.compute(FRANKFURT).delete_image(lost.id)  # as the DR tenancy's own administrator would
    world.cloud.run_until_idle()
    world.prod.converge(max_passes=8)
    (again,) = held(world.cloud, FRANKFURT, image.id, world.recovery)
    assert again.id != lost.id and all(world.protected(image.id).values())


def test_duplicated_and_reordered_events_replicate_across_tenancies_once(world):
    world.cloud.events.duplicate(3)
    world.cloud.events.shuffle(120)
    image = world.source()
    world.cloud.run_until_idle()
    world.prod.converge(max_passes=6)
    assert all(world.protected(image.id).values())
    for region in (PHOENIX, FRANKFURT):
        assert len(held(world.cloud, region, image.id, world.recovery)) == 1
    assert left_over(world) == [] and cross_tenancy_calls(world.cloud) == []
