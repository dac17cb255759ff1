"""OCI Events rule conditions.

Semantics (OCI's "Matching Events with Filters"): fields the condition does not name are
ignored; `{}` matches everything; every named field must be present in the event with the
same nesting; an array lists alternatives (any of them); string values may use `*` as a
wildcard; comparison is exact otherwise.
"""

import fnmatch
import json
from typing import Any


def parse(condition: str | dict) -> dict:
    """A condition from its JSON text (as `CreateRuleDetails.condition` holds it) or a dict."""
    parsed = json.loads(condition) if isinstance(condition, str) else condition
    if not isinstance(parsed, dict):
        raise ValueError("a rule condition must be a JSON object")
    return parsed


def matches(condition: dict, event: dict) -> bool:
    return all(key in event and _match(want, event[key]) for key, want in condition.items())


def _match(want: Any, have: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(have, dict) and matches(want, have)
    if isinstance(want, list):
        return any(_match(alternative, have) for alternative in want)
    if isinstance(want, str):
        if not isinstance(have, str):
            return False
        return fnmatch.fnmatchcase(have, want) if "*" in want else have == want
    return want == have
