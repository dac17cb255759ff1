"""Fixtures for ocifake's own tests: a three-region fake cloud and real SDK clients pointed at it."""

import oci
import pytest

from ocifake import FakeCloud
from support import REGIONS, SOURCE


@pytest.fixture
def cloud():
    """IAM is enforced; functions, Events and Object Storage's copies may do anything.

    test_identity.py tests IAM itself.
    """
    with FakeCloud(regions=REGIONS) as fake:
        fake.create_dynamic_group("functions", "ALL {resource.type = 'fnfunc'}")
        fake.create_policy(
            "everything",
            [
                "Allow dynamic-group functions to manage all-resources in tenancy",
                "Allow service cloudEvents to use functions-family in tenancy",
                *(f"Allow service objectstorage-{r} to manage object-family in tenancy" for r in REGIONS),
            ],
        )
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
