"""Whether an answer is believed: signed by its target with the key this region holds for it.

One check for the function's events, the pass and the operator's views. Answers that do not
verify are sorted (`Judged`): kept and never acted on, or removed when they are forgeries or
superseded (by a signed twin, or by a newer answer of their target that verifies). A target
region asks the same of its own answer (`signed_anew`), in its answer step and at each pass.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import integrity, logs
from .integrity import genuine_ack, tagged
from .naming import AckName, parse_ack
from .records.replica import ReplicaRecord
from .records.source import SourceRecord
from .runtime import Runtime
from .tenancies import place


def _known(runtime: Runtime, ack: AckName) -> bool:
    """Whether the answer names a target of this deployment, or of a tenancy configured here."""
    alias = place(ack.target).alias
    return alias is None or any(p.alias == alias for p in runtime.config.tenancies)


def signed_by_its_target(runtime: Runtime, ack: AckName) -> bool:
    """Whether a target of this deployment wrote the answer (one of another tenancy: with the key that
    tenancy shares). The one check of an answer, for the pass, the router and the operator's views."""
    return _known(runtime, ack) and runtime.verified(
        place(ack.target).alias, lambda key: integrity.genuine_ack(key, ack)
    )


# What an answer that cannot be believed may still mean for the region: a replica gone, or never made.
# A `done` that does not verify promises something; not believing it is enough.
WARNING_OUTCOMES = ("failed", "refused", "lost", "deleted", "retired")


@dataclass(frozen=True)
class Judged:
    """A replication's answers, checked.

    `believed`: signed by their target. `doubted`: from a target of this deployment but unsigned with the
    key here: forged, or signed under another key than this region holds now (a secret rotated on one
    side only, this one or the target's). They are kept, never acted on; one reporting a replica
    missing keeps its target from counting as protected meanwhile. Once the keys agree they verify
    again, or their target signs them again and the doubted one, whose signed twin is believed, is
    `superseded`, as is one that a newer believed answer of its target outranks. `forged`: from a
    tenancy not configured here. `unchecked`: none could be checked (the key unreadable)."""

    believed: list[AckName] = field(default_factory=list)
    doubted: list[AckName] = field(default_factory=list)
    forged: list[AckName] = field(default_factory=list)
    superseded: list[AckName] = field(default_factory=list)
    unchecked: list[AckName] = field(default_factory=list)

    @property
    def doubted_targets(self) -> set[str]:
        """The targets a doubted answer may report a replica missing in: not protected while it is."""
        return {a.target for a in self.doubted if a.outcome in WARNING_OUTCOMES}


def unsure_targets(unchecked: Iterable[AckName], record: SourceRecord | None) -> set[str]:
    """The targets an answer nobody could check may report a replica gone in (one the record would
    take): not counted protected meanwhile, by the pass's gauges as by status."""
    return {a.target for a in unchecked if a.outcome in WARNING_OUTCOMES and (record is None or record.takes(a))}


def _content(ack: AckName) -> tuple:
    return (ack.target, ack.outcome, ack.issued, ack.attempt, ack.replica)


def judge(answers: list[AckName], known: Callable[[AckName], bool], signed: Callable[[AckName], bool]) -> Judged:
    """Sort `answers` as `Judged` says, from `known` (its target is ours) and `signed` (it verifies)."""
    out = Judged()
    unsigned: list[AckName] = []
    for ack in answers:
        if not known(ack):
            out.forged.append(ack)
        elif signed(ack):
            out.believed.append(ack)
        else:
            unsigned.append(ack)
    twins = {_content(a) for a in out.believed}
    newest: dict[str, tuple] = {}
    for a in out.believed:
        newest[a.target] = max(newest.get(a.target, a.rank), a.rank)
    for ack in unsigned:
        # Its signed twin is believed, or a newer answer of its target is: either way it says nothing more.
        moot = _content(ack) in twins or (ack.target in newest and ack.rank < newest[ack.target])
        (out.superseded if moot else out.doubted).append(ack)
    return out


def judged(runtime: Runtime, answers: list[AckName], *, bucket: str | None = None, remove: bool = True) -> Judged:
    """`judge` with this region's keys; with `remove`, the forgeries and the superseded are removed
    from `bucket` (staging by default). The operator's views pass `remove=False`: they change nothing."""
    found = judge(answers, lambda a: _known(runtime, a), lambda a: signed_by_its_target(runtime, a))
    for ack in found.doubted:
        logs.warning(
            "answer does not verify with the signing key here: kept, not acted on (a forgery, or its target "
            "signed it with another key: compare IR_SIGNING_SECRET_ID in both regions)",
            answer=ack.object(runtime.config.object_prefix).rsplit("/", 1)[-1],
            target_region=ack.target,
        )
    if remove:
        for ack in [*found.forged, *found.superseded]:
            _quarantine(runtime, ack, bucket)
    return found


def genuine(runtime: Runtime, ack: AckName, bucket: str | None = None) -> bool:
    """`signed_by_its_target`, for one answer alone (its event). In staging, one from a tenancy not
    configured here is quarantined (removed); another that does not verify is left for the pass, which
    judges it with its replication's other answers (`judged`). In `bucket` (the landing bucket, where
    another tenancy's answers arrive before they are moved) whatever does not verify is quarantined."""
    if signed_by_its_target(runtime, ack):
        return True
    if bucket is not None or not _known(runtime, ack):
        _quarantine(runtime, ack, bucket)
    return False


def _quarantine(runtime: Runtime, ack: AckName, bucket: str | None) -> None:
    name = ack.object(runtime.config.object_prefix)
    logs.warning(
        "answer not signed by its target; quarantined"
        if _known(runtime, ack)
        else "answer from a tenancy not configured here; quarantined",
        answer=name.rsplit("/", 1)[-1],
        target_region=ack.target,
    )
    runtime.objects.delete(bucket or runtime.config.staging_bucket, name)


def signed_anew(record: ReplicaRecord, runtime: Runtime) -> AckName | None:
    """The recorded answer signed with the key this region holds now, if it was signed with another
    (the secret was rotated, or put back after a rotation on one side): the source could not believe
    it. None when its signature holds, or it is not one of ours."""
    if record.answer is None:
        return None
    sent = parse_ack(runtime.config.object_prefix, record.answer.object)
    if sent is None:
        return None
    alias = place(record.source_region).alias
    if runtime.verified(alias, lambda key: genuine_ack(key, sent)):
        return None
    return tagged(runtime.key_for(record.source_region), sent)
