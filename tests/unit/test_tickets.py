"""A direct transfer's ticket: its PAR sealed for one target and replication, the rest signed."""

from datetime import UTC, datetime

import pytest

from replicator import tickets

KEY = b"k" * 32
URI = "https://objectstorage.us-ashburn-1.oraclecloud.com/p/secret-token/n/ns/b/staging/o/images/x.oci"
SOURCE = "ocid1.image.oc1.iad.aaaaaaaasource"


def _ticket(**overrides) -> tickets.TransferTicket:
    fields = dict(
        source_id=SOURCE,
        source_region="us-ashburn-1",
        target="us-phoenix-1",
        export_attempt=1,
        object_size=1024,
        object_md5="md5==",
        expires_at=datetime(2030, 1, 2, tzinfo=UTC),
    )
    fields.update(overrides)
    return tickets.issue(KEY, URI, **fields)


def test_a_ticket_opens_for_its_target_with_the_shared_key_and_shows_no_url_in_clear():
    ticket = _ticket()
    raw = ticket.to_bytes()
    assert tickets.genuine(KEY, tickets.parse(raw))
    assert tickets.opened(KEY, tickets.parse(raw)) == URI
    assert b"secret-token" not in raw and b"objectstorage" not in raw
    assert len(raw) < 1024


@pytest.mark.parametrize(
    "change",
    [
        {"target": "eu-frankfurt-1"},
        {"source_image_id": "ocid1.image.oc1.iad.aaaaaaaaother"},
        {"export_attempt": 2},
        {"expires_at": datetime(2031, 1, 1, tzinfo=UTC)},
        {"object_md5": "other=="},
    ],
)
def test_a_ticket_changed_in_any_field_is_not_genuine(change):
    moved = _ticket().model_copy(update=change)
    assert not tickets.genuine(KEY, moved)


@pytest.mark.parametrize(
    "change", [{"target": "eu-frankfurt-1"}, {"source_image_id": "ocid1.image.oc1.iad.aaaaaaaaother"}]
)
def test_a_sealed_url_moved_to_another_target_or_replication_does_not_open_even_re_signed(change):
    # Whoever holds the key could sign anything; the seal is bound all the same.
    moved = _ticket().model_copy(update=change)
    with pytest.raises(tickets.TicketRefused, match="does not open"):
        tickets.opened(KEY, moved)


def test_a_ticket_sealed_under_another_key_neither_verifies_nor_opens():
    ticket = _ticket()
    assert not tickets.genuine(b"o" * 32, ticket)
    with pytest.raises(tickets.TicketRefused):
        tickets.opened(b"o" * 32, ticket)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"x" * (tickets.MAX_TICKET_BYTES + 1), "is no transfer ticket"),
        (b"evil disk", "not a transfer ticket"),
        (b'{"source_image_id": "x"}', "not a transfer ticket"),
    ],
)
def test_what_is_not_a_ticket_is_refused_with_a_one_line_reason(data, reason):
    with pytest.raises(tickets.TicketRefused, match=reason) as refused:
        tickets.parse(data)
    assert "\n" not in str(refused.value)
