"""Deterministic names and retry tokens, derived from the source image and the region.

Every object the replicator writes is named after the source image OCID, so each region
can find what concerns one replication by name alone, and a repeated step lands on the
same name (copies use `if-none-match: *`) instead of making a second one.

    staging bucket (every region)               landing bucket (every region)
      images/<source>.oci          export         images/<source>.oci         copied image
      manifests/<source>/initial.json             manifests/<source>/<name>   copied manifests
      manifests/<source>/<ms>.json  drift, delete
      records/source/<source>.json  source part
      records/replica/<source>.json target part
      acks/<source>/<target>/<ack>.json  a target's answer, copied from the target
      settled/<side>/<source>/<version>.<…>   a settled replication's mark; a source's ending
                                    in .f holds its record (records/store.py)

Across tenancies (tenancies.py) only landing buckets are written: the source stages one
manifest per other tenancy, `manifests/<source>/<name>.<alias>.json`, signed with the key
that tenancy shares, and copies it under the usual name; the destination's answers land as
`acks/<source>/<alias>:<region>/<ack>.json` in the source's landing bucket and are moved
into staging once their signature is checked.
"""

import hashlib
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from . import ocids
from .tenancies import well_formed

PROVENANCE_TAG = "replica-of"
SOURCE_REGION_TAG = "replica-source-region"
REPLICATED_AT_TAG = "replicated-at"
# The issue time (ms) of the manifest a replica was last brought in line with. A region that lost
# its record reads it before applying what lands again, so an older manifest never undoes a newer.
VERSION_TAG = "replica-manifest-issued"
# The source image's creation time on its replica: the order of a family's versions.
SOURCE_CREATED_TAG = "replica-source-created"
LATEST_TAG = "image-family-latest"  # "true" on the newest protected replica of a family in a region
KEEP_TAG = "replicate-keep"  # on a source: how many versions of its family each target keeps

PAR_NAME_PREFIX = "image-replicator-"
SOURCE_META = "opc-meta-source-image-id"
SOURCE_REGION_META = "opc-meta-source-region"

INITIAL_MANIFEST = "initial"
# "lost": a finished replica was deleted in the target region (not by the replicator);
# "refused": the image that landed is not the one the manifest describes: copy it again.
# The two sides of a replication: the source region's record, and each target region's.
Side = Literal["source", "replica"]
AckOutcome = Literal["done", "failed", "refused", "lost", "deleted", "retired"]
ACK_OUTCOMES: tuple[AckOutcome, ...] = ("done", "failed", "refused", "lost", "deleted", "retired")
# "retired": retention deleted the replica, a newer version of its family being kept.
_OUTCOME_RANK = {"failed": 0, "refused": 0, "done": 1, "lost": 2, "retired": 3, "deleted": 3}


def image_object(prefix: str, source_id: str) -> str:
    """The exported `.oci` object: the same name in the staging bucket and every landing bucket."""
    return f"{prefix}images/{source_id}.oci"


def images_prefix(prefix: str) -> str:
    return f"{prefix}images/"


def manifests_prefix(prefix: str, source_id: str = "") -> str:
    return f"{prefix}manifests/{source_id}/" if source_id else f"{prefix}manifests/"


def manifest_object(prefix: str, source_id: str, name: str = INITIAL_MANIFEST) -> str:
    return f"{manifests_prefix(prefix, source_id)}{name}.json"


def ticket_object(prefix: str, source_id: str, target: str) -> str:
    """A direct transfer's ticket for `target`, as staged (it lands under the image's name): it sits
    beside the manifests, and goes with them when the replication is over."""
    return f"{manifests_prefix(prefix, source_id)}ticket.{target}.json"


def is_ticket_object(prefix: str, source_id: str, name: str) -> bool:
    head = f"{manifests_prefix(prefix, source_id)}ticket."
    return name.startswith(head) and name.endswith(".json")


def peer_manifest_object(prefix: str, source_id: str, name: str, alias: str) -> str:
    """A manifest as staged for the other tenancy `alias` (signed with its key): never landed under this name."""
    return f"{manifests_prefix(prefix, source_id)}{name}.{alias}.json"


def records_prefix(prefix: str, side: str) -> str:
    return f"{prefix}records/{side}/"


def record_object(prefix: str, side: Side, source_id: str) -> str:
    return f"{records_prefix(prefix, side)}{source_id}.json"


# What stays in staging once a replication is over: records, answers, settled marks, the passes'
# reports, and the marks of notices told. Everything else there (exports, manifests) is removed.
BOOKKEEPING = ("records/", "acks/", "settled/", "health/", "told/")


def told_object(prefix: str, source_id: str, notice: str) -> str:
    """The mark that `notice` (`replicated`, `failed.<region>`) about `source_id` was told. It sorts
    after the settled marks, outside every listing of the pass: it costs one write per notice and
    nothing per pass, and it outlives the record and answers an operator may remove by hand."""
    return f"{prefix}told/{source_id}/{notice}"


def acks_prefix(prefix: str, source_id: str = "") -> str:
    return f"{prefix}acks/{source_id}/" if source_id else f"{prefix}acks/"


@dataclass(frozen=True)
class AckName:
    """What a target's answer says, in its object name, so the source need not read it.

    `issued` is the issue time (ms) of the manifest the answer is about; `attempt` the
    target's import attempt; `replica` the replica's OCID, `r<n>` for the n-th refused
    landing, or "-"; `drill`, on a done answer, the replica's last DR drill (drill_token:
    its outcome's letter and when it ended), or ""; `tag` the deployment's signature of all
    that (integrity.py).
    """

    source_id: str
    target: str
    outcome: AckOutcome
    issued: int
    attempt: int
    replica: str = "-"
    tag: str = ""
    drill: str = ""

    def object(self, prefix: str) -> str:
        said = f"{self.outcome}~{self.drill}" if self.drill else self.outcome
        leaf = f"{said}.{self.issued}.{self.attempt}.{self.replica}.{self.tag}.json"
        return f"{acks_prefix(prefix, self.source_id)}{self.target}/{leaf}"

    @property
    def rank(self) -> tuple[int, int, int, int, int]:
        """Newer answers outrank older ones; for one manifest and attempt, done outranks failed, and the
        loss of that replica outranks its done (a new import is a new attempt, and outranks both); the
        same done with a later drill outranks the one before it."""
        refusals = int(self.replica[1:]) if self.replica[:1] == "r" and self.replica[1:].isdigit() else 0
        return (self.issued, self.attempt, _OUTCOME_RANK[self.outcome], refusals, drill_ended(self.drill))

    def same_but_drill(self, other: "AckName") -> bool:
        """Whether `other` says what this one says, but of another drill of the same replica."""
        fields = ("source_id", "target", "outcome", "issued", "attempt", "replica")
        return all(getattr(self, f) == getattr(other, f) for f in fields)


# A done answer's drill: the outcome's letter (booted, no expected output, failed to run) and when it
# ended (epoch seconds).
DRILL_LETTERS = {"booted": "b", "no-expected-output": "n", "failed-to-run": "f"}
_DRILL_TOKEN = re.compile(r"[bnf]\d{1,12}")


def drill_token(outcome: str, ended: datetime) -> str:
    return f"{DRILL_LETTERS[outcome]}{int(ended.timestamp())}"


def drill_ended(token: str) -> int:
    """When the drill a token names ended (epoch seconds; 0 for none)."""
    return int(token[1:]) if token else 0


def drill_outcome(token: str) -> str | None:
    return next((o for o, letter in DRILL_LETTERS.items() if token[:1] == letter), None) if token else None


@dataclass(frozen=True)
class LandedObject:
    """An object in a landing bucket that belongs to a replication: the image, or a manifest."""

    source_id: str
    kind: Literal["image", "manifest"]
    name: str  # the object name
    manifest: str = ""  # the manifest's own name (`initial` or issue time), for a manifest
    landed_at: datetime | None = None  # as the bucket's listing says (None when not listed)


def manifest_rank(manifest: str) -> tuple[bool, str]:
    """How manifests of one image are ordered: `initial` first, then by issue time (ms)."""
    return (manifest != INITIAL_MANIFEST, manifest.zfill(20))


def newest_manifest(landed: list[LandedObject]) -> LandedObject | None:
    """The newest manifest among landed objects (the one every step acts on)."""
    manifests = [o for o in landed if o.kind == "manifest"]
    return max(manifests, key=lambda m: manifest_rank(m.manifest)) if manifests else None


def parse_landed(prefix: str, name: str) -> LandedObject | None:
    """The replication an object of the landing bucket belongs to, or None for anything else."""
    head = images_prefix(prefix)
    if name.startswith(head) and name.endswith(".oci"):
        source_id = name[len(head) : -len(".oci")]
        return LandedObject(source_id, "image", name) if ocids.is_image(source_id) else None
    head = manifests_prefix(prefix)
    if name.startswith(head) and name.endswith(".json"):
        source_id, slash, manifest = name[len(head) : -len(".json")].partition("/")
        if slash and ocids.is_image(source_id) and (manifest == INITIAL_MANIFEST or manifest.isdigit()):
            return LandedObject(source_id, "manifest", name, manifest)
    return None


def parse_ack(prefix: str, name: str) -> AckName | None:
    """The answer an object under `acks/` carries, or None if the name is not one of ours."""
    head = acks_prefix(prefix)
    if not (name.startswith(head) and name.endswith(".json")):
        return None
    parts = name[len(head) : -len(".json")].split("/")
    if len(parts) != 3:
        return None
    source_id, target, leaf = parts
    leaf, _, tag = leaf.rpartition(".")
    fields = leaf.split(".", 3)
    if len(fields) != 4 or not ocids.is_image(source_id) or not re.fullmatch(r"[0-9a-f]{1,64}", tag):
        return None
    said, issued, attempt, replica = fields
    outcome, _, drill = said.partition("~")
    if drill and (outcome != "done" or not _DRILL_TOKEN.fullmatch(drill)):
        return None
    if (
        outcome not in ACK_OUTCOMES
        or not issued.isdigit()
        or not attempt.isdigit()
        or not (replica == "-" or re.fullmatch(r"r\d{1,6}", replica) or ocids.is_image(replica))
    ):
        return None
    if not well_formed(target):
        return None  # a region of this tenancy, or `<alias>:<region>` of another
    return AckName(sys.intern(source_id), target, outcome, int(issued), int(attempt), replica, tag, drill)


def source_id_from_record(prefix: str, side: str, name: str) -> str | None:
    head = records_prefix(prefix, side)
    if not (name.startswith(head) and name.endswith(".json")):
        return None
    candidate = name[len(head) : -len(".json")]
    # Interned here, in parse_ack and in parse_settled: a pass indexes every replication by its id
    # (its mark, its record, its answers), and 20,000 ids held three times is megabytes.
    return sys.intern(candidate) if ocids.is_image(candidate) else None


def par_name(step: str, source_id: str, region: str, attempt: int) -> str:
    """A pre-authenticated request's name: whose it is and for which attempt; no secret in it."""
    return f"{PAR_NAME_PREFIX}{step}-a{attempt}-{region}-{digest(source_id)[:16]}"


def retry_token(step: str, source_id: str, region: str, *parts: str) -> str:
    """An `opc-retry-token` (at most 64 characters) for one attempt of one step of one replication."""
    return digest("|".join((step, source_id, region, *parts)))[:64]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# ----- settled marks: what a pass needs of a settled record, in an object's name -----------------
# A pass that finds a replication settled leaves a mark naming the record's version (a digest of
# its etag) and the little the next passes need; while the record keeps that version and the
# listings show nothing new, those passes plan from the mark and never read the record.


def settled_prefix(prefix: str, side: str = "") -> str:
    return f"{prefix}settled/{side}/" if side else f"{prefix}settled/"


@dataclass(frozen=True)
class SettledMark:
    """side "source": `states` is target -> p (protected) or r (retired); `tags` the manifest's tags
    fingerprint; `answers` a digest of the answers applied. side "replica": `state`, the replica, and
    `key`, the print of the key its answer was signed with (the mark stops holding when the region
    holds another key: the answer is then signed again)."""

    side: str
    source_id: str
    version: str  # digest of the record's etag
    # Source side: the mark holds the record itself (its body), which left `records/`, and the answers
    # it applied are gone from `acks/`: a pass lists neither for a settled replication (`records/store.py`).
    folded: bool = False
    # Source side, not folded: when its record may be folded (YYYYMMDDHHMM UTC; "" at once, marks
    # left before records were folded): a pass reads it again then, not before.
    fold_at: str = ""
    tags: str = ""
    answers: str = ""
    spec: str = ""  # the last manifest's fingerprint (tags and shapes): the daily shape look compares it
    states: tuple[tuple[str, str], ...] = ()
    state: str = ""
    replica_id: str = ""
    compartment_id: str = ""  # where the replica lives (listed by the pass even if no setting names it)
    key: str = ""  # replica side: `integrity.key_print` of the key held when it was made ("" unknown)
    drilled: str = ""  # replica side: when its last counted drill ended (YYYYMMDDHHMM UTC, "" never)

    def object(self, prefix: str) -> str:
        if self.side == "source":
            targets = "+".join(f"{t}~{s}" for t, s in self.states)
            fold = FOLDED if self.folded else (f".q{self.fold_at}" if self.fold_at else "")
            body = f"{self.tags}.{self.spec}.{self.answers}.{targets}{fold}"
        else:
            drilled = f"d{self.drilled}." if self.drilled else ""
            body = f"{self.state}.k{self.key or '-'}.{drilled}{self.compartment_id or '-'}~{self.replica_id or '-'}"
        return f"{settled_prefix(prefix, self.side)}{self.source_id}/{self.version}.{body}"


FOLDED = ".f"  # the end of a folded source mark's name


def etag_version(etag: str) -> str:
    return digest(etag)[:16]


def settled_answers(tail: str) -> str:
    """The `answers` of a source mark, from its name past the source id ("" if it has none)."""
    parts = tail.split(".")
    return parts[3] if len(parts) in (5, 6) else ""


def _fold_part(part: str) -> bool:
    return "." + part == FOLDED or (part[:1] == "q" and part[1:].isdigit())


# A replica's mark names its state, finished or pruned; marks left before those words were the
# replica's own say done or retired, and are read as the words they became (records/states.py).
_MARK_STATE_BEFORE = {"done": "finished", "retired": "pruned"}


def parse_settled(prefix: str, name: str) -> SettledMark | None:
    for side in ("source", "replica"):
        head = settled_prefix(prefix, side)
        if not name.startswith(head):
            continue
        source_id, _, leaf = name[len(head) :].partition("/")
        source_id = sys.intern(source_id)
        parts = leaf.split(".")
        try:
            if side == "source" and (len(parts) == 5 or (len(parts) == 6 and _fold_part(parts[5]))):
                version, tags, spec, answers, targets = parts[:5]
                states = tuple(tuple(t.split("~", 1)) for t in targets.split("+") if "~" in t)
                pairs = tuple((t, s) for t, s in states)
                return SettledMark(
                    side,
                    source_id,
                    version,
                    tags=tags,
                    answers=answers,
                    states=pairs,
                    spec=spec,
                    folded=len(parts) == 6 and "." + parts[5] == FOLDED,
                    fold_at=parts[5][1:] if len(parts) == 6 and parts[5][1:].isdigit() else "",
                )
            if side == "replica":
                version, state, rest = leaf.split(".", 2)
                key = ""
                head, _, tail = rest.partition(".")
                if head.startswith("k") and tail:  # marks made before keys were printed have none
                    key, rest = head[1:].strip("-"), tail
                drilled = ""
                head, _, tail = rest.partition(".")
                if head.startswith("d") and head[1:].isdigit() and tail:  # marks of replicas never drilled have none
                    drilled, rest = head[1:], tail
                compartment, _, replica = rest.partition("~")
                return SettledMark(
                    side,
                    source_id,
                    version,
                    state=_MARK_STATE_BEFORE.get(state, state),
                    replica_id="" if replica == "-" else replica,
                    compartment_id="" if compartment == "-" else compartment,
                    key=key,
                    drilled=drilled,
                )
        except ValueError:
            return None
    return None
