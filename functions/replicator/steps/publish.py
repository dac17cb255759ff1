"""Source region: send a newer manifest to every target that has (or will have) a replica.

Shared by refresh.py (tags or shapes changed) and tombstone.py (the source was deleted).
"""

from .. import logs
from ..errors import ReplicatorError
from ..integrity import signed
from ..manifest import ReplicationManifest
from ..naming import manifest_object
from ..records.source import SourceRecord
from ..runtime import Runtime

RECEIVING = ("copying", "landed", "done", "failed")


def publish(runtime: Runtime, record: SourceRecord, manifest: ReplicationManifest) -> dict[str, str | None]:
    """Write `manifest` in staging and copy it to each receiving target; per target, None or the error."""
    config = runtime.config
    name = manifest_object(config.object_prefix, manifest.source_image_id, manifest.name)
    runtime.objects.put(config.staging_bucket, name, signed(runtime.signing_key(), manifest).to_bytes())
    sent: dict[str, str | None] = {}
    for target, part in sorted(record.targets.items()):
        if part.state not in RECEIVING or (part.state == "failed" and part.gave_up and part.replica_image_id is None):
            continue
        with logs.bound(target_region=target):
            try:
                runtime.objects.copy(config.staging_bucket, name, target, config.landing_bucket, name)
                sent[target] = None
            except ReplicatorError as exc:
                if exc.code in ("IfNoneMatchFailed", "PreconditionFailed") or exc.status == 412:
                    sent[target] = None
                    continue
                sent[target] = exc.reason
                logs.warning("manifest not sent", reason=exc.reason)
    return sent


def issued(manifest: ReplicationManifest):
    spec = manifest.spec
    return lambda r: r.issue_manifest(manifest.name, manifest.issued, spec.fingerprint(), spec.tags_fingerprint())
