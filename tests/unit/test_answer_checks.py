"""How a replication's answers are judged when some do not verify with the key the source region holds."""

from replicator.answer_checks import judge
from replicator.naming import AckName

SOURCE = "ocid1.image.oc1.iad.aaaa"


def answer(target: str, outcome: str = "done", rank: int = 1, tag: str = "0" * 64) -> AckName:
    return AckName(SOURCE, target, outcome, 1_700_000_000_000, rank, "-", tag)


def test_answers_that_do_not_verify_are_kept_and_doubted_never_believed():
    """A key rotated on one side only, or a forgery: nothing tells them apart. Kept, they verify again
    once the keys agree (or their target signs them again); a loss among them keeps the target from
    counting as protected meanwhile, a `done` among them promises nothing."""
    done, lost = answer("us-phoenix-1", rank=1), answer("us-phoenix-1", "lost", rank=2)
    forged = answer("eu-frankfurt-1", rank=99)
    genuine = answer("eu-frankfurt-1", rank=1, tag="1" * 64)
    found = judge([done, lost, forged, genuine], known=lambda a: True, signed=lambda a: a is genuine)
    assert found.believed == [genuine]
    assert found.doubted == [done, lost, forged] and found.forged == found.superseded == []
    assert found.doubted_targets == {"us-phoenix-1"}


def test_an_answer_signed_again_with_the_key_both_hold_supersedes_its_unsigned_twin():
    old = answer("us-phoenix-1", "lost", rank=2, tag="0" * 64)
    again = answer("us-phoenix-1", "lost", rank=2, tag="1" * 64)
    found = judge([old, again], known=lambda a: True, signed=lambda a: a is again)
    assert (found.believed, found.doubted, found.superseded) == ([again], [], [old])


def test_an_answer_of_a_tenancy_not_configured_here_is_a_forgery_whatever_it_carries():
    stranger = answer("other:us-phoenix-1")
    found = judge([stranger], known=lambda a: False, signed=lambda a: True)
    assert found.forged == [stranger] and not found.believed


def test_an_unsigned_answer_a_newer_believed_answer_of_its_target_outranks_is_superseded():
    """Seed 1976: a loss signed under a key since put back, then the region imported again and answered
    `done` under the key held now; the old loss says nothing more, and kept as doubted it was a problem
    in every pass for ever."""
    lost = AckName(SOURCE, "us-phoenix-1", "lost", 5, 1, "ocid1.image.oc1.phx.aaaa")
    done = AckName(SOURCE, "us-phoenix-1", "done", 5, 2, "ocid1.image.oc1.phx.bbbb")
    other = AckName(SOURCE, "eu-frankfurt-1", "lost", 5, 1, "ocid1.image.oc1.eu-frankfurt-1.cccc")
    found = judge([lost, done, other], known=lambda a: True, signed=lambda a: a is done)
    assert found.believed == [done] and found.superseded == [lost] and found.doubted == [other]
