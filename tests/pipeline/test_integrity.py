"""Objects that cross regions are untrusted until verified.

The adversary is a user allowed only to write objects into the replicator's buckets (IAM
enforced): it drops images, manifests and answers under the replicator's own names. None of
it is imported or trusted; the genuine replication that follows completes.
"""

import json

import oci
import pytest

from replicator.naming import acks_prefix, image_object, manifest_object
from tests.helpers import FRANKFURT, PHOENIX, SOURCE, object_names, performed, record, replicas, target_states
from tests.pipeline.test_adversarial import SEEDS, image, teardown, world  # noqa: F401  (teardown: a fixture)

FAKE_SOURCE = "ocid1.image.oc1.iad.aaaaaaaaforgedforgedforgedforgedforgedforgedforgedforged"


def adversary(cloud, sandbox, region: str) -> oci.object_storage.ObjectStorageClient:
    """A user who may only create objects in the replicator's two buckets."""
    buckets = sandbox.config.staging_bucket, sandbox.config.landing_bucket
    cloud.create_policy(
        "writers",
        [
            f"Allow group writers to manage objects in compartment id {sandbox.buckets_compartment_id} where all "
            f"{{any {{target.bucket.name = '{buckets[0]}', target.bucket.name = '{buckets[1]}'}}, "
            "request.permission = 'OBJECT_CREATE'}"
        ],
    )
    config = {**cloud.create_user("mallory", ["writers"]), "region": region}
    return oci.object_storage.ObjectStorageClient(config, retry_strategy=oci.retry.NoneRetryStrategy())


def forged_manifest(source_id: str, region: str = SOURCE, **fields) -> bytes:
    return json.dumps(
        {
            "name": "initial",
            "issued_at": "2026-01-01T00:00:00Z",
            "source_image_id": source_id,
            "source_region": region,
            "source_compartment_id": "ocid1.compartment.oc1..aaaaaaaaforged",
            "display_name": "golden-image",
            "targets": [PHOENIX],
            "freeform_tags": {"team": "platform"},
            "object_name": f"image-replicator/images/{source_id}.oci",
            "object_size": 9,
            "signature": "0" * 64,
            **fields,
        }
    ).encode()


def drop_pair(cloud, sandbox, client, source_id: str) -> None:
    prefix, bucket = sandbox.config.object_prefix, sandbox.config.landing_bucket
    client.put_object(cloud.namespace, bucket, image_object(prefix, source_id), b"evil disk")
    client.put_object(cloud.namespace, bucket, manifest_object(prefix, source_id), forged_manifest(source_id))


@pytest.mark.parametrize("seed", SEEDS)
def test_a_forged_pair_for_a_made_up_source_is_never_imported(seed, teardown):  # noqa: F811
    cloud, compartment, sandbox, _ = world(seed)
    teardown(cloud)
    drop_pair(cloud, sandbox, adversary(cloud, sandbox, PHOENIX), FAKE_SOURCE)
    cloud.run_until_idle()
    sandbox.converge()
    assert replicas(cloud, PHOENIX, FAKE_SOURCE, compartment) == []
    assert not performed(cloud, "CreateImage", PHOENIX)
    # The manifest is quarantined at once; the image, which no genuine manifest names, expires.
    landing = object_names(cloud, PHOENIX, sandbox.config.landing_bucket)
    assert manifest_object(sandbox.config.object_prefix, FAKE_SOURCE) not in landing
    quarantined = [r for r in sandbox.logs() if r.get("message", "").startswith("manifest not signed")]
    assert len(quarantined) == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_a_forged_pair_landing_before_the_genuine_copy_is_refused_and_the_genuine_one_completes(
    seed,
    teardown,  # noqa: F811
):
    cloud, compartment, sandbox, topic = world(seed)
    teardown(cloud)
    mallory = adversary(cloud, sandbox, PHOENIX)
    source = image(cloud, compartment)
    drop_pair(cloud, sandbox, mallory, source.id)  # while the source exports
    cloud.run_until_idle()
    sandbox.converge()
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    (replica,) = replicas(cloud, PHOENIX, source.id, compartment)
    assert replica.display_name == source.display_name  # not the forged manifest's "golden-image"
    assert len(performed(cloud, "CreateImage", PHOENIX)) == 1, "the forged image was imported"
    assert [m.title for m in topic.messages].count(f"Image {source.display_name} replicated") == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_a_forged_answer_is_ignored(seed, teardown):  # noqa: F811
    cloud, compartment, sandbox, _ = world(seed)
    teardown(cloud)
    mallory = adversary(cloud, sandbox, SOURCE)
    source = image(cloud, compartment)
    bogus = "ocid1.image.oc1.phx.aaaaaaaabogusbogusbogusbogusbogusbogusbogusbogusbogusbogus"
    forged = (
        f"{acks_prefix(sandbox.config.object_prefix, source.id)}{PHOENIX}/done.9999999999999.9.{bogus}.{'ab' * 16}.json"
    )
    mallory.put_object(cloud.namespace, sandbox.config.staging_bucket, forged, b"{}")
    cloud.run_until_idle()
    part = record(cloud, sandbox, "source", source.id, SOURCE)["targets"][PHOENIX]
    assert part["replica_image_id"] != bogus
    sandbox.converge()
    part = record(cloud, sandbox, "source", source.id, SOURCE)["targets"][PHOENIX]
    (replica,) = replicas(cloud, PHOENIX, source.id, compartment)
    assert (part["state"], part["replica_image_id"]) == ("done", replica.id)
    # Kept, never believed: nothing tells a forgery from an answer signed under a key since rotated
    # on one side, and removing that would unlearn a finished replication (simulator, seed 503).
    assert forged in object_names(cloud, SOURCE, sandbox.config.staging_bucket)
