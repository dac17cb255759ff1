"""Retention rules of a bucket: while one holds an object, it is neither overwritten nor deleted.

A rule with a duration holds each object until that long after it was last modified; a rule
without one holds every object for as long as the rule exists. A rule may be locked from a time
on (`timeRuleLocked`, at least 14 days ahead, as OCI asks): from then on it is neither changed
nor deleted. Lifecycle deletions skip what a rule holds. What OCI answers a write a rule refuses
is not confirmed here: 409 Conflict, naming the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..core import errors
from ..core.clock import iso

UNITS = {"DAYS": 1, "YEARS": 365}
LOCK_AHEAD = timedelta(days=14)


@dataclass
class RetentionRule:
    id: str
    display_name: str
    days: int | None  # None: indefinite
    amount: int | None
    unit: str | None
    time_created: datetime
    time_modified: datetime
    time_locked: datetime | None = None
    version: int = 1

    def to_json(self) -> dict:
        duration = {"timeAmount": self.amount, "timeUnit": self.unit} if self.days is not None else None
        return {
            "id": self.id,
            "displayName": self.display_name,
            "duration": duration,
            "etag": f"rule-{self.version}",
            "timeRuleLocked": iso(self.time_locked) if self.time_locked else None,
            "timeCreated": iso(self.time_created),
            "timeModified": iso(self.time_modified),
        }

    def holds(self, modified: datetime, now: datetime) -> bool:
        return self.days is None or now - modified < timedelta(days=self.days)

    def locked(self, now: datetime) -> bool:
        return self.time_locked is not None and now >= self.time_locked


def make(rule_id: str, details: Any, now: datetime) -> RetentionRule:
    rule = RetentionRule(rule_id, "", None, None, None, now, now)
    apply(rule, details, now, creating=True)
    return rule


def apply(rule: RetentionRule, details: Any, now: datetime, *, creating: bool = False) -> None:
    if not isinstance(details, dict):
        raise errors.InvalidParameter("The request body must be a JSON object.")
    if rule.locked(now):
        raise errors.Conflict(f"Retention rule {rule.display_name or rule.id} is locked.")
    if "displayName" in details or creating:
        rule.display_name = str(details.get("displayName") or rule.id[-12:])
    if "duration" in details or creating:
        duration = details.get("duration")
        if duration is None:
            rule.days = rule.amount = rule.unit = None
        else:
            amount, unit = (duration or {}).get("timeAmount"), (duration or {}).get("timeUnit")
            if not isinstance(amount, int) or amount < 1 or unit not in UNITS:
                raise errors.InvalidParameter("A duration is a whole timeAmount of DAYS or YEARS, at least 1.")
            rule.days, rule.amount, rule.unit = amount * UNITS[unit], amount, unit
    if details.get("timeRuleLocked"):
        try:
            when = datetime.fromisoformat(str(details["timeRuleLocked"]).replace("Z", "+00:00"))
        except ValueError:
            raise errors.InvalidParameter("timeRuleLocked is not an RFC 3339 time.") from None
        if rule.days is None or when - now < LOCK_AHEAD:
            raise errors.InvalidParameter("A rule with a duration is locked 14 days ahead at the earliest.")
        rule.time_locked = when
    rule.time_modified = now
    rule.version += 0 if creating else 1


def holding(rules: dict[str, RetentionRule], modified: datetime, now: datetime) -> RetentionRule | None:
    """The rule that keeps an object last modified at `modified` as it is, if any."""
    return next((r for r in rules.values() if r.holds(modified, now)), None)


def refuse(rule: RetentionRule, name: str) -> errors.OciError:
    return errors.Conflict(f"The object '{name}' is held by retention rule {rule.display_name}.")
