"""Multipart uploads: an object written in numbered parts, then committed as one.

What the SDK's UploadManager and the oci CLI's `os object put` use above their part size.
Modelled: CreateMultipartUpload (with `if-none-match: *` / `if-match` checked again at commit),
UploadPart (numbers 1 to 10,000; a part sent again replaces the earlier one; `content-md5`
checked), CommitMultipartUpload (every part named, either committed with its ETag or excluded;
the object answers `opc-multipart-md5`: the MD5 of the parts' MD5s and their count),
AbortMultipartUpload, ListMultipartUploads and ListMultipartUploadParts. An upload in progress
keeps its bucket from being deleted.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from ..core import errors
from ..core.clock import iso

MAX_PART_NUMBER = 10_000


@dataclass
class Part:
    number: int
    data: bytes
    etag: str

    @property
    def md5(self) -> bytes:
        return hashlib.md5(self.data).digest()

    def to_json(self) -> dict:
        return {
            "partNumber": self.number,
            "etag": self.etag,
            "md5": base64.b64encode(self.md5).decode(),
            "size": len(self.data),
        }


@dataclass
class MultipartUpload:
    id: str
    namespace: str
    bucket: str
    object: str
    time_created: datetime
    headers: dict[str, str]  # content type, metadata and preconditions, as CreateMultipartUpload gave them
    parts: dict[int, Part] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "namespace": self.namespace,
            "bucket": self.bucket,
            "object": self.object,
            "uploadId": self.id,
            "timeCreated": iso(self.time_created),
            "storageTier": "Standard",
        }


def creation_headers(details: dict, request_headers: dict[str, str]) -> dict[str, str]:
    """What the object will be written with: CreateMultipartUploadDetails' fields as PutObject's headers."""
    if not isinstance(details, dict) or not isinstance(details.get("object"), str) or not details["object"]:
        raise errors.InvalidParameter("object is required.")
    headers = {k: v for k, v in request_headers.items() if k in ("if-match", "if-none-match")}
    for key, header in (
        ("contentType", "content-type"),
        ("contentLanguage", "content-language"),
        ("contentEncoding", "content-encoding"),
        ("contentDisposition", "content-disposition"),
        ("cacheControl", "cache-control"),
    ):
        if isinstance(details.get(key), str):
            headers[header] = details[key]
    metadata = details.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise errors.InvalidParameter("metadata must be a map of strings.")
    for key, value in metadata.items():
        name = key.lower() if key.lower().startswith("opc-meta-") else f"opc-meta-{key.lower()}"
        headers[name] = str(value)
    return headers


def new_upload(namespace: str, bucket: str, name: str, now: datetime, headers: dict[str, str]) -> MultipartUpload:
    return MultipartUpload(str(uuid.uuid4()), namespace, bucket, name, now, headers)


def put_part(upload: MultipartUpload, number_text: str | None, data: bytes, headers: dict[str, str]) -> Part:
    try:
        number = int(number_text or "")
    except ValueError:
        raise errors.InvalidParameter("uploadPartNum must be an integer from 1 to 10000.") from None
    if not 1 <= number <= MAX_PART_NUMBER:
        raise errors.InvalidParameter("uploadPartNum must be an integer from 1 to 10000.")
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    if "content-md5" in headers and headers["content-md5"] != md5:
        raise errors.OciError(
            "The computed MD5 of the request body does not match the Content-MD5 header.",
            status=400,
            code="InvalidContentMD5",
        )
    etag = f"{hashlib.sha1(f'{upload.id}/{number}/{md5}'.encode()).hexdigest()[:16]}"
    part = upload.parts[number] = Part(number, data, etag)
    return part


def committed(upload: MultipartUpload, details: dict) -> tuple[bytes, str]:
    """The object's bytes and its `opc-multipart-md5`, once every part is accounted for."""
    if not isinstance(details, dict) or not isinstance(details.get("partsToCommit"), list):
        raise errors.InvalidParameter("partsToCommit is required.")
    wanted: dict[int, str] = {}
    for entry in details["partsToCommit"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("partNum"), int) or "etag" not in entry:
            raise errors.InvalidParameter("Each part to commit needs partNum and etag.")
        wanted[entry["partNum"]] = str(entry["etag"])
    excluded = set(details.get("partsToExclude") or [])
    if excluded & wanted.keys():
        raise errors.InvalidParameter("A part cannot be both committed and excluded.")
    for number, etag in sorted(wanted.items()):
        part = upload.parts.get(number)
        if part is None:
            raise errors.InvalidParameter(f"Part {number} was not uploaded.")
        if part.etag != etag:
            raise errors.InvalidParameter(f"The etag given for part {number} is not the part's.")
    unnamed = upload.parts.keys() - wanted.keys() - excluded
    if unnamed:
        raise errors.InvalidParameter(
            f"Every uploaded part must be committed or excluded; not named: {', '.join(map(str, sorted(unnamed)))}."
        )
    if not wanted:
        raise errors.InvalidParameter("A multipart upload commits at least one part.")
    parts = [upload.parts[n] for n in sorted(wanted)]
    digest = hashlib.md5(b"".join(p.md5 for p in parts)).digest()
    return b"".join(p.data for p in parts), f"{base64.b64encode(digest).decode()}-{len(parts)}"
