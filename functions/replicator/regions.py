"""Region names and keys, as the SDK knows them (no call is made).

The SDK's table of regions is a plain data module; `oci.regions` around it loads the HTTP
stack (it can look regions up), which a name check does not need. A name the table does
not know is still asked of `oci.regions`, which also reads the region metadata OCI lets
you configure. This module reads the SDK's data only: it lives below the gateways, which
make the calls, so that identifiers and configuration can check a region name without
depending on them.
"""

import importlib
from functools import cache
from types import ModuleType


@cache
def _definitions() -> ModuleType:
    return importlib.import_module("oci.regions_definitions")


def is_region(name: str) -> bool:
    lowered = name.lower()
    definitions = _definitions()
    if lowered in definitions.REGIONS:
        return True
    if lowered in definitions.REGIONS_SHORT_NAMES:
        return False
    return importlib.import_module("oci.regions").is_region(lowered)


def region_for_key(key: str) -> str:
    """`iad` -> `us-ashburn-1`; a full region name is returned as it is."""
    return _definitions().REGIONS_SHORT_NAMES.get(key, key)
