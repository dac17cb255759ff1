"""Shared fixtures: a three-region fake cloud, and the replicator deployed on it."""

import oci
import pytest

from ocifake import FakeCloud
from replicator import logs
from tests.helpers import FRANKFURT, PHOENIX, REGIONS, SOURCE


@pytest.fixture
def cloud():
    with FakeCloud(regions=REGIONS) as fake:
        yield fake
    logs.enable(True)


@pytest.fixture
def compartment(cloud) -> str:
    return cloud.create_compartment("images")


@pytest.fixture
def sdk(cloud):
    """Real SDK clients per region, signed with the tenancy user's API key.

    SDK retries are off so that each test sees exactly the answer the fake gave.
    """
    no_retry = oci.retry.NoneRetryStrategy()

    class Clients:
        def compute(self, region=SOURCE):
            return oci.core.ComputeClient(cloud.config(region), retry_strategy=no_retry)

        def objects(self, region=SOURCE):
            return oci.object_storage.ObjectStorageClient(cloud.config(region), retry_strategy=no_retry)

        def work_requests(self, region=SOURCE):
            return oci.work_requests.WorkRequestClient(cloud.config(region), retry_strategy=no_retry)

    return Clients()


@pytest.fixture
def tag_namespace(cloud):
    cloud.create_tag_namespace("Ops", ["CostCenter", "Replicate"])
    return "Ops"


@pytest.fixture
def replicator(cloud, compartment, tag_namespace):
    """The replicator in every region, three containers each, deliveries in parallel."""
    from replicator.sandbox import deploy

    return deploy(cloud, REGIONS, compartment, {"IR_DEFAULT_REGIONS": f"{PHOENIX},{FRANKFURT}", "IR_OPT_IN_DEFINED_TAG": "Ops.Replicate"})
