"""Shared fixtures: a three-region fake cloud, and the replicator deployed on it."""

import pytest

from ocifake import FakeCloud
from replicator import logs
from tests.helpers import FRANKFURT, PHOENIX, REGIONS, start_time


@pytest.fixture
def cloud():
    with FakeCloud(regions=REGIONS, start=start_time()) as fake:
        yield fake
    logs.enable(True)


@pytest.fixture
def compartment(cloud) -> str:
    return cloud.create_compartment("images")


@pytest.fixture
def tag_namespace(cloud):
    cloud.create_tag_namespace("Ops", ["CostCenter", "Replicate"])
    return "Ops"


@pytest.fixture
def replicator(cloud, compartment, tag_namespace):
    """The replicator in every region, three containers each, deliveries in parallel."""
    from replicator_tools.sandbox import deploy

    return deploy(
        cloud,
        REGIONS,
        compartment,
        {"IR_DEFAULT_REGIONS": f"{PHOENIX},{FRANKFURT}", "IR_OPT_IN_DEFINED_TAG": "Ops.Replicate"},
    )
