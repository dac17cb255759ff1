"""OCI-shaped errors: the status and code the real services answer with.

Each error renders as `{"code", "message"}` with an `opc-request-id` header, so the real
SDK raises `oci.exceptions.ServiceError` with the right `.status` and `.code`.
"""


class OciError(Exception):
    status = 500
    code = "InternalServerError"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class InvalidParameter(OciError):
    status, code = 400, "InvalidParameter"


class MissingParameter(OciError):
    status, code = 400, "MissingParameter"


class CannotParseRequest(OciError):
    status, code = 400, "CannotParseRequest"


class LimitExceeded(OciError):
    """A service limit of the tenancy in the region would be passed (OCI answers 400)."""

    status, code = 400, "LimitExceeded"

    def __init__(self, limit: str):
        super().__init__(
            f"The following service limits were exceeded: {limit}. "
            "Request a service limit increase from the service limits page in the console."
        )


class NotAuthenticated(OciError):
    status, code = 401, "NotAuthenticated"


class NotAuthorizedOrNotFound(OciError):
    status, code = 404, "NotAuthorizedOrNotFound"

    def __init__(self, message: str = "Authorization failed or requested resource not found."):
        super().__init__(message)


class BucketNotFound(OciError):
    status, code = 404, "BucketNotFound"


class ObjectNotFound(OciError):
    status, code = 404, "ObjectNotFound"


class IncorrectState(OciError):
    status, code = 409, "IncorrectState"


class Conflict(OciError):
    status, code = 409, "Conflict"


class InvalidatedRetryToken(OciError):
    status, code = 409, "InvalidatedRetryToken"


class BucketAlreadyExists(OciError):
    status, code = 409, "BucketAlreadyExists"


class PreconditionFailed(OciError):
    status, code = 412, "NoEtagMatch"


class IfNoneMatchFailed(OciError):
    status, code = 412, "IfNoneMatchFailed"


class TooManyRequests(OciError):
    status, code = 429, "TooManyRequests"


class InternalServerError(OciError):
    status, code = 500, "InternalServerError"


class NotImplementedByFake(OciError):
    """An operation ocifake does not model: it fails loudly instead of pretending."""

    status, code = 501, "NotImplemented"


class ServiceUnavailable(OciError):
    status, code = 503, "ServiceUnavailable"


FAULT_ERRORS = {429: TooManyRequests, 500: InternalServerError, 503: ServiceUnavailable}
