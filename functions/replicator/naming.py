"""Deterministic names and retry tokens, derived from the source image and region.

Everything a later stage or a repeat needs can be recomputed from the source image OCID,
so no step depends on state that an earlier invocation may have failed to store.
"""

import hashlib
import re

import oci

PROVENANCE_TAG = "replica-of"
SOURCE_REGION_TAG = "replica-source-region"
REPLICATED_AT_TAG = "replicated-at"

PAR_NAME_PREFIX = "image-replicator-"
SOURCE_META = "opc-meta-source-image-id"
SOURCE_REGION_META = "opc-meta-source-region"

_IMAGE_OCID = re.compile(r"^ocid1\.image\.[a-z0-9-]+\.[a-z0-9-]*\.[A-Za-z0-9]+$")


def is_image_ocid(value: str) -> bool:
    return bool(_IMAGE_OCID.match(value))


def region_of_ocid(ocid: str) -> str | None:
    """The region a regional OCID names (`ocid1.image.oc1.iad.…` -> us-ashburn-1), if it names one."""
    parts = ocid.split(".")
    key = parts[3] if len(parts) > 4 else ""
    region = oci.regions.REGIONS_SHORT_NAMES.get(key, key)
    return region if oci.regions.is_region(region) else None


def image_object(prefix: str, source_image_id: str) -> str:
    """The exported `.oci` object: same name in the staging bucket and every landing bucket."""
    return f"{image_prefix(prefix)}{source_image_id}.oci"


def image_prefix(prefix: str) -> str:
    return f"{prefix}images/"


def manifest_object(prefix: str, source_image_id: str) -> str:
    return f"{prefix}manifests/{source_image_id}.json"


def status_object(prefix: str, source_image_id: str) -> str:
    return f"{status_prefix(prefix)}{source_image_id}.json"


def status_prefix(prefix: str) -> str:
    return f"{prefix}status/"


def source_id_from_status(prefix: str, object_name: str) -> str | None:
    return _image_ocid_between(object_name, status_prefix(prefix), ".json")


def source_id_from_object(prefix: str, object_name: str) -> str | None:
    """The source image OCID an image object was named after, or None for any other object."""
    return _image_ocid_between(object_name, image_prefix(prefix), ".oci")


def _image_ocid_between(name: str, head: str, tail: str) -> str | None:
    if not (name.startswith(head) and name.endswith(tail)):
        return None
    candidate = name[len(head) : -len(tail)]
    return candidate if is_image_ocid(candidate) else None


def par_name(step: str, source_image_id: str, region: str) -> str:
    return f"{PAR_NAME_PREFIX}{step}-{region}-{_digest(source_image_id)[:16]}"


def retry_token(step: str, source_image_id: str, region: str, *parts: str) -> str:
    """An `opc-retry-token` (at most 64 characters) for one step of one replication."""
    return _digest("|".join((step, source_image_id, region, *parts)))[:64]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
