"""`python -m ocifake.scaffold NAME --host HOST`: the skeleton of a new service package.

It writes `<name>/` beside the other services (or under `--into DIR`): `models.py` (the
per-region backend), `routes.py` (the URL table and the IAM target of each operation),
`permissions.py` (what each operation needs in IAM) and `service.py` (the declaration), each
with one example operation to replace. Then one line in `ocifake/services.py` serves it.
"""

import argparse
import keyword
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

FILES = {
    "__init__.py": '"""{title}: a service of the fake (see service.py)."""\n',
    "models.py": '''"""{title}: the state of one region."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core import errors

if TYPE_CHECKING:
    from ..core.platform import Platform


class {cls}Backend:
    def __init__(self, cloud: Platform, region: str):
        self.cloud = cloud
        self.region = region
        self.items: dict[str, dict] = {{}}

    def get(self, item_id: str) -> dict:
        found = self.items.get(item_id)
        if found is None:
            raise errors.NotAuthorizedOrNotFound()
        return found

    def holds(self, compartment_id: str) -> bool:
        """Whether an item is in the compartment (which is then not deleted)."""
        return any(item["compartmentId"] == compartment_id for item in self.items.values())
''',
    "routes.py": '''"""URL table of {title} ({host}.<region>)."""

from ..core.http import Request, Response, json_response, route
from ..identity.models import Target
from .models import {cls}Backend


def _backend(req: Request) -> {cls}Backend:
    return req.cloud_region.backend({cls}Backend)


def get_item(req: Request) -> Response:
    return json_response(_backend(req).get(req.params["itemId"]))


ROUTES = [route("GET", "/20240101/items/{{itemId}}", "GetItem", get_item)]


def targets(req: Request, operation: str) -> list[Target] | None:
    """What IAM checks the request against: the item's compartment (None: no such item)."""
    item = _backend(req).items.get(req.params["itemId"])
    return [Target(item["compartmentId"])] if item else None
''',
    "permissions.py": '''"""What each operation of {title} needs in IAM, and the variables its policies may read."""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {{
    # Replace with the resource type, least verb and permission of OCI's policy reference.
    "GetItem": Need("{name}-items", "read", None, confirmed=False),
}}
VARIABLES: frozenset[str] = frozenset()
''',
    "service.py": '''"""{title}, at {host}.<region>."""

from ..core.service import Service
from . import permissions, routes
from .models import {cls}Backend

SERVICE = Service(
    name="{name}",
    host="{host}",
    routes=routes.ROUTES,
    targets=routes.targets,
    backend={cls}Backend,
    holds={cls}Backend.holds,
    permissions=permissions.PERMISSIONS,
    variables=permissions.VARIABLES,
)
''',
}


def scaffold(name: str, host: str, into: Path) -> Path:
    """Write the package `name` under `into`; refuse a name that is not a package name or is taken."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
        raise ValueError(f"{name!r} is not a package name (lower case letters, digits and _)")
    package = into / name
    if package.exists():
        raise FileExistsError(f"{package} exists")
    cls = "".join(part.capitalize() for part in name.split("_"))
    values = {"name": name, "host": host, "cls": cls, "title": cls}
    package.mkdir(parents=True)
    for file, template in FILES.items():
        (package / file).write_text(template.format(**values))
    return package


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ocifake.scaffold", description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the package's name, e.g. logging")
    parser.add_argument(
        "--host", required=True, help="the endpoint's first label: https://<host>.<region>.oraclecloud.com"
    )
    parser.add_argument(
        "--into", type=Path, default=HERE, help="where to write it (default: beside the other services)"
    )
    args = parser.parse_args(argv)
    try:
        package = scaffold(args.name, args.host, args.into)
    except (ValueError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {package}/: models.py, routes.py, permissions.py, service.py")
    print(f"now serve it: in ocifake/services.py, import .{args.name}.service's SERVICE and add it to SERVICES")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
