"""The simulator's seed set, run on every change: each seed's world and script, every invariant held.

A seed that fails prints its shrunk script; keep it below as a regression test, named after
what it broke, with the script as the simulator printed it.
"""

import pytest

from sim.__main__ import CI_SEEDS, KNOWN_OPEN, describe
from sim.actions import (
    BreakSigningKey,
    CreateBatch,
    CreateImage,
    DelayEvents,
    DeleteBookkeeping,
    DeleteReplica,
    DeleteSource,
    DropEvents,
    DuplicateEvents,
    EarlierWords,
    FailCall,
    FailWork,
    ForgeAnswer,
    ImageLimit,
    Jump,
    KillAfter,
    OperatorRetry,
    Pass,
    RegionOutage,
    Relabel,
    RemoveGrant,
    ReplayPair,
    Reshape,
    RestoreGrants,
    Retag,
    Wait,
)
from sim.runner import run as run_world
from sim.world import DR_ALIAS, WorldSpec

STEPS = 20


def run(seed: int, script=None, *, steps: int = STEPS, transfer: str | None = None):
    """A seed's own script in its world as drawn; a kept script in the world it was found in, where
    images travel by copy unless it says `transfer` (those found before direct transfers all did)."""
    if script is not None and transfer is None:
        transfer = "copy"
    return run_world(seed, script, steps=steps, transfer=transfer)


@pytest.mark.parametrize("seed", list(CI_SEEDS))
def test_a_seeded_run_holds_every_invariant(seed):
    result = run(seed, steps=STEPS)
    assert result.ok, describe(result)


REPLAYED = 3070  # four regions, two of them in a DR tenancy, three containers each


def test_a_seed_replays_the_same_calls_in_the_same_order():
    # Three containers a region, a DR tenancy, faults and parallel passes: every race the seed holds
    # is decided by the seed, so a violation found once is found again.
    first, second = run(REPLAYED, steps=STEPS), run(REPLAYED, steps=STEPS)
    assert first.fingerprint == second.fingerprint
    assert first.steps == second.steps and first.violations == second.violations


def test_a_world_that_cannot_be_built_is_reported_as_its_seeds_crash(monkeypatch):
    # A run ends in a result naming its seed whatever breaks, so that a batch's summary always says
    # which seed to replay.
    def broken(spec):
        raise OSError("no room for the world")

    monkeypatch.setattr("sim.runner.World.build", broken)
    result = run(7, steps=2)
    assert result.seed == 7 and [v.invariant for v in result.violations] == ["crash"]
    assert "OSError: no room for the world" in describe(result)


@pytest.mark.parametrize("seed", sorted(KNOWN_OPEN))
# Strict: a seed replays, so one that passes has been fixed, and leaves KNOWN_OPEN with a regression
# test of its own.
@pytest.mark.xfail(strict=True, reason="an open violation the simulator found (sim.__main__.KNOWN_OPEN)")
def test_a_known_open_seed_still_breaks_its_invariant(seed):
    result = run(seed, steps=STEPS)
    assert result.ok, describe(result)


# ----- regressions: scripts the simulator found, shrunk --------------------------------------------
# Seed 0's world: us-ashburn-1 (source), us-phoenix-1 and eu-frankfurt-1, two containers each.
THREE_REGIONS = 0


def test_the_world_of_the_regression_seed_has_three_regions():
    assert WorldSpec.draw(THREE_REGIONS).regions == ("us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1")


def test_a_genuine_pair_replayed_into_a_region_the_image_never_targeted_is_not_imported_and_is_removed():
    """'misdirection', then 'leftovers': a signed manifest and its image, copied from Phoenix's landing
    bucket into Frankfurt's, made a replica there; refused, its image object stayed behind."""
    result = run(
        THREE_REGIONS,
        [CreateImage("img0", ("us-phoenix-1",), settle=True), ReplayPair("img0", "eu-frankfurt-1"), Pass(), Pass()],
    )
    assert result.ok, describe(result)


def test_records_and_marks_an_earlier_version_left_hold_and_a_replica_deleted_after_is_made_again():
    """An upgrade: Phoenix's replica record and settled mark as the version before wrote them (its
    replica `done`), then the replica deleted there; written down before the simulator drew it."""
    result = run(
        THREE_REGIONS,
        [
            CreateImage("img0", ("us-phoenix-1", "eu-frankfurt-1"), settle=True),
            Jump(2),
            Pass(),
            Jump(2),
            Pass(),  # the marks are left
            EarlierWords("us-phoenix-1"),
            Jump(2),
            Pass(),
            DeleteReplica("img0", "us-phoenix-1"),
            Pass(),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_status_does_not_believe_a_forged_answer_whose_event_was_lost():
    """'truth': an unsigned `done` answer in staging, its event lost, made status --summary say protected."""
    result = run(
        THREE_REGIONS,
        [
            DropEvents("*", 1000),
            CreateImage("img0", ("us-phoenix-1",), settle=True),
            ForgeAnswer("img0", "us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_an_image_on_its_way_to_available_is_in_the_report():
    """'visibility': an image not yet AVAILABLE (or being exported) was missing from status --summary."""
    result = run(THREE_REGIONS, [CreateImage("img0", ("us-phoenix-1",)), Wait(1)])
    assert result.ok, describe(result)


def test_a_container_dying_right_after_a_copy_does_not_wedge_the_replication():
    """'convergence': the step died after its third CopyObject, before its record was written; the retry
    issued a new manifest version, whose copy met the first one (412, counted as landed), and the
    targets' answers about the first version were waited past for ever ("lagging", RPO alarm)."""
    assert len(WorldSpec.draw(16).regions) == 4
    result = run(
        16, [KillAfter("CopyObject", 3), CreateImage("img3", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"))]
    )
    assert result.ok, describe(result)


def test_deleting_a_source_whose_replicas_were_all_retired_leaves_no_manifest_in_staging():
    """'leftovers' (seed 1): retention retired the only replica of an older family version; its
    source's deletion staged a deletion manifest for no receiving target, which no answer would
    ever clear."""
    result = run(
        1,
        [
            CreateImage("img1", ("us-phoenix-1",), "web"),
            FailCall("ListImages", 503, 5),
            Wait(20),
            CreateImage("img3", (), "db"),
            Wait(20),
            CreateImage("img4", ("us-phoenix-1",)),
            FailCall("ListImages", 500, 6, "us-ashburn-1"),
            CreateImage("img5", ("us-phoenix-1",), "db"),
            Wait(5),
            Pass(),
            DeleteSource("img3"),
        ],
    )
    assert result.ok, describe(result)


def test_a_source_record_removed_by_hand_after_completion_is_rebuilt_not_started_again():
    """'notices' (seed 116): with its record gone, the pass started the replication afresh: an export
    tried again, a second "replicated" notice, a needless refresh."""
    result = run(
        116,
        [
            CreateImage("img2", ("eu-frankfurt-1", "us-phoenix-1")),
            Wait(45),
            DeleteBookkeeping("img2", "source-record", "us-ashburn-1"),
        ],
    )
    assert result.ok, describe(result)


@pytest.mark.parametrize("deletion_event", ["delivered", "lost"])
def test_a_replica_deleted_after_its_finish_died_is_made_again(deletion_event):
    """'convergence' (seed 104): the finish died after its first landing removal, before its record
    was written; the replica was then deleted. The record stayed `importing` for ever: the deletion
    was ignored (not finished) and the pass found nothing to do (no image, nothing landed)."""
    drop = [DropEvents("*deleteimage", 10)] if deletion_event == "lost" else []
    result = run(
        104,
        [CreateImage("img4", (), "db"), KillAfter("DeleteObject", 1), *drop, DeleteReplica("img4", "eu-frankfurt-1")],
    )
    assert result.ok, describe(result)


@pytest.mark.parametrize("seed", [124, 127])
def test_two_deletions_of_successive_replicas_send_two_notices_that_read_apart(seed):
    """'notices' (seeds 124, 127): a replica deleted, made again, and deleted again gave two notices
    with the same title and body; each now names the import attempt whose replica was deleted."""
    result = run(seed, steps=STEPS)
    assert result.ok, describe(result)


def test_a_replica_deleted_after_its_record_was_removed_by_hand_is_answered_lost():
    """'truth' (seed 114): the target's record was removed, then the replica deleted; the loss was
    ignored for want of a record, and the source said protected for ever. The deleted replica's
    tags now say whose it was, and its loss is answered naming it."""
    result = run(
        114,
        [
            CreateImage("img1", ("eu-frankfurt-1", "us-phoenix-1")),
            FailCall("ListImages", "timeout", 2, "us-ashburn-1"),
            DeleteBookkeeping("img1", "replica-record", "us-phoenix-1"),
            DeleteReplica("img1", "us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_replica_whose_record_was_removed_by_hand_is_adopted_and_its_later_loss_seen_by_the_pass():
    """Item 3's class: a finished replica without a record was never adopted, so its deletion, with
    the event lost, went unseen. The pass adopts it from its tags; the next one sees it gone."""
    result = run(
        114,
        [
            CreateImage("img1", ("eu-frankfurt-1", "us-phoenix-1"), settle=True),
            DeleteBookkeeping("img1", "replica-record", "us-phoenix-1"),
            Pass(),
            DropEvents("*deleteimage", 10),
            DeleteReplica("img1", "us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_region_dropped_from_the_tags_after_its_replica_was_deleted_is_not_waited_for():
    """'convergence' (seed 272): the replica was deleted (answered lost, to be made again), then the
    tags dropped its region; the pass planned an export the export step refused, for ever."""
    result = run(
        272,
        [
            CreateImage("img0", ()),
            DeleteBookkeeping("img0", "source-record", "us-ashburn-1"),
            DeleteReplica("img0", "us-phoenix-1"),
            Retag("img0", ("eu-frankfurt-1", "uk-london-1")),
        ],
    )
    assert result.ok, describe(result)


def test_a_source_record_rebuilt_from_a_retired_answer_knows_its_export_happened():
    """'convergence' (seed 237): the record, removed by hand, was rebuilt from the answers, but a
    `retired` answer did not count as proof of the export; the pass planned exports for ever."""
    result = run(
        237,
        [
            CreateImage("img1", (), "web"),
            Pass(),
            DeleteBookkeeping("img1", "source-record", "us-ashburn-1"),
            CreateImage("img6", (), "web"),
        ],
    )
    assert result.ok, describe(result)


def test_a_newer_manifest_whose_copy_failed_is_sent_again():
    """'convergence' (seed 338): a retag sent a newer manifest to a finished target; its copy failed,
    and the target stayed on the older version, reported lagging for ever."""
    result = run(
        338,
        [
            CreateImage("img1", (), "web"),
            Jump(25),
            FailWork("CopyObject"),
            Retag("img1", ("eu-frankfurt-1", "us-phoenix-1")),
        ],
    )
    assert result.ok, describe(result)


def test_a_region_dropped_from_the_tags_does_not_keep_the_export_and_manifests_for_ever():
    """'leftovers' (seed 371): a retag dropped a region whose copy of the newer manifest failed; the
    cleanup waited for that region's answer to the newest version, which never came."""
    result = run(
        371,
        [
            CreateImage("img0", (), "web"),
            Wait(45),
            DeleteReplica("img0", "eu-frankfurt-1"),
            FailWork("CopyObject"),
            Retag("img0", ("eu-frankfurt-1", "uk-london-1")),
        ],
    )
    assert result.ok, describe(result)


def test_a_genuine_pair_replayed_into_a_target_that_lost_its_record_adopts_the_replica_there():
    """'duplicates' (seed 35): the target's record was removed by hand and the adversary replayed the
    genuine pair into that target: a second replica was imported beside the first."""
    result = run(
        35,
        [
            CreateImage("img0", ("us-phoenix-1",), "web"),
            KillAfter("ListObjects", 5),
            DeleteBookkeeping("img0", "replica-record", "us-phoenix-1"),
            ReplayPair("img0", "us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_deletion_whose_copy_failed_is_sent_again():
    """'leftovers' (seed 148): the source was deleted; the copy of its deletion to one finished target
    failed, that target never answered it, and the deletion manifest stayed in staging for ever."""
    result = run(
        148,
        [
            CreateImage("img0", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), "web"),
            KillAfter("GetObject", 2),
            FailWork("CopyObject"),
            DeleteSource("img0"),
        ],
    )
    assert result.ok, describe(result)


def test_a_deletion_sent_twice_after_a_death_leaves_no_manifest_when_the_replication_closes():
    """'leftovers' (seed 82): a container died while sending the deletion, before the record said so; the
    pass sent a second one. The targets answered the first, the record closed, and the first deletion's
    manifest stayed: the cleanup waited for answers to the second."""
    result = run(
        82,
        [
            CreateImage("img1", ("eu-frankfurt-1", "us-phoenix-1"), "web"),
            Pass(),
            KillAfter("CopyObject", 5),
            CreateImage("img3", ("eu-frankfurt-1",)),
            ReplayPair("img3", "eu-frankfurt-1"),
            DeleteSource("img1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_region_whose_replica_was_retired_before_a_retag_does_not_keep_the_export_for_ever():
    """'leftovers' (seed 112): retention retired a replica in Frankfurt; a retag then issued a newer
    manifest, which a retired region never answers; the cleanup waited for that answer."""
    result = run(
        112,
        [
            CreateImage("img2", ("eu-frankfurt-1",), "db"),
            DeleteSource("img1"),
            CreateImage("img3", ("eu-frankfurt-1", "us-phoenix-1"), "db"),
            Pass(),
            Pass(),
            Retag("img2", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1")),
        ],
    )
    assert result.ok, describe(result)


def test_a_deletion_that_a_lost_region_never_received_does_not_keep_its_manifest_for_ever():
    """'leftovers' (seed 148, 20 actions): the deletion's copy to London failed, then London's replica
    was deleted and answered lost. A region holding no replica has nothing to apply; the cleanup
    waited for its answer to the deletion."""
    result = run(
        148,
        [
            CreateImage("img0", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), "web"),
            Pass(),
            DeleteReplica("img0", "eu-frankfurt-1"),
            FailWork("CopyObject"),
            DeleteSource("img0"),
            DeleteReplica("img0", "uk-london-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_retired_replica_is_deleted_only_after_the_source_has_stopped_reporting_it_protected():
    """'truth' (seeds 205, 393, 38): retention deleted the older version's replica as soon as the newer
    one finished there, and answered `retired`; until the answer reached the source (a copy, then an
    event), the report said the older version was protected in a region that no longer held it."""
    result = run(
        205,
        [
            Pass(),
            CreateImage("img1", ("us-phoenix-1",), "db"),
            Pass(),
            CreateImage("img5", ("us-phoenix-1",), "db"),
            Wait(5),
        ],
    )
    assert result.ok, describe(result)


def test_the_retirement_of_a_replica_whose_record_was_removed_by_hand_reaches_the_source():
    """'truth' (seed 131): London's record of img2 was removed; the pass adopted the replica without
    knowing the version it had answered, retention retired it, and the source took the answer for an
    older version's: img2 stayed protected there after the replica was gone."""
    result = run(
        131,
        [
            CreateImage("img1", ("uk-london-1", "us-phoenix-1"), "web"),
            CreateImage("img2", ("uk-london-1", "us-phoenix-1"), "web"),
            CreateImage("img3", ("eu-frankfurt-1",), "web"),
            Pass(),
            DeleteBookkeeping("img2", "replica-record", "uk-london-1"),
            Retag("img3", ()),
        ],
    )
    assert result.ok, describe(result)


# ----- grants an administrator removed -----------------------------------------------------------
def test_a_pass_whose_image_listing_is_refused_takes_no_image_for_deleted():
    """'convergence' (seed 19): without 'read-images' every ListImages was refused; the source's pass
    took each image for deleted and sent its deletion, and every target closed its replication."""
    result = run(
        19,
        [
            CreateImage("img2", ("eu-frankfurt-1",), "db"),
            Retag("img2", ("us-phoenix-1",)),
            RemoveGrant("read-images"),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_a_target_whose_image_listing_is_refused_takes_no_replica_for_lost():
    """'convergence' (seed 4): the same refusal in a target made its pass take the replica for lost."""
    result = run(
        4, [CreateImage("img5", ("us-phoenix-1",), "db"), FailWork("ImportImage"), RemoveGrant("read-images"), Pass()]
    )
    assert result.ok, describe(result)


def test_a_refused_export_is_tried_again_once_the_grant_is_back_not_given_up():
    """'convergence' (seed 11): without 'change-images' ExportImage answered 404, taken for "cannot be
    exported" and given up for good; the grant put back changed nothing."""
    result = run(
        11,
        [
            Pass(),
            CreateImage("img3", ("eu-frankfurt-1", "us-phoenix-1")),
            KillAfter("CreatePreauthenticatedRequest", 1),
            KillAfter("ListImages", 1),
            Pass(),
            RemoveGrant("change-images"),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_a_signing_key_the_functions_may_not_read_is_seen_by_the_operator():
    """'visibility' (seed 27): GetSecretBundle refused in London; the replication went on with a warm
    container's key, and nothing an operator reads said the key was unreadable."""
    result = run(
        27,
        [
            CreateImage("img1", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), "web"),
            Jump(25),
            RemoveGrant("signing-key"),
            CreateImage("img3", ("uk-london-1", "us-phoenix-1")),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_a_region_that_can_no_longer_report_is_not_claimed_protected():
    """'truth' (seed 34): without 'objects' Phoenix could neither answer the loss of its replica nor
    write its pass report; the source went on saying protected there."""
    result = run(
        34,
        [
            CreateImage("img0", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1")),
            DuplicateEvents("*", 2, 2),
            RemoveGrant("objects"),
            DeleteReplica("img0", "us-phoenix-1"),
            Pass(),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_a_loss_answered_while_the_source_may_not_be_read_is_made_again():
    """'convergence' (seed 135): without 'read-images' the source's GetImage was refused while it
    recorded a replica's loss; taken for a deleted source, the region was given up (report only)."""
    result = run(
        135, [CreateImage("img0", (), "web"), Pass(), RemoveGrant("read-images"), DeleteReplica("img0", "us-phoenix-1")]
    )
    assert result.ok, describe(result)


def test_a_first_manifest_issued_anew_after_the_source_lost_its_record_is_applied_not_awaited():
    """'convergence' (seed 286): the source's record was removed mid-flight; it exported again and
    issued a second `initial` manifest, later than the one Phoenix had finished with. Phoenix waited
    for an image that was not coming, and the source sent the manifest again at every pass."""
    result = run(
        286,
        [
            CreateImage("img1", (), "db"),
            FailWork("CopyObject"),
            DeleteBookkeeping("img1", "source-record", "us-ashburn-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_notice_the_functions_may_not_publish_is_counted_for_the_calls_refused_alarm():
    """'visibility' (seed 51): without 'notices' every PublishMessage was refused; a notice is best
    effort, so the refusal was only logged."""
    result = run(
        51,
        [RemoveGrant("notices"), CreateImage("img2", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), "web"), Pass()],
    )
    assert result.ok, describe(result)


def test_a_genuine_pair_replayed_into_a_region_that_retired_its_replica_is_not_imported_again():
    """'duplicates' (seed 146): retention had retired img0's replica in Phoenix (deleted two hours
    later); its genuine pair, replayed there meanwhile, was imported as a second replica."""
    result = run(
        146,
        [
            CreateImage("img0", ("us-phoenix-1",), "db"),
            Wait(45),
            CreateImage("img2", (), "db"),
            Wait(45),
            DropEvents("com.oraclecloud.objectstorage.*", 2),
            Pass(),
            ReplayPair("img0", "us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_an_import_request_whose_creation_answer_was_lost_is_removed_once_no_claim_can_come():
    """'leftovers' (seed 76): the answer to the import's CreatePreauthenticatedRequest timed out, so
    no claim recorded it; the replica's record then removed by hand. The request stayed until it
    expired: no record named its attempt."""
    result = run(
        76,
        [
            FailCall(operation="CreatePreauthenticatedRequest", status="timeout", nth=6, region=None),
            CreateImage(key="img2", targets=(), family="web", settle=False),
            DeleteBookkeeping(key="img2", kind="replica-record", region="us-phoenix-1"),
            CreateImage(key="img3", targets=("us-phoenix-1",), family="db", settle=False),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_an_import_request_whose_container_died_before_the_claim_is_removed():
    """'leftovers' (seed 227): the container died right after creating the import's request; the
    record kept the earlier attempt, so the request's newer attempt read as a claim under way."""
    result = run(
        227,
        [
            CreateImage(key="img1", targets=("eu-frankfurt-1", "us-phoenix-1"), family="db", settle=False),
            Pass(),
            KillAfter(operation="CreatePreauthenticatedRequest", nth=1),
            ReplayPair(key="img1", region="eu-frankfurt-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_refused_deletion_of_a_request_already_gone_is_not_asked_to_be_seen():
    """'visibility' (seed 166): without 'pars', the function deleted an import request a second time;
    OCI answers that 404 with or without the grant, so nothing could have been seen: the simulator
    only asks to see refusals that changed something."""
    result = run(166, steps=STEPS)
    assert result.ok, describe(result)


def test_an_import_refused_for_want_of_room_goes_on_by_itself_once_the_limit_is_raised():
    """'convergence' (seed 4): a region at its custom-image limit failed the import for good; once the
    limit was raised nothing tried again."""
    result = run(
        4,
        [
            ImageLimit(region="us-phoenix-1", room=1),
            CreateImage(key="img3", targets=("us-phoenix-1",), family=None, settle=False),
            CreateImage(key="img4", targets=("us-phoenix-1",), family=None, settle=False, defined=True),
            DeleteSource(key="img0"),
        ],
    )
    assert result.ok, describe(result)


@pytest.mark.parametrize(
    ("seed", "script"),
    [
        (
            10,  # the target's key differs: its copy of the manifest is refused, then the key is put back
            [
                BreakSigningKey(region="us-phoenix-1", how="rotate"),
                CreateImage(key="img2", targets=("us-phoenix-1",), family=None, settle=False),
                ImageLimit(region="us-phoenix-1", room=2),
            ],
        ),
        (
            52,
            [
                CreateImage(key="img1", targets=("eu-frankfurt-1", "us-phoenix-1"), family="db", settle=False),
                BreakSigningKey(region="eu-frankfurt-1", how="rotate"),
            ],
        ),
    ],
)
def test_a_manifest_refused_under_a_key_since_put_back_is_sent_again(seed, script):
    """'convergence': the source waited for ever for a target that had quarantined its manifest."""
    result = run(seed, script)
    assert result.ok, describe(result)


@pytest.mark.parametrize(
    ("seed", "script"),
    [
        (
            135,  # the source's secret deleted: the target's answer of the loss could not be checked
            [
                CreateImage(key="img0", targets=(), family="web", settle=False, defined=True),
                Wait(minutes=20),
                BreakSigningKey(region="us-ashburn-1", how="delete"),
                DeleteReplica(key="img0", region="us-phoenix-1"),
                Pass(),
                Pass(),
            ],
        ),
        (
            138,  # the target's key rotated: its answer of the loss was taken for a forgery and removed
            [
                CreateImage(
                    key="img0",
                    targets=("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"),
                    family=None,
                    settle=False,
                    defined=True,
                ),
                Wait(minutes=45),
                BreakSigningKey(region="uk-london-1", how="rotate"),
                DeleteReplica(key="img0", region="uk-london-1"),
            ],
        ),
    ],
)
def test_a_loss_answered_under_a_key_the_source_does_not_hold_keeps_the_region_unprotected(seed, script):
    """'truth': the region stayed protected with no replica there; once the keys agree, the target
    signs its answer again and the replica is made again."""
    result = run(seed, script)
    assert result.ok, describe(result)


def test_a_forged_answer_does_not_keep_a_pass_busy_for_ever():
    """'convergence' (seed 136): an unsigned `done` kept as doubted was reported at every pass."""
    result = run(
        136, [CreateImage(key="img1", targets=(), family="db", settle=False), ForgeAnswer("img1", "eu-frankfurt-1")]
    )
    assert result.ok, describe(result)


@pytest.mark.parametrize("seed", [106, 144])
def test_seeds_of_the_key_and_shape_classes_hold(seed):
    """106 ('truth'): the source's key rotated, a replica deleted; 144 ('visibility'): a shape entry
    refused by IAM was recorded as refused by the region, and nothing counted the refusal."""
    result = run(seed, steps=STEPS)
    assert result.ok, describe(result)


def test_a_deletion_reaches_a_target_whose_image_copy_failed_after_its_manifest_landed():
    """'convergence' (seed 15): the image's copy failed, its manifest landed; the source, deleted,
    sent its deletion only to targets holding a copy, and the manifest waited for its image for ever."""
    result = run(
        15,
        [
            CreateImage(key="img1", targets=(), family=None, settle=False),
            CreateImage(key="img2", targets=("uk-london-1", "us-phoenix-1"), family=None, settle=False),
            FailWork(operation="CopyObject"),
            Pass(),
            RemoveGrant(statement="signing-key"),
            Jump(hours=6),
            DeleteSource(key="img2"),
        ],
    )
    assert result.ok, describe(result)


def test_a_pass_whose_container_died_is_not_asked_to_have_reported():
    """'visibility' (seed 109): the pass died right after a write; its refusals are the next pass's to
    report (the simulator judges a region whose container died at its next pass)."""
    result = run(
        109,
        [
            CreateImage(key="img1", targets=("us-phoenix-1",), family=None, settle=False),
            Wait(minutes=45),
            BreakSigningKey(region="us-ashburn-1", how="delete"),
            Pass(),
            RemoveGrant(statement="signing-key"),
            KillAfter(operation="PutObject", nth=2),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


# Seed 118's image, sent to every other region.
EVERYWHERE = CreateImage("img0", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), "db", defined=True)


@pytest.mark.parametrize(
    "script",
    [
        [  # a replica lost while its region could not read its key: the deletion landed after
            EVERYWHERE,
            Relabel(key="img0", team="green"),
            BreakSigningKey(region="us-phoenix-1", how="delete"),
            Pass(),
            DeleteSource(key="img0"),
            DeleteReplica(key="img0", region="us-phoenix-1"),
        ],
        [  # the source's record removed by hand after its image was deleted
            EVERYWHERE,
            BreakSigningKey(region="us-phoenix-1", how="delete"),
            DeleteSource(key="img0"),
            DeleteBookkeeping(key="img0", kind="source-record", region="us-ashburn-1"),
        ],
    ],
)
def test_what_a_deleted_source_left_is_cleaned_up(script):
    """'leftovers' (seed 118): a target whose replica was lost never applied the deletion that landed
    after; a source whose record was removed by hand after its image kept its manifest in staging."""
    result = run(118, script)
    assert result.ok, describe(result)


def test_a_genuine_pair_replayed_into_a_dr_region_not_targeted_leaves_nothing_there():
    """'leftovers' (seed 250, DR tenancy): a pair from this tenancy's landing bucket, replayed into the DR
    tenancy's: its manifest did not verify there and went, its image stayed."""
    result = run(
        250,
        [
            CreateImage(
                key="img2", targets=("dr:uk-london-1", "eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), family=None
            ),
            Pass(),
            ReplayPair(key="img2", region="dr:eu-frankfurt-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_deletion_refused_under_a_key_since_put_back_is_sent_again():
    """'leftovers' (seed 205): the target, holding another key, refused the deletion; nothing sent it
    again, and the pass read as idle before the hour after which it would be."""
    script = [
        CreateImage(key="img1", targets=(), family="db", defined=True),
        BreakSigningKey(region="us-phoenix-1", how="rotate"),
        DeleteSource(key="img1"),
    ]
    result = run(205, script)
    assert result.ok, describe(result)


def test_a_shape_change_nothing_could_send_reaches_the_replicas_within_a_day():
    """'truth' (seed 225, DR tenancy): the shape change's refresh failed (no grant to write); the daily
    look of the source's shapes sends it once the grants are back."""
    result = run(
        225,
        [
            CreateImage(key="img0", targets=("dr:us-phoenix-1", "us-phoenix-1"), family=None, defined=True),
            RemoveGrant(statement="read-buckets"),
            RemoveGrant(statement="objects"),
            Reshape(key="img0", shape="VM.Standard.E5.Flex", add=True),
        ],
    )
    assert result.ok, describe(result)


def test_retry_of_a_retired_region_is_refused_and_changes_nothing():
    """'convergence' (seed 237): `retry` removed the answers of a region whose replica retention had
    retired; sent again, the replication met the retired record there, which answered nothing."""
    result = run(
        237,
        [
            CreateImage(key="img0", targets=(), family=None, defined=True),
            Reshape(key="img0", shape="VM.Standard3.Flex", add=True),
            CreateImage(key="img1", targets=("us-phoenix-1",), family="db"),
            Wait(minutes=5),
            Wait(minutes=45),
            CreateImage(key="img5", targets=("us-phoenix-1",), family="db", defined=True),
            Pass(),
            OperatorRetry(key="img1", region="us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_region_that_cannot_sign_its_answers_is_not_claimed_protected():
    """'truth' (seed 779): the target's signing secret deleted, its replica deleted with the event lost;
    its pass saw the loss but could not sign the answer, and the source kept saying protected."""
    result = run(
        779,
        [
            CreateImage(key="img0", targets=(), family=None),
            DropEvents(pattern="*deleteimage", times=4, region="us-phoenix-1"),
            BreakSigningKey(region="us-phoenix-1", how="delete"),
            DeleteReplica(key="img0", region="us-phoenix-1"),
            Pass(),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_a_replica_lost_while_its_source_is_exported_again_is_made_again():
    """'convergence' (seed 592, DR tenancy): a DR replica deleted while a retag had its source exported
    again; the source, reading the image EXPORTING, took the region for one it no longer asked for and
    only reported the loss."""
    result = run(
        592,
        [
            CreateImage(key="img1", targets=("dr:us-phoenix-1",), family="web", defined=True),
            Jump(hours=2),
            DropEvents(pattern="com.oraclecloud.objectstorage.*", times=4, region="us-ashburn-1"),
            Retag(key="img1", targets=("dr:eu-frankfurt-1", "dr:us-phoenix-1", "us-phoenix-1")),
            DeleteReplica(key="img1", region="dr:us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_retry_of_a_deleted_source_s_region_is_refused_and_leaves_nothing_behind():
    """'leftovers' (seed 461): `retry` after the source was deleted set its region pending again; no
    export could follow, and the deletion, already sent, was never answered for it: its manifests
    stayed in staging."""
    result = run(
        461,
        [
            BreakSigningKey(region="us-ashburn-1", how="rotate"),
            CreateImage(key="img1", targets=(), family="web"),
            DeleteReplica(key="img0", region="us-phoenix-1"),
            DeleteSource(key="img1"),
            OperatorRetry(key="img1", region="us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_manifest_whose_image_never_came_waits_no_longer_than_the_deadline():
    """'convergence' (seed 491): the image's copy failed, its manifest landed; the region was then dropped
    from the tags, and the manifest waited for its image until the bucket's lifecycle rule (7 days)."""
    result = run(
        491,
        [
            FailWork(operation="CopyObject"),
            CreateImage(key="img1", targets=("us-phoenix-1",), family=None),
            OperatorRetry(key="img0", region="us-phoenix-1"),
            Retag(key="img1", targets=("dr:us-phoenix-1", "eu-frankfurt-1")),
        ],
    )
    assert result.ok, describe(result)


def test_a_replication_whose_record_and_answers_were_removed_by_hand_does_not_tell_its_outcome_twice():
    """'notices' (seeds 506, 997; 1659 below): the source's record and its answers removed after completion.
    Nothing in the source region said the replication had run; it ran again, adopted its replica and sent
    "replicated" a second time. A notice's mark (told/) outlives what an operator tidies."""
    result = run(
        THREE_REGIONS,
        [
            CreateImage("img0", ("us-phoenix-1", "eu-frankfurt-1"), settle=True),
            DeleteBookkeeping("img0", "acks", "us-ashburn-1"),
            DeleteBookkeeping("img0", "source-record", "us-ashburn-1"),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_lost_bookkeeping_during_a_tag_change_does_not_tell_replicated_twice():
    """'notices' (seed 1659, shrunk): update events delivered four times, then the answers and the record
    removed by hand."""
    result = run(
        1659,
        [
            CreateImage("img0", ("us-phoenix-1",), "web", defined=True),
            DuplicateEvents("*updateimage", 4, 1),
            DeleteBookkeeping("img0", "acks", "us-ashburn-1"),
            DeleteBookkeeping("img0", "source-record", "us-ashburn-1"),
        ],
    )
    assert result.ok, describe(result)


@pytest.mark.parametrize("seed", [350, 503])
def test_a_notice_is_told_once_across_a_retry_and_a_rotated_key(seed):
    """'notices': seed 350, a region full for good was given up by its deadline, retried by the operator while
    still full, and given up again with the same notice; seed 503, the source's key rotated on its side and its
    record removed, so its answers did not verify and the replication ran again, telling "replicated" twice."""
    result = run(seed, steps=STEPS)
    assert result.ok, describe(result)


def test_a_target_sent_again_the_version_it_carries_answers_again():
    """'convergence' (seed 1552, shrunk): the source's key rotated on its side while images were on their way.
    Phoenix imported a manifest the source's warm container had signed with the old key; its answer did not
    verify in the source, which was silent-given-up after a day. Once the key was put back, the operator's
    retry removed the doubted answer and Phoenix, sent again the version it carried, ignored it: the region
    stayed failed. A target answers again what it is sent again."""
    result = run(
        1552,
        [
            CreateImage("img0", ("us-phoenix-1",), defined=True),
            DelayEvents("*createimage.end", 60, 2),
            CreateImage("img1", ("us-phoenix-1",)),
            BreakSigningKey("us-ashburn-1", "rotate"),
            CreateImage("img2", ("us-phoenix-1",), "web"),
            Jump(25),
        ],
    )
    assert result.ok, describe(result)


def test_a_target_whose_key_rotated_while_its_replica_was_made_again_converges():
    """'convergence' (seed 1850, shrunk): a replica deleted (its event lost), the target's key rotated, a day
    passing; after the key was put back and the region retried, the target never answered again."""
    result = run(
        1850,
        [
            CreateImage("img0", ("us-phoenix-1",), "db"),
            DropEvents("*deleteimage", 1),
            DeleteReplica("img0", "us-phoenix-1"),
            Pass(),
            BreakSigningKey("us-phoenix-1", "rotate"),
            Jump(25),
        ],
    )
    assert result.ok, describe(result)


def test_an_import_whose_image_was_deleted_before_its_end_takes_the_source_s_deletion():
    """'convergence' (seed 1352, shrunk): the imports' end events lost, the replica deleted while its record
    still said the import was running, and the source deleted. The target recorded the loss but kept its
    import 'running', so the source's deletion manifest was put off ("the finish applies it") at every pass.
    A loss ends the import."""
    result = run(
        1352,
        [
            CreateImage("img0", (), defined=True),
            DropEvents("*createimage.end", 3),
            Pass(),
            DeleteSource("img0"),
            DeleteReplica("img0", "us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_an_answer_under_a_key_put_back_is_signed_again_while_the_region_waits_for_an_image():
    """'convergence' (seed 504, shrunk): the target's key rotated, its replica deleted, its key later deleted
    and put back. Its answer of the loss, signed under the rotated key, did not verify in the source, which
    took the region for one behind and sent it manifests only; the target waited for an image at every pass,
    and an answer was signed again only for a replication the pass planned nothing else for."""
    result = run(
        504,
        [
            CreateImage("img0", ("us-phoenix-1",)),
            Wait(5),
            BreakSigningKey("us-phoenix-1", "rotate"),
            DelayEvents("*updateimage", 7200, 1),
            Relabel("img0", "green"),
            DeleteReplica("img0", "us-phoenix-1"),
            CreateImage("img2", (), "web", defined=True),
            RestoreGrants(),
            Wait(20),
            Jump(25),
            Wait(20),
            BreakSigningKey("us-phoenix-1", "delete"),
            Wait(5),
        ],
    )
    assert result.ok, describe(result)


def test_a_doubted_loss_outranked_by_a_believed_answer_does_not_keep_the_passes_busy():
    """'convergence' (seed 1976, shrunk): the target's key rotated while it reported a loss; a genuine pair
    replayed there made the replica again, answered under the key put back. The old loss never verified
    and was kept as doubted: a problem in every pass of the source, which never read as idle."""
    result = run(
        1976,
        [
            CreateImage("img0", ("us-phoenix-1",)),
            Wait(45),
            BreakSigningKey("us-phoenix-1", "rotate"),
            DeleteReplica("img0", "us-phoenix-1"),
            ReplayPair("img0", "us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_region_dropped_from_the_tags_after_its_replica_was_lost_keeps_no_manifest():
    """'leftovers' (seed 2975, shrunk): a container died mid-step, the image retagged away from Frankfurt while
    a tag change's manifest went there, and Frankfurt's replica deleted. The region, its replica lost, waited
    for an image the source no longer sends; the rule that drops such manifests after the deadline applied
    only to a region that never had a replica."""
    result = run(
        2975,
        [
            CreateImage("img0", (), defined=True),
            Wait(45),
            KillAfter("GetObject", 2),
            Retag("img0", ("us-phoenix-1",)),
            Relabel("img0", "red"),
            DeleteReplica("img0", "eu-frankfurt-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_retirement_answered_while_its_region_signs_its_answer_again_is_not_overwritten():
    """'convergence' (seed 1128, shrunk, from the 10,000-seed run): Phoenix's key rotated there only, its
    `done` answer was signed again by one invocation while another retired the replica (a newer version of
    the family kept) and answered `retired` under the rotated key; the re-signing, written over the newer
    record, replaced that answer with `done`. The retirement was never signed again, and the source doubted
    it at every pass. An answer is signed again only over the answer it signs."""
    result = run(
        1128,
        [
            CreateImage(
                "img1",
                ("dr:eu-frankfurt-1", "dr:uk-london-1", "eu-frankfurt-1", "uk-london-1", "us-phoenix-1"),
                "web",
                defined=True,
            ),
            ReplayPair("img0", "us-phoenix-1"),
            CreateImage("img3", ("dr:uk-london-1", "us-phoenix-1"), "web"),
            Wait(45),
            BreakSigningKey("us-phoenix-1", "rotate"),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_a_version_retired_in_a_region_is_told_again_when_the_source_sends_it_again():
    """'convergence' (seed 3923, shrunk, from the peer-key runs): two versions of a family made at the same
    second, the source's key rotated there only. Phoenix retired the one its family order puts first and
    answered so; the source doubted the answer, then issued its manifest anew once its key was back, and
    Phoenix removed every copy of a retired version without a word. The source sent it for ever, then gave
    the region up. A retired version sent again is answered again, for the manifest that came."""
    result = run(
        3923,
        [
            CreateImage("img0", ("us-phoenix-1",), "web", defined=True),
            Wait(5),
            CreateImage("img1", ("dr:eu-frankfurt-1", "dr:us-phoenix-1", "eu-frankfurt-1", "us-phoenix-1"), "web"),
            CreateImage("img2", ("dr:eu-frankfurt-1", "dr:us-phoenix-1", "eu-frankfurt-1", "us-phoenix-1"), "web"),
            BreakSigningKey("us-ashburn-1", "rotate"),
            Jump(25),
        ],
    )
    assert result.ok, describe(result)


def test_an_export_failed_for_a_region_no_longer_asked_for_does_not_keep_the_passes_busy():
    """'convergence' (seed 10482, shrunk, fresh seeds on the main of its day): the tags sent the image to the
    default region for a while, its export for that region was refused (no 'change-images'), and the tags
    went back. The pass planned the export at every pass; the export step found no region to export for."""
    result = run(
        10482,
        [
            CreateImage("img0", ("eu-frankfurt-1",), "db"),
            FailCall("CreatePreauthenticatedRequest", 429, 3),
            Retag("img0", ()),
            RemoveGrant("change-images"),
            Pass(),
            Retag("img0", ("eu-frankfurt-1",)),
        ],
    )
    assert result.ok, describe(result)


def test_a_retirement_answered_under_a_key_since_put_back_is_signed_again():
    """'convergence' (seed 10968, shrunk, fresh seeds): the source's key and Phoenix's were rotated while
    three versions of a family replicated there. Phoenix retired the oldest and answered under its rotated
    key, then settled the replica; once both keys were put back the source doubted that answer at every
    pass, and Phoenix, trusting its settled mark, never read the record that would have signed it again.
    A replica's mark names the key it was made under and stops holding when the region holds another."""
    result = run(
        10968,
        [
            CreateImage("img1", ("us-phoenix-1",), "web", settle=False),
            BreakSigningKey("us-ashburn-1", "rotate"),
            CreateImage("img2", ("us-phoenix-1",), "web", settle=False, defined=True),
            BreakSigningKey("us-phoenix-1", "rotate"),
            CreateImage("img3", ("us-phoenix-1",), "web", settle=False),
            Jump(25),
        ],
    )
    assert result.ok, describe(result)


def test_a_region_that_may_write_no_report_and_post_no_metric_says_so_on_its_topic():
    """'visibility' (seed 873, shrunk by hand): without 'objects' and 'metrics' a region's pass could write
    neither its report nor the refused_calls metric, and status named the region only once its report was
    stale, a pass late. The pass now publishes a notice naming the calls refused."""
    result = run(
        873,
        [
            CreateImage("img0", ("eu-frankfurt-1",), settle=False),
            Wait(20),
            RemoveGrant("objects"),
            RemoveGrant("metrics"),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_a_region_that_may_write_post_and_publish_nothing_answers_its_pass_with_an_error():
    """'visibility' (seed 10956, shrunk by hand): 873's class with 'notices' removed too. Only the log is
    left; the pass answers an error, which Functions counts and the function-errors alarm sees."""
    result = run(
        10956,
        [
            CreateImage("img0", (), settle=False, defined=True),
            Wait(45),
            RemoveGrant("objects"),
            RemoveGrant("notices"),
            RemoveGrant("metrics"),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_a_region_that_cannot_list_its_images_is_not_claimed_protected_once_its_replica_is_gone():
    """'truth' (seed 4310, shrunk, from the 10,000-run record): Phoenix's replica was deleted with every
    event of it lost, and 'read-images' removed; Phoenix's passes could not list their images, so
    nothing said the replica was gone, and status kept reporting the region protected. A region whose
    last pass could not list or read its images is not claimed protected: status names why."""
    result = run(
        4310,
        [
            CreateImage("img1", ("us-phoenix-1",), settle=False),
            Retag("img1", ("us-phoenix-1",)),
            DropEvents("*", 3, "us-phoenix-1"),
            DeleteReplica("img1", "us-phoenix-1"),
            RemoveGrant("read-images"),
            Jump(6),
        ],
    )
    assert result.ok, describe(result)


def test_a_shape_change_sent_by_a_step_that_died_after_its_copy_is_undone_when_the_source_changes_back():
    """'truth' (seed 4483, shrunk, from the 10,000-run record): a shape added to the source was sent by
    a refresh whose container died right after the copy, before its write; Phoenix applied it and
    answered. The shape was then removed: the record, which had never learnt of the added one, saw no
    change, and the replica kept the shape the source no longer had, reported protected for ever."""
    result = run(
        4483,
        [
            CreateImage("img0", ("us-phoenix-1",), "web", settle=False),
            KillAfter("CopyObject", 4),
            Reshape("img0", "VM.Standard.E4.Flex", add=True),
            Reshape("img0", "VM.Standard.E4.Flex", add=False),
        ],
    )
    assert result.ok, describe(result)


def test_a_replica_s_deletion_answered_again_after_its_record_was_removed_is_told_once():
    """'notices' (seed 4699, shrunk, from the 10,000-run record): Phoenix's replica was deleted and its
    loss told; its record was then removed by hand and the next replica deleted too. Phoenix answered
    the first loss again, and the source told it a second time. Each replica's deletion is now told once,
    whatever answers it again (a mark named after the replica, as the other notices have)."""
    result = run(
        4699,
        [
            CreateImage("img0", ("us-phoenix-1",), settle=False),
            DeleteBookkeeping("img0", "acks", "us-phoenix-1"),
            DeleteReplica("img0", "us-phoenix-1"),
            Pass(),
            DeleteBookkeeping("img0", "replica-record", "us-phoenix-1"),
            DeleteReplica("img0", "us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


@pytest.mark.parametrize("side", ["peer", "dr-peer"])
def test_a_peer_key_rotated_on_one_side_is_named_in_status_then_heals(side):
    """Regression (peer keys, newly explored): the DR region lagged with no reason at all while the
    two tenancies' copies of their shared key differed; once put back, it converges."""
    from sim.invariants import _operator_view
    from sim.world import World

    dr_region = "uk-london-1"
    broken = BreakSigningKey(region="us-ashburn-1" if side == "peer" else dr_region, how="rotate", key=side)
    script = [broken, CreateImage(key="img0", targets=(f"dr:{dr_region}",)), Pass(), Pass(), Pass(), Pass()]
    world = World.build(WorldSpec.draw(REPLAYED))
    try:
        for action in script:
            action.apply(world)
            world.cloud.run_until_idle()
        (shown,) = _operator_view(world).values()
        (target,) = shown.targets
        assert target.state == "lagging" and f"IR_PEER_SECRET_IDS ({DR_ALIAS})" in target.reason
    finally:
        world.close()
    result = run(REPLAYED, script)
    assert result.ok, describe(result)


def test_a_source_record_removed_after_its_export_was_cleaned_up_is_rebuilt_as_exported():
    """'convergence' (seed 5995, shrunk, from the 10,000-run record): the container that cleaned up after a
    finished replication died after removing the export; the source's record was then removed by hand and
    the replicas' tags changed. Rebuilt without the export object, the record read as never exported: each
    pass asked for a refresh, which started the replication again, and the export was refused because every
    target had answered. Answers that verify now prove the export ran."""
    result = run(
        5995,
        [
            CreateImage("img0", ("eu-frankfurt-1", "uk-london-1"), settle=False, defined=True),
            Pass(),
            KillAfter("DeleteObject", 1),
            Relabel("img0", "red"),
            DeleteBookkeeping("img0", "source-record", "us-ashburn-1"),
        ],
    )
    assert result.ok, describe(result)


def test_an_export_whose_container_died_right_after_it_started_is_not_counted_failed():
    """'convergence' (seed 5294, shrunk, from the 10,000-run record): the container died right after
    ExportImage, and the fake still ran its cleanup, deleting the export's PAR; the export wrote nothing,
    counted a failure, and with two others the export was given up after the faults stopped. A killed
    process runs no cleanup: the fake now refuses every later call of a dead container, so the PAR
    stays and the export lands."""
    result = run(
        5294,
        [
            CreateImage("img0", ("us-phoenix-1",), settle=False),
            FailWork("ImportImage"),
            KillAfter("PutObject", 5),
            FailWork("ExportImage"),
            CreateImage("img1", (), settle=False),
            KillAfter("ExportImage", 3),
            Pass(),
            OperatorRetry("img1", "us-phoenix-1"),
            CreateImage("img2", (), settle=False),
            Wait(45),
            Pass(),
            Retag("img0", ()),
        ],
    )
    assert result.ok, describe(result)


def test_a_shape_change_whose_look_falls_late_the_next_day_is_awaited_until_then():
    """'truth' (seed 225, shrunk, from the 10,000-run record): a shape added while the functions could not
    read their bucket was caught by no event; the daily look falls at an hour drawn afresh each UTC day,
    so two looks may be up to 47 hours apart, and the simulator gave only 24 hours of passes before it
    read the stale replicas as reported protected. It now waits, as README says, until the end of the
    next UTC day."""
    result = run(
        225,
        [
            CreateImage("img0", ("dr:us-phoenix-1", "us-phoenix-1"), defined=True),
            Pass(),
            RemoveGrant("objects"),
            Reshape("img0", "VM.Standard.E5.Flex", add=True),
        ],
    )
    assert result.ok, describe(result)


def test_what_staging_holds_of_a_replication_whose_source_record_and_answers_are_gone_is_removed():
    """'leftovers' (seed 7126, shrunk, from the 10,000-run record): Phoenix's key was rotated, so it refused
    the manifest and the deletion it was sent and answered nothing; the source was deleted and its record
    removed by hand. Once the key was put back nothing named the replication but its two manifests in
    staging, and no pass looked at them. A pass now removes what staging holds of a replication whose
    source, record and answers are all gone (only when its listings of images and records were complete)."""
    result = run(
        7126,
        [
            CreateImage("img0", ("us-phoenix-1",)),
            BreakSigningKey("us-phoenix-1", "rotate"),
            DeleteSource("img0"),
            DeleteBookkeeping("img0", "source-record", "us-ashburn-1"),
        ],
    )
    assert result.ok, describe(result)


def test_an_older_manifest_replayed_into_a_target_that_lost_its_record_does_not_undo_a_newer_one():
    """'truth' (seed 7315, shrunk, from the 10,000-run record): London applied the relabel's manifest and
    answered it; its record was then removed by hand and the genuine first manifest replayed into its
    landing bucket. Without a record London adopted its replica with what landed, the older manifest's
    tags over the newer ones, while the source, holding the newer answer, reported it protected. A replica
    now carries the issue time of the manifest it holds (`replica-manifest-issued`); an adoption applies
    nothing older than that, and removes what landed."""
    result = run(
        7315,
        [
            CreateImage("img0", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), family="web", settle=False),
            DelayEvents("*exportimage.end", 60, 4),
            Relabel("img0", "green"),
            DeleteBookkeeping("img0", "replica-record", "uk-london-1"),
            ReplayPair("img0", "uk-london-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_region_of_another_tenancy_is_not_claimed_protected_while_its_answers_cannot_be_taken_in():
    """'truth' (seed 6775, shrunk, from the 10,000-run record): the functions' `objects` statement was
    removed in production and the DR region's replica then deleted. The DR saw the loss and answered it,
    but its answer lay unread in the source region's landing bucket, and `status` went on reporting the
    DR region protected: it is heard only through the source region's functions, whose passes could
    write nothing. While the source region's passes have stopped reporting, a region of another tenancy
    is now lagging, with that reason."""
    result = run(
        6775,
        [
            CreateImage(
                "img0", (f"{DR_ALIAS}:uk-london-1", "eu-frankfurt-1", "us-phoenix-1"), family="web", settle=False
            ),
            DelayEvents("*deleteimage", 7200, 3),
            RemoveGrant("objects"),
            DeleteReplica("img0", f"{DR_ALIAS}:uk-london-1"),
            Jump(2),
        ],
    )
    assert result.ok, describe(result)


OUT_OF_SIGHT = [
    CreateImage("img0", ("us-phoenix-1",), settle=False),
    DeleteBookkeeping("img0", "replica-record", "us-phoenix-1"),
    DeleteReplica("img0", "us-phoenix-1"),
]


def test_the_loss_out_of_sight_by_design_is_excused_only_when_its_event_is_lost():
    """'truth' (seed 7554, shrunk, from the 10,000-run record): a replica deleted right after its record was
    removed by hand, before any pass adopted it, with the deletion's event lost. Nothing in the region
    names the replica any more; README states this schedule out of reach, and the simulator excuses that
    and only that. With its event delivered, the same schedule is judged like any other: the deleted
    image's tags name its source, and the loss is answered."""
    lost = run(7554, [OUT_OF_SIGHT[0], DropEvents("*deleteimage", 3), *OUT_OF_SIGHT[1:]])
    assert lost.ok, describe(lost)
    delivered = run(7554, OUT_OF_SIGHT)
    assert delivered.ok, describe(delivered)


def test_the_loss_out_of_sight_by_design_is_excused_in_either_order():
    """'truth' (seed 8899, from the 10,000-run record): 7554's schedule with the replica deleted first and its
    record removed by hand after, before any pass there saw it gone; its event lost. Excused alike; with
    a pass between the two, the region answers the loss and nothing is excused."""
    deleted_first = [OUT_OF_SIGHT[0], DropEvents("*deleteimage", 3), OUT_OF_SIGHT[2], OUT_OF_SIGHT[1]]
    assert run(8899, deleted_first).ok
    seen = run(8899, [*deleted_first[:3], Pass(), OUT_OF_SIGHT[1]])
    assert seen.ok, describe(seen)


def test_a_copy_chosen_before_a_target_answered_does_not_undo_its_answer():
    """'convergence' (seed 8070, shrunk, from the 10,000-run record): Phoenix's replica was deleted and
    the genuine pair replayed into its landing bucket; Phoenix imported it and answered done while the
    source, after the loss, exported again and copied. The copy's record write, retried over the answer
    just applied, moved the finished target back to copying, then landed; Phoenix, done with that
    version, never answered again, and the source waited until it gave the region up. The copy's
    results now apply only to targets that still want one when the write lands."""
    result = run(
        8070,
        [
            CreateImage("img0", (), settle=False),
            FailCall("CreatePreauthenticatedRequest", 429, 1),
            DeleteReplica("img0", "us-phoenix-1"),
            DropEvents("*", 4),
            DropEvents("*createimage.end", 6, "us-phoenix-1"),
            ReplayPair("img0", f"{DR_ALIAS}:us-phoenix-1"),
            ReplayPair("img0", "us-phoenix-1"),
            CreateImage("img1", (f"{DR_ALIAS}:us-phoenix-1", "us-phoenix-1"), family="web", settle=False),
            CreateImage("img2", (), settle=False),
            ReplayPair("img1", "us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_region_that_never_reported_is_not_claimed_protected_by_an_answer_not_yet_recorded():
    """'truth' (seed 8887, shrunk, from the 10,000-run record): Frankfurt answered done; the functions'
    `objects` statement was then removed and Frankfurt's replica deleted. No pass anywhere could report or
    record anything, and Frankfurt's answer, never recorded, carried no time: a region that never
    reported was doubted only past the grace after an answer's recorded time, so it stayed protected for
    a day. An answer not yet recorded now counts from the manifest it answers."""
    result = run(
        8887,
        [
            CreateImage("img1", (), settle=False),
            Wait(5),
            RemoveGrant("objects"),
            DeleteReplica("img1", "eu-frankfurt-1"),
            Jump(25),
        ],
    )
    assert result.ok, describe(result)


def test_shape_entries_an_earlier_finish_left_are_removed_when_a_newer_manifest_has_none():
    """'truth' (seed 8836, shrunk, from the 10,000-run record): a finish applied the first manifest's shape
    entry and its container died before the record was written; the source's entry was removed meanwhile,
    and the next finish applied the newer manifest as to a fresh replica, putting its entries without
    listing the present ones, so the removed entry stayed on the replica. A finish now always lists the
    replica's entries and removes those the manifest does not carry."""
    result = run(
        8836,
        [
            KillAfter("DeleteObject", 5),
            CreateImage("img2", (), settle=False),
            Pass(),
            CreateImage("img3", ("us-phoenix-1",), settle=False, defined=True),
            DeleteBookkeeping("img1", "acks", "us-phoenix-1"),
            Reshape("img3", "VM.Standard3.Flex", add=False),
        ],
    )
    assert result.ok, describe(result)


def test_an_export_whose_write_par_was_refused_is_not_counted_and_goes_on_once_the_grant_is_back():
    """'convergence' (seed 9314, shrunk, from the 10,000-run record): without `pars` the export's write PAR
    was refused after the attempt was claimed; the record kept the attempt running, the next attempt
    counted it as an export that ended without its object, and two refusals and one failed export gave
    the export up for good. A refused PAR now ends the attempt uncounted, as a refused ExportImage does."""
    result = run(
        9314,
        [
            RemoveGrant("pars"),
            FailWork("ExportImage"),
            CreateImage("img1", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), family="db", settle=False),
            Jump(2),
            RestoreGrants(),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_a_genuine_pair_replayed_into_a_region_that_adopted_its_replica_leaves_nothing_behind():
    """'leftovers' (seed 381, shrunk, from the 10,000-run record; a regression of 7315's fix): Phoenix's
    record was removed by hand and a pass adopted its replica, now recording the version the replica
    carries; the genuine pair of that version was then replayed into its landing bucket. The manifest was
    taken for one not yet applied (the adopted record knows no manifest), refused as already applied, and
    left in the landing bucket for ever. A record that knows no manifest is now ranked by the version it
    applied: what lands again of that version is removed, and the region answers again."""
    result = run(
        381,
        [
            CreateImage("img0", ("eu-frankfurt-1", "us-phoenix-1"), family="db", settle=False, defined=True),
            Wait(5),
            BreakSigningKey("us-ashburn-1", "delete"),
            DeleteBookkeeping("img0", "replica-record", "us-phoenix-1"),
            Jump(2),
            ReplayPair("img0", "us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_a_record_adopted_after_a_replay_knows_where_to_answer_a_later_loss_or_drill():
    """'convergence' (seed 7315 as a world that drills, found when drills were added): London's record
    was removed by hand, and the replayed first manifest made a new one before the replica was adopted
    into it; the adopted record did not know its source region, so the answer its first drill sent
    (and a loss's would have) was refused for want of a destination, at every pass. An adoption now
    takes the source region from the replica's `replica-source-region` tag."""
    script = [
        CreateImage("img0", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), family="web", settle=False),
        DelayEvents("*exportimage.end", 60, 4),
        Relabel("img0", "green"),
        DeleteBookkeeping("img0", "replica-record", "uk-london-1"),
        ReplayPair("img0", "uk-london-1"),
    ]
    assert WorldSpec.draw(7315).drills
    result = run(7315, script)
    assert result.ok, describe(result)
    lost = run(7315, [*script, Pass(), DeleteReplica("img0", "uk-london-1"), Pass(), Pass()])
    assert lost.ok, describe(lost)


def test_a_drill_instance_is_judged_by_the_ticks_that_ran_not_by_the_clock():
    """'leftovers' (seed 352, 1,000-run check after drills were added): a delayed event moved the
    fake's clock two hours while the world settled, with no schedule firing, and the drill instance
    launched just before was judged a leftover by its age. The invariant now counts the drill ticks
    that ran after its end was due; the same seed holds, with a TerminateInstance failing meanwhile."""
    assert WorldSpec.draw(352).drills
    result = run(352)
    assert result.ok, describe(result)


def test_a_pass_that_leaves_records_unread_counts_their_images_exposed():
    """'truth' (seed 217, the first run with worlds whose passes read 4 records): five images on their
    way to a region whose imports are refused, one more than a pass reads; the one left unread was
    left out of the gauge, which said 3 exposed where 5 were. Unread, an image is counted exposed."""
    assert WorldSpec.draw(217).max_reads == 4
    result = run(217, [Pass(), RemoveGrant("change-images"), CreateBatch("batch6", 5, ("eu-frankfurt-1",)), Pass()])
    assert result.ok, describe(result)


def test_images_whose_marks_stop_holding_once_the_reads_are_spent_count_exposed_too():
    """'truth' (seed 335): a settled mark removed by hand and a retag made marks stop holding while the
    images streamed by, after the pass had chosen its reads; the records they added past the budget
    were left unread, and out of the gauge."""
    assert WorldSpec.draw(335).max_reads == 4
    result = run(
        335,
        [
            CreateImage("img0", ("eu-frankfurt-1",), family="web"),
            CreateBatch("batch1", 8, ("eu-frankfurt-1",)),
            Pass(),
            RemoveGrant("signing-key"),
            DeleteBookkeeping("batch1-5", "settled", "us-ashburn-1"),
            Retag("batch1-1", ("us-phoenix-1",)),
            Jump(25),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_a_settled_mark_does_not_vouch_for_a_replication_whose_answers_do_not_verify():
    """'truth' (seed 138, found by the gauge invariant): London's key rotated there only, its replica
    deleted; its loss answered under a key the source does not hold. The report said lagging (its
    answers do not verify), while the mark, which believes only the others, kept the gauge at 0."""
    result = run(
        138,
        [
            CreateImage("img0", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), defined=True),
            Wait(45),
            BreakSigningKey("uk-london-1", "rotate"),
            DeleteReplica("img0", "uk-london-1"),
            Pass(),
            Pass(),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_a_direct_transfers_request_goes_with_its_export_when_a_lost_replica_is_made_again():
    """'leftovers' (seed 409, found when direct transfers were added, shrunk): Frankfurt's replica was
    deleted and made again from a second export, each export read through its own transfer PAR; the
    one left when the replication ended stayed in staging. A pass now removes a transfer PAR once the
    staging listing no longer shows its export, whoever removed it."""
    assert WorldSpec.draw(409).transfer == "direct"
    result = run(
        409,
        [
            CreateImage("img0", ("eu-frankfurt-1",), "web"),
            CreateBatch("batch1", 6, ("us-phoenix-1",)),
            DeleteReplica("img0", "eu-frankfurt-1"),
        ],
        transfer="direct",
    )
    assert result.ok, describe(result)


def test_a_direct_ticket_of_a_later_export_is_used_though_the_first_exports_manifest_stayed_landed():
    """'convergence' (seed 474, found when direct transfers were added, shrunk): the object events were
    lost and a copy's work request failed, so the source exported again; Frankfurt held the first
    export's manifest (a copy never overwrites it) and the second export's ticket, and waited for a
    manifest of the second export that could not land. The ticket speaks for the export: one of a
    later export than the manifest is used, the manifest still giving the tags and shapes."""
    assert WorldSpec.draw(474).transfer == "direct"
    result = run(
        474,
        [
            DropEvents("com.oraclecloud.objectstorage.*", 5),
            FailWork("CopyObject"),
            CreateImage("img2", ()),
            CreateImage("img5", (), "web"),
            DuplicateEvents("*deleteimage", 2, 4),
        ],
        transfer="direct",
    )
    assert result.ok, describe(result)


def test_a_staged_ticket_is_sent_again_only_while_it_verifies_under_the_key_held_now():
    """'convergence' (seed 198, found when direct transfers were added, shrunk): the source's key was
    rotated there only and Phoenix's replica deleted; the replication was sent again with a ticket
    signed under the rotated key, which Phoenix refused, and once the key was put back the source
    kept sending that staged ticket to the silent target until the deadline gave the region up. A
    staged ticket is now sent again only while it verifies under the key held now."""
    assert WorldSpec.draw(198).transfer == "direct"
    result = run(
        198,
        [
            CreateImage("img0", ("us-phoenix-1",)),
            Pass(),
            BreakSigningKey("us-ashburn-1", "rotate", "own"),
            DelayEvents("*createimage.end", 3600, 3),
            CreateImage("img1", ("us-phoenix-1",)),
            DeleteReplica("img0", "us-phoenix-1"),
            Wait(1),
        ],
        transfer="direct",
    )
    assert result.ok, describe(result)


def test_a_deletion_that_lands_beside_a_refused_landing_is_answered():
    """'leftovers' (seed 1072, found in a world of direct transfers, shrunk): Phoenix could not read its
    key, London's and Frankfurt's answers came under a key rotated since, and the source was deleted.
    Phoenix's import then met the export gone (404) and refused the landing, which removed its ticket
    and first manifest; the deletion that had landed after them waited beside a record expecting
    another copy, and the source kept its manifests and tickets for an answer that never came. A
    pass now takes up a later manifest that lands with no image to import."""
    assert WorldSpec.draw(1072).transfer == "direct"
    result = run(
        1072,
        [
            BreakSigningKey("us-phoenix-1", "delete", "own"),
            CreateImage("img1", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), "db"),
            BreakSigningKey("eu-frankfurt-1", "rotate", "own"),
            DeleteSource("img1"),
        ],
        transfer="direct",
    )
    assert result.ok, describe(result)


def test_a_grant_missing_under_a_direct_import_is_counted_refused_though_oci_answers_404():
    """'visibility' (seed 2665, found in a world of direct transfers, shrunk): Phoenix had no room, and
    'change-images' was removed before its import ran. Through the source region's PAR, CreateImage
    answered 404, which a direct import took for an export gone: the landing was refused and sent
    again, and nothing an operator reads named the refused call. The call is now counted refused."""
    assert WorldSpec.draw(2665).transfer == "direct"
    result = run(
        2665,
        [
            ImageLimit("us-phoenix-1", 0),
            CreateImage("img5", ("us-phoenix-1",), "db"),
            FailCall("ListImages", 503, 6, "us-ashburn-1"),
            RemoveGrant("change-images"),
            Pass(),
        ],
        transfer="direct",
    )
    assert result.ok, describe(result)


def test_answers_that_cannot_be_checked_keep_the_gauge_from_counting_their_replica_protected():
    """'truth' (seed 3641, found with the direct transfers' runs, in a world of copies, shrunk): the
    source region's key was deleted and Frankfurt's replica deleted; Frankfurt answered that it was
    lost, which the source could not check. Status counted Frankfurt unsure from that answer; the
    pass took its protection from the record alone, and the gauge said nothing was exposed. The
    pass now counts such an answer as status does."""
    result = run(
        3641,
        [
            CreateImage("img0", ("eu-frankfurt-1", "us-phoenix-1")),
            Relabel("img0", "green"),
            BreakSigningKey("us-ashburn-1", "delete", "own"),
            Wait(20),
            DeleteReplica("img0", "eu-frankfurt-1"),
            Pass(),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_a_replica_whose_record_was_lost_is_adopted_when_a_later_version_lands_with_no_image():
    """'convergence' (seed 4046, in a world of direct transfers, shrunk): London's replica record was
    deleted by hand, the source reshaped, and a genuine pair replayed into London. What landed made a
    new record there, waiting for its import; the source, holding London done, sent only the later
    manifest, and London waited for an image that was never to come, at every pass. A later version
    landing with no image and no import recorded now adopts the replica the region holds."""
    result = run(
        4046,
        [
            CreateImage("img0", (), "web"),
            DeleteReplica("img0", "us-phoenix-1"),
            DeleteBookkeeping("img0", "replica-record", "uk-london-1"),
            Reshape("img0", "VM.Standard3.Flex", True),
            ReplayPair("img0", "uk-london-1"),
        ],
        transfer="direct",
    )
    assert result.ok, describe(result)


def test_a_target_region_out_of_service_for_hours_is_not_given_up():
    """'convergence' (seed 9, shrunk): Phoenix was out of service for eight hours. Every copy into it
    failed meanwhile, and the third failure gave the region up: when it came back, nothing was sent
    there until an operator's retry. A region is now given up on only once its copies have failed
    for IR_TARGET_DEADLINE_HOURS, whatever the number of attempts."""
    result = run(
        9,
        [
            CreateImage("img3", ("eu-frankfurt-1", "us-phoenix-1")),
            RegionOutage("us-phoenix-1", 8),
            Jump(6),
        ],
    )
    assert result.ok, describe(result)


def test_drill_ticks_while_their_region_is_out_of_service_end_the_drill_once_it_is_back():
    """'leftovers' (seed 21, in a world of direct transfers, shrunk): Phoenix went out of service while
    a drill's instance ran there. The ticks meanwhile could not terminate it (every call failed); the
    first tick after the outage did. What is judged is the ticks that could act."""
    result = run(
        21,
        [
            CreateImage("img1", ("eu-frankfurt-1", "us-phoenix-1")),
            Pass(),
            RegionOutage("us-phoenix-1", 3),
            Pass(),
            Pass(),
        ],
        transfer="direct",
    )
    assert result.ok, describe(result)


def test_a_notice_whose_answer_was_lost_is_not_published_again():
    """'notices' (seed 188, shrunk): a PublishMessage in the source region timed out after the message
    went out, and the SDK's retry published it a second time. Notices are now retried only after an
    error the service answered."""
    result = run(
        188,
        [
            FailCall(operation="PublishMessage", status="timeout", nth=3, region="us-ashburn-1"),
            CreateImage("img1", ("eu-frankfurt-1", "us-phoenix-1"), "web"),
            CreateImage("img2", ("eu-frankfurt-1",)),
            CreateImage("img3", (), "db"),
            DeleteReplica("img2", "us-phoenix-1"),
        ],
    )
    assert result.ok, describe(result)


def test_passes_while_a_region_is_out_of_service_do_not_count_toward_judging_the_status():
    """'truth' (seed 692, shrunk), a harness fix: Phoenix's replica was deleted while the source region
    was out of service. Phoenix answered at once, but the copy of its answer could not land; the two
    passes that followed ran inside the outage, and the truth was judged on them. An answer that
    could not travel travels at the first pass after the outage: only the passes after it count."""
    result = run(
        692,
        [
            CreateImage("img0", ("us-phoenix-1",), "db", defined=True),
            Wait(20),
            RegionOutage("us-ashburn-1", 3),
            DeleteReplica("img0", "us-phoenix-1"),
            Pass(),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_an_answer_delivered_is_not_taken_for_the_newer_one_due_beside_it():
    """'truth' (seed 678, shrunk): the source region was out of service while retention retired a
    family's older version in Frankfurt. The pass that retired it made the 'retired' answer due (its
    copy failed, the source being out), and a check of the earlier 'done' answer, in the same pass,
    found that one delivered and marked the answer the record held then, the 'retired' one, as
    delivered: it was never sent again, and the source called Frankfurt protected for good. A
    delivery now marks only the answer it copied."""
    result = run(
        678,
        [
            Wait(20),
            CreateImage("img2", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), "db"),
            CreateImage("img4", (), "db"),
            Wait(5),
            CreateImage("img5", ("eu-frankfurt-1", "uk-london-1", "us-phoenix-1"), "db"),
            DropEvents("com.oraclecloud.objectstorage.*", 5, "eu-frankfurt-1"),
            RegionOutage("us-ashburn-1", 8),
            Pass(),
            Pass(),
        ],
    )
    assert result.ok, describe(result)


def test_the_command_run_without_the_dev_environment_goes_on_under_the_repository_s(monkeypatch, tmp_path):
    # `python -m sim` from an interpreter without the SDK and the packages failed with an import
    # traceback: it now re-runs itself under .venv, or says in one line how to make one.
    import sim.__main__ as command

    monkeypatch.setattr(command.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(command.sys, "argv", ["sim", "--runs", "20"])

    class Replaced(Exception):  # what execv does to the process: nothing after it runs here
        pass

    def execv(path, argv):
        raise Replaced(path, argv)

    monkeypatch.setattr(command.os, "execv", execv)
    monkeypatch.setattr(command, "VENV", tmp_path / ".venv")
    with pytest.raises(SystemExit, match=r"README's test command makes it in \.venv"):
        command.in_dev_environment()
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    python = tmp_path / ".venv" / "bin" / "python"
    python.touch()
    with pytest.raises(Replaced) as replaced:
        command.in_dev_environment()
    assert replaced.value.args == (python, [str(python), "-m", "sim", "--runs", "20"])
