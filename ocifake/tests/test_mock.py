"""ocifake used as moto is: the pytest plugin's fixture, the context manager, the decorator."""

import oci
import pytest

from ocifake import FakeCloud, mock_cloud


def test_the_plugin_s_fixture_is_a_fresh_cloud_in_the_default_regions(ocifake):
    assert isinstance(ocifake, FakeCloud) and list(ocifake.regions) == ["us-ashburn-1", "us-phoenix-1"]
    client = oci.object_storage.ObjectStorageClient(ocifake.config("us-phoenix-1"))
    assert client.get_namespace().data == ocifake.namespace


@pytest.mark.ocifake_regions("eu-frankfurt-1")
def test_a_marker_chooses_the_regions(ocifake):
    assert list(ocifake.regions) == ["eu-frankfurt-1"]


def test_the_context_manager_answers_inside():
    with mock_cloud(["us-ashburn-1"]) as cloud:
        compartment = cloud.create_compartment("c")
        image = cloud.create_image("us-ashburn-1", compartment, "web")
        assert oci.core.ComputeClient(cloud.config("us-ashburn-1")).get_image(image.id).data.display_name == "web"


@mock_cloud(["us-ashburn-1"])
def test_the_decorator_passes_the_cloud(cloud):
    assert list(cloud.regions) == ["us-ashburn-1"]
