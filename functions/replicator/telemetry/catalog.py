"""The metrics the replicator posts to OCI Monitoring: names, dimensions and OCI's naming rules.

The one list of names: the function emits from here, and the alarms in infra/ are checked
against it by the tests.
"""

import re
from enum import StrEnum

DEFAULT_NAMESPACE = "image_replicator"


class Metric(StrEnum):
    # Per replication and target region, when a stage ends (value: seconds; dimension `stage`).
    STAGE_SECONDS = "stage_seconds"
    # Per replication and target region, when a stage ends (value 1; dimensions `stage`, `outcome`).
    STAGE_OUTCOME = "stage_outcome"
    # Per reconcile pass, source region, target region and compartment (gauges).
    EXPOSED_IMAGES = "exposed_images"  # opted-in images without a current, finished replica there
    OLDEST_EXPOSURE_SECONDS = "oldest_exposure_seconds"  # how long the oldest of those gaps has been open
    FAILED_IMAGES = "failed_images"  # of those, the ones given up on (permanent failures)
    # Per replica retention deleted (value 1; dimensions: source and target region, compartment).
    REPLICAS_RETIRED = "replicas_retired"
    # Per reconcile pass and source region (value 1): the pass ran and reported.
    RECONCILE_PASSES = "reconcile_passes"
    # Per call a service refused the functions, most often for want of a grant (value 1;
    # dimensions: the function's own region, the operation).
    REFUSED_CALLS = "refused_calls"
    # Per DR drill whose replica did not boot as expected (value 1; dimensions: source and target
    # region, the drill's outcome).
    DRILLS_FAILED = "drills_failed"


class Dimension(StrEnum):
    SOURCE_REGION = "sourceRegion"
    TARGET_REGION = "targetRegion"
    COMPARTMENT_ID = "compartmentId"
    STAGE = "stage"
    OUTCOME = "outcome"
    REGION = "region"
    OPERATION = "operation"


STAGES = ("export", "copy", "import", "finish")
OUTCOMES = ("succeeded", "retried", "failed")  # failed: given up, an operator must act
UNKNOWN = "unknown"  # a dimension's value when the record does not say (OCI refuses empty values)

# OCI's rules for custom metrics (PostMetricData).
NAMESPACE_RULE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
RESERVED_NAMESPACE_PREFIXES = ("oci_", "oracle_")
NAME_RULE = re.compile(r"^[A-Za-z][A-Za-z0-9._\-$]*$")
DIMENSION_KEY_RULE = re.compile(r"^[!-~]{1,256}$")
MAX_DIMENSION_VALUE = 512
MAX_DIMENSIONS = 20
MAX_STREAMS_PER_CALL = 50


def namespace_problem(namespace: str) -> str | None:
    """Why OCI would refuse `namespace` for custom metrics, or None."""
    if not NAMESPACE_RULE.match(namespace):
        return "starts with a letter and holds only letters, digits and underscores"
    if namespace.lower().startswith(RESERVED_NAMESPACE_PREFIXES):
        return "the prefixes oci_ and oracle_ are reserved"
    return None
