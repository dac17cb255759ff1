"""One snapshot of this region's own part, taken with a bounded number of calls and memory.

Per pass: the staging bucket (its settled marks first, then the rest), the landing bucket,
the images of each configured compartment (sources and the replicas living here), then the
records no mark vouches for. Every listing is streamed page by page, and a replication whose
mark holds leaves next to nothing behind (its id; its state if it is in a family): what a
pass holds grows with the replications that need something, not with the settled ones.
Nothing here calls another region.
"""

import dataclasses
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from .. import logs
from ..answer_checks import WARNING_OUTCOMES, judged
from ..decision import Decision, decide
from ..drills import due, oldest
from ..errors import ReplicatorError
from ..families import family_of
from ..fanout import fan_out
from ..health import refused
from ..images import ImageFacts
from ..integrity import key_print
from ..naming import (
    FOLDED,
    AckName,
    SettledMark,
    acks_prefix,
    etag_version,
    parse_ack,
    parse_landed,
    parse_settled,
    settled_answers,
    settled_prefix,
    source_id_from_record,
)
from ..protection import DOUBTED
from ..records.store import Read
from ..runtime import Runtime
from ..tenancies import place
from .observations import SIDES, Observed
from .settled import (
    fold_due,
    listed_answers,
    replica_mark_holds,
    shape_cycle_hours,
    shapes_changed,
    shapes_due,
    source_mark_holds,
    stamped_at,
    with_leftovers,
)


class _Vouch:
    """What the marks of one replication leave while the listings stream by, kept small on purpose
    (one per settled replication): the marks' names without their common head, joined by "/" (a
    name holds none there); which of them names the version of the record the listing shows (its
    index, -1 none; never a folded mark); for a source, which of them the answers listed agree with
    (a bit per mark); and whether the listing showed a record, or answers, at all."""

    __slots__ = ("acked", "answers", "named", "recorded", "tails")

    def __init__(self, tail: str) -> None:
        self.tails = tail
        self.named = -1
        self.answers = 0
        self.recorded = False
        self.acked = False

    def split(self) -> list[str]:
        return self.tails.split("/")


@dataclass
class _Index:
    prefix: str
    vouches: dict[str, dict[str, _Vouch]] = field(default_factory=lambda: {s: {} for s in SIDES})
    unvouched: dict[str, set[str]] = field(default_factory=lambda: {s: set() for s in SIDES})  # records to read
    complete: bool = False  # the listing ran to its end

    def names(self, side: str, source_id: str) -> list[str]:
        head = f"{settled_prefix(self.prefix, side)}{source_id}/"
        vouch = self.vouches[side].get(source_id)
        return [head + t for t in vouch.split()] if vouch else []

    def mark_at(self, side: str, source_id: str) -> tuple[SettledMark, int] | None:
        """The mark naming the version of the record the listing shows, and its index, if there is one;
        or, where the listing (complete) shows no record, the folded mark the record lives in."""
        vouch = self.vouches[side].get(source_id)
        if vouch is None:
            return None
        tails = vouch.split()
        head = f"{settled_prefix(self.prefix, side)}{source_id}/"
        if vouch.named < 0:
            if vouch.recorded or not self.complete:
                return None
            marks = ((parse_settled(self.prefix, head + t), at) for at, t in enumerate(tails))
            return next(((m, at) for m, at in marks if m is not None and m.folded), None)
        version = tails[vouch.named].partition(".")[0]
        for at, tail in enumerate(tails):  # the named one comes first; a later one if it is malformed
            mark = parse_settled(self.prefix, head + tail)
            if mark is not None and mark.version == version and not mark.folded:
                return mark, at
        return None

    def has_folded(self, side: str, source_id: str) -> bool:
        vouch = self.vouches[side].get(source_id)
        return vouch is not None and any(t.endswith(FOLDED) for t in vouch.split())

    def mark(self, side: str, source_id: str) -> SettledMark | None:
        found = self.mark_at(side, source_id)
        return found[0] if found else None

    def listed(self, side: str, settled: set[str]) -> set[str]:
        """Every record of `side` the staging listing showed: those a mark named (`settled`: those whose
        mark held, their vouch let go), and those to read."""
        return {i for i, v in self.vouches[side].items() if v.named >= 0} | self.unvouched[side] | settled


class _Listed(Mapping[str, set[str]]):
    """The records the staging listing showed, by side, made into sets only when asked (rarely: to
    judge a pre-authenticated request no attempt claims), not held twice on every pass."""

    def __init__(self, index: _Index, seen: Observed) -> None:
        self._index, self._seen = index, seen
        self._sets: dict[str, set[str]] = {}

    def __getitem__(self, side: str) -> set[str]:
        if side not in SIDES:
            raise KeyError(side)
        if side not in self._sets:
            settled = self._seen.settled_sources if side == "source" else self._seen.settled_replicas
            self._sets[side] = self._index.listed(side, settled)
        return self._sets[side]

    def __iter__(self) -> Iterator[str]:
        return iter(SIDES)

    def __len__(self) -> int:
        return len(SIDES)


def _index_staging(runtime: Runtime, seen: Observed) -> _Index:
    """Marks first (their own listing), then the rest of the bucket in name order, so that each
    record and each replication's answers (listed together) are judged as they stream by."""
    config = runtime.config
    prefix, bucket = config.object_prefix, config.staging_bucket
    index = _Index(prefix)
    marks_head = settled_prefix(prefix)
    try:
        for summary in runtime.objects.iter_objects(bucket, marks_head):
            mark = parse_settled(prefix, summary.name)
            if mark is None:
                seen.staging.add(summary.name)
                continue
            head = f"{settled_prefix(prefix, mark.side)}{mark.source_id}/"
            tail, vouches = summary.name[len(head) :], index.vouches[mark.side]
            vouch = vouches.get(mark.source_id)
            if vouch is None:
                vouches[mark.source_id] = _Vouch(tail)
            else:
                vouch.tails = f"{vouch.tails}/{tail}"
        group: list[AckName] = []
        for summary in runtime.objects.iter_objects(bucket, prefix, end=marks_head):
            ack = parse_ack(prefix, summary.name)
            if ack is not None:
                if group and group[0].source_id != ack.source_id:
                    _answers(runtime, index, group, seen)
                    group = []
                group.append(ack)
                continue
            for side in SIDES:
                source_id = source_id_from_record(prefix, side, summary.name)
                if source_id is not None:
                    _record(index, side, source_id, summary.etag)
                    break
            else:
                seen.staging.add(summary.name)
        if group:
            _answers(runtime, index, group, seen)
        index.complete = True
    except ReplicatorError as exc:
        seen.problems.append(f"bucket {bucket}: {exc.reason}")
        seen.refusals += refused(exc)
        logs.warning("bucket not listed", bucket=bucket, reason=exc.reason)
    return index


def _record(index: _Index, side: str, source_id: str, etag: str | None) -> None:
    vouch = index.vouches[side].get(source_id)
    version = etag_version(etag) + "." if etag else None
    if vouch is not None:
        vouch.recorded = True  # a folded mark beside it is a fold interrupted, or a record put back since
    named = (
        next((at for at, t in enumerate(vouch.split()) if t.startswith(version) and not t.endswith(FOLDED)), -1)
        if vouch and version
        else -1
    )
    if vouch is not None and named >= 0:
        vouch.named = named
    else:
        index.unvouched[side].add(source_id)


def _answers(runtime: Runtime, index: _Index, group: list[AckName], seen: Observed) -> None:
    """One replication's answers: a digest where a mark may vouch for it, else the answers. Answers that
    cannot be checked (the key unreadable) are neither believed nor taken for absent: the replication
    is `unchecked` this pass, and the key is not asked for again."""
    if (acked := index.vouches["source"].get(group[0].source_id)) is not None:
        acked.acked = True
    if seen.key_problem is not None:
        _unchecked(seen, group)
        return
    try:
        found = judged(runtime, group)
    except ReplicatorError as exc:
        seen.key_problem = exc.reason
        _unchecked(seen, group)
        seen.problems.append(f"answers not checked: {exc.reason}")
        seen.refusals += refused(exc)
        return
    answers = found.believed
    if found.doubted_targets:
        seen.doubted[group[0].source_id] = found.doubted_targets
        targets = ", ".join(sorted(found.doubted_targets))
        seen.problems.append(
            f"{group[0].source_id}: answers from {targets} that {DOUBTED.removeprefix('its answers ')}"
        )
    vouch = index.vouches["source"].get(group[0].source_id)
    if vouch is not None:
        listed = listed_answers(answers, index.prefix)
        vouch.answers = sum(1 << at for at, tail in enumerate(vouch.split()) if settled_answers(tail) == listed)
    elif answers:
        seen.acks[group[0].source_id] = answers


def _unchecked(seen: Observed, group: list[AckName]) -> None:
    """A replication whose answers could not be checked; those that may say a replica is not there
    are kept, so that its protection is not taken from its record alone (status does the same)."""
    seen.unchecked.add(group[0].source_id)
    if warnings := [a for a in group if a.outcome in WARNING_OUTCOMES]:  # what unsure_targets can count
        seen.unsure[group[0].source_id] = warnings


def _listed_acks(runtime: Runtime, source_id: str) -> list[AckName]:
    """A replication's answers, listed again: its mark did not hold after all (rare)."""
    config = runtime.config
    names = runtime.objects.iter_objects(config.staging_bucket, acks_prefix(config.object_prefix, source_id))
    return judged(runtime, [a for a in (parse_ack(config.object_prefix, o.name) for o in names) if a]).believed


def _list_landing(runtime: Runtime, seen: Observed) -> None:
    config = runtime.config
    try:
        for summary in runtime.objects.iter_objects(config.landing_bucket, config.object_prefix, times=True):
            landed = parse_landed(config.object_prefix, summary.name)
            if landed is not None:
                seen.landed[landed.source_id].append(dataclasses.replace(landed, landed_at=summary.time_created))
            elif (ack := parse_ack(config.object_prefix, summary.name)) is not None and place(ack.target).alias:
                seen.inbox.append(ack)
    except ReplicatorError as exc:
        seen.problems.append(f"bucket {config.landing_bucket}: {exc.reason}")
        seen.refusals += refused(exc)
        logs.warning("bucket not listed", bucket=config.landing_bucket, reason=exc.reason)


@dataclass
class _Scan:
    """What the image listings need while they stream: the shape looks this pass may make."""

    now: datetime
    cycle_hours: int
    looks_left: int
    new_left: int  # replications not started yet this pass may still take on (-1: no limit)
    # Marked replicas listed but not settled by their mark (a settled one is in seen.settled_replicas).
    replica_seen: set[str] = field(default_factory=set)
    # Settled sources whose record is still in `records/` (not folded): (id, image, mark names), at
    # most a pass's reads; those the reads left room for are read, to be folded.
    refolds: list[tuple[str, ImageFacts, list[str]]] = field(default_factory=list)


def _defer_beyond_reads(seen: Observed, index: _Index, ordered, budget: int) -> int:
    """The records without a mark this pass reads (sources first, from the cursor on, at most
    `budget`), chosen before the images are listed: the others are left for later passes, and
    so are their images and answers (what a first pass over thousands would otherwise hold).
    Returns how many replications not started yet the pass may take on: what the budget leaves,
    and never less than a quarter of it (thousands of records that cannot settle, read in turn,
    would otherwise keep every new image waiting)."""
    sources = ordered(index.unvouched["source"])
    replicas = ordered(index.unvouched["replica"])
    seen.deferred["source"] = set(sources[budget:])
    seen.deferred["replica"] = set(replicas[max(0, budget - len(sources)) :])
    first = [*sources[budget:], *replicas[max(0, budget - len(sources)) :]]
    seen.first_deferred = first[0] if first else None
    for source_id in seen.deferred["source"]:
        seen.acks.pop(source_id, None)
    return max(budget - len(sources) - len(replicas), budget // 4) if index.complete else -1


def _scan_images(runtime: Runtime, compartment: str, seen: Observed, index: _Index, scan: _Scan) -> None:
    try:
        for image in runtime.compute.iter_images(compartment):
            if image.lifecycle_state == "DELETED":
                continue
            seen.custom_images += not image.is_platform
            if image.replica_of:
                _replica_image(runtime, image, seen, index, scan)
            else:
                _source_image(runtime, image, seen, index, scan)
    except ReplicatorError as exc:
        seen.problems.append(f"compartment {compartment}: {exc.reason}")
        seen.refusals += refused(exc)
        seen.unlisted.add(compartment)
        logs.warning("compartment not listed", compartment=compartment, reason=exc.reason)


def _source_image(runtime: Runtime, image: ImageFacts, seen: Observed, index: _Index, scan: _Scan) -> None:
    # Interned: the mark's id is the same string, and a settled replication leaves only that one.
    config, source_id = runtime.config, sys.intern(image.id)
    decision = decide(image, runtime.region, config)
    if source_id in seen.deferred["source"]:
        _left_unread(seen, image, decision, scan.now)  # its record is read by a later pass, which plans for it
        return
    vouch = index.vouches["source"].get(source_id)
    found = index.mark_at("source", source_id)
    if found is not None and vouch is not None:
        mark, at = found
        leftover, doubted = source_id in seen.leftovers, source_id in seen.doubted
        answers = mark.answers if vouch.answers >> at & 1 else ""  # what the answers listed agree with
        # Answers listed beside a folded mark that the folded record did not leave there: new ones.
        unexplained = mark.folded and not vouch.answers >> at & 1 and vouch.acked
        if not unexplained and source_mark_holds(mark, image, decision, answers, leftover, config, doubted=doubted):
            seen.settled_sources.add(source_id)
            if fold_due(mark, scan.now) and len(scan.refolds) < config.reconcile_max_reads:
                scan.refolds.append((source_id, image, index.names("source", source_id)))
            del index.vouches["source"][source_id]  # what is left of it: its id
            seen.covered.update((t, image.compartment_id or "") for t in decision.targets)
            if scan.looks_left > 0 and shapes_due(source_id, scan.now, scan.cycle_hours):
                scan.looks_left -= 1
                seen.shape_looks += 1
                try:  # the look, one call: the source's shapes against the last manifest's
                    if shapes_changed(mark, image, runtime.compute.list_shapes(source_id), config):
                        seen.refresh_marks[source_id] = mark
                        seen.images[source_id] = image
                except ReplicatorError as exc:
                    seen.problems.append(f"shapes of {source_id}: {exc.reason}")
                    seen.refusals += refused(exc)
            return
    if vouch is not None:
        _unsettle(runtime, index, source_id, seen)
        seen.images[source_id] = image
    elif source_id in seen.acks or source_id in index.unvouched["source"]:
        seen.images[source_id] = image
    elif decision.opted_in:
        # Not started (no record, no answer: its events were lost, say): taken on while the budget
        # lasts; the others are only counted, as exposed, and wait for the next passes.
        if scan.new_left == 0:
            seen.waiting.add(image, decision.targets, scan.now)
            return
        scan.new_left -= scan.new_left > 0
        seen.images[source_id] = image


def _refold(runtime: Runtime, seen: Observed, index: _Index, scan: _Scan) -> None:
    """Settled sources whose record a mark vouches for in `records/`: as many as the pass's reads leave
    room for are read again (settled all the same), so that the pass folds them (`_leave_marks`). Marks
    left before records were folded, and records written too recently to fold, are there."""
    room = runtime.config.reconcile_max_reads - len(index.unvouched["source"] - seen.deferred["source"])
    room -= len(index.unvouched["replica"] - seen.deferred["replica"])
    # One whose shape look found a change is refreshed from its mark this pass, and folded by a later one.
    for source_id, image, names in [r for r in scan.refolds if r[0] not in seen.refresh_marks][: max(0, room)]:
        seen.settled_sources.discard(source_id)
        seen.images[source_id] = image
        seen.marks[("source", source_id)] = names
        index.unvouched["source"].add(source_id)
        _relist_acks(runtime, source_id, seen)
    scan.refolds.clear()


def _left_unread(seen: Observed, image: ImageFacts, decision: Decision, now: datetime) -> None:
    """A source whose record this pass leaves unread: nothing the pass saw says it is protected, so the
    gauges count it exposed (if it is opted in) rather than leave it out."""
    if decision.opted_in:
        seen.unread.add(image, decision.targets, now, aged=False)


def _unsettle(runtime: Runtime, index: _Index, source_id: str, seen: Observed) -> None:
    """A source mark that does not hold: its record is read (if listed) and its answers listed."""
    seen.marks[("source", source_id)] = index.names("source", source_id)
    folded = index.has_folded("source", source_id)
    vouch = index.vouches["source"].pop(source_id)
    if vouch.named >= 0 or folded:  # a record listed, or one folded into a mark (read from there)
        index.unvouched["source"].add(source_id)
    _relist_acks(runtime, source_id, seen)


def _relist_acks(runtime: Runtime, source_id: str, seen: Observed) -> None:
    try:
        found = _listed_acks(runtime, source_id)
    except ReplicatorError as exc:
        seen.problems.append(f"answers of {source_id}: {exc.reason}")
        seen.refusals += refused(exc)
        found = []
    if found:
        seen.acks[source_id] = found


def _replica_image(runtime: Runtime, image: ImageFacts, seen: Observed, index: _Index, scan: _Scan) -> None:
    source_id, config = sys.intern(image.replica_of or ""), runtime.config
    # A record read already (its mark judged not holding before this compartment was listed) decides.
    mark = index.mark("replica", source_id) if source_id not in seen.replica_records else None
    if mark is not None and replica_mark_holds(mark, image, seen.landed.get(source_id, []), held_keys(runtime, seen)):
        seen.settled_replicas.add(source_id)
        del index.vouches["replica"][source_id]  # what is left of it: its id (and its mark, parsed)
        if config.drills_possible and mark.state == "finished":  # nothing parsed per image while drills are off
            last = stamped_at(mark.drilled)
            if due(config, image.freeform_tags, last, scan.now):
                seen.drills_due.append((last, source_id))
                if len(seen.drills_due) > 4 * config.drill_concurrency:  # only the oldest few are started
                    seen.drills_due = oldest(seen.drills_due, config.drill_concurrency)
        if family_of(image, config) is not None:
            seen.family_states[source_id] = (mark.state, mark.replica_id)
            seen.replicas[source_id] = image
        return
    if mark is not None and mark.replica_id == image.id:
        scan.replica_seen.add(source_id)  # the marked replica, not as the mark says: read the record
    if source_id in seen.deferred["replica"] and family_of(image, config) is None:
        return  # planned by the pass that reads its record (a family member is kept: its family waits)
    known = seen.replicas.get(source_id)
    # The AVAILABLE one wins over an import still running or one that failed.
    if known is None or (known.lifecycle_state != "AVAILABLE" and image.lifecycle_state == "AVAILABLE"):
        seen.replicas[source_id] = image


def answer_keys(runtime: Runtime, seen: Observed) -> dict[str | None, str]:
    """Prints of the keys this region signs its answers with now (`integrity.key_print`), by alias: its
    own and those it shares with the tenancies whose images it replicates. Read once a pass, when first
    needed; a key that cannot be read is missing, and its refusal is reported once."""
    if seen.answer_keys is None:
        seen.answer_keys = {}
        aliases = [None, *(p.alias for p in runtime.config.source_tenancies)]
        for alias in aliases:
            try:
                seen.answer_keys[alias] = key_print(runtime.signing_key(alias))
            except ReplicatorError as exc:
                seen.problems.append(f"signing key not read: {exc.reason}")
                seen.refusals += refused(exc)
        seen.answer_keys_complete = len(seen.answer_keys) == len(aliases)
    return seen.answer_keys


def held_keys(runtime: Runtime, seen: Observed) -> frozenset[str] | None:
    """What a replica's mark is judged with: the prints of every key held now, or None when one could not
    be read (a mark is then trusted as it is: an answer could not be signed again anyway)."""
    prints = answer_keys(runtime, seen)
    return frozenset(prints.values()) if seen.answer_keys_complete else None


def observe(runtime: Runtime, start_at: str | None = None) -> Observed:
    """`start_at`: the replication the last pass stopped at; records are read from there on."""
    config = runtime.config
    seen = Observed(runtime.region)
    seen.started = runtime.now()
    index = _index_staging(runtime, seen)
    seen.records_listed = _Listed(index, seen) if index.complete else None
    seen.leftovers = with_leftovers(seen.staging, config.object_prefix)
    seen.cursor = start_at or current_cursor(seen.staging, config.object_prefix)
    _list_landing(runtime, seen)
    start = seen.cursor or ""

    def ordered(ids) -> list[str]:
        # From where the last pass stopped: the records it could not read come first.
        return sorted(ids, key=lambda i: (i < start, i))

    new_left = _defer_beyond_reads(seen, index, ordered, config.reconcile_max_reads)
    looks = config.reconcile_shape_looks
    scan = _Scan(runtime.now(), shape_cycle_hours(len(index.vouches["source"]), looks), looks, new_left)
    compartments = list(
        dict.fromkeys([*config.compartments, *([config.target_compartment_id] if config.target_compartment_id else [])])
    )
    for compartment in compartments:
        _scan_images(runtime, compartment, seen, index, scan)

    # Sources: a marked one whose image was not listed (deleted?) is not settled either.
    for source_id in [i for i in index.vouches["source"] if i not in seen.settled_sources]:
        _unsettle(runtime, index, source_id, seen)
    _refold(runtime, seen, index, scan)
    before = set(seen.deferred["source"])
    _read(runtime, "source", ordered(index.unvouched["source"] - seen.deferred["source"]), seen.source_records, seen)
    # Marks found not holding while the images streamed by add reads past the budget: those left
    # unread are counted as the ones chosen before.
    for source_id in seen.deferred["source"] - before:
        if (image := seen.images.get(source_id)) is not None:
            _left_unread(seen, image, decide(image, runtime.region, config), scan.now)
    # Replicas live in the target compartment, else in their source's: list any compartment a mark
    # or a record names that the configuration does not.
    pending = {
        i: index.mark("replica", i)
        for i, vouch in index.vouches["replica"].items()
        if vouch.named >= 0 and i not in seen.settled_replicas
    }
    listed = set(compartments)

    def list_named(named: set[str]) -> None:
        # Only where no target compartment is set: replicas then live in their source's compartment.
        for compartment in sorted(set() if config.target_compartment_id else named - listed - {""}):
            _scan_images(runtime, compartment, seen, index, scan)
            listed.add(compartment)

    list_named({m.compartment_id for i, m in pending.items() if m is not None and i not in scan.replica_seen})
    unheld = []
    for source_id in ordered(pending):
        if source_id in seen.settled_replicas:
            continue
        mark = pending[source_id]
        landed, keys = seen.landed.get(source_id, []), held_keys(runtime, seen) if mark is not None else None
        if mark is not None and replica_mark_holds(mark, seen.replicas.get(source_id), landed, keys):
            seen.settled_replicas.add(source_id)  # retired, and gone as the mark says
            continue
        seen.marks[("replica", source_id)] = index.names("replica", source_id)
        unheld.append(source_id)
    # A mark that stopped holding (its replica gone, most often) is read before the records never
    # marked: a loss must not wait behind a backlog for the source to hear of it.
    _read(runtime, "replica", unheld, seen.replica_records, seen)
    unmarked = ordered(index.unvouched["replica"] - seen.deferred["replica"])
    for source_id in unmarked:
        seen.marks[("replica", source_id)] = index.names("replica", source_id)
    _read(runtime, "replica", unmarked, seen.replica_records, seen)
    list_named(
        {
            r.record.manifest.source_compartment_id
            for r in seen.replica_records.values()
            if r.record is not None and r.record.manifest is not None
        }
    )
    list_drills(runtime, seen)
    return seen


def list_drills(runtime: Runtime, seen: Observed) -> None:
    """The instances drills launched in this region (one listing of the drill compartment)."""
    compartment = runtime.config.drill_compartment_id
    if not runtime.config.drills_possible or compartment is None:
        return
    try:
        seen.drill_instances = runtime.instances.tagged(compartment)
    except ReplicatorError as exc:
        seen.problems.append(f"drill instances not listed: {exc.reason}")
        seen.refusals += refused(exc)


def cursor_object(prefix: str) -> str:
    return f"{prefix}reconcile/cursor"


def current_cursor(staged, prefix: str) -> str | None:
    """Where the last pass ran out (of time or of reads): its name says it, no read needed."""
    head = cursor_object(prefix) + "."
    return next((n[len(head) :] for n in staged if n.startswith(head)), None)


def _read(runtime: Runtime, side: str, ids: list[str], records: dict[str, Read], seen: Observed) -> None:
    """The records of `ids`, in that order, up to the pass's IR_RECONCILE_MAX_READS (the rest wait for
    the next passes), read at once in a small pool: a catch-up pass reads thousands, each a round trip."""
    room = max(0, runtime.config.reconcile_max_reads - seen.reads)
    taken, left = ids[:room], ids[room:]
    seen.deferred[side].update(left)
    if left:
        seen.first_deferred = seen.first_deferred or left[0]
    seen.reads += len(taken)

    def read(source_id: str) -> Read | ReplicatorError:
        try:
            return runtime.records.read(side, source_id)  # type: ignore[arg-type]
        except ReplicatorError as exc:
            return exc

    found = fan_out([partial(read, i) for i in taken], runtime.config.call_concurrency)
    for source_id, got in zip(taken, found, strict=True):
        if isinstance(got, ReplicatorError):
            seen.problems.append(f"{side} record of {source_id}: {got.reason}")
            seen.refusals += refused(got)
        else:
            records[source_id] = got
