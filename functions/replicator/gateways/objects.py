"""Object Storage calls the stages make: objects, pre-authenticated requests, cross-region copy."""

from dataclasses import dataclass
from datetime import datetime

import oci

from ..errors import NotFound
from ..naming import PAR_NAME_PREFIX
from .calls import PreconditionFailed, call
from .clients import Clients


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    md5: str | None
    etag: str
    metadata: dict[str, str]


class Objects:
    def __init__(self, clients: Clients):
        self._clients = clients
        self._namespace: str | None = None

    @property
    def namespace(self) -> str:
        if self._namespace is None:
            region = self._clients.home_region
            self._namespace = call("GetNamespace", region, lambda: self._clients.objects(region).get_namespace()).data
        return self._namespace

    def head(self, region: str, bucket: str, name: str) -> ObjectInfo | None:
        try:
            reply = call("HeadObject", region, lambda: self._clients.objects(region).head_object(self.namespace, bucket, name), bucket=bucket, object=name)
        except NotFound:
            return None
        headers = reply.headers
        return ObjectInfo(
            size=int(headers.get("content-length", 0)),
            md5=headers.get("content-md5") or headers.get("opc-content-md5"),
            etag=headers.get("etag", ""),
            metadata={k.lower(): v for k, v in headers.items() if k.lower().startswith("opc-meta-")},
        )

    def get(self, region: str, bucket: str, name: str) -> tuple[bytes, str] | None:
        try:
            reply = call("GetObject", region, lambda: self._clients.objects(region).get_object(self.namespace, bucket, name), bucket=bucket, object=name)
        except NotFound:
            return None
        return reply.data.content, reply.headers.get("etag", "")

    def put(self, region: str, bucket: str, name: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False, content_type: str = "application/json") -> str:
        """Write an object; with a condition, PreconditionFailed says someone else wrote first."""
        kwargs = {"content_type": content_type}
        if if_match:
            kwargs["if_match"] = if_match
        if if_none_match:
            kwargs["if_none_match"] = "*"
        reply = call("PutObject", region, lambda: self._clients.objects(region).put_object(self.namespace, bucket, name, data, **kwargs), bucket=bucket, object=name)
        return reply.headers.get("etag", "")

    def list_names(self, region: str, bucket: str, prefix: str) -> list[str]:
        client = self._clients.objects(region)
        reply = call("ListObjects", region, lambda: oci.pagination.list_call_get_all_results(client.list_objects, self.namespace, bucket, prefix=prefix), bucket=bucket)
        return [o.name for o in reply.data.objects]

    def delete(self, region: str, bucket: str, name: str) -> bool:
        try:
            call("DeleteObject", region, lambda: self._clients.objects(region).delete_object(self.namespace, bucket, name), bucket=bucket, object=name)
        except NotFound:
            return False
        return True

    def create_par(self, region: str, bucket: str, name: str, object_name: str, access: str, expires: datetime) -> str:
        """A pre-authenticated request for one object; returns its full URL (a secret: never log it)."""
        details = oci.object_storage.models.CreatePreauthenticatedRequestDetails(name=name, object_name=object_name, access_type=access, time_expires=expires)
        reply = call("CreatePreauthenticatedRequest", region, lambda: self._clients.objects(region).create_preauthenticated_request(self.namespace, bucket, details), bucket=bucket, object=object_name, access=access)
        return oci.regions.endpoint_for("object_storage", region=region) + reply.data.access_uri

    def delete_pars(self, region: str, bucket: str, object_name: str) -> int:
        """Delete every pre-authenticated request this project made for `object_name`."""
        client = self._clients.objects(region)
        listed = call(
            "ListPreauthenticatedRequests",
            region,
            lambda: oci.pagination.list_call_get_all_results(client.list_preauthenticated_requests, self.namespace, bucket, object_name_prefix=object_name),
            bucket=bucket,
        ).data
        ours = [p for p in listed if p.object_name == object_name and p.name.startswith(PAR_NAME_PREFIX)]
        for par in ours:
            try:
                call("DeletePreauthenticatedRequest", region, lambda p=par: client.delete_preauthenticated_request(self.namespace, bucket, p.id), bucket=bucket)
            except NotFound:
                continue
        return len(ours)

    def delete_expired_pars(self, region: str, bucket: str, now: datetime) -> list[str]:
        """Delete this project's pre-authenticated requests that have expired; return their names."""
        client = self._clients.objects(region)
        listed = call("ListPreauthenticatedRequests", region, lambda: oci.pagination.list_call_get_all_results(client.list_preauthenticated_requests, self.namespace, bucket), bucket=bucket).data
        expired = [p for p in listed if p.name.startswith(PAR_NAME_PREFIX) and p.time_expires <= now]
        for par in expired:
            try:
                call("DeletePreauthenticatedRequest", region, lambda p=par: client.delete_preauthenticated_request(self.namespace, bucket, p.id), bucket=bucket)
            except NotFound:
                continue
        return [p.name for p in expired]

    def copy(self, region: str, bucket: str, name: str, dest_region: str, dest_bucket: str, metadata: dict[str, str]) -> str | None:
        """Start a server-side copy that never overwrites; None if the destination already exists."""
        details = oci.object_storage.models.CopyObjectDetails(
            source_object_name=name,
            destination_region=dest_region,
            destination_namespace=self.namespace,
            destination_bucket=dest_bucket,
            destination_object_name=name,
            destination_object_if_none_match_e_tag="*",
            destination_object_metadata=metadata,
        )
        try:
            reply = call("CopyObject", region, lambda: self._clients.objects(region).copy_object(self.namespace, bucket, details), bucket=bucket, object=name, destination=dest_region)
        except PreconditionFailed:
            return None
        return reply.headers.get("opc-work-request-id")
