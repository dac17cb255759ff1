"""The tenancy: OCIDs, compartments and tag namespaces."""

import hashlib
import itertools
import re
import threading

import oci

from .errors import InvalidParameter

_REGION_KEYS = {name: key for key, name in oci.regions.REGIONS_SHORT_NAMES.items()}


def region_key(region: str) -> str:
    """The short key OCIDs carry for a region (`us-phoenix-1` -> `phx`)."""
    return _REGION_KEYS.get(region, region)


class Ids:
    """OCIDs that look real and are reproducible for a given seed."""

    def __init__(self, seed: str):
        self._seed = seed
        self._counter = itertools.count(1)
        self._made: dict[tuple[str, str | None, str], int] = {}
        self._lock = threading.Lock()

    def ocid(self, kind: str, region: str | None = None, *, basis: str | None = None) -> str:
        """The next OCID of `kind`. With `basis` (what the resource is: its compartment and
        name, say), the OCID follows from it and from how many such were made before, not from
        the order of every request: resources that requests running at once create get the
        same OCIDs in every run."""
        with self._lock:
            if basis is None:
                text = f"{self._seed}/{kind}/{next(self._counter)}"
            else:
                key = (kind, region, basis)
                self._made[key] = self._made.get(key, 0) + 1
                text = f"{self._seed}/{kind}/{region}/{basis}/{self._made[key]}"
        unique = "aaaaaaaa" + hashlib.sha256(text.encode()).hexdigest()[:52]
        return f"ocid1.{kind}.oc1.{region_key(region)}.{unique}" if region else f"ocid1.{kind}.oc1..{unique}"


class Compartments:
    """Every tenancy's compartment tree: each tenancy is the root compartment of its own."""

    def __init__(self, tenancy_id: str, tenancy_name: str):
        self.tenancy_id = tenancy_id  # the home tenancy
        self._names = {tenancy_id: tenancy_name}
        self._parents: dict[str, str | None] = {tenancy_id: None}
        self.descriptions: dict[str, str] = {}
        self.created: dict[str, str] = {}  # ISO time, for those made through the API
        self.deleted: set[str] = set()  # kept in the tree (OCI lists them DELETED for a while), never used again

    def add_root(self, tenancy_id: str, tenancy_name: str) -> None:
        self._names[tenancy_id] = tenancy_name
        self._parents[tenancy_id] = None

    def tenancy_of(self, compartment_id: str) -> str | None:
        """The tenancy (the root) a compartment belongs to; None for an unknown one."""
        if compartment_id not in self._parents:
            return None
        current = compartment_id
        while (parent := self._parents.get(current)) is not None:
            current = parent
        return current

    def add(self, compartment_id: str, name: str, parent: str) -> None:
        self._names[compartment_id] = name
        self._parents[compartment_id] = parent

    def exists(self, compartment_id: str) -> bool:
        return compartment_id in self._names and compartment_id not in self.deleted

    def known(self, compartment_id: str) -> bool:
        """Exists, or did (a deleted compartment is still read, DELETED)."""
        return compartment_id in self._names

    def rename(self, compartment_id: str, name: str) -> None:
        self._names[compartment_id] = name

    def name(self, compartment_id: str) -> str:
        return self._names.get(compartment_id, "")

    def by_path(self, path: str, root: str | None = None) -> str | None:
        """The OCID of a compartment named by its name or `parent:child` path below the tenancy."""
        current = root or self.tenancy_id
        for name in path.split(":"):
            found = [
                c
                for c, parent in self._parents.items()
                if parent == current and self._names[c] == name and c not in self.deleted
            ]
            if len(found) != 1:
                return None
            current = found[0]
        return current

    def all(self) -> list[str]:
        return list(self._names)

    def parent(self, compartment_id: str) -> str | None:
        return self._parents.get(compartment_id)

    def children(self, parent: str) -> list[str]:
        return [c for c, p in self._parents.items() if p == parent and c not in self.deleted]

    def covers(self, ancestor: str, compartment_id: str) -> bool:
        current: str | None = compartment_id
        while current is not None:
            if current == ancestor:
                return True
            current = self._parents.get(current)
        return False


_TAG_KEY = re.compile(r"^[^\s.]{1,100}$")


class Tags:
    """Freeform tag limits and the tenancy's defined-tag namespaces."""

    def __init__(self):
        self.namespaces: dict[str, set[str]] = {}

    def create_namespace(self, namespace: str, keys: list[str]) -> None:
        self.namespaces[namespace] = set(keys)

    def validate_freeform(self, tags) -> dict[str, str]:
        if not isinstance(tags, dict):
            raise InvalidParameter("freeformTags must be an object of string values.")
        for key, value in tags.items():
            if not _TAG_KEY.match(key) or not isinstance(value, str) or len(value) > 256:
                raise InvalidParameter(
                    f"Invalid freeform tag {key!r}: keys are 1-100 characters without spaces or dots, "
                    "values are strings of at most 256 characters."
                )
        return dict(tags)

    def validate_defined(self, tags) -> dict[str, dict]:
        if not isinstance(tags, dict):
            raise InvalidParameter("definedTags must be an object of namespaces.")
        for namespace, values in tags.items():
            if namespace not in self.namespaces:
                raise InvalidParameter(f"Tag namespace {namespace!r} does not exist.")
            if not isinstance(values, dict):
                raise InvalidParameter(f"definedTags.{namespace} must be an object.")
            unknown = set(values) - self.namespaces[namespace]
            if unknown:
                raise InvalidParameter(
                    f"Tag key(s) {', '.join(sorted(unknown))} do not exist in namespace {namespace!r}."
                )
        return {k: dict(v) for k, v in tags.items()}
