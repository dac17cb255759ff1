"""Source region: write a manifest in staging and send it to every target that has (or will have) a replica.

Shared by distribute.py (the first manifest, with the image), refresh.py (tags or shapes
changed) and tombstone.py (the source was deleted). A target in another tenancy gets the
manifest signed with the key that tenancy shares, staged under a name of its own and copied
under the usual one into that tenancy's landing bucket.
"""

from . import logs
from .errors import ReplicatorError
from .integrity import signed
from .manifest import ReplicationManifest
from .naming import manifest_object, peer_manifest_object
from .records.source import SourceRecord, TargetPart
from .runtime import Runtime
from .tenancies import place

RECEIVING = ("copying", "landed", "done", "failed")


def addressed(runtime: Runtime, manifest: ReplicationManifest) -> ReplicationManifest:
    """The manifest with the namespaces a destination in another tenancy needs (none within one)."""
    aliases = sorted({a for t in manifest.targets if (a := place(t).alias)})
    if not aliases:
        return manifest
    namespaces = {alias: peer.namespace for alias in aliases if (peer := runtime.config.peer(alias))}
    return manifest.model_copy(update={"source_namespace": runtime.namespace, "target_namespaces": namespaces})


def stage(runtime: Runtime, manifest: ReplicationManifest) -> dict[str | None, str]:
    """Write the manifest in staging once per key it travels under; tenancy alias (None: this one's) -> object."""
    config = runtime.config
    name = manifest_object(config.object_prefix, manifest.source_image_id, manifest.name)
    staged: dict[str | None, str] = {None: name}
    runtime.objects.put(config.staging_bucket, name, signed(runtime.signing_key(), manifest).to_bytes())
    for alias in sorted(manifest.target_namespaces):
        variant = peer_manifest_object(config.object_prefix, manifest.source_image_id, manifest.name, alias)
        runtime.objects.put(config.staging_bucket, variant, signed(runtime.signing_key(alias), manifest).to_bytes())
        staged[alias] = variant
    return staged


def receives(part: TargetPart) -> bool:
    """Whether a target has (or will have) a replica that a newer manifest applies to."""
    return part.state in RECEIVING and not (part.state == "failed" and part.gave_up and part.replica_image_id is None)


def publish_again(
    runtime: Runtime, record: SourceRecord, manifest: ReplicationManifest, targets: list[str]
) -> dict[str, str | None]:
    """`manifest`, already issued, sent again to `targets` only (their copy of it did not land)."""
    only = record.model_copy(update={"targets": {t: p for t, p in record.targets.items() if t in targets}})
    return publish(runtime, only, manifest)


def reached(part: TargetPart) -> bool:
    """Whether anything of the replication may have landed in a target: a deletion goes there too. A
    copy that failed may have failed for the image alone, its manifest landed and waiting for it."""
    return receives(part) or part.error is not None or part.copy_started_at is not None


def publish(runtime: Runtime, record: SourceRecord, manifest: ReplicationManifest) -> dict[str, str | None]:
    """Write `manifest` in staging and copy it to each receiving target (for a deletion, each target
    something may have reached); per target, None or the error."""
    config = runtime.config
    to = reached if manifest.kind == "delete" else receives
    receiving = [t for t, part in sorted(record.targets.items()) if to(part)]
    if not receiving:
        # Staged for nobody, it would wait in staging for answers that never come (a deletion of
        # an image whose replicas were all retired, say).
        return {}
    manifest = addressed(runtime, manifest)
    staged = stage(runtime, manifest)
    sent: dict[str, str | None] = {}
    for target in receiving:
        with logs.bound(target_region=target):
            namespace, region = runtime.destination(target)
            try:
                runtime.objects.copy(
                    config.staging_bucket,
                    staged[place(target).alias],
                    region,
                    config.landing_bucket,
                    staged[None],
                    dest_namespace=namespace,
                )
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
