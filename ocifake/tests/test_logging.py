"""Logging's management API through the real SDK, as infra/'s monitoring.tf makes a function's invoke
log: each change a work request that has finished when read; a group with logs is not deleted."""

import oci
import pytest

from ocifake.functions.control import FunctionsBackend
from support import SOURCE

NO_RETRY = oci.retry.NoneRetryStrategy()


@pytest.fixture
def setup(cloud, compartment):
    net = oci.core.VirtualNetworkClient(cloud.config(SOURCE), retry_strategy=NO_RETRY)
    vcn = net.create_vcn(oci.core.models.CreateVcnDetails(compartment_id=compartment, cidr_blocks=["10.0.0.0/16"])).data
    subnet = net.create_subnet(
        oci.core.models.CreateSubnetDetails(compartment_id=compartment, vcn_id=vcn.id, cidr_block="10.0.0.0/24")
    ).data
    app = (
        cloud.require_region(SOURCE)
        .backend(FunctionsBackend)
        .create_application({"compartmentId": compartment, "displayName": "app", "subnetIds": [subnet.id]})
    )
    return oci.logging.LoggingManagementClient(cloud.config(SOURCE), retry_strategy=NO_RETRY), app, compartment


def _finished(client, response):
    work = client.get_work_request(response.headers["opc-work-request-id"]).data
    assert work.status == "SUCCEEDED"
    return work.resources[0].identifier


def _invoke_log(app, compartment, days=30):
    source = oci.logging.models.OciService(
        source_type="OCISERVICE", service="functions", resource=app.id, category="invoke"
    )
    return oci.logging.models.CreateLogDetails(
        display_name="image-replicator-invoke",
        log_type="SERVICE",
        is_enabled=True,
        retention_duration=days,
        configuration=oci.logging.models.Configuration(compartment_id=compartment, source=source),
    )


def test_a_functions_invoke_log_is_made_in_its_group_read_back_and_deleted_in_order(setup):
    client, app, compartment = setup
    group_id = _finished(
        client,
        client.create_log_group(
            oci.logging.models.CreateLogGroupDetails(compartment_id=compartment, display_name="image-replicator")
        ),
    )
    log_id = _finished(client, client.create_log(group_id, _invoke_log(app, compartment)))
    log = client.get_log(group_id, log_id).data
    assert (log.log_type, log.configuration.source.resource, log.retention_duration) == ("SERVICE", app.id, 30)
    assert [g.id for g in client.list_log_groups(compartment).data] == [group_id]
    with pytest.raises(oci.exceptions.ServiceError) as held:
        client.delete_log_group(group_id)
    assert held.value.status == 409
    _finished(client, client.delete_log(group_id, log_id))
    _finished(client, client.delete_log_group(group_id))
    assert client.list_log_groups(compartment).data == []


@pytest.mark.parametrize("days", [10, 200])
def test_a_retention_oci_does_not_offer_is_refused(setup, days):
    client, app, compartment = setup
    group_id = _finished(
        client,
        client.create_log_group(oci.logging.models.CreateLogGroupDetails(compartment_id=compartment, display_name="g")),
    )
    with pytest.raises(oci.exceptions.ServiceError) as refused:
        client.create_log(group_id, _invoke_log(app, compartment, days))
    assert refused.value.status == 400
