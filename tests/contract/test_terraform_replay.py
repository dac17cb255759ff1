"""What the real oracle/oci provider asked of `ocifake serve` when it applied infra/, asked again.

Recorded with Terraform 1.11.4 and the oracle/oci provider 8.28.0 (docs/terraform-on-ocifake.md
says how to record one): `infra/home` applied once, `infra/region` for three regions, a second
plan of each (it said "No changes"), then, with the buckets emptied, `terraform destroy` of every
region and of home. The test replays the provider's requests against a fresh server, moving its
clock as the recording's moved, and holds each answer to the one the provider accepted: the same
status, the same fields. Between the apply and the destroy, an image tagged for two regions is
replicated by the functions, rules, schedules, buckets and secrets the replayed requests made.
"""

import json
import re
import ssl
import urllib.request
from datetime import datetime
from pathlib import Path

import oci
import pytest

from tests.contract.serving import served
from tests.contract.terraform_replay import Replay, load
from tests.deploying import tagged_source
from tests.helpers import FRANKFURT, FUNC_ENTRY, PHOENIX, REGIONS, SOURCE

pytestmark = pytest.mark.contract

RECORDING = Path(__file__).parent / "data" / "terraform-apply.jsonl"
BUCKETS = ("image-replicator-staging", "image-replicator-landing")
REGION_OF = re.compile("|".join(REGIONS))


class Clock:
    """The server's clock, through its admin paths (never through the proxy)."""

    def __init__(self, ready: dict):
        self.base = f"https://127.0.0.1:{ready['port']}/_ocifake/"
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=ready["ca_bundle"])),
        )

    def advance(self, seconds: float) -> None:
        self.opener.open(urllib.request.Request(f"{self.base}advance?seconds={seconds}", method="POST"), timeout=600)

    def now(self) -> datetime:
        return datetime.fromisoformat(json.loads(self.opener.open(f"{self.base}clock", timeout=60).read())["now"])


def _config(ready: dict, region: str) -> dict:
    return oci.config.from_file(ready["config_file"], "DEFAULT" if region == REGIONS[0] else region)


def _replicate(ready: dict, clock: Clock, images: str) -> dict[str, list[str]]:
    """An image tagged for Phoenix and Frankfurt, and each region's replicas of it, hour by hour."""
    source = tagged_source(_config(ready, SOURCE), ready["namespace"], images, f"{PHOENIX},{FRANKFURT}")
    found: dict[str, list[str]] = {}
    for _ in range(24):  # simulated hours: the export, the copies, the imports, the answers
        clock.advance(3600)  # whole hours: the schedules keep the recording's minute
        for region in (PHOENIX, FRANKFURT):
            compute = oci.core.ComputeClient(_config(ready, region))
            listed = oci.pagination.list_call_get_all_results(compute.list_images, images).data
            replicas = [i for i in listed if (i.freeform_tags or {}).get("replica-of") == source.id]
            found[region] = [i.lifecycle_state for i in replicas]
        if all(states == ["AVAILABLE"] for states in found.values()):
            break
    objects = oci.object_storage.ObjectStorageClient(_config(ready, SOURCE))
    objects.delete_object(ready["namespace"], "uploads", "web.qcow2")
    objects.delete_bucket(ready["namespace"], "uploads")
    return found


def _empty_buckets(ready: dict, region: str) -> None:
    """As the recording did before each region's `terraform destroy`: OCI deletes no bucket that holds
    objects, and the replicator's hold its records."""
    if region in REGIONS:
        objects = oci.object_storage.ObjectStorageClient(_config(ready, region))
        for bucket in BUCKETS:
            listed = oci.pagination.list_call_get_all_results(objects.list_objects, ready["namespace"], bucket)
            for summary in listed.data.objects:
                objects.delete_object(ready["namespace"], bucket, summary.name)


def test_the_provider_s_apply_replication_and_destroy_are_answered_as_it_accepted(tmp_path, monkeypatch):
    setup, requests = load(RECORDING)
    first_delete = next(n for n, r in enumerate(requests) if r["method"] == "DELETE")
    # The images the recorded functions name, each the project's own function.
    made = [r["body"] for r in requests if r["method"] == "POST" and r["path"].endswith("/functions")]
    pushed = [arg for image in sorted({f["image"] for f in made}) for arg in ("--image", f"{image}={FUNC_ENTRY}")]
    with served(tmp_path, ",".join(REGIONS), *pushed) as ready:
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{ready['port']}")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", ready["ca_bundle"])
        identity = oci.identity.IdentityClient(_config(ready, SOURCE))
        clock = Clock(ready)
        replay = Replay(ready, clock)
        replay.renamed[setup["tenancy"]] = ready["tenancy"]
        for name, recorded in setup["compartments"].items():
            made = identity.create_compartment(
                oci.identity.models.CreateCompartmentDetails(
                    compartment_id=ready["tenancy"], name=name, description=name
                )
            ).data
            replay.renamed[recorded] = made.id
        replay.align(requests[0])
        emptied: set[str] = set()

        def differences(rows, *, destroying: bool = False):
            out = []
            for row in rows:
                region = REGION_OF.search(row["host"])
                if destroying and region and region[0] not in emptied:
                    emptied.add(region[0])
                    _empty_buckets(ready, region[0])
                got = replay.send(row)
                if (got.status, got.fields) != (row["status"], row["fields"]):
                    recorded = f"{row['status']} {row['fields']}"
                    out.append(f"{row['method']} {row['path']}: {got.status} {got.fields}, recorded {recorded}")
            return out

        assert differences(requests[:first_delete]) == []
        replicated = _replicate(ready, clock, setup_compartment(replay, setup, "images"))
        assert replicated == {PHOENIX: ["AVAILABLE"], FRANKFURT: ["AVAILABLE"]}
        compartments = [ready["tenancy"], *(setup_compartment(replay, setup, n) for n in setup["compartments"])]
        made = _left(ready, compartments)
        assert {f"{region} bucket image-replicator-staging" for region in REGIONS} <= set(made)
        assert differences(requests[first_delete:], destroying=True) == []
        # Nothing Terraform made is left in any region: its resources are gone, deleted, or (a vault)
        # waiting for its deletion, as OCI keeps them.
        assert _left(ready, compartments) == []


def setup_compartment(replay: Replay, setup: dict, name: str) -> str:
    recorded = setup["compartments"][name]
    return replay.renamed.get(recorded, recorded)


GONE = {"DELETED", "TERMINATED", "PENDING_DELETION", "DELETING", "TERMINATING"}


def _left(ready: dict, compartments: list[str]) -> list[str]:
    """What infra/ makes that is still there, in every region and compartment."""
    found = []
    for region in REGIONS:
        config = _config(ready, region)
        objects = oci.object_storage.ObjectStorageClient(config)
        functions = oci.functions.FunctionsManagementClient(config)
        listings = {
            "application": functions.list_applications,
            "topic": oci.ons.NotificationControlPlaneClient(config).list_topics,
            "vcn": oci.core.VirtualNetworkClient(config).list_vcns,
            "rule": oci.events.EventsClient(config).list_rules,
            "alarm": oci.monitoring.MonitoringClient(config).list_alarms,
            "vault": oci.key_management.KmsVaultClient(config).list_vaults,
            "log group": oci.logging.LoggingManagementClient(config).list_log_groups,
        }
        for compartment in compartments:
            found += [f"{region} bucket {b.name}" for b in objects.list_buckets(ready["namespace"], compartment).data]
            for kind, listing in listings.items():
                for item in oci.pagination.list_call_get_all_results(listing, compartment).data:
                    if getattr(item, "lifecycle_state", None) not in GONE:
                        found.append(f"{region} {kind} {getattr(item, 'display_name', None) or item.name}")
            schedules = oci.resource_scheduler.ScheduleClient(config).list_schedules(compartment_id=compartment)
            found += [f"{region} schedule {s.display_name}" for s in schedules.data.items]
    identity = oci.identity.IdentityClient(_config(ready, SOURCE))
    # The tenancy's own administrators' policy was there before; infra/'s are named after the product.
    found += [f"policy {p.name}" for p in identity.list_policies(ready["tenancy"]).data if "replicator" in p.name]
    found += [f"dynamic group {g.name}" for g in identity.list_dynamic_groups(ready["tenancy"]).data]
    return found


def test_the_recording_keeps_no_signature():
    text = RECORDING.read_text()
    assert "authorization" not in text.lower() and "BEGIN" not in text
    assert json.loads(text.splitlines()[0])["setup"]["recorded_with"].startswith("Terraform")
