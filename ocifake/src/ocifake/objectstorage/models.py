"""State and rules of Object Storage in one region.

Modelled: the tenancy namespace, buckets (with `objectEventsEnabled`), objects with
`opc-meta-*` metadata, etags and `if-match` / `if-none-match: *`, pre-authenticated
requests (object or prefix scope, access type, expiry checked on the simulated clock),
their data-plane use, and asynchronous cross-region CopyObject with its work request
(destination preconditions checked at request time or only when the copy runs, as
`Options.copy_preconditions_at_request` says).
Multipart uploads are in `multipart.py`, retention rules in `retention.py`. Not modelled:
versioning, tiers.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core import errors
from ..core.clock import iso, parse_time
from ..identity.models import Caller, Target
from . import multipart, retention

if TYPE_CHECKING:
    from ..core.platform import Platform

ACCESS_TYPES = ("ObjectRead", "ObjectWrite", "ObjectReadWrite", "AnyObjectWrite", "AnyObjectRead", "AnyObjectReadWrite")
_BUCKET_NAME = re.compile(r"^[A-Za-z0-9._-]{1,256}$")
_META_PREFIX = "opc-meta-"


@dataclass
class StoredObject:
    name: str
    data: bytes
    metadata: dict[str, str]
    content_type: str
    time_created: datetime
    time_modified: datetime
    etag: str
    declared_size_gb: float | None = None
    # Written in parts (as an export writes its image): OCI then answers `opc-multipart-md5`
    # (`<base64 md5 of the parts' md5s>-<part count>`) and no content MD5. A copy keeps it.
    multipart_md5: str | None = None

    @property
    def md5(self) -> str:
        return base64.b64encode(hashlib.md5(self.data).digest()).decode()

    def summary(self) -> dict:
        return {
            "name": self.name,
            "size": len(self.data),
            "md5": self.md5,
            "etag": self.etag,
            "timeCreated": iso(self.time_created),
            "timeModified": iso(self.time_modified),
            "storageTier": "Standard",
            "archivalState": None,
        }

    def headers(self) -> dict[str, str]:
        hdrs = {
            "etag": self.etag,
            "content-type": self.content_type,
            "last-modified": self.time_modified.strftime("%a, %d %b %Y %H:%M:%S GMT"),
            "storage-tier": "Standard",
        }
        if self.multipart_md5:
            hdrs["opc-multipart-md5"] = self.multipart_md5
        else:
            hdrs["content-md5"] = hdrs["opc-content-md5"] = self.md5
        hdrs.update(self.metadata)
        return hdrs


@dataclass
class PreauthenticatedRequest:
    id: str
    name: str
    bucket: str
    object_name: str | None
    access_type: str
    time_expires: datetime
    time_created: datetime
    token: str
    bucket_listing_action: str = "Deny"

    def access_uri(self, namespace: str) -> str:
        base = f"/p/{self.token}/n/{namespace}/b/{self.bucket}/o/"
        return base + (self.object_name or "") if self.access_type.startswith("Object") else base

    def to_json(self, namespace: str, *, with_uri: bool) -> dict:
        doc = {
            "id": self.id,
            "name": self.name,
            "objectName": self.object_name,
            "bucketListingAction": self.bucket_listing_action,
            "accessType": self.access_type,
            "timeExpires": iso(self.time_expires),
            "timeCreated": iso(self.time_created),
        }
        if with_uri:
            doc["accessUri"] = self.access_uri(namespace)
        return doc

    def allows(self, access: str, object_name: str) -> bool:
        reads = self.access_type in ("ObjectRead", "ObjectReadWrite", "AnyObjectRead", "AnyObjectReadWrite")
        writes = self.access_type in ("ObjectWrite", "ObjectReadWrite", "AnyObjectWrite", "AnyObjectReadWrite")
        if (access == "read" and not reads) or (access == "write" and not writes):
            return False
        if self.access_type.startswith("Object"):
            return object_name == self.object_name
        return object_name.startswith(self.object_name or "")


@dataclass
class Bucket:
    name: str
    namespace: str
    compartment_id: str
    id: str
    time_created: datetime
    object_events_enabled: bool = False
    public_access_type: str = "NoPublicAccess"
    freeform_tags: dict = field(default_factory=dict)
    objects: dict[str, StoredObject] = field(default_factory=dict)
    pars: dict[str, PreauthenticatedRequest] = field(default_factory=dict)
    uploads: dict[str, multipart.MultipartUpload] = field(default_factory=dict)  # by upload id, in progress
    version: int = 1
    lifecycle_rules: list[dict] = field(default_factory=list)  # PutObjectLifecyclePolicy's `items`
    lifecycle_time: datetime | None = None  # when the policy was put (None: the bucket has none)
    retention_rules: dict[str, retention.RetentionRule] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "namespace": self.namespace,
            "name": self.name,
            "compartmentId": self.compartment_id,
            "id": self.id,
            "createdBy": "ocid1.user.oc1..ocifake",
            "timeCreated": iso(self.time_created),
            "etag": f"bucket-{self.version}",
            "publicAccessType": self.public_access_type,
            "storageTier": "Standard",
            "objectEventsEnabled": self.object_events_enabled,
            "freeformTags": dict(self.freeform_tags),
            "definedTags": {},
            "metadata": {},
            "versioning": "Disabled",
            "replicationEnabled": False,
            "isReadOnly": False,
        }


@dataclass
class CopyWorkRequest:
    id: str
    compartment_id: str
    accepted_at: float
    duration: float
    time_accepted: datetime
    source: str
    destination: str
    status: str = "ACCEPTED"
    time_finished: datetime | None = None
    error: str | None = None
    error_code: str = "CopyFailed"
    size_gb: float = 0.0

    def to_json(self, clock) -> dict:
        if self.status == "ACCEPTED" and clock.seconds > self.accepted_at:
            self.status = "IN_PROGRESS"
        done = self.status in ("COMPLETED", "FAILED", "CANCELED")
        pct = (
            100.0
            if self.status == "COMPLETED"
            else min(99.0, round(100 * (clock.seconds - self.accepted_at) / self.duration, 1))
        )
        return {
            "id": self.id,
            "operationType": "COPY_OBJECT",
            "status": self.status,
            "compartmentId": self.compartment_id,
            "resources": [
                {
                    "actionType": "READ",
                    "entityType": "object",
                    "identifier": self.source,
                    "entityUri": None,
                    "metadata": {},
                },
                {
                    "actionType": "WRITTEN" if done else "IN_PROGRESS",
                    "entityType": "object",
                    "identifier": self.destination,
                    "entityUri": None,
                    "metadata": {},
                },
            ],
            "percentComplete": pct,
            "timeAccepted": iso(self.time_accepted),
            "timeStarted": iso(self.time_accepted) if self.status != "ACCEPTED" else None,
            "timeFinished": iso(self.time_finished) if self.time_finished else None,
        }


PART_BYTES = 128 * 1024 * 1024  # the part size exports are written in (modelled)


def multipart_md5(data: bytes, declared_size_gb: float | None) -> str:
    """The checksum OCI gives an object written in parts: md5 of the parts' md5s, and the count.

    The fake's data stands for `declared_size_gb`: the part count follows the declared size,
    the digest the data (split into that many parts).
    """
    size = int((declared_size_gb or 0) * 1024**3) or len(data)
    parts = max(1, -(-size // PART_BYTES))
    step = max(1, -(-len(data) // parts))
    chunks = [data[i : i + step] for i in range(0, len(data), step)] or [b""]
    digest = hashlib.md5(b"".join(hashlib.md5(c).digest() for c in chunks)).digest()
    return f"{base64.b64encode(digest).decode()}-{parts}"


def user_metadata(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower().startswith(_META_PREFIX)}


class ObjectStorageBackend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.buckets: dict[str, Bucket] = {}  # the home tenancy's namespace
        self._other_namespaces: dict[str, dict[str, Bucket]] = {}  # another tenancy's (Platform.add_tenancy)
        self.work_requests: dict[str, CopyWorkRequest] = {}
        self._etags = 0

    # ----- namespace and buckets --------------------------------------------------------

    def holds(self, compartment_id: str) -> bool:
        """Whether a bucket of any namespace is in the compartment (which is then not deleted)."""
        every = [self.buckets, *self._other_namespaces.values()]
        return any(b.compartment_id == compartment_id for buckets in every for b in buckets.values())

    def check_namespace(self, namespace: str) -> None:
        if namespace not in self.cloud.namespaces:
            raise errors.OciError(
                "You do not have authorization to perform this request, or the requested resource could not be found.",
                status=404,
                code="NamespaceNotFound",
            )

    def buckets_of(self, namespace: str) -> dict[str, Bucket]:
        """The buckets of one namespace (one tenancy) in this region."""
        self.check_namespace(namespace)
        if namespace == self.cloud.namespace:
            return self.buckets
        return self._other_namespaces.setdefault(namespace, {})

    def all_buckets(self) -> list[Bucket]:
        return [*self.buckets.values(), *(b for found in self._other_namespaces.values() for b in found.values())]

    def create_bucket(self, namespace: str, details: dict) -> Bucket:
        buckets = self.buckets_of(namespace)
        name, compartment = details.get("name"), details.get("compartmentId")
        if not name or not compartment:
            raise errors.MissingParameter("name and compartmentId are required.")
        if not _BUCKET_NAME.match(name):
            raise errors.InvalidParameter("Bucket names may contain only letters, digits, '.', '-' and '_'.")
        if not self.cloud.compartment_exists(compartment):
            raise errors.NotAuthorizedOrNotFound()
        if self.cloud.tenancy_of(compartment) != self.cloud.namespaces[namespace]:
            raise errors.NotAuthorizedOrNotFound()  # a namespace holds its own tenancy's buckets only
        if name in buckets:
            raise errors.BucketAlreadyExists(
                f"Either the bucket '{name}' in namespace '{namespace}' already exists "
                "or you are not authorized to create it."
            )
        access = details.get("publicAccessType", "NoPublicAccess")
        if access not in ("NoPublicAccess", "ObjectRead", "ObjectReadWithoutList"):
            raise errors.InvalidParameter("publicAccessType is not valid.")
        bucket = Bucket(
            name=name,
            namespace=namespace,
            compartment_id=compartment,
            id=self.cloud.ids.ocid("bucket", self.region),
            time_created=self.cloud.clock.now(),
            object_events_enabled=bool(details.get("objectEventsEnabled", False)),
            public_access_type=access,
            freeform_tags=dict(details.get("freeformTags") or {}),
        )
        buckets[name] = bucket
        return bucket

    def bucket(self, namespace: str, name: str) -> Bucket:
        bucket = self.buckets_of(namespace).get(name)
        if bucket is None:
            raise errors.BucketNotFound(
                f"Either the bucket named '{name}' does not exist in the namespace '{namespace}' "
                "or you are not authorized to access it"
            )
        return bucket

    def update_bucket(self, namespace: str, name: str, details: dict) -> Bucket:
        bucket = self.bucket(namespace, name)
        if "objectEventsEnabled" in details:
            bucket.object_events_enabled = bool(details["objectEventsEnabled"])
        if "publicAccessType" in details:
            bucket.public_access_type = details["publicAccessType"]
        bucket.version += 1
        return bucket

    def delete_bucket(self, namespace: str, name: str) -> None:
        bucket = self.bucket(namespace, name)
        if bucket.objects or bucket.uploads:
            what = "all objects" if bucket.objects else "or abort every multipart upload"
            raise errors.OciError(
                f"Bucket named '{name}' is not empty. Delete {what} first.", status=409, code="BucketNotEmpty"
            )
        del self.buckets_of(namespace)[name]

    # ----- objects ----------------------------------------------------------------------
    def _object(self, bucket: Bucket, name: str) -> StoredObject:
        obj = bucket.objects.get(name)
        if obj is None:
            raise errors.ObjectNotFound(f"The object '{name}' was not found in the bucket '{bucket.name}'")
        return obj

    def put_object(
        self,
        namespace: str,
        bucket_name: str,
        name: str,
        data: bytes,
        headers: dict[str, str],
        *,
        declared_size_gb: float | None = None,
        emit_event: bool = True,
        multipart_md5: str | None = None,
    ) -> StoredObject:
        bucket = self.bucket(namespace, bucket_name)
        if not name or len(name.encode()) > 1024:
            raise errors.InvalidParameter("Object names must be 1 to 1024 bytes.")
        existing = bucket.objects.get(name)
        if headers.get("if-none-match") is not None:
            if headers["if-none-match"] != "*":
                raise errors.InvalidParameter("The only valid value of if-none-match is '*'.")
            if existing is not None:
                raise errors.IfNoneMatchFailed(f"The object '{name}' already exists.")
        if headers.get("if-match") is not None and (existing is None or existing.etag != headers["if-match"]):
            raise errors.PreconditionFailed(
                f"The If-Match header '{headers['if-match']}' does not match the object's etag."
            )
        if "content-md5" in headers and headers["content-md5"] != base64.b64encode(hashlib.md5(data).digest()).decode():
            raise errors.OciError(
                "The computed MD5 of the request body does not match the Content-MD5 header.",
                status=400,
                code="InvalidContentMD5",
            )
        now = self.cloud.clock.now()
        held = retention.holding(bucket.retention_rules, existing.time_modified, now) if existing else None
        if held is not None:
            raise retention.refuse(held, name)
        self._etags += 1
        obj = StoredObject(
            name=name,
            data=data,
            metadata=user_metadata(headers),
            content_type=headers.get("content-type") or "application/octet-stream",
            time_created=existing.time_created if existing else now,
            time_modified=now,
            etag=f"{hashlib.sha1(f'{self.region}/{bucket_name}/{name}/{self._etags}'.encode()).hexdigest()[:8]}-{self._etags}",
            declared_size_gb=declared_size_gb,
            multipart_md5=multipart_md5,
        )
        bucket.objects[name] = obj
        if emit_event:
            self._object_event("updateobject" if existing else "createobject", bucket, obj)
        return obj

    # ----- multipart uploads --------------------------------------------------------------
    def create_upload(
        self, namespace: str, bucket_name: str, details: dict, headers: dict[str, str]
    ) -> multipart.MultipartUpload:
        bucket = self.bucket(namespace, bucket_name)
        wanted = multipart.creation_headers(details, headers)
        name = details["object"]
        if len(name.encode()) > 1024:
            raise errors.InvalidParameter("Object names must be 1 to 1024 bytes.")
        if wanted.get("if-none-match") == "*" and name in bucket.objects:
            raise errors.IfNoneMatchFailed(f"The object '{name}' already exists.")
        upload = multipart.new_upload(namespace, bucket_name, name, self.cloud.clock.now(), wanted)
        bucket.uploads[upload.id] = upload
        return upload

    def upload(self, namespace: str, bucket_name: str, name: str, upload_id: str) -> multipart.MultipartUpload:
        upload = self.bucket(namespace, bucket_name).uploads.get(upload_id)
        if upload is None or upload.object != name:
            raise errors.OciError(
                f"No multipart upload {upload_id} for the object '{name}'", status=404, code="NoSuchUpload"
            )
        return upload

    def commit_upload(self, namespace: str, bucket_name: str, name: str, upload_id: str, details: dict) -> StoredObject:
        upload = self.upload(namespace, bucket_name, name, upload_id)
        data, checksum = multipart.committed(upload, details)
        obj = self.put_object(namespace, bucket_name, name, data, upload.headers, multipart_md5=checksum)
        del self.bucket(namespace, bucket_name).uploads[upload_id]
        return obj

    def abort_upload(self, namespace: str, bucket_name: str, name: str, upload_id: str) -> None:
        self.upload(namespace, bucket_name, name, upload_id)
        del self.bucket(namespace, bucket_name).uploads[upload_id]

    def get_object(
        self, namespace: str, bucket_name: str, name: str, headers: dict[str, str] | None = None
    ) -> StoredObject:
        obj = self._object(self.bucket(namespace, bucket_name), name)
        headers = headers or {}
        if headers.get("if-match") not in (None, obj.etag):
            raise errors.PreconditionFailed("The If-Match header does not match the object's etag.")
        if headers.get("if-none-match") is not None and headers["if-none-match"] in ("*", obj.etag):
            raise errors.OciError("Not modified.", status=304, code="NotModified")
        return obj

    def delete_object(self, namespace: str, bucket_name: str, name: str, headers: dict[str, str]) -> None:
        bucket = self.bucket(namespace, bucket_name)
        obj = self._object(bucket, name)
        if headers.get("if-match") not in (None, obj.etag):
            raise errors.PreconditionFailed("The If-Match header does not match the object's etag.")
        held = retention.holding(bucket.retention_rules, obj.time_modified, self.cloud.clock.now())
        if held is not None:
            raise retention.refuse(held, name)
        del bucket.objects[name]
        self._object_event("deleteobject", bucket, obj)

    def list_objects(
        self, namespace: str, bucket_name: str, prefix: str, start: str | None, limit: int, end: str | None = None
    ) -> tuple[list[StoredObject], str | None]:
        """Names from `start` (inclusive) to `end` (exclusive), in order, as ListObjects pages them."""
        bucket = self.bucket(namespace, bucket_name)
        names = sorted(
            n
            for n in bucket.objects
            if n.startswith(prefix) and (start is None or n >= start) and (end is None or n < end)
        )
        chunk = names[:limit]
        nxt = names[limit] if len(names) > limit else None
        return [bucket.objects[n] for n in chunk], nxt

    def _object_event(self, action: str, bucket: Bucket, obj: StoredObject) -> None:
        if not bucket.object_events_enabled:
            return
        self.cloud.events.emit(
            self.region,
            f"com.oraclecloud.objectstorage.{action}",
            compartment_id=bucket.compartment_id,
            resource_id="",
            resource_name=obj.name,
            additional_details={
                "eTag": obj.etag,
                "namespace": bucket.namespace,
                "archivalState": "Available",
                "bucketName": bucket.name,
                "bucketId": bucket.id,
            },
            source="ObjectStorage",
        )

    # ----- pre-authenticated requests -----------------------------------------------------
    def create_par(self, namespace: str, bucket_name: str, details: dict) -> PreauthenticatedRequest:
        bucket = self.bucket(namespace, bucket_name)
        name, access, expires = details.get("name"), details.get("accessType"), details.get("timeExpires")
        if not name or not access or not expires:
            raise errors.MissingParameter("name, accessType and timeExpires are required.")
        if access not in ACCESS_TYPES:
            raise errors.InvalidParameter(f"accessType must be one of {', '.join(ACCESS_TYPES)}.")
        object_name = details.get("objectName")
        if access.startswith("Object") and not object_name:
            raise errors.InvalidParameter(f"objectName is required for accessType {access}.")
        try:
            time_expires = parse_time(expires)
        except ValueError:
            raise errors.InvalidParameter("timeExpires is not an RFC 3339 timestamp.") from None
        now = self.cloud.clock.now()
        if time_expires <= now:
            raise errors.InvalidParameter("timeExpires must be in the future.")
        par = PreauthenticatedRequest(
            id=secrets.token_urlsafe(24),
            name=name,
            bucket=bucket.name,
            object_name=object_name,
            access_type=access,
            time_expires=time_expires,
            time_created=now,
            token=secrets.token_urlsafe(48),
            bucket_listing_action=details.get("bucketListingAction") or "Deny",
        )
        bucket.pars[par.id] = par
        return par

    def list_pars(self, namespace: str, bucket_name: str, prefix: str | None) -> list[PreauthenticatedRequest]:
        bucket = self.bucket(namespace, bucket_name)
        pars = [p for p in bucket.pars.values() if prefix is None or (p.object_name or "").startswith(prefix)]
        return sorted(pars, key=lambda p: (p.time_created, p.id))

    def get_par(self, namespace: str, bucket_name: str, par_id: str) -> PreauthenticatedRequest:
        par = self.bucket(namespace, bucket_name).pars.get(par_id)
        if par is None:
            raise errors.NotAuthorizedOrNotFound()
        return par

    def delete_par(self, namespace: str, bucket_name: str, par_id: str) -> None:
        self.get_par(namespace, bucket_name, par_id)
        del self.bucket(namespace, bucket_name).pars[par_id]

    def _par_by_token(self, token: str, namespace: str, bucket_name: str) -> PreauthenticatedRequest:
        bucket = self.buckets_of(namespace).get(bucket_name) if namespace in self.cloud.namespaces else None
        par = None
        if bucket is not None:
            par = next((p for p in bucket.pars.values() if p.token == token), None)
        if par is None or par.time_expires <= self.cloud.clock.now():
            raise errors.NotAuthorizedOrNotFound("The pre-authenticated request does not exist or has expired.")
        return par

    # ----- locations used by Compute (bucket tuple, plain URI or PAR URI) ------------------
    def check_location(self, location: dict, access: str) -> None:
        """Validate an export destination or import source the way ExportImage/CreateImage do."""
        if location["par"] is not None:
            par = self._par_by_token(location["par"], location["namespace"], location["bucket"])
            if not par.allows(access, location["object"]):
                raise errors.InvalidParameter(
                    f"The pre-authenticated request does not allow {access} access to this object."
                )
        else:
            self.bucket(location["namespace"], location["bucket"])
        if access == "read":
            self._object(self.bucket(location["namespace"], location["bucket"]), location["object"])

    def write_via_location(self, location: dict, data: bytes, declared_size_gb: float) -> StoredObject:
        self.check_location(location, "write")
        return self.put_object(
            location["namespace"],
            location["bucket"],
            location["object"],
            data,
            {},
            declared_size_gb=declared_size_gb,
            emit_event=self.cloud.options.export_emits_object_event,
            multipart_md5=multipart_md5(data, declared_size_gb),
        )

    def read_via_location(self, location: dict) -> bytes:
        self.check_location(location, "read")
        return self.bucket(location["namespace"], location["bucket"]).objects[location["object"]].data

    # ----- cross-region copy ------------------------------------------------------------
    def copy_object(self, namespace: str, bucket_name: str, details: dict) -> CopyWorkRequest:
        bucket = self.bucket(namespace, bucket_name)
        required = (
            "sourceObjectName",
            "destinationRegion",
            "destinationNamespace",
            "destinationBucket",
            "destinationObjectName",
        )
        missing = [f for f in required if not details.get(f)]
        if missing:
            raise errors.MissingParameter(f"{', '.join(missing)} required.")
        source = self._object(bucket, details["sourceObjectName"])
        if details.get("sourceObjectIfMatchETag") not in (None, source.etag):
            raise errors.PreconditionFailed("sourceObjectIfMatchETag does not match the source object's etag.")
        if details.get("destinationObjectIfNoneMatchETag") not in (None, "*"):
            raise errors.InvalidParameter("The only valid value of destinationObjectIfNoneMatchETag is '*'.")
        dest_region = details["destinationRegion"]
        if not self.cloud.knows_region(dest_region):
            raise errors.InvalidParameter(f"Unknown destinationRegion '{dest_region}'.")
        if self.cloud.options.copy_preconditions_at_request:
            dest = self.cloud.require_region(dest_region).backend(ObjectStorageBackend)
            dest_bucket = dest.bucket(details["destinationNamespace"], details["destinationBucket"])
            if (
                details.get("destinationObjectIfNoneMatchETag") == "*"
                and details["destinationObjectName"] in dest_bucket.objects
            ):
                raise errors.IfNoneMatchFailed(
                    f"The destination object '{details['destinationObjectName']}' already exists."
                )
        meta = details.get("destinationObjectMetadata")
        if meta is not None and any(not k.lower().startswith(_META_PREFIX) for k in meta):
            raise errors.InvalidParameter("destinationObjectMetadata keys must start with 'opc-meta-'.")
        snapshot = StoredObject(**{**source.__dict__})
        size_gb = source.declared_size_gb or len(source.data) / 1e9
        duration = self.cloud.durations.copy(size_gb)
        if size_gb >= 1:  # large copies share the region's bandwidth (small ones, manifests, do not count)
            duration = self.cloud.share_egress(self.region, duration)
        wr = CopyWorkRequest(
            id=self.cloud.ids.ocid("objectstorageworkrequest", self.region),
            compartment_id=bucket.compartment_id,
            accepted_at=self.cloud.clock.seconds,
            duration=duration,
            size_gb=size_gb,
            time_accepted=self.cloud.clock.now(),
            source=f"{self.region}/{bucket_name}/{source.name}",
            destination=f"{dest_region}/{details['destinationBucket']}/{details['destinationObjectName']}",
        )
        self.work_requests[wr.id] = wr
        self.cloud.clock.call_later(wr.duration, lambda: self._finish_copy(wr, snapshot, details))
        return wr

    def _finish_copy(self, wr: CopyWorkRequest, source: StoredObject, details: dict) -> None:
        failure = self.cloud.faults.take_work_request_failure(self.region, "CopyObject")
        down = self.cloud.faults.first_out(self.cloud.clock.seconds, self.region, details["destinationRegion"])
        if failure is None and down:
            failure = f"ServiceUnavailable: {down} is out of service"
            wr.error_code = "ServiceUnavailable"
        if failure is None and not self._service_may_copy(details):
            failure = (
                f"NotAuthorizedOrNotFound: service objectstorage-{self.region} is not authorized to write "
                f"to bucket {details['destinationBucket']} in {details['destinationRegion']}"
            )
            wr.error_code = "NotAuthorizedOrNotFound"
        if failure is None:
            dest = self.cloud.require_region(details["destinationRegion"]).backend(ObjectStorageBackend)
            headers = dict(
                source.metadata
                if details.get("destinationObjectMetadata") is None
                else {k.lower(): v for k, v in details["destinationObjectMetadata"].items()}
            )
            headers["content-type"] = source.content_type
            for key, header in (
                ("destinationObjectIfNoneMatchETag", "if-none-match"),
                ("destinationObjectIfMatchETag", "if-match"),
            ):
                if details.get(key):
                    headers[header] = details[key]
            try:
                dest.put_object(
                    details["destinationNamespace"],
                    details["destinationBucket"],
                    details["destinationObjectName"],
                    source.data,
                    headers,
                    declared_size_gb=source.declared_size_gb,
                    emit_event=self.cloud.options.copy_emits_object_event,
                    multipart_md5=source.multipart_md5,
                )
            except errors.OciError as exc:
                failure = f"{exc.code}: {exc.message}"
                wr.error_code = exc.code
        wr.status = "FAILED" if failure else "COMPLETED"
        wr.error = failure
        wr.time_finished = self.cloud.clock.now()

    # ----- lifecycle policies ---------------------------------------------------------------------
    def put_lifecycle_policy(self, namespace: str, bucket_name: str, details: dict) -> list[dict]:
        bucket = self.bucket(namespace, bucket_name)
        items = details.get("items")
        if not isinstance(items, list):
            raise errors.MissingParameter("items is required.")
        for rule in items:
            if rule.get("action") in ("ARCHIVE", "INFREQUENT_ACCESS", "ABORT"):
                raise errors.NotImplementedByFake(f"not implemented by ocifake: lifecycle action {rule['action']}")
            if rule.get("action") != "DELETE":
                raise errors.InvalidParameter(f"Invalid lifecycle action {rule.get('action')!r}.")
            if rule.get("timeUnit") not in ("DAYS", "YEARS") or not isinstance(rule.get("timeAmount"), int):
                raise errors.InvalidParameter("A lifecycle rule needs timeAmount (a whole number) and timeUnit.")
            if not rule.get("name"):
                raise errors.MissingParameter("A lifecycle rule needs a name.")
        # Object Storage must be allowed to act on the bucket before the policy is accepted.
        if not self._service_may("DeleteObject", bucket, self.region):
            raise errors.OciError(
                f"Object Storage in {self.region} is not authorized to manage objects in bucket {bucket.name}: "
                f"grant 'service objectstorage-{self.region}' a policy first.",
                code="InsufficientServicePermissions",
                status=400,
            )
        bucket.lifecycle_rules = [dict(r) for r in items]
        bucket.lifecycle_time = self.cloud.clock.now()
        return bucket.lifecycle_rules

    def lifecycle_policy(self, namespace: str, bucket_name: str) -> Bucket:
        bucket = self.bucket(namespace, bucket_name)
        if bucket.lifecycle_time is None:
            raise errors.OciError("The bucket has no lifecycle policy.", code="LifecyclePolicyNotFound", status=404)
        return bucket

    def delete_lifecycle_policy(self, namespace: str, bucket_name: str) -> None:
        bucket = self.bucket(namespace, bucket_name)
        bucket.lifecycle_rules, bucket.lifecycle_time = [], None

    # ----- retention rules ------------------------------------------------------------------------
    def create_retention_rule(self, namespace: str, bucket_name: str, details: Any) -> retention.RetentionRule:
        bucket = self.bucket(namespace, bucket_name)
        rule = retention.make(self.cloud.ids.ocid("retentionrule", self.region), details, self.cloud.clock.now())
        bucket.retention_rules[rule.id] = rule
        return rule

    def retention_rule(self, namespace: str, bucket_name: str, rule_id: str) -> retention.RetentionRule:
        found = self.bucket(namespace, bucket_name).retention_rules.get(rule_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def update_retention_rule(self, namespace: str, bucket_name: str, rule_id: str, details: Any):
        rule = self.retention_rule(namespace, bucket_name, rule_id)
        retention.apply(rule, details, self.cloud.clock.now())
        return rule

    def delete_retention_rule(self, namespace: str, bucket_name: str, rule_id: str) -> None:
        rule = self.retention_rule(namespace, bucket_name, rule_id)
        if rule.locked(self.cloud.clock.now()):
            raise errors.Conflict(f"Retention rule {rule.display_name} is locked.")
        del self.bucket(namespace, bucket_name).retention_rules[rule_id]

    def _service_may(self, operation: str, bucket: Bucket, region: str) -> bool:
        service = Caller("service", f"objectstorage-{self.region}", service_name=f"objectstorage-{self.region}")
        target = Target(bucket.compartment_id, {"target.bucket.name": bucket.name})
        return self.cloud.allows(service, "objectstorage", operation, target, region)

    def run_lifecycle(self) -> list[str]:
        """Apply every enabled DELETE rule as Object Storage does, as its own principal; what it removed.

        Rules run as `service objectstorage-<region>`, which a policy must allow to manage the
        bucket's objects; they emit no object events. The fake runs them when the clock is moved
        on with `advance()`. Only DELETE of objects is modelled.
        """
        removed = []
        now = self.cloud.clock.now()
        for bucket in self.all_buckets():
            for rule in bucket.lifecycle_rules:
                if (
                    rule.get("action") != "DELETE"
                    or not rule.get("isEnabled", True)
                    or rule.get("target", "objects") != "objects"
                ):
                    continue
                days = rule["timeAmount"] * (365 if rule["timeUnit"] == "YEARS" else 1)
                prefixes = (rule.get("objectNameFilter") or {}).get("inclusionPrefixes") or [""]
                if not self._service_may("DeleteObject", bucket, self.region):
                    continue
                for name, obj in list(bucket.objects.items()):
                    if (
                        any(name.startswith(p) for p in prefixes)
                        and (now - obj.time_modified).total_seconds() >= days * 86400
                        and retention.holding(bucket.retention_rules, obj.time_modified, now) is None
                    ):
                        del bucket.objects[name]
                        removed.append(f"{bucket.name}/{name}")
        return removed

    def _service_may_copy(self, details: dict) -> bool:
        """The copy runs as this region's Object Storage service, which a policy must allow to write."""
        dest_region = details["destinationRegion"]
        namespace = details["destinationNamespace"]
        if namespace not in self.cloud.namespaces:
            return True  # the write fails on its own, with NamespaceNotFound
        bucket = (
            self.cloud.require_region(dest_region)
            .backend(ObjectStorageBackend)
            .buckets_of(namespace)
            .get(details["destinationBucket"])
        )
        if bucket is None:
            return True  # the write fails on its own, with BucketNotFound
        return self._service_may("PutObject", bucket, dest_region)

    def get_work_request(self, wr_id: str) -> CopyWorkRequest:
        wr = self.work_requests.get(wr_id)
        if wr is None:
            raise errors.NotAuthorizedOrNotFound()
        return wr
