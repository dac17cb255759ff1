"""When a schedule runs: cron expressions (five fields, UTC) and the iCalendar rules OCI documents.

Cron: minute hour day-of-month month day-of-week, each `*`, a number, a range `a-b`, a list
`a,b` or a step `*/n` / `a-b/n`; day-of-week 0-6 from Sunday (7 is Sunday too). When both day
fields are restricted, either may match, as in cron.

iCalendar: OCI's documented examples are DAILY, WEEKLY and MONTHLY rules; an hourly (or
finer) rule is unconfirmed, so it is refused unless the fake is told to accept it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_LIMITS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_NAMES = ("minute", "hour", "day of month", "month", "day of week")


class RecurrenceError(ValueError):
    pass


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool
    any_weekday: bool

    def next_after(self, t: datetime) -> datetime:
        """The first minute strictly after `t` that the expression names."""
        candidate = t.replace(second=0, microsecond=0) + timedelta(minutes=1)
        for _ in range(4 * 366 * 24):
            if candidate.month not in self.months or not self._day_ok(candidate):
                candidate = (candidate + timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if candidate.hour not in self.hours:
                candidate = (candidate + timedelta(hours=1)).replace(minute=0)
                continue
            minute = next((m for m in sorted(self.minutes) if m >= candidate.minute), None)
            if minute is None:
                candidate = (candidate + timedelta(hours=1)).replace(minute=0)
                continue
            return candidate.replace(minute=minute)
        raise RecurrenceError("the expression names no time in the next four years")

    def _day_ok(self, t: datetime) -> bool:
        weekday = (t.weekday() + 1) % 7
        day_ok, weekday_ok = t.day in self.days, weekday in self.weekdays
        if self.any_day or self.any_weekday:
            return day_ok and weekday_ok
        return day_ok or weekday_ok


def parse_cron(expression: str) -> Cron:
    fields = expression.split()
    if len(fields) != 5:
        raise RecurrenceError(f"a cron expression has five fields (minute hour day month weekday): {expression!r}")
    sets = [_field(f, lo, hi, name) for f, (lo, hi), name in zip(fields, _LIMITS, _NAMES, strict=True)]
    weekdays = frozenset(d % 7 for d in sets[4])
    return Cron(sets[0], sets[1], sets[2], sets[3], weekdays, fields[2] == "*", fields[4] == "*")


def _field(text: str, lo: int, hi: int, name: str) -> frozenset[int]:
    found: set[int] = set()
    for part in text.split(","):
        m = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
        if m is None:
            raise RecurrenceError(f"invalid {name} field {text!r}")
        start, end = (lo, hi) if m[1] == "*" else (int(m[2]), int(m[3] or m[2]))
        step = int(m[4] or 1)
        if not (lo <= start <= end <= hi) or step < 1:
            raise RecurrenceError(f"{name} values lie between {lo} and {hi}: {text!r}")
        found.update(range(start, end + 1, step))
    return frozenset(found)


def parse_ical(rule: str, *, hourly_accepted: bool) -> Cron:
    """A documented iCalendar rule, as the cron expression that names the same times."""
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    freq = parts.get("FREQ", "")
    interval = int(parts.get("INTERVAL", "1") or 1)
    minute = parts.get("BYMINUTE", "0")
    hour = parts.get("BYHOUR", "0")
    if freq in ("HOURLY", "MINUTELY") and not hourly_accepted:
        raise RecurrenceError(f"FREQ={freq} is not among the documented iCalendar recurrences: use a cron expression")
    if freq == "MINUTELY":
        return parse_cron(f"*/{interval} * * * *")
    if freq == "HOURLY":
        return parse_cron(f"{minute} */{interval} * * *")
    if freq == "DAILY":
        return parse_cron(f"{minute} {hour} */{interval} * *" if interval > 1 else f"{minute} {hour} * * *")
    if freq == "WEEKLY":
        days = {"SU": 0, "MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6}
        byday = ",".join(str(days[d]) for d in parts.get("BYDAY", "MO").split(",") if d in days) or "1"
        return parse_cron(f"{minute} {hour} * * {byday}")
    if freq == "MONTHLY":
        return parse_cron(f"{minute} {hour} {parts.get('BYMONTHDAY', '1')} * *")
    raise RecurrenceError(f"unsupported iCalendar rule {rule!r}")
