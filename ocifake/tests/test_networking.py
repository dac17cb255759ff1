"""Networking through the real SDK: what infra/'s network.tf makes, read back, refused and undone."""

import oci
import pytest

from ocifake import FakeCloud
from support import REGIONS, SOURCE

ORACLE_SERVICES = "All IAD Services In Oracle Services Network"


@pytest.fixture
def net(cloud):
    return oci.core.VirtualNetworkClient(cloud.config(SOURCE), retry_strategy=oci.retry.NoneRetryStrategy())


def _private_network(net, compartment):
    """network.tf's resources, in its order: the region's services, a VCN, a service gateway, a route
    table and a security list towards the services, a private subnet using both."""
    (everything,) = [s for s in net.list_services().data if s.name == ORACLE_SERVICES]
    vcn = net.create_vcn(
        oci.core.models.CreateVcnDetails(
            compartment_id=compartment,
            cidr_blocks=["10.0.0.0/16"],
            display_name="image-replicator",
            dns_label="replicator",
        )
    ).data
    gateway = net.create_service_gateway(
        oci.core.models.CreateServiceGatewayDetails(
            compartment_id=compartment,
            vcn_id=vcn.id,
            services=[oci.core.models.ServiceIdRequestDetails(service_id=everything.id)],
        )
    ).data
    rule = oci.core.models.RouteRule(
        destination=everything.cidr_block, destination_type="SERVICE_CIDR_BLOCK", network_entity_id=gateway.id
    )
    routes = net.create_route_table(
        oci.core.models.CreateRouteTableDetails(compartment_id=compartment, vcn_id=vcn.id, route_rules=[rule])
    ).data
    egress = oci.core.models.EgressSecurityRule(
        destination=everything.cidr_block,
        destination_type="SERVICE_CIDR_BLOCK",
        protocol="6",
        tcp_options=oci.core.models.TcpOptions(destination_port_range=oci.core.models.PortRange(min=443, max=443)),
    )
    rules = net.create_security_list(
        oci.core.models.CreateSecurityListDetails(
            compartment_id=compartment, vcn_id=vcn.id, egress_security_rules=[egress], ingress_security_rules=[]
        )
    ).data
    subnet = net.create_subnet(
        oci.core.models.CreateSubnetDetails(
            compartment_id=compartment,
            vcn_id=vcn.id,
            cidr_block="10.0.0.0/24",
            dns_label="functions",
            prohibit_public_ip_on_vnic=True,
            route_table_id=routes.id,
            security_list_ids=[rules.id],
        )
    ).data
    return everything, vcn, gateway, routes, rules, subnet


def test_the_private_network_of_infra_is_made_and_read_back_as_made(net, compartment):
    everything, vcn, gateway, routes, rules, subnet = _private_network(net, compartment)
    assert everything.cidr_block == "all-iad-services-in-oracle-services-network"
    assert (vcn.lifecycle_state, vcn.cidr_block, vcn.vcn_domain_name) == (
        "AVAILABLE",
        "10.0.0.0/16",
        "replicator.oraclevcn.com",
    )
    assert [s.service_id for s in net.get_service_gateway(gateway.id).data.services] == [everything.id]
    assert net.get_route_table(routes.id).data.route_rules[0].network_entity_id == gateway.id
    read = net.get_subnet(subnet.id).data
    assert (read.cidr_block, read.prohibit_public_ip_on_vnic, read.route_table_id, read.security_list_ids) == (
        "10.0.0.0/24",
        True,
        routes.id,
        [rules.id],
    )
    assert read.subnet_domain_name == "functions.replicator.oraclevcn.com"
    listed = net.list_subnets(compartment, vcn_id=vcn.id).data
    assert [s.id for s in listed] == [subnet.id]
    # The VCN's own defaults exist and are its.
    assert net.get_route_table(vcn.default_route_table_id).data.vcn_id == vcn.id


def test_what_is_still_used_is_not_deleted_and_everything_goes_in_reverse_order(net, compartment):
    _, vcn, gateway, routes, rules, subnet = _private_network(net, compartment)
    for delete, resource_id in ((net.delete_vcn, vcn.id), (net.delete_route_table, routes.id)):
        with pytest.raises(oci.exceptions.ServiceError) as refused:
            delete(resource_id)
        assert (refused.value.status, refused.value.code) == (409, "Conflict")
    net.delete_subnet(subnet.id)
    net.delete_route_table(routes.id)
    net.delete_security_list(rules.id)
    net.delete_service_gateway(gateway.id)
    net.delete_vcn(vcn.id)
    assert net.get_vcn(vcn.id).data.lifecycle_state == "TERMINATED"
    assert net.list_vcns(compartment).data == []


@pytest.mark.parametrize(
    ("cidr", "dns_label"),
    [("10.0.0.0/8", "ok"), ("10.0.0.1/16", "ok"), ("not-a-cidr", "ok"), ("10.0.0.0/16", "9starts-badly")],
)
def test_a_vcn_with_a_cidr_or_dns_label_oci_refuses_is_refused(net, compartment, cidr, dns_label):
    details = oci.core.models.CreateVcnDetails(compartment_id=compartment, cidr_blocks=[cidr], dns_label=dns_label)
    with pytest.raises(oci.exceptions.ServiceError) as refused:
        net.create_vcn(details)
    assert (refused.value.status, refused.value.code) == (400, "InvalidParameter")


def test_a_subnet_outside_its_vcn_or_over_another_is_refused(net, compartment):
    vcn = _private_network(net, compartment)[1]
    for cidr in ("192.168.0.0/24", "10.0.0.128/25"):
        details = oci.core.models.CreateSubnetDetails(compartment_id=compartment, vcn_id=vcn.id, cidr_block=cidr)
        with pytest.raises(oci.exceptions.ServiceError) as refused:
            net.create_subnet(details)
        assert refused.value.status == 400


def test_a_network_family_grant_lets_a_user_build_it_and_a_vcns_grant_alone_does_not():
    with FakeCloud(regions=REGIONS) as cloud:
        compartment = cloud.create_compartment("network")
        grant = f"Allow group netadmins to manage virtual-network-family in compartment id {compartment}"
        cloud.create_policy("net", [grant])
        cloud.create_policy("vcns", [f"Allow group vcnonly to manage vcns in compartment id {compartment}"])
        admin = oci.core.VirtualNetworkClient({**cloud.create_user("ann", ["netadmins"]), "region": SOURCE})
        _private_network(admin, compartment)
        narrow = oci.core.VirtualNetworkClient({**cloud.create_user("bob", ["vcnonly"]), "region": SOURCE})
        vcn = narrow.create_vcn(
            oci.core.models.CreateVcnDetails(compartment_id=compartment, cidr_blocks=["10.1.0.0/16"])
        ).data
        with pytest.raises(oci.exceptions.ServiceError) as refused:
            narrow.create_subnet(
                oci.core.models.CreateSubnetDetails(compartment_id=compartment, vcn_id=vcn.id, cidr_block="10.1.0.0/24")
            )
        assert refused.value.status == 404
