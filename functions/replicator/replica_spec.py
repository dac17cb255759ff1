"""Target region: make a replica carry its manifest's shapes and tags, shape by shape.

A shape the target region refuses (unknown there, or its constraints invalid there) is
recorded with the reason and skipped, so it never blocks the other shapes or the finish.
"""

from dataclasses import dataclass, field
from functools import partial

from . import logs
from .errors import Conflict, NotFound, PermanentError
from .fanout import fan_out
from .gateways.compute import Compute
from .images import ImageFacts, ShapeEntry
from .manifest import ReplicationManifest, replica_freeform
from .naming import LATEST_TAG, REPLICATED_AT_TAG


@dataclass
class Applied:
    changed: bool = False
    refused: dict[str, str] = field(default_factory=dict)


def apply_manifest(
    compute: Compute, replica: ImageFacts, manifest: ReplicationManifest, *, concurrency: int
) -> Applied:
    """Bring `replica` in line with `manifest`: the present entries are listed, the missing or
    different ones PUT (an idempotent call), and those the source does not have removed.

    A replica not yet recorded finished is listed too: a finish that died after applying an older
    manifest left that manifest's entries, and OCI may give an imported image entries of its own.
    """
    applied = Applied()
    present: dict[str, ShapeEntry] = {e.shape: e for e in compute.list_shapes(replica.id)}
    wanted = {e.shape: e for e in manifest.shapes}

    def put(entry: ShapeEntry) -> str | None:
        try:
            compute.put_shape(replica.id, entry)
            return None
        except NotFound:
            # The replica was just read: a 404 is IAM refusing the call, not this region refusing the
            # shape. The step fails (counted as a refusal) and is tried again, never recorded as done.
            raise
        except (PermanentError, Conflict) as exc:
            logs.warning("shape refused by this region", shape=entry.shape, reason=exc.reason)
            return exc.reason

    # One call per entry, none depending on another: they go out together.
    puts = [entry for shape, entry in sorted(wanted.items()) if present.get(shape) != entry]
    removals = sorted(present.keys() - wanted.keys())
    refusals = fan_out([partial(put, entry) for entry in puts], concurrency)
    fan_out([partial(compute.remove_shape, replica.id, shape) for shape in removals], concurrency)
    applied.refused = {e.shape: why for e, why in zip(puts, refusals, strict=True) if why is not None}
    applied.changed = len(applied.refused) < len(puts) or bool(removals)
    freeform = replica_freeform(manifest, replica.freeform_tags.get(REPLICATED_AT_TAG))
    if LATEST_TAG in replica.freeform_tags:
        freeform[LATEST_TAG] = replica.freeform_tags[LATEST_TAG]  # the region's mark, not the source's
    if replica.freeform_tags != freeform or replica.defined_tags != manifest.defined_tags:
        compute.update_tags(replica.id, freeform, manifest.defined_tags)
        applied.changed = True
    return applied
