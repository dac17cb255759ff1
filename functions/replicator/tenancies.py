"""Other tenancies: where a target may be (`dr:us-phoenix-1`) and where a source may be.

A place is a region of this tenancy (`us-phoenix-1`) or a region of a configured other
tenancy, written `<alias>:<region>`. The alias is this deployment's own name for that
tenancy; the other side names this one by an alias of its own. The tenancies exchange only
objects: the source copies the image and its manifest into the destination's landing bucket,
the destination copies its answers into the source's landing bucket, and each side checks
what arrives with the key the pair shares. Pure: no call is made here.
"""

import re
from dataclasses import dataclass

from . import ocids
from .regions import is_region

ALIAS = re.compile(r"[a-z][a-z0-9-]{0,30}")
SEPARATOR = ":"


@dataclass(frozen=True)
class Peer:
    """Another tenancy: this deployment's alias for it, its OCID and its Object Storage namespace."""

    alias: str
    tenancy_id: str
    namespace: str


@dataclass(frozen=True)
class Place:
    """A region of this tenancy (alias None) or of the peer `alias`."""

    alias: str | None
    region: str

    @property
    def name(self) -> str:
        return f"{self.alias}{SEPARATOR}{self.region}" if self.alias else self.region


def place(name: str) -> Place:
    """`us-phoenix-1` or `dr:us-phoenix-1`, split (not validated: see `place_problem`)."""
    alias, separator, region = name.partition(SEPARATOR)
    return Place(alias, region) if separator else Place(None, name)


def key_setting(name: str) -> str:
    """The setting that holds the key what crosses to `name` is signed with, as an operator compares it."""
    alias = place(name).alias
    return f"IR_PEER_SECRET_IDS ({alias}) in both tenancies" if alias else "IR_SIGNING_SECRET_ID in both regions"


def well_formed(name: str) -> bool:
    """A region name, or `<alias>:<region>` with an alias of the allowed form (configured or not)."""
    where = place(name)
    return (where.alias is None or ALIAS.fullmatch(where.alias) is not None) and is_region(where.region)


def place_problem(name: str, aliases: "set[str] | frozenset[str]") -> str | None:
    """Why `name` is not a region of this tenancy or of a configured one, or None."""
    where = place(name)
    if where.alias is not None and where.alias not in aliases:
        return f"{where.alias} is not a configured tenancy"
    if not is_region(where.region):
        return "not an OCI region name"
    return None


def _entries(value: str, shape: str):
    """The `<alias>=<rest>` items of a comma-separated setting: (alias, rest); ValueError naming `shape`."""
    for item in (i.strip() for i in value.split(",")):
        if not item:
            continue
        alias, eq, rest = item.partition("=")
        alias = alias.strip().lower()
        if not eq or not ALIAS.fullmatch(alias) or not rest.strip():
            raise ValueError(f"'{item[:60]}' is not {shape} (alias: a-z, 0-9, -)")
        yield alias, rest.strip()


def parse_peers(value) -> tuple[Peer, ...]:
    """`alias=<tenancy OCID>@<namespace>,…` (IR_TENANCIES, IR_SOURCE_TENANCIES); raises ValueError."""
    if value is None or value == "":
        return ()
    if not isinstance(value, str):
        return tuple(value)
    peers: dict[str, Peer] = {}
    for alias, rest in _entries(value, "<alias>=<tenancy OCID>@<namespace>"):
        tenancy_id, at, namespace = rest.partition("@")
        if not at:
            raise ValueError(f"{alias}: '{rest[:60]}' is not <tenancy OCID>@<namespace>")
        if not ocids.is_ocid(tenancy_id.strip(), "tenancy"):
            raise ValueError(f"{alias}: {ocids.shown(tenancy_id, 40)} is not a tenancy OCID")
        if not re.fullmatch(r"[a-z0-9-]{1,128}", namespace.strip()):
            raise ValueError(f"{alias}: '{namespace[:40]}' is not an Object Storage namespace")
        if alias in peers:
            raise ValueError(f"{alias} is configured twice")
        peers[alias] = Peer(alias, tenancy_id.strip(), namespace.strip())
    return tuple(peers.values())


def parse_aliased(value) -> dict[str, str]:
    """`alias=<value>,…` (IR_PEER_SECRET_IDS); raises ValueError."""
    if value is None or value == "":
        return {}
    if not isinstance(value, str):
        return dict(value)
    return dict(_entries(value, "<alias>=<value>"))


def as_target(target_namespaces: dict[str, str], own_namespace: str, region: str) -> str | None:
    """The name a source gave this region of this tenancy, from the namespaces its manifest lists."""
    aliases = [alias for alias, namespace in target_namespaces.items() if namespace == own_namespace]
    return f"{aliases[0]}{SEPARATOR}{region}" if len(aliases) == 1 else None
