"""IR_TRANSFER=direct: the targets import the export where it lies, through a ticket copied to them.

No disk is copied: what lands under the image's name is a signed ticket that seals the source
region's read PAR for one target. Everything else is as with copies: events drive it, passes heal
it, each function calls its own region, and nothing is left behind.
"""

import json

import oci

from replicator_tools.sandbox import deploy
from tests.helpers import (
    FRANKFURT,
    PHOENIX,
    REGIONS,
    SOURCE,
    TARGETS,
    cross_region_calls,
    intermediate_objects,
    leftover_pars,
    objects,
    record,
    replicas,
    shapes,
    successful,
    target_states,
)

DIRECT = {"IR_TRANSFER": "direct", "IR_DEFAULT_REGIONS": f"{PHOENIX},{FRANKFURT}"}


def _source(cloud, compartment, **kwargs):
    return cloud.create_image(
        SOURCE,
        compartment,
        "web",
        size_gb=20,
        freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}", "team": "platform"},
        shapes={"VM.Standard.E4.Flex": {"ocpuConstraints": {"min": 1, "max": 4}}},
        **kwargs,
    )


def _landed(cloud, sandbox, region, source_id) -> bytes | None:
    name = f"{sandbox.config.object_prefix}images/{source_id}.oci"
    try:
        got = objects(cloud, region).get_object(cloud.namespace, sandbox.config.landing_bucket, name)
    except oci.exceptions.ServiceError as exc:
        if exc.status == 404:
            return None
        raise
    return got.data.content


def test_a_direct_transfer_finishes_every_replica_with_nothing_copied_but_tickets(cloud, compartment, tag_namespace):
    sandbox = deploy(cloud, REGIONS, compartment, DIRECT)
    source = _source(cloud, compartment)
    cloud.run_until_idle()

    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    for region in TARGETS:
        (replica,) = replicas(cloud, region, source.id, compartment)
        assert replica.lifecycle_state == "AVAILABLE" and replica.freeform_tags["team"] == "platform"
        assert set(shapes(cloud, region, replica.id)) == {"VM.Standard.E4.Flex"}
        # The import read through the source region's PAR: none was made here.
        assert successful(cloud, "CreatePreauthenticatedRequest", region) == []
    assert len(successful(cloud, "CreatePreauthenticatedRequest", SOURCE)) == 2  # the export's, the transfer's
    assert intermediate_objects(cloud, sandbox) == [] and leftover_pars(cloud, sandbox) == []
    assert cross_region_calls(cloud) == []


def test_what_lands_is_a_small_ticket_that_does_not_show_the_par_in_clear(cloud, compartment, tag_namespace):
    sandbox = deploy(cloud, REGIONS, compartment, DIRECT)
    for region in TARGETS:  # the imports run; their finishes wait, and so do the tickets
        cloud.events.drop("*createimage.end", region=region)
    source = _source(cloud, compartment)
    cloud.run_until_idle()

    for region in TARGETS:
        ticket = _landed(cloud, sandbox, region, source.id)
        assert ticket is not None and len(ticket) < 2048
        body = json.loads(ticket)
        assert (body["source_image_id"], body["target"]) == (source.id, region)
        assert "/p/" not in ticket.decode() and "objectstorage" not in ticket.decode()
        assert record(cloud, sandbox, "replica", source.id, region)["import"]["par_id"] is None
    cloud.events.clear_faults()
    sandbox.converge()
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    assert intermediate_objects(cloud, sandbox) == [] and leftover_pars(cloud, sandbox) == []


def _staged_ticket(cloud, sandbox, source_id, target) -> bytes:
    name = f"{sandbox.config.object_prefix}manifests/{source_id}/ticket.{target}.json"
    return objects(cloud, SOURCE).get_object(cloud.namespace, sandbox.config.staging_bucket, name).data.content


def _refusals(sandbox) -> list[str]:
    return [
        r.get("reason", "")
        for r in sandbox.logs()
        if r.get("message", "").startswith("landed image does not match its manifest")
    ]


def test_a_genuine_ticket_replayed_into_another_target_is_refused_and_that_target_gets_its_own(
    cloud, compartment, tag_namespace
):
    sandbox = deploy(cloud, REGIONS, compartment, DIRECT)
    cloud.events.drop("*createobject", region=FRANKFURT)  # Frankfurt's copies land unseen
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    assert target_states(cloud, sandbox, source.id)[PHOENIX] == "done"
    # Phoenix's ticket, genuine and signed, put where Frankfurt's landed.
    image_name = f"{sandbox.config.object_prefix}images/{source.id}.oci"
    objects(cloud, FRANKFURT).put_object(
        cloud.namespace, sandbox.config.landing_bucket, image_name, _staged_ticket(cloud, sandbox, source.id, PHOENIX)
    )
    cloud.events.clear_faults()
    sandbox.converge()

    assert _refusals(sandbox) == ["the ticket's target is not its manifest's"]
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    assert len(successful(cloud, "CreateImage", FRANKFURT)) == 1
    assert intermediate_objects(cloud, sandbox) == [] and leftover_pars(cloud, sandbox) == []


def test_a_ticket_that_expires_before_the_target_has_room_is_refused_and_a_fresh_one_sent(
    cloud, compartment, tag_namespace
):
    sandbox = deploy(
        cloud, REGIONS, compartment, {**DIRECT, "IR_TRANSFER_WINDOW_HOURS": "24", "IR_TARGET_DEADLINE_HOURS": "72"}
    )
    frankfurt = cloud.compute(FRANKFURT)
    frankfurt.custom_image_limit = frankfurt.custom_images()  # no room: each pass tries again
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    assert _landed(cloud, sandbox, FRANKFURT, source.id) is not None
    for _ in range(26):  # the window, and more: the ticket's PAR gets too close to its end for an import
        sandbox.reconcile_everywhere()
        cloud.run_until_idle()
    frankfurt.custom_image_limit = 100
    sandbox.converge()

    (refusal,) = _refusals(sandbox)
    assert refusal.startswith("the ticket's PAR expires at ") and "too soon for an import" in refusal
    # Asked again at each pass meanwhile (its copy landed, no answer came), Frankfurt was sent the
    # ticket staged already, not a new PAR each time: the export's, the first ticket's, one made
    # when it got too old to send, the one after the refusal.
    assert len(successful(cloud, "CreatePreauthenticatedRequest", SOURCE)) <= 4
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    assert len(successful(cloud, "CreateImage", FRANKFURT)) == 1
    assert intermediate_objects(cloud, sandbox) == [] and leftover_pars(cloud, sandbox) == []


def test_an_export_gone_before_a_direct_import_is_made_again_for_that_target(cloud, compartment, tag_namespace):
    sandbox = deploy(cloud, REGIONS, compartment, {**DIRECT, "IR_MAX_ATTEMPTS": "3"})
    frankfurt = cloud.compute(FRANKFURT)
    frankfurt.custom_image_limit = frankfurt.custom_images()  # Frankfurt waits for room
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    assert target_states(cloud, sandbox, source.id)[PHOENIX] == "done"
    # Someone removes the export from staging while Frankfurt has not read it yet.
    export = f"{sandbox.config.object_prefix}images/{source.id}.oci"
    objects(cloud, SOURCE).delete_object(cloud.namespace, sandbox.config.staging_bucket, export)
    frankfurt.custom_image_limit = 100
    sandbox.converge()

    (refusal,) = _refusals(sandbox)
    assert refusal.startswith("CreateImage answered 404: the source's export or its PAR is gone, or IAM refused")
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    assert len(successful(cloud, "ExportImage", SOURCE)) == 2
    assert len(replicas(cloud, FRANKFURT, source.id, compartment)) == 1
    assert intermediate_objects(cloud, sandbox) == [] and leftover_pars(cloud, sandbox) == []


def test_a_grant_missing_in_a_target_is_seen_as_a_refused_call_though_oci_answers_404(
    cloud, compartment, tag_namespace
):
    """OCI answers 404 alike for a PAR gone and for IAM's refusal, and a target may not look at the
    source region to tell which: the call is counted refused, so the calls-refused alarm names it
    while the refusals count against the source's copy attempts."""
    sandbox = deploy(cloud, REGIONS, compartment, DIRECT)
    for region in TARGETS:  # the tickets land unseen; the grant goes before any import starts
        cloud.events.drop("com.oraclecloud.objectstorage.*", region=region)
    source = _source(cloud, compartment)
    cloud.run_until_idle()
    sandbox.withhold(frozenset({"change-images"}))
    cloud.events.clear_faults()
    for region in TARGETS:
        sandbox.reconcile(region)
    for region in TARGETS:
        counted = {p.dimensions["operation"] for p in cloud.metrics(region, name="refused_calls")}
        assert counted == {"CreateImage"}
        assert sandbox.firing(region, "calls-refused") == [{"operation": "CreateImage"}]
    assert any("is 'change-images' granted?" in r for r in _refusals(sandbox))
    sandbox.withhold(frozenset())
    sandbox.converge()
    assert target_states(cloud, sandbox, source.id) == {PHOENIX: "done", FRANKFURT: "done"}
    assert intermediate_objects(cloud, sandbox) == [] and leftover_pars(cloud, sandbox) == []
