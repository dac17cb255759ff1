"""How the disk reaches a target (IR_TRANSFER): a full copy into its landing bucket, or a ticket.

`copy` (the default) copies the exported object to every target, which imports its own copy: an
import that fails is tried again from it even while the source region is down. `direct` copies a
ticket instead (tickets.py): the target's import reads the export in the source region through a
read PAR, which saves one transfer of the disk and its storage in every target, and ends when the
export is removed (every target answered) or the PAR expires. Either way each function calls its
own region only: the PAR is made in the source region, the ticket travels by CopyObject, and the
import that reads across regions is Compute's, in the target region.
"""

from datetime import datetime, timedelta
from typing import Final

from . import logs, tickets
from .gateways.objects import ObjectInfo
from .manifest import ReplicationManifest
from .naming import PAR_NAME_PREFIX, SOURCE_META, SOURCE_REGION_META, image_object, par_name, ticket_object
from .pars import par_lifetime
from .runtime import Runtime
from .tenancies import as_target, place

# What a copy takes: (staged name, landed name, metadata).
Entry = tuple[str, str, dict[str, str] | None]

TRANSFER_STEP: Final = "transfer"


def image_entry(runtime: Runtime, source_id: str) -> Entry:
    """The exported image as a copy takes it: staged and landed under one name, with its source."""
    name = image_object(runtime.config.object_prefix, source_id)
    return name, name, {SOURCE_META: source_id, SOURCE_REGION_META: runtime.region}


def transfer_entries(
    runtime: Runtime,
    source_id: str,
    targets: list[str],
    attempt: int,
    now: datetime,
    exported: ObjectInfo | None = None,
    *,
    reuse: bool = False,
) -> dict[str, Entry]:
    """Per target, what lands under the image's name: the export itself, or a ticket to read it.

    A direct transfer makes one read PAR for these targets and stages a ticket for each, sealed for
    it alone, naming the export's size and checksum (`exported`, else read now). None are made for
    an export no longer there: the targets' copies then fail as a copy of it would. `reuse`: a ticket
    staged for this export that verifies under the key held now and still has a transfer's time to
    live is sent again as it is (a target asked again at each pass would otherwise cost a PAR each time)."""
    config = runtime.config
    if config.transfer == "copy" or not targets:
        return {t: image_entry(runtime, source_id) for t in targets}
    name = image_object(config.object_prefix, source_id)
    meta = {SOURCE_META: source_id, SOURCE_REGION_META: runtime.region}
    entries: dict[str, Entry] = {}
    if reuse:
        for target in targets:
            staged = ticket_object(config.object_prefix, source_id, target)
            if _still_good(runtime, staged, target, attempt, now):
                entries[target] = (staged, name, meta)
        targets = [t for t in targets if t not in entries]
        if not targets:
            return entries
    exported = exported or runtime.objects.head(config.staging_bucket, name)
    if exported is None:
        return {**entries, **{t: image_entry(runtime, source_id) for t in targets}}
    size, md5 = exported.size, exported.md5
    # Past the transfer's own time, IR_TRANSFER_WINDOW_HOURS: a ticket that expires before its import
    # could read it all is refused by the target, which asks for another.
    expires = now + par_lifetime(config, size // (1024 * 1024)) + timedelta(hours=config.transfer_window_hours)
    par = runtime.objects.create_par(
        config.staging_bucket, par_name(TRANSFER_STEP, source_id, runtime.region, attempt), name, "ObjectRead", expires
    )
    for target in targets:
        ticket = tickets.issue(
            runtime.key_for(target),
            par.uri,
            source_id=source_id,
            source_region=runtime.region,
            target=target,
            export_attempt=attempt,
            object_size=size,
            object_md5=md5,
            expires_at=expires,
        )
        staged = ticket_object(config.object_prefix, source_id, target)
        runtime.objects.put(config.staging_bucket, staged, ticket.to_bytes())
        entries[target] = (staged, name, meta)
    return entries


def _still_good(runtime: Runtime, staged: str, target: str, attempt: int, now: datetime) -> bool:
    """Whether the ticket staged as `staged` is of this export, signed with the key held now (one made
    before a key was rotated or put back is refused there), and lives a transfer's time and an hour more."""
    found = runtime.objects.get(runtime.config.staging_bucket, staged)
    if found is None:
        return False
    try:
        ticket = tickets.parse(found[0])
    except tickets.TicketRefused:
        return False
    needed = par_lifetime(runtime.config, ticket.object_size // (1024 * 1024)) + timedelta(hours=1)
    return (
        ticket.export_attempt == attempt
        and ticket.expires_at - now >= needed
        and tickets.genuine(runtime.key_for(target), ticket)
    )


def remove_transfer_pars(runtime: Runtime, source_id: str) -> list[str]:
    """The read PARs direct transfers made on the export: of no use once every target answered."""
    config = runtime.config
    mine = f"{PAR_NAME_PREFIX}{TRANSFER_STEP}-"
    removed = []
    for par in runtime.objects.list_pars(config.staging_bucket, image_object(config.object_prefix, source_id)):
        if par.name.startswith(mine) and runtime.objects.delete_par(config.staging_bucket, par.id):
            removed.append(f"par:{par.name}")
    return removed


def ticket_uri(runtime: Runtime, manifest: ReplicationManifest, landed_size: int) -> str:
    """The URI the ticket landed under the image's name seals, checked against `manifest`;
    tickets.TicketRefused (one line: why) for anything else, a disk included, which is not read."""
    config = runtime.config
    if landed_size > tickets.MAX_TICKET_BYTES:
        raise tickets.TicketRefused(f"a direct transfer expects a ticket, and {landed_size} bytes landed")
    found = runtime.objects.get(config.landing_bucket, image_object(config.object_prefix, manifest.source_image_id))
    if found is None:
        raise tickets.TicketRefused("the ticket is gone")
    ticket = tickets.parse(found[0])
    origin = place(manifest.source_region)
    addressed = (
        runtime.region
        if origin.alias is None
        else as_target(manifest.target_namespaces, runtime.namespace, runtime.region)
    )
    # The ticket speaks for the export, the manifest for the replica's tags and shapes: a ticket of a
    # later export than the manifest in hand is the source's newer word (that export's manifest may
    # not land over the first one, a copy never overwrites); one of an earlier export is stale. The
    # export's facts are compared only for the same export, and only those the manifest gives (one
    # sent again by refresh.resend leaves them to the ticket).
    same = ticket.export_attempt == manifest.export_attempt
    wrong = [
        what
        for what, ok in (
            ("replication", ticket.source_image_id == manifest.source_image_id),
            ("source region", ticket.source_region == origin.region),
            ("target", ticket.target == addressed),
            ("export attempt", ticket.export_attempt >= manifest.export_attempt),
            ("size", not same or not manifest.object_size or ticket.object_size == manifest.object_size),
            ("checksum", not same or not manifest.object_md5 or ticket.object_md5 == manifest.object_md5),
        )
        if not ok
    ]
    if wrong:
        raise tickets.TicketRefused(f"the ticket's {', '.join(wrong)} is not its manifest's")
    if not runtime.verified(origin.alias, lambda key: tickets.genuine(key, ticket)):
        raise tickets.TicketRefused("the ticket is not signed with the key the source shares with this region")
    needed = par_lifetime(config, ticket.object_size // (1024 * 1024))
    if ticket.expires_at - runtime.now() < needed:
        raise tickets.TicketRefused(
            f"the ticket's PAR expires at {ticket.expires_at:%Y-%m-%dT%H:%M:%SZ}: too soon for an import, "
            f"which needs {needed}"
        )
    uri = tickets.opened(runtime.signing_key(origin.alias), ticket)
    logs.info("direct transfer: importing from the source region", expires_at=ticket.expires_at.isoformat())
    return uri
