"""Networking of one region: VCNs, subnets, route tables, security lists, service gateways, and
the Oracle services a service gateway reaches.

What infra/ creates and a function's application runs in: a VCN (with its default route table,
security list and DHCP options), a private subnet, a service gateway to "All <KEY> Services In
Oracle Services Network", a route table sending that service's CIDR label to the gateway, and a
security list allowing HTTPS to it. Validated as the service validates: CIDRs (a VCN /16 to /30,
a subnet inside its VCN and overlapping no other), DNS labels, references to resources of the
same VCN; a resource still used is not deleted (409 Conflict), nor a VCN that holds anything but
its defaults. Resources answer AVAILABLE at once (OCI passes through PROVISIONING for seconds)
and, once deleted, TERMINATED to a Get for as long as the fake runs.

Not modelled: IPv6, NAT and internet gateways, DRGs, network security groups, VNICs and private
IPs, compartment moves, and the egress a subnet's rules allow (ocifake.functions.hosting decides
a function's egress from its application's setting).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import oci

from ..core import errors
from ..core.clock import iso
from ..core.http import json_object

if TYPE_CHECKING:
    from ..core.platform import Platform

KINDS = ("vcn", "subnet", "routetable", "securitylist", "servicegateway", "dhcpoptions")
_DNS_LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,14}$")
_PROTOCOLS = re.compile(r"^(all|\d{1,3})$")


@dataclass
class Resource:
    kind: str
    id: str
    compartment_id: str
    body: dict[str, Any]  # the resource as the API answers it, but its state
    vcn_id: str | None = None
    state: str = "AVAILABLE"
    etag: int = 1

    def to_json(self) -> dict:
        return {**self.body, "id": self.id, "compartmentId": self.compartment_id, "lifecycleState": self.state}


@dataclass
class OracleService:
    id: str
    name: str
    cidr_block: str

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "cidrBlock": self.cidr_block, "description": self.name}


@dataclass
class NetworkingBackend:
    cloud: Platform
    region: str
    resources: dict[str, Resource] = field(default_factory=dict)
    services: list[OracleService] = field(default_factory=list)

    def __post_init__(self) -> None:
        key = _region_key(self.region)
        self.services = [
            OracleService(
                self.cloud.ids.ocid("service", self.region),
                f"All {key} Services In Oracle Services Network",
                f"all-{key.lower()}-services-in-oracle-services-network",
            ),
            OracleService(
                self.cloud.ids.ocid("service", self.region),
                f"OCI {key} Object Storage",
                f"oci-{key.lower()}-objectstorage",
            ),
        ]

    # ----- reads ------------------------------------------------------------------------------
    def holds(self, compartment_id: str) -> bool:
        return any(r.compartment_id == compartment_id and r.state != "TERMINATED" for r in self.resources.values())

    def get(self, kind: str, resource_id: str) -> Resource:
        found = self.resources.get(resource_id)
        if found is None or found.kind != kind:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def listed(self, kind: str, compartment_id: str | None, vcn_id: str | None = None) -> list[Resource]:
        if not compartment_id:
            raise errors.MissingParameter("compartmentId is required.")
        return [
            r
            for r in self.resources.values()
            if r.kind == kind
            and r.compartment_id == compartment_id
            and (vcn_id is None or r.vcn_id == vcn_id)
            and r.state != "TERMINATED"
        ]

    def service(self, service_id: str) -> OracleService:
        found = next((s for s in self.services if s.id == service_id), None)
        if found is None:
            raise errors.InvalidParameter(f"Service {service_id} does not exist in {self.region}.")
        return found

    # ----- creates ----------------------------------------------------------------------------
    def create_vcn(self, body: Any) -> Resource:
        details = json_object(body)
        compartment = self._compartment(details)
        blocks = details.get("cidrBlocks") or ([details["cidrBlock"]] if details.get("cidrBlock") else [])
        if not blocks:
            raise errors.MissingParameter("cidrBlock or cidrBlocks is required.")
        networks = [_network(b, 16, 30) for b in blocks]
        label = _dns_label(details.get("dnsLabel"))
        vcn = self._add(
            "vcn",
            compartment,
            details,
            {
                "cidrBlock": str(networks[0]),
                "cidrBlocks": [str(n) for n in networks],
                "dnsLabel": label,
                "vcnDomainName": f"{label}.oraclevcn.com" if label else None,
            },
        )
        vcn.vcn_id = vcn.id
        # Every VCN comes with a route table, a security list and DHCP options of its own.
        defaults = {
            "defaultRouteTableId": self._add("routetable", compartment, {}, {"routeRules": []}, vcn.id).id,
            "defaultSecurityListId": self._add(
                "securitylist", compartment, {}, {"egressSecurityRules": [], "ingressSecurityRules": []}, vcn.id
            ).id,
            "defaultDhcpOptionsId": self._add("dhcpoptions", compartment, {}, {"options": []}, vcn.id).id,
        }
        vcn.body.update(defaults)
        for default in defaults.values():
            self.resources[default].body["displayName"] = f"Default for {vcn.body['displayName']}"
        return vcn

    def create_service_gateway(self, body: Any) -> Resource:
        details = json_object(body)
        compartment, vcn = self._compartment(details), self._vcn(details)
        services = self._services(details.get("services"))
        return self._add(
            "servicegateway",
            compartment,
            details,
            {"services": services, "blockTraffic": False, "routeTableId": details.get("routeTableId")},
            vcn.id,
        )

    def create_route_table(self, body: Any) -> Resource:
        details = json_object(body)
        compartment, vcn = self._compartment(details), self._vcn(details)
        rules = self._route_rules(details.get("routeRules"), vcn.id)
        return self._add("routetable", compartment, details, {"routeRules": rules}, vcn.id)

    def create_security_list(self, body: Any) -> Resource:
        details = json_object(body)
        compartment, vcn = self._compartment(details), self._vcn(details)
        rules = _security_rules(details)
        return self._add("securitylist", compartment, details, rules, vcn.id)

    def create_subnet(self, body: Any) -> Resource:
        details = json_object(body)
        compartment, vcn = self._compartment(details), self._vcn(details)
        if not details.get("cidrBlock"):
            raise errors.MissingParameter("cidrBlock is required.")
        network = _network(details["cidrBlock"], 16, 30)
        if not any(network.subnet_of(ipaddress.IPv4Network(b)) for b in vcn.body["cidrBlocks"]):
            within = ", ".join(vcn.body["cidrBlocks"])
            raise errors.InvalidParameter(f"The subnet's CIDR {network} is not within the VCN's ({within}).")
        for other in self.listed_in_vcn("subnet", vcn.id):
            if network.overlaps(ipaddress.ip_network(other.body["cidrBlock"])):
                raise errors.InvalidParameter(f"The subnet's CIDR {network} overlaps subnet {other.id}.")
        label = _dns_label(details.get("dnsLabel"))
        if label and not vcn.body.get("dnsLabel"):
            raise errors.InvalidParameter("A subnet has a DNS label only in a VCN that has one.")
        route_table = self._in_vcn("routetable", details.get("routeTableId") or vcn.body["defaultRouteTableId"], vcn.id)
        security_lists = [
            self._in_vcn("securitylist", s, vcn.id).id
            for s in (details.get("securityListIds") or [vcn.body["defaultSecurityListId"]])
        ]
        hosts = list(network.hosts())
        return self._add(
            "subnet",
            compartment,
            details,
            {
                "cidrBlock": str(network),
                "dnsLabel": label,
                "subnetDomainName": f"{label}.{vcn.body['vcnDomainName']}" if label else None,
                "prohibitPublicIpOnVnic": bool(details.get("prohibitPublicIpOnVnic", False)),
                "prohibitInternetIngress": bool(details.get("prohibitPublicIpOnVnic", False)),
                "routeTableId": route_table.id,
                "securityListIds": security_lists,
                "dhcpOptionsId": details.get("dhcpOptionsId") or vcn.body["defaultDhcpOptionsId"],
                "virtualRouterIp": str(hosts[0]),
                "virtualRouterMac": "00:00:17:00:00:01",
                "availabilityDomain": details.get("availabilityDomain"),
            },
            vcn.id,
        )

    # ----- updates and deletes ----------------------------------------------------------------
    def update(self, kind: str, resource_id: str, body: Any, if_match: str | None) -> Resource:
        found = self.get(kind, resource_id)
        self._match(found, if_match)
        if found.state == "TERMINATED":
            raise errors.NotAuthorizedOrNotFound()
        details = json_object(body)
        named = ("displayName", "freeformTags", "definedTags")
        changes: dict[str, Any] = {k: details[k] for k in named if k in details}
        if kind == "routetable" and "routeRules" in details:
            changes["routeRules"] = self._route_rules(details["routeRules"], found.vcn_id)
        if kind == "securitylist" and ({"egressSecurityRules", "ingressSecurityRules"} & details.keys()):
            changes.update(_security_rules({**found.body, **details}))
        if kind == "servicegateway" and "services" in details:
            changes["services"] = self._services(details["services"])
        if kind == "subnet":
            if "routeTableId" in details:
                changes["routeTableId"] = self._in_vcn("routetable", details["routeTableId"], found.vcn_id).id
            if "securityListIds" in details:
                changes["securityListIds"] = [
                    self._in_vcn("securitylist", s, found.vcn_id).id for s in details["securityListIds"] or []
                ]
        found.body.update(changes)
        found.etag += 1
        return found

    def delete(self, kind: str, resource_id: str, if_match: str | None) -> None:
        found = self.get(kind, resource_id)
        self._match(found, if_match)
        if found.state == "TERMINATED":
            return
        user = self._user_of(found)
        if user is not None:
            raise errors.Conflict(f"The {_NAMES[kind]} {resource_id} is still used by {user}.")
        found.state = "TERMINATED"
        if kind == "vcn":  # its defaults go with it
            for default in ("defaultRouteTableId", "defaultSecurityListId", "defaultDhcpOptionsId"):
                self.resources[found.body[default]].state = "TERMINATED"

    # ----- helpers ----------------------------------------------------------------------------
    def listed_in_vcn(self, kind: str, vcn_id: str | None) -> list[Resource]:
        return [r for r in self.resources.values() if r.kind == kind and r.vcn_id == vcn_id and r.state != "TERMINATED"]

    def _user_of(self, found: Resource) -> str | None:
        """What keeps `found` from being deleted, if anything."""
        live = [r for r in self.resources.values() if r.state != "TERMINATED" and r.id != found.id]
        if found.kind == "vcn":
            defaults = {found.body[k] for k in ("defaultRouteTableId", "defaultSecurityListId", "defaultDhcpOptionsId")}
            held = [r for r in live if r.vcn_id == found.id and r.id not in defaults]
            return held[0].id if held else None
        defaults = {
            vcn.body[k] for vcn in live if vcn.kind == "vcn" for k in ("defaultRouteTableId", "defaultSecurityListId")
        }
        if found.id in defaults:
            return "its VCN, as its default"
        for r in live:
            if r.kind == "subnet" and (found.id == r.body["routeTableId"] or found.id in r.body["securityListIds"]):
                return r.id
            if r.kind == "routetable" and any(rule["networkEntityId"] == found.id for rule in r.body["routeRules"]):
                return r.id
        return None

    def _add(self, kind: str, compartment: str, details: dict, body: dict, vcn_id: str | None = None) -> Resource:
        resource_id = self.cloud.ids.ocid(kind, self.region)
        common = {
            "displayName": details.get("displayName") or f"{_NAMES[kind]}{self.cloud.clock.now():%Y%m%d%H%M%S}",
            "freeformTags": details.get("freeformTags") or {},
            "definedTags": details.get("definedTags") or {},
            "timeCreated": iso(self.cloud.clock.now()),
        }
        if vcn_id is not None and kind != "vcn":
            common["vcnId"] = vcn_id
        resource = Resource(kind, resource_id, compartment, {**common, **body}, vcn_id)
        self.resources[resource_id] = resource
        return resource

    def _compartment(self, details: dict) -> str:
        compartment = details.get("compartmentId")
        if not compartment:
            raise errors.MissingParameter("compartmentId is required.")
        if not self.cloud.compartment_exists(compartment):
            raise errors.NotAuthorizedOrNotFound()
        return compartment

    def _vcn(self, details: dict) -> Resource:
        if not details.get("vcnId"):
            raise errors.MissingParameter("vcnId is required.")
        vcn = self.resources.get(details["vcnId"])
        if vcn is None or vcn.kind != "vcn" or vcn.state == "TERMINATED":
            raise errors.NotAuthorizedOrNotFound()
        return vcn

    def _in_vcn(self, kind: str, resource_id: str, vcn_id: str | None) -> Resource:
        found = self.resources.get(resource_id)
        if found is None or found.kind != kind or found.state == "TERMINATED":
            raise errors.InvalidParameter(f"{_NAMES[kind]} {resource_id} does not exist.")
        if found.vcn_id != vcn_id:
            raise errors.InvalidParameter(f"{_NAMES[kind]} {resource_id} belongs to another VCN.")
        return found

    def _services(self, given: Any) -> list[dict]:
        if given is None:
            raise errors.MissingParameter("services is required (it may be empty).")
        if not isinstance(given, list):
            raise errors.InvalidParameter("services must be a list.")
        out = []
        for item in given:
            service_id = item.get("serviceId") if isinstance(item, dict) else None
            if not service_id:
                raise errors.InvalidParameter("Each service needs a serviceId.")
            found = self.service(service_id)
            out.append({"serviceId": found.id, "serviceName": found.name})
        return out

    def _route_rules(self, given: Any, vcn_id: str | None) -> list[dict]:
        if given is None:
            return []
        if not isinstance(given, list):
            raise errors.InvalidParameter("routeRules must be a list.")
        rules = []
        for rule in given:
            if not isinstance(rule, dict) or not rule.get("networkEntityId"):
                raise errors.InvalidParameter("Each route rule needs a networkEntityId.")
            kind = rule.get("destinationType") or "CIDR_BLOCK"
            destination = rule.get("destination") or rule.get("cidrBlock")
            if kind == "SERVICE_CIDR_BLOCK":
                if destination not in {s.cidr_block for s in self.services}:
                    raise errors.InvalidParameter(f"{destination!r} is not a service CIDR label of {self.region}.")
                target = self._in_vcn("servicegateway", rule["networkEntityId"], vcn_id)
                if not any(self.service(s["serviceId"]).cidr_block == destination for s in target.body["services"]):
                    raise errors.InvalidParameter(f"The service gateway does not enable {destination}.")
            elif kind == "CIDR_BLOCK":
                _network(destination, 0, 32)
                entity = self.resources.get(rule["networkEntityId"])
                if entity is None or entity.state == "TERMINATED" or entity.vcn_id != vcn_id:
                    raise errors.InvalidParameter(f"Route target {rule['networkEntityId']} is not in this VCN.")
            else:
                raise errors.InvalidParameter(f"destinationType {kind!r} is not CIDR_BLOCK or SERVICE_CIDR_BLOCK.")
            rules.append(
                {
                    "destination": destination,
                    "destinationType": kind,
                    "networkEntityId": rule["networkEntityId"],
                    "description": rule.get("description"),
                    "routeType": "STATIC",
                }
            )
        return rules

    @staticmethod
    def _match(found: Resource, if_match: str | None) -> None:
        if if_match is not None and if_match != etag_of(found):
            raise errors.PreconditionFailed("The resource has changed since the etag was read.")


_NAMES = {
    "vcn": "VCN",
    "subnet": "Subnet",
    "routetable": "RouteTable",
    "securitylist": "SecurityList",
    "servicegateway": "ServiceGateway",
    "dhcpoptions": "DhcpOptions",
}


def etag_of(found: Resource) -> str:
    return f"{found.id[-12:]}-{found.etag}"


def _region_key(region: str) -> str:
    """The region's three-letter key (IAD for us-ashburn-1), as service names carry it."""
    for short, full in oci.regions.REGIONS_SHORT_NAMES.items():
        if full == region:
            return short.upper()
    return region.split("-")[1][:3].upper()


def _network(value: Any, shortest: int, longest: int) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.ip_network(value, strict=True) if isinstance(value, str) else None
    except ValueError:
        network = None
    if not isinstance(network, ipaddress.IPv4Network):
        raise errors.InvalidParameter(f"{value!r} is not a valid IPv4 CIDR block.")
    if not shortest <= network.prefixlen <= longest:
        raise errors.InvalidParameter(f"The CIDR block {value} must be between /{shortest} and /{longest}.")
    return network


def _dns_label(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _DNS_LABEL.match(value):
        raise errors.InvalidParameter(
            f"Invalid dnsLabel {value!r}: a letter, then letters and digits, at most 15 characters."
        )
    return value.lower()


def _security_rules(details: dict) -> dict:
    out = {}
    for key in ("egressSecurityRules", "ingressSecurityRules"):
        rules = details.get(key) or []
        if not isinstance(rules, list):
            raise errors.InvalidParameter(f"{key} must be a list.")
        for rule in rules:
            if not isinstance(rule, dict) or not _PROTOCOLS.match(str(rule.get("protocol", ""))):
                raise errors.InvalidParameter(f"Each of {key} needs a protocol: 'all' or an IANA protocol number.")
            end = "destination" if key.startswith("egress") else "source"
            if not rule.get(end):
                raise errors.InvalidParameter(f"Each of {key} needs a {end}.")
            for ports in (rule.get("tcpOptions"), rule.get("udpOptions")):
                bounds = (ports or {}).get("destinationPortRange") or {}
                if bounds and not 1 <= bounds.get("min", 0) <= bounds.get("max", 0) <= 65535:
                    raise errors.InvalidParameter("A port range runs from min to max, within 1 to 65535.")
        out[key] = [{"isStateless": False, **r} for r in rules]
    return out
