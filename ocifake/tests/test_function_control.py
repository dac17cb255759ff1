"""Functions' control plane through the real SDK, as infra/'s functions.tf makes them: an application in
a subnet, a function of a pushed image, its configuration reaching the containers; deleted in order."""

import json

import oci
import pytest

from ocifake.functions.control import FunctionsBackend
from support import SOURCE

IMAGE = "iad.ocir.io/tenancy/image-replicator:1"
NO_RETRY = oci.retry.NoneRetryStrategy()


def _greeter(ctx, data=None):
    return json.dumps({"greeting": ctx.Config().get("GREETING"), "memory": ctx.Config().get("FN_MEMORY")})


@pytest.fixture
def setup(cloud, compartment):
    net = oci.core.VirtualNetworkClient(cloud.config(SOURCE), retry_strategy=NO_RETRY)
    vcn = net.create_vcn(oci.core.models.CreateVcnDetails(compartment_id=compartment, cidr_blocks=["10.0.0.0/16"])).data
    subnet = net.create_subnet(
        oci.core.models.CreateSubnetDetails(compartment_id=compartment, vcn_id=vcn.id, cidr_block="10.0.0.0/24")
    ).data
    cloud.require_region(SOURCE).backend(FunctionsBackend).push_image(IMAGE, lambda: _greeter)
    client = oci.functions.FunctionsManagementClient(cloud.config(SOURCE), retry_strategy=NO_RETRY)
    return client, subnet, compartment


def _application(client, subnet, compartment, config=None):
    details = oci.functions.models.CreateApplicationDetails(
        compartment_id=compartment, display_name="image-replicator", subnet_ids=[subnet.id], config=config or {}
    )
    return client.create_application(details).data


def _function(client, app, image=IMAGE, memory=256):
    details = oci.functions.models.CreateFunctionDetails(
        application_id=app.id,
        display_name="image-replicator",
        source_details=oci.functions.models.CreateContainerImageFunctionSourceDetails(image=image),
        memory_in_mbs=memory,
        timeout_in_seconds=300,
        config={"GREETING": "hello"},
    )
    return client.create_function(details).data


def test_a_function_of_a_pushed_image_runs_it_with_its_configuration(cloud, setup):
    client, subnet, compartment = setup
    app = _application(client, subnet, compartment, {"GREETING": "from the application", "IR_X": "1"})
    fn = _function(client, app)
    assert (fn.lifecycle_state, fn.memory_in_mbs, fn.application_id) == ("ACTIVE", 256, app.id)
    hosted = cloud.function_by_id(fn.id)
    assert json.loads(hosted.invoke(b"{}").body) == {"greeting": "hello", "memory": "256"}
    client.update_function(fn.id, oci.functions.models.UpdateFunctionDetails(config={"GREETING": "again"}))
    assert json.loads(hosted.invoke(b"{}").body)["greeting"] == "again"
    assert [f.id for f in client.list_functions(app.id).data] == [fn.id]


def test_an_application_with_functions_is_not_deleted_and_a_deleted_function_is_gone(cloud, setup):
    client, subnet, compartment = setup
    app = _application(client, subnet, compartment)
    fn = _function(client, app)
    with pytest.raises(oci.exceptions.ServiceError) as held:
        client.delete_application(app.id)
    assert held.value.status == 409
    client.delete_function(fn.id)
    assert cloud.function_by_id(fn.id) is None
    client.delete_application(app.id)
    assert client.list_applications(compartment).data == []


@pytest.mark.parametrize(("image", "memory"), [("iad.ocir.io/tenancy/unknown:1", 256), (IMAGE, 64)])
def test_a_function_of_an_image_not_pushed_or_with_memory_out_of_range_is_refused(setup, image, memory):
    client, subnet, compartment = setup
    app = _application(client, subnet, compartment)
    with pytest.raises(oci.exceptions.ServiceError) as refused:
        _function(client, app, image, memory)
    assert refused.value.status == 400


def test_an_application_needs_an_existing_subnet(setup):
    client, _, compartment = setup
    details = oci.functions.models.CreateApplicationDetails(
        compartment_id=compartment, display_name="app", subnet_ids=["ocid1.subnet.oc1.iad.missing"]
    )
    with pytest.raises(oci.exceptions.ServiceError) as refused:
        client.create_application(details)
    assert refused.value.status == 400
