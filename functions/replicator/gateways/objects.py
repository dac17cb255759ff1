"""Object Storage calls in one region: objects, pre-authenticated requests, server-side copies."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import oci

from ..errors import NotFound, ReplicatorError
from ..work import WorkProgress
from .calls import all_pages, call, service_time
from .clients import Clients


def _object_storage_endpoint(region: str) -> str:
    return importlib.import_module("oci.regions").endpoint_for("object_storage", region=region)


def _when(value: str | None) -> datetime | None:
    """A time as the service writes it (RFC 3339, UTC, `Z`)."""
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    md5: str | None
    etag: str
    metadata: dict[str, str]


@dataclass(frozen=True, slots=True)
class ObjectSummary:
    name: str
    size: int | None
    time_created: datetime | None
    etag: str | None = None


@dataclass(frozen=True)
class Par:
    """A pre-authenticated request this invocation made: its id, and its URL (a secret: never log it)."""

    id: str
    uri: str


@dataclass(frozen=True)
class ParInfo:
    id: str
    name: str
    object_name: str | None
    time_expires: datetime
    time_created: datetime | None = None


@dataclass(frozen=True)
class CopyStatus:
    status: str  # ACCEPTED, IN_PROGRESS, COMPLETED, FAILED, CANCELING, CANCELED
    time_finished: datetime | None = None
    error_code: str | None = None
    error: str | None = None


class Objects:
    def __init__(self, clients: Clients, namespace: Callable[[], str]):
        self._clients = clients
        self._namespace = namespace
        self.region = clients.region

    @property
    def namespace(self) -> str:
        return self._namespace()

    def _call(self, operation: str, fn, **fields):
        return call(operation, self.region, fn, **fields)

    def head(self, bucket: str, name: str) -> ObjectInfo | None:
        try:
            reply = self._call(
                "HeadObject",
                lambda: self._clients.objects().head_object(self.namespace, bucket, name),
                bucket=bucket,
                object=name,
            )
        except NotFound:
            return None
        headers = reply.headers
        return ObjectInfo(
            size=int(headers.get("content-length", 0)),
            # An object written in parts (every exported image) has only the multipart checksum.
            md5=headers.get("content-md5") or headers.get("opc-content-md5") or headers.get("opc-multipart-md5"),
            etag=headers.get("etag", ""),
            metadata={k.lower(): v for k, v in headers.items() if k.lower().startswith("opc-meta-")},
        )

    def get(self, bucket: str, name: str) -> tuple[bytes, str] | None:
        try:
            reply = self._call(
                "GetObject",
                lambda: self._clients.objects().get_object(self.namespace, bucket, name),
                bucket=bucket,
                object=name,
            )
        except NotFound:
            return None
        return reply.data.content, reply.headers.get("etag", "")

    def put(
        self, bucket: str, name: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str:
        """Write an object; with a condition, PreconditionFailed says someone else wrote first."""
        kwargs = {"content_type": "application/json"}
        if if_match:
            kwargs["if_match"] = if_match
        if if_none_match:
            kwargs["if_none_match"] = "*"
        client = self._clients.objects()
        reply = self._call(
            "PutObject",
            lambda: client.put_object(self.namespace, bucket, name, data, **kwargs),
            bucket=bucket,
            object=name,
        )
        return reply.headers.get("etag", "")

    def iter_objects(
        self, bucket: str, prefix: str, end: str | None = None, *, times: bool = False
    ) -> Iterator[ObjectSummary]:
        """The bucket's objects under `prefix` (and before `end`), page by page (1000 a page,
        ListObjects' most), each page converted as it arrives: a large bucket is never held.
        `times`: with each object's creation time, which only the landing listing reads (the
        others leave it out: a date parsed per object is most of a large listing's cost)."""
        client = self._clients.listing(oci.object_storage.ObjectStorageClient)
        start = None
        fields = "name,size,etag,timeCreated" if times else "name,size,etag"
        while True:
            asked = {"prefix": prefix, "fields": fields, **({"end": end} if end else {})}
            if start:
                asked["start"] = start
            reply = self._call(
                "ListObjects",
                lambda asked=asked: client.list_objects(self.namespace, bucket, **asked),
                bucket=bucket,
                prefix=prefix,
            )
            yield from (
                ObjectSummary(o["name"], o.get("size"), _when(o.get("timeCreated")), o.get("etag"))
                for o in reply.data.get("objects") or ()
            )
            start = reply.data.get("nextStartWith")
            if not start:
                return

    def list_objects(self, bucket: str, prefix: str) -> list[ObjectSummary]:
        return list(self.iter_objects(bucket, prefix))

    def delete(self, bucket: str, name: str, *, if_match: str | None = None) -> bool:
        """Delete an object (False if there was none); with `if_match`, PreconditionFailed if it moved."""
        kwargs = {"if_match": if_match} if if_match else {}
        try:
            self._call(
                "DeleteObject",
                lambda: self._clients.objects().delete_object(self.namespace, bucket, name, **kwargs),
                bucket=bucket,
                object=name,
            )
        except NotFound:
            return False
        return True

    def create_par(self, bucket: str, name: str, object_name: str, access: str, expires: datetime) -> Par:
        """A pre-authenticated request for one object."""
        details = oci.object_storage.models.CreatePreauthenticatedRequestDetails(
            name=name, object_name=object_name, access_type=access, time_expires=expires
        )
        client = self._clients.objects()
        reply = self._call(
            "CreatePreauthenticatedRequest",
            lambda: client.create_preauthenticated_request(self.namespace, bucket, details),
            bucket=bucket,
            object=object_name,
            access=access,
        )
        return Par(reply.data.id, _object_storage_endpoint(self.region) + reply.data.access_uri)

    def delete_par(self, bucket: str, par_id: str) -> bool:
        """Delete one pre-authenticated request, by its id: never one another invocation made."""
        client = self._clients.objects()
        try:
            self._call(
                "DeletePreauthenticatedRequest",
                lambda: client.delete_preauthenticated_request(self.namespace, bucket, par_id),
                bucket=bucket,
            )
        except NotFound as exc:
            # Gone already (a parallel invocation), or the deletion refused (OCI answers both
            # alike): the bucket's listing tells. A refusal leaves a live URL: it is reported.
            try:
                if any(p.id == par_id for p in self.list_pars(bucket)):
                    self._clients.swallow(exc)
            except ReplicatorError as listing:
                self._clients.swallow(listing)
            return False
        return True

    def list_pars(self, bucket: str, prefix: str | None = None) -> list[ParInfo]:
        client = self._clients.objects()
        kwargs: dict[str, Any] = {"object_name_prefix": prefix} if prefix else {}
        found = self._call(
            "ListPreauthenticatedRequests",
            lambda: all_pages(client.list_preauthenticated_requests, self.namespace, bucket, **kwargs),
            bucket=bucket,
        )
        return [ParInfo(p.id, p.name, p.object_name, p.time_expires, p.time_created) for p in found]

    def copy(
        self,
        bucket: str,
        name: str,
        dest_region: str,
        dest_bucket: str,
        dest_name: str,
        metadata: dict[str, str] | None = None,
        *,
        dest_namespace: str | None = None,
    ) -> str | None:
        """Start a server-side copy that never overwrites; the work request ID.

        Requested in this region (the copy's source); PreconditionFailed if the destination
        object exists (when OCI checks that at request time). `dest_namespace` is another
        tenancy's (its policies must admit the copy); by default this tenancy's.
        """
        details = oci.object_storage.models.CopyObjectDetails(
            source_object_name=name,
            destination_region=dest_region,
            destination_namespace=dest_namespace or self.namespace,
            destination_bucket=dest_bucket,
            destination_object_name=dest_name,
            destination_object_if_none_match_e_tag="*",
            destination_object_metadata=metadata,
        )
        client = self._clients.objects()
        reply = self._call(
            "CopyObject",
            lambda: client.copy_object(self.namespace, bucket, details),
            bucket=bucket,
            object=name,
            destination=dest_region,
            **({"destination_namespace": dest_namespace} if dest_namespace else {}),
        )
        return reply.headers.get("opc-work-request-id")

    def work_progress(self, work_request_id: str) -> WorkProgress:
        """A copy's work request, as OCI reports it now (for the operator's status)."""
        client = self._clients.objects()
        reply = self._call("GetWorkRequest", lambda: client.get_work_request(work_request_id))
        return WorkProgress.from_sdk(reply.data, self._clients.region, service_time(reply.headers.get("date")))

    def copy_status(self, work_request_id: str) -> CopyStatus:
        """Where a copy this region started stands; for a failed one, the first error."""
        client = self._clients.objects()
        reply = self._call("GetWorkRequest", lambda: client.get_work_request(work_request_id))
        status = reply.data.status
        if status != "FAILED":
            return CopyStatus(status, reply.data.time_finished)
        errors = self._call("ListWorkRequestErrors", lambda: client.list_work_request_errors(work_request_id)).data
        first = errors[0] if errors else None
        return CopyStatus(
            status, reply.data.time_finished, first.code if first else None, first.message if first else None
        )

    def bucket_names(self, compartment_id: str) -> list[str]:
        """The names of the buckets in a compartment (ListBuckets): what the caller may inspect."""
        client = self._clients.objects()
        return self._call(
            "ListBuckets",
            lambda: all_pages(client.list_buckets, self.namespace, compartment_id, convert=lambda b: b.name),
        )

    def get_namespace(self) -> str:
        return self._call("GetNamespace", lambda: self._clients.objects().get_namespace()).data
