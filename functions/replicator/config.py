"""The function's configuration: OCI Functions hands it over as environment variables (4 KB in all).

Every key is optional; defaults are listed in func.yaml. A bad value is a ConfigError that
names the variable, never a crash deep inside a stage.
"""

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import ocids
from .errors import ConfigError
from .fanout import POOL
from .telemetry.catalog import DEFAULT_NAMESPACE, namespace_problem
from .tenancies import Peer, parse_aliased, parse_peers, place_problem, well_formed

ENV_PREFIX = "IR_"
# The fewest records a pass may read (IR_RECONCILE_MAX_READS): it keeps a quarter for new images.
MIN_READS = 4
# Settings that name one kind of resource: its OCID type, and its name in an error.
_OCID_KINDS = {"notification_topic_id": ("onstopic", "Notifications topic"), "drill_subnet_id": ("subnet", "subnet")}


def _region_list(value) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    regions = tuple(dict.fromkeys(r.strip().lower() for r in items if r.strip()))
    # A region of another tenancy (`dr:us-phoenix-1`) names its alias; whether it is configured
    # is checked with the whole configuration.
    unknown = [r for r in regions if not well_formed(r)]
    if unknown:
        raise ValueError(f"not OCI region names: {', '.join(unknown)}")
    return regions


class ReplicatorConfig(BaseModel):
    """Settings shared by every stage; one instance per function container."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    staging_bucket: str = Field("image-replicator-staging", min_length=1, max_length=256)
    landing_bucket: str = Field("image-replicator-landing", min_length=1, max_length=256)
    namespace: str | None = Field(None, max_length=128)  # Object Storage namespace; learned when empty
    default_regions: tuple[str, ...] = ()
    allowed_regions: tuple[str, ...] = ()
    opt_in_tag: str = Field("replicate-to", min_length=1, max_length=100)
    opt_in_defined_tag: str | None = None
    target_compartment_id: str | None = None
    object_prefix: str = Field("image-replicator/", min_length=1, max_length=200)
    par_lifetime_minutes: int = Field(240, ge=15, le=7 * 24 * 60)
    # How the disk reaches a target: `copy` lands a full copy in its landing bucket and imports it
    # there; `direct` lands only a sealed ticket, and the target's import reads the export in the
    # source region through a read PAR the ticket names (transfer.py). The source's setting decides.
    transfer: Literal["copy", "direct"] = "copy"
    # A direct transfer's PAR lives this long past the transfer's own time: a target may wait for
    # room, and a burst's transfers share the source region's bandwidth (the last may take a day).
    transfer_window_hours: int = Field(168, ge=1, le=24 * 30)
    delete_intermediate_objects: bool = True
    max_targets: int = Field(10, ge=1, le=100)
    sdk_max_attempts: int = Field(3, ge=1, le=8)
    sdk_total_seconds: int = Field(120, ge=5, le=240)
    compartments: tuple[str, ...] = ()
    max_attempts: int = Field(3, ge=1, le=20)
    # A stage is given up only once its attempts have also failed for this long (records/attempts.py):
    # a region out of service for hours fails every attempt meanwhile. 0: the attempts alone decide.
    give_up_after_hours: float = Field(12, ge=0, le=24 * 30)
    on_source_deleted: Literal["keep", "delete"] = "keep"
    # A finished replica deleted in a target region: replicate again, or only report the gap.
    on_replica_deleted: Literal["recreate", "report"] = "recreate"
    # The Vault secret (in the function's own region) holding the key manifests and answers are signed with.
    signing_secret_id: str | None = None
    # A target that has not answered this long after its copy landed is given up on.
    target_deadline_hours: float = Field(24, gt=0, le=24 * 30)
    notification_topic_id: str | None = None
    reconcile_budget_seconds: int = Field(240, ge=10, le=3600)
    # Independent calls of one step (copies to several targets, shape entries, deletions) and the
    # replications of one pass made at once, at most. Lower it where Object Storage or Compute
    # throttles; 1 runs them one after the other (the simulator does, so that a seed replays).
    call_concurrency: int = Field(POOL, ge=1, le=16)
    # Records one pass reads at most (the others wait for the next passes), and with what they leave
    # the images not started yet it takes on: what bounds a pass's memory when many replications
    # need work (a first pass over thousands, every event lost). A replication a pass works on holds
    # some 20 KB at its peak (its record, image, answers, steps): 1000 keep a pass near 90 MB of
    # the function's 128 (docs/performance.md).
    reconcile_max_reads: int = Field(1000, ge=MIN_READS, le=100000)
    # Settled replications whose source shapes one pass looks at, at most (one call each): a
    # shape change arrives as an event, and these looks find one whose event was lost. Each
    # settled image is looked at once a day up to 24 times this many, else once a cycle of
    # (settled images / this) hours.
    reconcile_shape_looks: int = Field(50, ge=1, le=10000)
    # OCI Monitoring: both set, each invocation posts its metrics; either empty, none are sent.
    metrics_namespace: str = Field(DEFAULT_NAMESPACE, max_length=255)
    metrics_compartment_id: str | None = None
    # Image families: successive builds grouped by a tag on the source (freeform, or a defined
    # tag <namespace>.<key>), replicas beyond the newest IR_KEEP_VERSIONS of a family deleted in
    # each target region once a newer one is protected (empty: keep every version).
    family_tag: str = Field("image-family", min_length=1, max_length=100)
    family_defined_tag: str | None = None
    keep_versions: int | None = Field(None, ge=1, le=1000)
    retention: bool = True  # off: families are marked latest, never pruned
    # A replica younger than this is never deleted by retention, whatever its rank.
    min_age_hours: float = Field(24, ge=0, le=24 * 365)
    # Custom images a target region may hold (OCI's limit: 100 with Universal Credits, 25 Pay As You Go).
    image_limit: int = Field(100, ge=1, le=100000)
    # Regions of other tenancies a source may name as targets (`<alias>:<region>`), and the
    # tenancies this deployment accepts replications from: `<alias>=<tenancy OCID>@<namespace>,…`.
    tenancies: tuple[Peer, ...] = ()
    source_tenancies: tuple[Peer, ...] = ()
    # The Vault secret (in the function's own region) holding the key shared with each of those
    # tenancies: `<alias>=<secret OCID>,…`. What crosses tenancies is signed and checked with it.
    peer_secret_ids: dict[str, str] = Field(default_factory=dict)
    # DR drills (drills.py): each finished replica launched every IR_DRILL_EVERY_DAYS days (0: only
    # those whose source's `replicate-drill` tag asks, and new ones with IR_DRILL_NEW_REPLICAS), in
    # this compartment and private subnet, at most IR_DRILL_CONCURRENCY at a time in the region.
    drill_every_days: float = Field(0, ge=0, le=3650)
    drill_new_replicas: bool = False
    drill_compartment_id: str | None = None
    drill_subnet_id: str | None = None
    drill_availability_domain: str | None = Field(None, max_length=255)  # Terraform reads it for the region
    drill_concurrency: int = Field(1, ge=1, le=50)
    drill_shape: str | None = Field(None, max_length=255)  # else the cheapest the replica allows
    drill_expect: str | None = Field(None, max_length=500)  # a regex the console must print ("login:")
    # A RUNNING instance's console is read this long after it started running, then at each tick
    # until the line shows; a drill not over within IR_DRILL_TIMEOUT_MINUTES of its launch fails.
    drill_boot_minutes: int = Field(3, ge=0, le=120)
    drill_timeout_minutes: int = Field(30, ge=5, le=24 * 60)
    # Off: the HTTP library stops reading proxy settings and .netrc from the environment on
    # every request (a tenth of the CPU of a call); leave on where a proxy is needed.
    http_trust_env: bool = True

    @property
    def patience(self) -> timedelta:
        """How long a run of failed attempts lasts before a stage is given up (records/attempts.py)."""
        return timedelta(hours=self.give_up_after_hours)

    @field_validator("default_regions", "allowed_regions", mode="before")
    @classmethod
    def _regions(cls, value) -> tuple[str, ...]:
        return _region_list(value)

    @field_validator("tenancies", "source_tenancies", mode="before")
    @classmethod
    def _peers(cls, value) -> tuple[Peer, ...]:
        return parse_peers(value)

    @field_validator("peer_secret_ids", mode="before")
    @classmethod
    def _peer_secrets(cls, value) -> dict[str, str]:
        secrets = parse_aliased(value)
        bad = [alias for alias, secret in secrets.items() if not ocids.is_ocid(secret, "vaultsecret")]
        if bad:
            raise ValueError(f"not Vault secret OCIDs: {', '.join(bad)}")
        return secrets

    @field_validator("compartments", mode="before")
    @classmethod
    def _compartment_list(cls, value) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else list(value or ())
        ids = tuple(dict.fromkeys(i.strip() for i in items if i.strip()))
        bad = [ocids.shown(i, 40) for i in ids if not ocids.is_compartment(i)]
        if bad:
            raise ValueError(f"not compartment OCIDs: {', '.join(bad)}")
        return ids

    @field_validator("notification_topic_id", "drill_subnet_id")
    @classmethod
    def _typed_ocid(cls, value: str | None, info) -> str | None:
        if value in (None, ""):
            return None
        kind, what = _OCID_KINDS[info.field_name]
        if not ocids.is_ocid(value, kind):
            raise ValueError(f"must be a {what} OCID")
        return value

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("metrics_namespace")
    @classmethod
    def _metrics_namespace(cls, value: str) -> str:
        problem = namespace_problem(value) if value else None
        if problem:
            raise ValueError(f"not a custom metric namespace: {problem}")
        return value

    @field_validator("keep_versions", mode="before")
    @classmethod
    def _keep_all_when_empty(cls, value):
        return None if value in ("", None) else value

    @field_validator("opt_in_defined_tag", "family_defined_tag")
    @classmethod
    def _namespace_dot_key(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        namespace, dot, key = value.partition(".")
        if not dot or not namespace or not key:
            raise ValueError("must be <namespace>.<key>")
        return value

    @field_validator("drill_expect", "drill_shape", "drill_availability_domain")
    @classmethod
    def _optional_text(cls, value: str | None, info) -> str | None:
        if value in (None, ""):
            return None
        if info.field_name == "drill_expect":
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @field_validator("target_compartment_id", "metrics_compartment_id", "drill_compartment_id")
    @classmethod
    def _compartment_ocid(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not ocids.is_compartment(value):
            raise ValueError("must be a compartment OCID")
        return value

    @field_validator("object_prefix")
    @classmethod
    def _prefix_ends_with_slash(cls, value: str) -> str:
        if not value.endswith("/") or value.startswith("/") or "*" in value:
            raise ValueError("must end with '/', not start with '/', and contain no '*'")
        return value

    @model_validator(mode="after")
    def _peers_are_whole(self):
        aliases = {p.alias for p in self.tenancies}
        for name in (*self.default_regions, *self.allowed_regions):
            problem = place_problem(name, aliases)
            if problem:
                raise ValueError(f"{name}: {problem} (IR_TENANCIES)")
        both = {p.alias: p for p in self.tenancies}
        for peer in self.source_tenancies:
            if peer.alias in both and both[peer.alias] != peer:
                raise ValueError(f"{peer.alias} names different tenancies in tenancies and source_tenancies")
        missing = sorted({p.alias for p in (*self.tenancies, *self.source_tenancies)} - set(self.peer_secret_ids))
        if missing:
            raise ValueError(f"no signing key for tenancies {', '.join(missing)} (IR_PEER_SECRET_IDS)")
        if self.source_tenancies and not self.target_compartment_id:
            # A source's compartment is in its own tenancy: replicas of another's need one here.
            raise ValueError("source_tenancies needs target_compartment_id (where their replicas go)")
        return self

    @model_validator(mode="after")
    def _imports_give_up_before_their_source_stops_waiting(self):
        if self.give_up_after_hours >= self.target_deadline_hours:
            raise ValueError(
                f"IR_GIVE_UP_AFTER_HOURS ({self.give_up_after_hours:g}) must be below IR_TARGET_DEADLINE_HOURS "
                f"({self.target_deadline_hours:g}): a target gives its import up, and answers why, before "
                "its source stops waiting for the answer"
            )
        return self

    @model_validator(mode="after")
    def _defaults_are_allowed(self):
        if self.allowed_regions:
            outside = [r for r in self.default_regions if r not in self.allowed_regions]
            if outside:
                raise ValueError(f"default_regions outside allowed_regions: {', '.join(outside)}")
        return self

    @model_validator(mode="after")
    def _drills_have_a_place(self):
        if (self.drill_every_days or self.drill_new_replicas) and not self.drills_possible:
            raise ValueError(
                "drills need drill_compartment_id, drill_subnet_id and drill_availability_domain (where they run)"
            )
        return self

    @property
    def drills_possible(self) -> bool:
        """Whether this deployment may drill (a `replicate-drill` tag alone asks for it)."""
        return None not in (self.drill_compartment_id, self.drill_subnet_id, self.drill_availability_domain)

    @property
    def family_defined(self) -> tuple[str, str] | None:
        return _namespace_and_key(self.family_defined_tag)

    @property
    def opt_in_defined(self) -> tuple[str, str] | None:
        return _namespace_and_key(self.opt_in_defined_tag)

    def peer(self, alias: str) -> Peer | None:
        """The configured other tenancy `alias` (as a target's, or as a source's)."""
        return next((p for p in (*self.tenancies, *self.source_tenancies) if p.alias == alias), None)

    def source_peer(self, namespace: str) -> Peer | None:
        """The tenancy with Object Storage namespace `namespace` that may send replications here."""
        return next((p for p in self.source_tenancies if p.namespace == namespace), None)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ReplicatorConfig":
        """Read `IR_*` variables (e.g. IR_STAGING_BUCKET); a bad value raises ConfigError naming it."""
        values = {key[len(ENV_PREFIX) :].lower(): value for key, value in env.items() if key.startswith(ENV_PREFIX)}
        unknown = sorted(set(values) - set(cls.model_fields))
        if unknown:
            raise ConfigError(f"unknown configuration keys: {', '.join(ENV_PREFIX + k.upper() for k in unknown)}")
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{ENV_PREFIX}{'.'.join(str(p) for p in e['loc']).upper() or 'CONFIG'}: {e['msg']}"
                for e in exc.errors()
            )
            raise ConfigError(f"invalid configuration: {problems}") from None


def _namespace_and_key(tag: str | None) -> tuple[str, str] | None:
    """A defined tag's `<namespace>.<key>` (validated), split."""
    if tag is None:
        return None
    namespace, _, key = tag.partition(".")
    return namespace, key


def env_keys() -> dict[str, str]:
    """Every configuration variable with its default, as func.yaml lists them."""
    out = {}
    for name, field in ReplicatorConfig.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if isinstance(default, dict):
            default = ",".join(f"{k}={v}" for k, v in default.items())
        elif isinstance(default, tuple):
            default = ",".join(default)
        elif isinstance(default, bool):
            default = str(default).lower()
        out[ENV_PREFIX + name.upper()] = "" if default is None else str(default)
    return out
