"""The oracle/oci provider's requests, as `ocifake serve --record` wrote them, kept and replayed.

`python -m tests.contract.terraform_replay RECORDING > tests/contract/data/terraform-apply.jsonl`
keeps the provider's own requests (its User-Agent names Terraform) of a recording, each with what
a replay needs: when it came (the fake's clock), the request, the status it was answered, the
fields of the answer, and the OCIDs in it, in order. The first line says which compartments
and tenancy the recording ran in: made by the person recording, not by Terraform.

`Replay` sends them again, signed as the server's administrator, through the server's proxy: it
moves the fake's clock as the recording's moved, and puts the OCIDs the replayed server gave in
place of those the recording's gave, in paths and bodies alike.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

OCID = re.compile(r"ocid1\.[a-z0-9]+\.oc1\.[a-z0-9-]*\.[a-z0-9]+")


def ocids(value: Any) -> list[str]:
    """Every OCID in a JSON value, in the order a walk of it meets them."""
    return OCID.findall(json.dumps(value, sort_keys=True)) if value is not None else []


def fields(reply: Any) -> list[str] | None:
    """What the provider reads of an answer: an object's fields, or those of a list's first item."""
    if isinstance(reply, dict):
        items = reply.get("items")
        if isinstance(items, list) and set(reply) <= {"items"}:
            return fields(items)
        return sorted(reply)
    if isinstance(reply, list):
        return fields(reply[0]) if reply else []
    return None


def _work_requests(headers) -> dict[str, str]:
    """The work request a reply names (which the provider then follows)."""
    return {k.lower(): v for k, v in headers.items() if "work-request" in k.lower()}


def reduce(lines: Iterator[str], setup: dict) -> Iterator[dict]:
    """The provider's requests of a recording, as the test data keeps them."""
    yield {"setup": setup}
    for line in lines:
        row = json.loads(line)
        if "terraform" not in row.get("client", "").lower():
            continue
        yield {
            "at": row["at"],
            "method": row["method"],
            "host": row["host"],
            "path": row["path"],
            "body": row["body"],
            "status": row["status"],
            "fields": fields(row["reply"]),
            "ocids": ocids(row["reply"]) + ocids(_work_requests(row["headers"])),
        }


@dataclass
class Outcome:
    request: dict
    status: int
    fields: list[str] | None


@dataclass
class Replay:
    """Sends recorded requests to a served fake (`ready`: what `ocifake serve` printed)."""

    ready: dict
    admin: Any  # the server's clock: `advance(seconds)` and `now()`
    renamed: dict[str, str] = field(default_factory=dict)  # recorded OCID -> this server's
    last: datetime | None = None

    def __post_init__(self) -> None:
        import oci
        import requests

        config = oci.config.from_file(self.ready["config_file"])
        self._signer = oci.signer.Signer(config["tenancy"], config["user"], config["fingerprint"], config["key_file"])
        self._session = requests.Session()
        self._session.proxies = {"https": f"http://127.0.0.1:{self.ready['port']}"}
        self._session.verify = self.ready["ca_bundle"]

    def align(self, first: dict) -> None:
        """Move the clock to the recording's minute of the hour: hourly schedules then fire between the
        same two requests as they did when it was recorded (what they write is what a destroy meets)."""
        offset = (datetime.fromisoformat(first["at"]) - self.admin.now()).total_seconds() % 3600
        self.admin.advance(offset)

    def _renamed(self, text: str) -> str:
        return OCID.sub(lambda m: self.renamed.get(m[0], m[0]), text)

    def send(self, request: dict) -> Outcome:
        at = datetime.fromisoformat(request["at"])
        if self.last is not None and at > self.last:
            self.admin.advance((at - self.last).total_seconds())
        self.last = at
        body = None if request["body"] is None else self._renamed(json.dumps(request["body"]))
        headers = {"content-type": "application/json"} if body is not None else {}
        reply = self._session.request(
            request["method"],
            f"https://{request['host']}{self._renamed(request['path'])}",
            data=body,
            headers=headers,
            auth=self._signer,
            timeout=120,
        )
        parsed = reply.json() if reply.content and "json" in reply.headers.get("content-type", "") else None
        given = ocids(parsed) + ocids(_work_requests(reply.headers))
        if len(given) == len(request["ocids"]):
            for recorded, now in zip(request["ocids"], given, strict=True):
                if recorded != now:
                    self.renamed.setdefault(recorded, now)
        return Outcome(request, reply.status_code, fields(parsed))


def load(path: Path) -> tuple[dict, list[dict]]:
    """The recording's setup line and its requests."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return rows[0]["setup"], rows[1:]


if __name__ == "__main__":
    recording, setup_file = sys.argv[1], sys.argv[2]
    with open(recording) as f:
        for row in reduce(iter(f), json.loads(Path(setup_file).read_text())):
            print(json.dumps(row, sort_keys=True))
