"""Requests and responses as the fake's services see them, and the route table type."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .auth import Principal
from .errors import CannotParseRequest, InvalidParameter


@dataclass
class Request:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    service: str = ""
    region: str = ""
    principal: Principal | None = None
    params: dict[str, str] = field(default_factory=dict)
    cloud_region: Any = None  # the RegionState the request was addressed to
    denied: bool = False  # IAM refused it

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def path_and_query(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.url).query, keep_blank_values=True).items()}

    def json(self) -> Any:
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError:
            raise CannotParseRequest("The request body is not valid JSON.") from None


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_object(body: Any) -> dict:
    """A request body that must be a JSON object, as every create and update takes one (400 otherwise)."""
    if not isinstance(body, dict):
        raise InvalidParameter("The request body must be a JSON object.")
    return body


def json_response(payload: Any, status: int = 200, **headers: str | None) -> Response:
    hdrs = {"content-type": "application/json"}
    hdrs.update({k.replace("_", "-"): v for k, v in headers.items() if v is not None})
    return Response(status, json.dumps(payload).encode(), hdrs)


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    operation: str
    handler: Handler


def route(method: str, template: str, operation: str, handler: Handler) -> Route:
    """A route from a path template such as `/20160918/images/{imageId}` (`{name*}` spans slashes)."""
    regex = re.sub(r"\{(\w+)\*\}", r"(?P<\1>.+)", template.rstrip("/"))
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex) + "/?"
    return Route(method, re.compile(regex), operation, handler)


def match(routes: list[Route], request: Request) -> tuple[Route, dict[str, str]] | None:
    for r in routes:
        if r.method != request.method:
            continue
        m = r.pattern.fullmatch(request.path)
        if m:
            return r, {k: unquote(v) for k, v in m.groupdict().items()}
    return None


def page(
    items: list, request: Request, default_limit: int = 100, max_limit: int = 1000, serves: int | None = None
) -> tuple[list, str | None]:
    """Slice a list the way OCI's `limit` / `page` tokens do; return the items and the next token.

    `limit` outside 1..`max_limit` is refused with 400, as the Compute API reference of Oracle's
    Private Cloud Appliance documents for the same API version (1 to 1000, default 100).
    `serves`: the most one page holds whatever `limit` asks (None: the limit asked), a model of
    a service that pages more finely than asked; a caller following the next-page token sees
    the same items either way.
    """
    raw = request.query.get("limit")
    try:
        limit = int(raw) if raw else default_limit
    except ValueError:
        raise InvalidParameter(f"limit must be an integer, not {raw!r}") from None
    if not 1 <= limit <= max_limit:
        raise InvalidParameter(f"limit must be between 1 and {max_limit}")
    if serves is not None:
        limit = min(limit, serves)
    start = int(request.query.get("page") or 0)
    chunk = items[start : start + limit]
    nxt = str(start + limit) if start + limit < len(items) else None
    return chunk, nxt
