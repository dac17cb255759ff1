"""Transfer tickets: how a direct transfer tells a target where to read the disk (IR_TRANSFER=direct).

In a direct transfer the disk is not copied: the source lands a ticket under the image's name in
the target's landing bucket, and the target's import reads the export where it lies, in the source
region's staging bucket, through a read PAR. The PAR's URL is a bearer credential, so the ticket
carries it sealed (AES-256-GCM) under a key derived from the key the two sides share (the
deployment's, or the one shared with the target's tenancy) and bound to the target, the
replication and the export attempt: whoever can read the buckets but not that Vault secret learns
nothing, and a ticket moved to another target or replication does not open. The rest of the
ticket (which export, its size and checksum, when the PAR expires) is signed like a manifest.

Pure functions: the keys come from the caller.
"""

import base64
import hashlib
import hmac
import json
import os
from datetime import datetime
from typing import Final

from pydantic import BaseModel, ConfigDict, ValidationError

# A ticket is a few hundred bytes: anything landed much larger under the image's name is a disk
# (or worse), and is refused without being read.
MAX_TICKET_BYTES: Final = 16 * 1024
_NONCE_BYTES: Final = 12


class TransferTicket(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    source_image_id: str
    source_region: str
    target: str  # the target as the source names it (`<alias>:<region>` in another tenancy)
    export_attempt: int
    object_size: int
    object_md5: str | None = None
    expires_at: datetime  # the PAR's expiry: after it the target cannot read the disk any more
    sealed_uri: str  # base64url(nonce || AES-GCM(uri))
    signature: str | None = None

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()


class TicketRefused(ValueError):
    """Why a landed ticket cannot be used: one line, naming what is wrong."""


def _derived(key: bytes, purpose: str, target: str) -> bytes:
    return hmac.new(key, f"transfer ticket/{purpose}/{target}".encode(), hashlib.sha256).digest()


def _bound(source_id: str, target: str, attempt: int) -> bytes:
    return f"{source_id}/{target}/{attempt}".encode()


def _payload(ticket: TransferTicket) -> bytes:
    body = ticket.model_dump(mode="json", exclude={"signature"})
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _mac(key: bytes, ticket: TransferTicket) -> str:
    return hmac.new(_derived(key, "sign", ticket.target), _payload(ticket), hashlib.sha256).hexdigest()


def issue(
    key: bytes,
    uri: str,
    *,
    source_id: str,
    source_region: str,
    target: str,
    export_attempt: int,
    object_size: int,
    object_md5: str | None,
    expires_at: datetime,
) -> TransferTicket:
    """A signed ticket for `target` naming `uri` sealed."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # only direct transfers pay its import

    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_derived(key, "seal", target)).encrypt(
        nonce, uri.encode(), _bound(source_id, target, export_attempt)
    )
    ticket = TransferTicket(
        source_image_id=source_id,
        source_region=source_region,
        target=target,
        export_attempt=export_attempt,
        object_size=object_size,
        object_md5=object_md5,
        expires_at=expires_at,
        sealed_uri=base64.urlsafe_b64encode(nonce + sealed).decode(),
    )
    return ticket.model_copy(update={"signature": _mac(key, ticket)})


def parse(data: bytes) -> TransferTicket:
    """The ticket in `data`; TicketRefused if it is not one."""
    if len(data) > MAX_TICKET_BYTES:
        raise TicketRefused(f"{len(data)} bytes is no transfer ticket")
    try:
        return TransferTicket.model_validate_json(data)
    except (ValidationError, ValueError, RecursionError) as exc:
        raise TicketRefused(f"not a transfer ticket: {str(exc).splitlines()[0][:120]}") from None


def genuine(key: bytes, ticket: TransferTicket) -> bool:
    return ticket.signature is not None and hmac.compare_digest(ticket.signature, _mac(key, ticket))


def opened(key: bytes, ticket: TransferTicket) -> str:
    """The URI a genuine ticket seals; TicketRefused if it does not open with `key` for its binding."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.urlsafe_b64decode(ticket.sealed_uri.encode())
    except ValueError:
        raise TicketRefused("the sealed URI is not base64") from None
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    try:
        uri = AESGCM(_derived(key, "seal", ticket.target)).decrypt(
            nonce, sealed, _bound(ticket.source_image_id, ticket.target, ticket.export_attempt)
        )
    except (InvalidTag, ValueError):
        raise TicketRefused("the sealed URI does not open for this target and replication") from None
    return uri.decode()
