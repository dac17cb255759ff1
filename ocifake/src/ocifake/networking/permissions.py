"""What each Networking operation needs in IAM (resource types of `virtual-network-family`).

The VCN's are from OCI's core policy reference ("Details for Verb + Resource-Type Combinations":
inspect vcns covers ListVcns and GetVcn with VCN_READ; manage adds CreateVcn, UpdateVcn and
DeleteVcn). The others follow the same pattern but were not read on Oracle's pages: they are
marked unconfirmed (see ocifake.identity.permissions), as are the attach permissions a create
asks of the VCN, route table and security lists it names (routes.targets). ListServices reads
no resource of the tenancy.
"""

from ..identity.permissions import Need

_TYPES = {
    "Vcn": ("vcns", "VCN", True),
    "Subnet": ("subnets", "SUBNET", False),
    "RouteTable": ("route-tables", "ROUTE_TABLE", False),
    "SecurityList": ("security-lists", "SECURITY_LIST", False),
    "ServiceGateway": ("service-gateways", "SERVICE_GATEWAY", False),
}

PERMISSIONS: dict[str, Need] = {"ListServices": Need("vcns", "inspect", None, confirmed=False)}
for _name, (_type, _prefix, _confirmed) in _TYPES.items():
    PERMISSIONS.update(
        {
            f"List{_name}s": Need(_type, "inspect", f"{_prefix}_READ", confirmed=_confirmed),
            f"Get{_name}": Need(_type, "inspect", f"{_prefix}_READ", confirmed=_confirmed),
            f"Create{_name}": Need(_type, "manage", f"{_prefix}_CREATE", confirmed=_confirmed),
            f"Update{_name}": Need(_type, "manage", f"{_prefix}_UPDATE", confirmed=_confirmed),
            f"Delete{_name}": Need(_type, "manage", f"{_prefix}_DELETE", confirmed=_confirmed),
        }
    )
VARIABLES: frozenset[str] = frozenset()
# What `virtual-network-family` covers of the types served here (it covers many more in OCI).
FAMILY = frozenset({"vcns", "subnets", "route-tables", "security-lists", "service-gateways", "dhcp-options"})
