"""A deployment made through the API of `ocifake serve`, over HTTPS and its proxy, replicates.

The SDK reaches the server as it reaches OCI (`HTTPS_PROXY`, the server's CA trusted) and makes
every resource infra/ declares (`tests.deploying.deploy`); the function image pushed to the
server (`--image`) is the project's own `functions/func.py`, served by the real fdk in processes
of its own. A source image imported through the API and tagged for two regions is then
replicated by those functions, invoked by the rules and schedules made through the API.
"""

import oci
import pytest

from tests.contract.serving import served
from tests.deploying import IMAGE, OverTheWire, compartment, deploy, tagged_source
from tests.helpers import FRANKFURT, FUNC_ENTRY, PHOENIX, REGIONS, SOURCE

pytestmark = pytest.mark.contract


def _replicas(site, region, source_id, images):
    compute = oci.core.ComputeClient(site.config(region))
    found = oci.pagination.list_call_get_all_results(compute.list_images, images).data
    return [i for i in found if (i.freeform_tags or {}).get("replica-of") == source_id]


def test_a_deployment_made_over_the_wire_replicates_an_image_imported_through_the_api(tmp_path, monkeypatch):
    pushed = [arg for region in REGIONS for arg in ("--image", f"{IMAGE.format(region=region)}={FUNC_ENTRY}")]
    with served(tmp_path, ",".join(REGIONS), *pushed) as ready:
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{ready['port']}")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", ready["ca_bundle"])
        site = OverTheWire(ready)
        identity = oci.identity.IdentityClient(site.config(SOURCE))
        images = compartment(identity, site.tenancy, "images")
        deploy(site, REGIONS, images, {})
        source = tagged_source(site.config(SOURCE), site.namespace, images, f"{PHOENIX},{FRANKFURT}")
        found: dict[str, list] = {}
        for _ in range(24):  # simulated hours: the export, the copies, the imports, the answers
            site.advance(3600)
            found = {region: _replicas(site, region, source.id, images) for region in (PHOENIX, FRANKFURT)}
            if all(len(r) == 1 and r[0].lifecycle_state == "AVAILABLE" for r in found.values()):
                break
        assert {region: [r.lifecycle_state for r in found[region]] for region in found} == {
            PHOENIX: ["AVAILABLE"],
            FRANKFURT: ["AVAILABLE"],
        }
