"""What crosses regions is signed by the deployment's key, and checked before it is trusted.

What crosses tenancies is signed the same way with the key the two tenancies share (each
holds it in its own Vault: IR_PEER_SECRET_IDS), so neither side's own key ever leaves it.

Anyone who may write objects into a landing bucket (or a staging bucket's `acks/`) can drop
an object under the replicator's names. Manifests carry an HMAC-SHA256 of their content,
answers one of what their name says; both are made with a key only the replicator's
functions can read (a Vault secret in each region, `IR_SIGNING_SECRET_ID`). The manifest
also records the exported object's size and checksum, which the target compares with what
landed before it imports. Pure functions: the key is read by the runtime.
"""

import hashlib
import hmac
import json

from .manifest import ReplicationManifest
from .naming import AckName

TAG_LENGTH = 32  # hex characters of an answer's tag (128 bits)


def _mac(key: bytes, payload: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def manifest_payload(manifest: ReplicationManifest) -> bytes:
    """The manifest's content as signed: canonical JSON of every field but the signature."""
    body = manifest.model_dump(mode="json", exclude={"signature"})
    # Fields added since the first manifests (for other tenancies, for direct transfers) are signed
    # only when set: a manifest issued before them keeps its signature.
    for added in ("source_namespace", "target_namespaces"):
        if not body[added]:
            del body[added]
    if body["transfer"] == "copy":  # added with direct transfers: signed only when it says so
        del body["transfer"]
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def signed(key: bytes, manifest: ReplicationManifest) -> ReplicationManifest:
    return manifest.model_copy(update={"signature": _mac(key, manifest_payload(manifest))})


def genuine_manifest(key: bytes, manifest: ReplicationManifest) -> bool:
    return manifest.signature is not None and hmac.compare_digest(
        manifest.signature, _mac(key, manifest_payload(manifest))
    )


def ack_tag(key: bytes, ack: AckName) -> str:
    what = f"{ack.source_id}/{ack.target}/{ack.outcome}/{ack.issued}/{ack.attempt}/{ack.replica}"
    if ack.drill:  # signed too: a forged drill would claim a replica boots
        what += f"/{ack.drill}"
    return _mac(key, what.encode())[:TAG_LENGTH]


def key_print(key: bytes) -> str:
    """A short name for a key that says nothing about it: whether two marks were made under one key."""
    return _mac(key, b"settled marks are made under this key")[:8]


def tagged(key: bytes, ack: AckName) -> AckName:
    return AckName(
        ack.source_id, ack.target, ack.outcome, ack.issued, ack.attempt, ack.replica, ack_tag(key, ack), ack.drill
    )


def genuine_ack(key: bytes, ack: AckName) -> bool:
    return bool(ack.tag) and hmac.compare_digest(ack.tag, ack_tag(key, ack))


def landed_matches(manifest: ReplicationManifest, size: int, md5: str | None) -> str | None:
    """Why the landed image is not the one the manifest describes, or None if it is."""
    if manifest.object_size and size != manifest.object_size:
        return f"size {size} is not the exported {manifest.object_size}"
    if manifest.object_md5 and md5 != manifest.object_md5:
        return f"checksum {md5} is not the exported {manifest.object_md5}"
    return None
