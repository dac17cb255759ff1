"""The pytest plugin (registered as `ocifake`): a fresh fake cloud per test.

    def test_upload(ocifake):
        client = oci.object_storage.ObjectStorageClient(ocifake.config("us-ashburn-1"))
        ...

    @pytest.mark.ocifake_regions("eu-frankfurt-1", "uk-london-1")
    def test_in_europe(ocifake):
        ...

The default regions are us-ashburn-1 and us-phoenix-1; the marker chooses others.
"""

import pytest

from .mock import DEFAULT_REGIONS, mock_cloud


def pytest_configure(config):
    config.addinivalue_line("markers", "ocifake_regions(*regions): the regions of the test's ocifake cloud")


@pytest.fixture
def ocifake(request):
    marker = request.node.get_closest_marker("ocifake_regions")
    regions = list(marker.args) if marker and marker.args else list(DEFAULT_REGIONS)
    with mock_cloud(regions) as cloud:
        yield cloud
