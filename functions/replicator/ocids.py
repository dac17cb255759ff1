"""OCIDs: matched against the full pattern before any call, so a value can never steer a request path."""

import re

from .regions import is_region, region_for_key

# ocid1.<resource type>.<realm>.[region][.future use].<unique id>
_OCID = re.compile(
    r"^ocid1\.(?P<type>[a-z0-9]{1,63})\.(?P<realm>[a-z0-9]{1,15})\.(?P<region>[a-z0-9-]{0,63})(?:\.[a-z0-9-]{1,63})?\.(?P<unique>[a-z0-9]{1,200})$"
)
MAX_LENGTH = 255
COMPARTMENT_TYPES = ("compartment", "tenancy")


def is_ocid(value: object, *types: str) -> bool:
    """Whether `value` is a well-formed OCID (of one of `types`, when given)."""
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        return False
    found = _OCID.match(value)
    return found is not None and (not types or found["type"] in types)


def is_image(value: object) -> bool:
    return is_ocid(value, "image")


def is_compartment(value: object) -> bool:
    return is_ocid(value, *COMPARTMENT_TYPES)


def region_of(ocid: str) -> str | None:
    """The region a regional OCID names (`ocid1.image.oc1.iad.…` -> us-ashburn-1), if it names one."""
    found = _OCID.match(ocid) if isinstance(ocid, str) else None
    if found is None or not found["region"]:
        return None
    region = region_for_key(found["region"])
    return region if is_region(region) else None


def shown(value: object, limit: int = 80) -> str:
    """A value fit for a log line or a reason: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
