"""Region names and keys, as the SDK knows them (no call is made)."""

import oci


def is_region(name: str) -> bool:
    return oci.regions.is_region(name)


def region_for_key(key: str) -> str:
    """`iad` -> `us-ashburn-1`; a full region name is returned as it is."""
    return oci.regions.REGIONS_SHORT_NAMES.get(key, key)


def object_storage_endpoint(region: str) -> str:
    return oci.regions.endpoint_for("object_storage", region=region)
