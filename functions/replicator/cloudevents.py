"""The CloudEvents 0.1 envelope OCI Events delivers, the data of the events we handle, and their kinds.

Parsed once at the edge: a payload that does not fit is an InvalidEvent with the field that
failed, and nothing downstream ever sees a dict.
"""

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import ocids
from .errors import InvalidEvent

MAX_EVENT_BYTES = 256 * 1024
_COMPUTE = "com.oraclecloud.computeapi"
_IMAGING = "com.oraclecloud.computeimagingapi"
_OBJECTS = "com.oraclecloud.objectstorage"


class EventKind(StrEnum):
    """What happened, whatever the event type's spelling."""

    IMAGE_AVAILABLE = "image_available"  # an image (a source, or one of our replicas) finished creating
    EXPORT_ENDED = "export_ended"
    IMAGE_CHANGED = "image_changed"  # tags, name or shape compatibility changed
    IMAGE_DELETED = "image_deleted"
    OBJECT_WRITTEN = "object_written"
    INSTANCE_LAUNCHED = "instance_launched"  # a launch ended (a drill's instance runs, or never will)


# OCI's published lists disagree on the namespace of image update, delete and shape events
# (computeapi in Oracle's landing zone, computeimagingapi in its event catalog): both count.
EVENT_KINDS: dict[str, EventKind] = {
    f"{_COMPUTE}.createimage.end": EventKind.IMAGE_AVAILABLE,
    f"{_COMPUTE}.exportimage.end": EventKind.EXPORT_ENDED,
    **{
        f"{ns}.{action}": EventKind.IMAGE_CHANGED
        for ns in (_COMPUTE, _IMAGING)
        for action in ("updateimage", "addimageshapecompatibility", "removeimageshapecompatibility")
    },
    **{f"{ns}.deleteimage": EventKind.IMAGE_DELETED for ns in (_COMPUTE, _IMAGING)},
    f"{_COMPUTE}.launchinstance.end": EventKind.INSTANCE_LAUNCHED,
    f"{_OBJECTS}.createobject": EventKind.OBJECT_WRITTEN,
    # Overwriting an existing name may be reported as an update rather than a create.
    f"{_OBJECTS}.updateobject": EventKind.OBJECT_WRITTEN,
}


class ObjectDetails(BaseModel):
    """`data.additionalDetails` of an Object Storage event."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    namespace: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.-]+$")
    bucket_name: str = Field(alias="bucketName", min_length=1, max_length=256)
    etag: str | None = Field(None, alias="eTag")


class EventData(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore", populate_by_name=True)

    compartment_id: str | None = Field(None, alias="compartmentId")
    resource_name: str = Field("", alias="resourceName", max_length=1024)
    resource_id: str = Field("", alias="resourceId", max_length=255)
    # OCI's documentation spells it freeFormTags; the API model spells it freeformTags.
    freeform_tags: dict[str, str] = Field(
        default_factory=dict, validation_alias=AliasChoices("freeFormTags", "freeformTags")
    )
    defined_tags: dict[str, dict[str, Any]] = Field(default_factory=dict, alias="definedTags")
    additional_details: dict[str, Any] = Field(default_factory=dict, alias="additionalDetails")

    @field_validator("freeform_tags", "defined_tags", "additional_details", mode="before")
    @classmethod
    def _null_is_empty(cls, value):
        return {} if value is None else value


class CloudEvent(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="ignore")

    cloud_events_version: str = Field(alias="cloudEventsVersion")
    event_type: str = Field(alias="eventType", min_length=1, max_length=256)
    event_id: str = Field(alias="eventID", min_length=1, max_length=128)
    event_time: datetime = Field(alias="eventTime")
    source: str | None = None
    data: EventData

    @field_validator("cloud_events_version")
    @classmethod
    def _version_0_1(cls, value: str) -> str:
        if value != "0.1":
            raise ValueError("OCI Events sends CloudEvents 0.1")
        return value

    @field_validator("event_time")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @property
    def kind(self) -> EventKind | None:
        return EVENT_KINDS.get(self.event_type)

    def object_details(self) -> ObjectDetails:
        try:
            return ObjectDetails.model_validate(self.data.additional_details)
        except ValidationError as exc:
            raise InvalidEvent(f"object event without {_first_problem(exc, 'data.additionalDetails')}") from None

    def image_id(self) -> str:
        """`data.resourceId`, which must be a whole image OCID before anything calls OCI with it."""
        image_id = self.data.resource_id
        if not ocids.is_image(image_id):
            raise InvalidEvent(f"data.resourceId is not an image OCID: {ocids.shown(image_id)}")
        return image_id

    def instance_id(self) -> str:
        """`data.resourceId`, which must be a whole instance OCID before anything calls OCI with it."""
        instance_id = self.data.resource_id
        if not ocids.is_ocid(instance_id, "instance"):
            raise InvalidEvent(f"data.resourceId is not an instance OCID: {ocids.shown(instance_id)}")
        return instance_id


def parse_json(raw: bytes) -> Any:
    """The payload as JSON, or InvalidEvent saying why it is not."""
    if len(raw) > MAX_EVENT_BYTES:
        raise InvalidEvent(f"payload of {len(raw)} bytes exceeds {MAX_EVENT_BYTES}")
    if not raw.strip():
        raise InvalidEvent("empty payload")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidEvent(f"payload is not JSON: {exc}") from None
    except RecursionError:
        raise InvalidEvent("payload is not JSON an event could be: nested too deeply") from None


def parse_event(payload: Any) -> CloudEvent:
    if not isinstance(payload, dict):
        raise InvalidEvent(f"payload is a JSON {type(payload).__name__}, not an object")
    try:
        return CloudEvent.model_validate(payload)
    except ValidationError as exc:
        raise InvalidEvent(f"not an OCI event: {_first_problem(exc)}") from None
    except RecursionError:
        raise InvalidEvent("not an OCI event: nested too deeply") from None


def _first_problem(exc: ValidationError, prefix: str = "") -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    where = f"{prefix}.{where}" if prefix and where else (prefix or where)
    return f"{where}: {err['msg']}"
