"""The real oci CLI (the registry's `oci-cli`, in its own environment) against `ocifake serve`.

The server starts as a user starts it (the installed console script, HTTPS with the certificate it
makes); the CLI knows only the config file and the CA bundle the server wrote, and reaches OCI's
own host names through `HTTPS_PROXY`: no hosts file, no endpoint option. Each command a user
would try first is run in order and checked on what it printed; the table in ocifake's README is
this test's list with what was checked (`OCIFAKE_WRITE_TABLE=1` writes it after a change).
"""

import hashlib
import json
import os
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.contract import serving

pytestmark = pytest.mark.contract

ROOT = Path(__file__).resolve().parents[2]
# .ci/run installs the CLI beside the project (it pins its own oci SDK); elsewhere, name one.
CLI = Path(os.environ.get("OCIFAKE_OCI_CLI") or ROOT / ".venv-ocicli" / "bin" / "oci")
README = ROOT / "ocifake" / "README.md"
TABLE_START = "<!-- oci CLI table: written by tests/contract/test_oci_cli.py -->"
TABLE_END = "<!-- end of the oci CLI table -->"
ASHBURN, PHOENIX = "us-ashburn-1", "us-phoenix-1"
MIB = 1024 * 1024
BIG = 300 * MIB  # above the CLI's 128 MiB part size: three parts


@dataclass
class Step:
    args: str  # as a user types it after `oci`; {tenancy}, {file}, … filled in from the session
    checked: str  # what the table says was checked
    check: Callable[[dict, "Session"], bool]
    modelled: bool = True  # False: the fake does not model it, and must say so (501 NotImplemented)


class Session:
    def __init__(self, ready: dict, folder: Path):
        self.ready = ready
        self.folder = folder
        self.small = folder / "small.txt"
        self.small.write_bytes(b"hello from the oci CLI\n")
        self.big = folder / "image.oci"
        with self.big.open("wb") as f:  # pseudo-random, so that a part out of place shows
            block = hashlib.sha256(b"seed").digest() * (MIB // 32)
            for n in range(BIG // MIB):
                f.write(hashlib.sha256(n.to_bytes(4, "big")).digest()[:1] + block[1:])
        self.back = folder / "back.oci"
        self.tree = folder / "tree"
        self.tree.mkdir()
        for name in ("a.txt", "b.txt"):
            (self.tree / name).write_text(name)
        self.values = {
            "tree": str(self.tree),
            "down": str(folder / "down"),
            "tenancy": ready["tenancy"],
            "small": str(self.small),
            "big": str(self.big),
            "back": str(self.back),
        }

    def run(self, args: str) -> tuple[int, str, str]:
        env = {
            **os.environ,
            "HTTPS_PROXY": f"http://127.0.0.1:{self.ready['port']}",
            "REQUESTS_CA_BUNDLE": self.ready["ca_bundle"],
            "SUPPRESS_LABEL_WARNING": "True",
            "OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING": "True",
        }
        env.pop("NO_PROXY", None)
        env.pop("no_proxy", None)
        words = [str(CLI), "--config-file", self.ready["config_file"], *shlex.split(args.format(**self.values))]
        done = subprocess.run(words, capture_output=True, text=True, timeout=300, env=env)
        return done.returncode, done.stdout, done.stderr


def _data(out: dict):
    return out.get("data")


def _none_listed(output: dict, session: "Session") -> bool:
    """A listing of nothing: no output at all (the CLI prints none), or an empty list."""
    # A list, or (the newer services) a collection object whose items are listed.
    return output == {} or _data(output) in ([], {"items": []})


STEPS = [
    Step("os ns get", "the tenancy's namespace", lambda o, s: _data(o) == s.ready["namespace"]),
    Step(
        "iam tenancy get --tenancy-id {tenancy}",
        "the tenancy and its home region",
        lambda o, s: _data(o)["id"] == s.ready["tenancy"] and bool(_data(o)["home-region-key"]),
    ),
    Step(
        "iam region-subscription list",
        "every region, one of them home",
        lambda o, s: (
            sorted(r["region-name"] for r in _data(o)) == sorted(s.ready["regions"])
            and [r["is-home-region"] for r in _data(o)].count(True) == 1
        ),
    ),
    Step(
        "iam availability-domain list --compartment-id {tenancy}",
        "one availability domain",
        lambda o, s: len(_data(o)) == 1,
    ),
    Step(
        "iam dynamic-group create --name functions --description functions "
        "--matching-rule \"ALL {{resource.type = 'fnfunc'}}\"",
        "created, ACTIVE",
        lambda o, s: _data(o)["lifecycle-state"] == "ACTIVE",
    ),
    Step(
        "iam policy create --compartment-id {tenancy} --name readers --description readers "
        "--statements '[\"Allow dynamic-group functions to read buckets in tenancy\"]'",
        "created with its statement",
        lambda o, s: _data(o)["statements"] == ["Allow dynamic-group functions to read buckets in tenancy"],
    ),
    Step(
        "iam policy list --compartment-id {tenancy}",
        "the administrators' policy and the new one",
        lambda o, s: "readers" in {p["name"] for p in _data(o)},
    ),
    Step(
        "iam compartment list --compartment-id {tenancy}",
        "answers (no compartments yet)",
        lambda o, s: o == {} or isinstance(_data(o), list),
    ),
    Step(
        "os bucket create --compartment-id {tenancy} --name landing",
        "created",
        lambda o, s: _data(o)["name"] == "landing",
    ),
    Step(
        f"os bucket create --compartment-id {{tenancy}} --name landing --region {PHOENIX}",
        "created in a second region",
        lambda o, s: _data(o)["name"] == "landing",
    ),
    Step(
        "os object put --bucket-name landing --file {small}",
        "one PutObject, its MD5",
        lambda o, s: bool(o.get("etag")) and bool(o.get("opc-content-md5")),
    ),
    Step(
        "os object put --bucket-name landing --file {big}",
        "300 MiB in three parts (multipart upload)",
        lambda o, s: o.get("opc-multipart-md5", "").endswith("-3"),
    ),
    Step(
        "os object head --bucket-name landing --name image.oci",
        "its length and multipart MD5",
        lambda o, s: o["content-length"] == str(BIG) and o["opc-multipart-md5"].endswith("-3"),
    ),
    Step(
        "os object get --bucket-name landing --name image.oci --file {back}",
        "read back in ranges, byte for byte",
        lambda o, s: s.back.read_bytes() == s.big.read_bytes(),
    ),
    Step(
        "os object list --bucket-name landing",
        "both objects",
        lambda o, s: sorted(x["name"] for x in _data(o)) == ["image.oci", "small.txt"],
    ),
    Step(
        "os multipart list --bucket-name landing",
        "no upload left open",
        lambda o, s: o == {} or _data(o) == [],
    ),
    Step(
        f"os object copy --bucket-name landing --source-object-name small.txt --destination-region {PHOENIX} "
        "--destination-bucket landing",
        "a copy accepted, with its work request",
        lambda o, s: o.get("opc-work-request-id", "").startswith("ocid1.objectstorageworkrequest."),
    ),
    Step(
        "os work-request list --compartment-id {tenancy}",
        "the copy's work request",
        lambda o, s: [w["operation-type"] for w in _data(o)] == ["COPY_OBJECT"],
    ),
    Step(
        "os preauth-request create --bucket-name landing --name readers --access-type AnyObjectRead "
        "--time-expires 2099-01-01T00:00:00Z",
        "a read PAR over the bucket, with its URI",
        lambda o, s: _data(o)["access-uri"].startswith("/p/"),
    ),
    Step(
        "os object bulk-upload --bucket-name landing --src-dir {tree}",
        "a folder, one object a file",
        lambda o, s: sorted(o["uploaded-objects"]) == ["a.txt", "b.txt"],
    ),
    Step(
        "os object bulk-download --bucket-name landing --download-dir {down} --prefix a",
        "the objects of a prefix, to files",
        lambda o, s: (Path(s.values["down"]) / "a.txt").read_text() == "a.txt",
    ),
    Step(
        "compute image list --compartment-id {tenancy}",
        "answers (no images yet)",
        lambda o, s: o == {} or isinstance(_data(o), list),
    ),
    Step(
        "iam compartment create --compartment-id {tenancy} --name team --description team",
        "created, ACTIVE",
        lambda o, s: _data(o)["lifecycle-state"] == "ACTIVE" and s.values.update(team=_data(o)["id"]) is None,
    ),
    Step(
        "iam compartment delete --compartment-id {team} --force",
        "deleted (it is empty)",
        lambda o, s: True,
    ),
    Step(
        "os object rename --bucket-name landing --source-name small.txt --new-name renamed.txt",
        "",
        lambda o, s: True,
        modelled=False,
    ),
    Step(
        "ons topic create --compartment-id {tenancy} --name cli-notices",
        "created, ACTIVE",
        lambda o, s: _data(o)["lifecycle-state"] == "ACTIVE" and s.values.update(topic=_data(o)["topic-id"]) is None,
    ),
    Step(
        "ons topic list --compartment-id {tenancy}",
        "lists the topic",
        lambda o, s: s.values["topic"] in [t["topic-id"] for t in _data(o)],
    ),
    Step("ons topic delete --topic-id {topic} --force", "deleted", lambda o, s: True),
    Step(
        "network vcn create --compartment-id {tenancy} --cidr-block 10.0.0.0/16 --dns-label cli",
        "created, AVAILABLE, with its default route table",
        lambda o, s: (
            _data(o)["lifecycle-state"] == "AVAILABLE"
            and bool(_data(o)["default-route-table-id"])
            and s.values.update(vcn=_data(o)["id"]) is None
        ),
    ),
    Step(
        "network vcn list --compartment-id {tenancy}",
        "lists the VCN",
        lambda o, s: s.values["vcn"] in [v["id"] for v in _data(o)],
    ),
    Step("network vcn delete --vcn-id {vcn} --force", "deleted", lambda o, s: True),
    Step("kms management vault list --compartment-id {tenancy}", "lists (none)", _none_listed),
    Step("vault secret list --compartment-id {tenancy}", "lists (none)", _none_listed),
    Step("fn application list --compartment-id {tenancy}", "lists (none)", _none_listed),
    Step("logging log-group list --compartment-id {tenancy}", "lists (none)", _none_listed),
    Step("events rule list --compartment-id {tenancy}", "lists (none)", _none_listed),
    Step("monitoring alarm list --compartment-id {tenancy}", "lists (none)", _none_listed),
    Step("resource-scheduler schedule list --compartment-id {tenancy}", "lists (none)", _none_listed),
    Step("resource-scheduler work-request list --compartment-id {tenancy}", "lists (none)", _none_listed),
    Step("os object delete --bucket-name landing --name small.txt --force", "deleted", lambda o, s: True),
    Step("os object delete --bucket-name landing --name a.txt --force", "deleted", lambda o, s: True),
    Step("os object delete --bucket-name landing --name b.txt --force", "deleted", lambda o, s: True),
    Step("os object delete --bucket-name landing --name image.oci --force", "deleted", lambda o, s: True),
    Step("os bucket delete --bucket-name landing --force", "deleted once empty", lambda o, s: True),
]


@pytest.fixture
def served(tmp_path):
    if not CLI.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the oci CLI is not at {CLI}: .ci/run installs it")
        pytest.skip(f"no oci CLI at {CLI}: python3 -m venv .venv-ocicli && .venv-ocicli/bin/pip install oci-cli")
    with serving.served(tmp_path / "fake", f"{ASHBURN},{PHOENIX}") as ready:
        yield Session(ready, tmp_path)


def table(results: list[tuple[Step, str]]) -> str:
    rows = [TABLE_START, "", "| `oci` command | Result |", "|---|---|"]
    for step, result in results:
        shown = step.args.split(" --")[0]
        rows.append(f"| `oci {shown}` | {result} |")
    return "\n".join([*rows, "", TABLE_END])


def test_the_oci_cli_works_against_ocifake_serve(served):
    results: list[tuple[Step, str]] = []
    failures = []
    for step in STEPS:
        code, out, err = served.run(step.args)
        if not step.modelled:  # said plainly, as OCI says what it does not do
            ok = code != 0 and '"NotImplemented"' in out + err and "not implemented by ocifake" in out + err
            results.append((step, "not modelled: 501 NotImplemented, naming the request" if ok else "fails"))
            if not ok:
                failures.append(f"oci {step.args}: exit {code}\n{out[-1500:]}\n{err[-1500:]}")
            continue
        printed = json.loads(out) if out.strip() else {}
        ok = code == 0 and step.check(printed, served)
        results.append((step, f"works: {step.checked}" if ok else "fails"))
        if not ok:
            failures.append(f"oci {step.args}: exit {code}\n{out[-1500:]}\n{err[-1500:]}")
    rendered = table(results)
    if os.environ.get("OCIFAKE_WRITE_TABLE"):
        text = README.read_text()
        start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
        README.write_text(text[:start] + rendered + text[end:])
    assert not failures, "\n\n".join(failures)
    assert rendered in README.read_text(), "ocifake/README.md's table is stale: run with OCIFAKE_WRITE_TABLE=1"
