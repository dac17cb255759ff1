"""Fixtures for ocifake's own tests: a three-region fake cloud and real SDK clients pointed at it."""

import oci
import pytest

from ocifake import FakeCloud
from support import REGIONS, SOURCE


@pytest.fixture
def cloud():
    with FakeCloud(regions=REGIONS) as fake:
        yield fake


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
