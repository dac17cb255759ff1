"""What landed in this region's landing bucket: manifests read only once their source is verified.

A manifest is believed when its source signed it, it names this region, and (from another
tenancy) that tenancy is one this deployment takes images from; anything else is quarantined
(removed), with the image object no replication here claims. Answers of another tenancy land
here too: checked, they are moved into staging (`move_answer`), by their event's step or a pass.
"""

from pydantic import ValidationError

from . import integrity, logs
from .config import ReplicatorConfig
from .manifest import ReplicationManifest
from .naming import (
    INITIAL_MANIFEST,
    KEEP_TAG,
    image_object,
    manifest_object,
    manifest_rank,
    manifests_prefix,
    parse_landed,
)
from .runtime import Runtime
from .subjects import InboundAnswer
from .tenancies import Peer, Place, as_target


def read_manifest(runtime: Runtime, name: str) -> ReplicationManifest | None:
    """The landed manifest `name`, if its source issued it; anything else is quarantined (removed).

    One from another tenancy must come from a tenancy of IR_SOURCE_TENANCIES, carry the key
    shared with it, and name this tenancy among its targets; it is then read in this
    tenancy's terms (`from_peer`).
    """
    found = runtime.objects.get(runtime.config.landing_bucket, name)
    if found is None:
        return None
    try:
        manifest = ReplicationManifest.from_bytes(found[0])
    except (ValidationError, ValueError, RecursionError) as exc:
        logs.error("manifest unreadable", manifest=name, reason=str(exc)[:200])
        return None
    peer = None
    if manifest.source_namespace and manifest.source_namespace != runtime.namespace:
        peer = runtime.config.source_peer(manifest.source_namespace)
        if peer is None:
            quarantine(runtime, name, "manifest from a tenancy not in IR_SOURCE_TENANCIES")
            return None
    if not runtime.verified(peer.alias if peer else None, lambda key: integrity.genuine_manifest(key, manifest)):
        secret = f"IR_PEER_SECRET_IDS[{peer.alias}]" if peer else "IR_SIGNING_SECRET_ID"
        quarantine(
            runtime,
            name,
            f"manifest not signed with the key of {secret} in this region: forged, or that key differs from the "
            "source region's (rotated on one side only?)",
        )
        _drop_unclaimed_image(runtime, manifest.source_image_id)
        return None
    # A genuine manifest copied by someone else into a region it does not name (a replay) is
    # refused like a forged one: the source decides where its image goes.
    addressed_as = (
        runtime.region if peer is None else as_target(manifest.target_namespaces, runtime.namespace, runtime.region)
    )
    if addressed_as not in manifest.targets:
        quarantine(runtime, name, "manifest not addressed to this region")
        _drop_unclaimed_image(runtime, manifest.source_image_id)
        return None
    return manifest if peer is None else from_peer(manifest, peer, runtime.config)


def _drop_unclaimed_image(runtime: Runtime, source_id: str) -> None:
    """An image object that came with a refused manifest, of a source with no replication here, goes
    with it (a replay, a forgery). A genuine one refused under a key since put back is sent again with
    its manifest by the source."""
    if runtime.records.read("replica", source_id).record is None:
        runtime.objects.delete(runtime.config.landing_bucket, image_object(runtime.config.object_prefix, source_id))


def quarantine(runtime: Runtime, name: str, why: str) -> None:
    logs.warning(f"{why}; quarantined", manifest=name.rsplit("/", 1)[-1])
    runtime.objects.delete(runtime.config.landing_bucket, name)


def from_peer(manifest: ReplicationManifest, peer: Peer, config: ReplicatorConfig) -> ReplicationManifest:
    """A checked manifest of another tenancy, in this one's terms: its source region is
    `<alias>:<region>`; its replica goes to IR_TARGET_COMPARTMENT_ID; the source's defined tags
    (of that tenancy's namespaces) and its versions-to-keep tag are left out, so retention here
    follows this deployment's IR_KEEP_VERSIONS alone."""
    return manifest.model_copy(
        update={
            "source_region": Place(peer.alias, manifest.source_region).name,
            "source_compartment_id": config.target_compartment_id or "",
            "defined_tags": {},
            "freeform_tags": {k: v for k, v in manifest.freeform_tags.items() if k != KEEP_TAG},
        }
    )


def newest_landed_manifest(runtime: Runtime, source_id: str) -> tuple[ReplicationManifest, str] | None:
    """The initial manifest (one read), else the newest of those listed."""
    config = runtime.config
    initial = manifest_object(config.object_prefix, source_id, INITIAL_MANIFEST)
    manifest = read_manifest(runtime, initial)
    if manifest is not None:
        return manifest, initial
    listed = runtime.objects.list_objects(config.landing_bucket, manifests_prefix(config.object_prefix, source_id))
    landed = [found for o in listed if (found := parse_landed(config.object_prefix, o.name)) is not None]
    for name in [m.name for m in sorted(landed, key=lambda m: manifest_rank(m.manifest), reverse=True)]:
        manifest = read_manifest(runtime, name)
        if manifest is not None:
            return manifest, name
    return None


def move_answer(runtime: Runtime, inbound: InboundAnswer) -> bool:
    """Move a checked answer of another tenancy from landing to staging, where this tenancy's own
    answers are; False if it is no longer in landing (moved already)."""
    config = runtime.config
    name = inbound.ack.object(config.object_prefix)
    found = runtime.objects.get(config.landing_bucket, name)
    if found is None:
        return False
    runtime.objects.put(config.staging_bucket, name, found[0])
    runtime.objects.delete(config.landing_bucket, name)
    return True
