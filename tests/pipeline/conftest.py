"""The replicator deployed on a three-region fake cloud, reached only through Events and the fdk."""

import oci
import pytest

from replicator.sandbox import deploy
from tests.conftest import FRANKFURT, PHOENIX, REGIONS, SOURCE

READ_ONLY = ("Get", "List", "Head")


@pytest.fixture
def tag_namespace(cloud):
    cloud.create_tag_namespace("Ops", ["CostCenter", "Replicate"])
    return "Ops"


@pytest.fixture
def replicator(cloud, compartment, tag_namespace):
    return deploy(cloud, REGIONS, compartment, {"IR_DEFAULT_REGIONS": f"{PHOENIX},{FRANKFURT}", "IR_OPT_IN_DEFINED_TAG": "Ops.Replicate"})


def mutations(cloud, since: int = 0) -> list[str]:
    """Operations after call number `since` that could have changed something."""
    return [c.operation for c in cloud.calls[since:] if not c.operation.startswith(READ_ONLY)]


def replicas(cloud, region, source_id):
    return [i for i in cloud.compute(region).images.values() if i.freeform_tags.get("replica-of") == source_id and i.lifecycle_state != "DELETED"]


def leftover_pars(cloud) -> int:
    return sum(len(b.pars) for r in cloud.regions.values() for b in r.objectstorage.buckets.values())


def read_status(cloud, replicator, source_id, region=SOURCE) -> dict:
    """The status record as a person would fetch it, through the SDK."""
    import json

    client = oci.object_storage.ObjectStorageClient(cloud.config(region))
    name = f"{replicator.config.object_prefix}status/{source_id}.json"
    return json.loads(client.get_object(cloud.namespace, replicator.config.staging_bucket, name).data.content)
