"""OCI's policy language: statements, conditions and dynamic-group matching rules, parsed.

    Allow <subject> to <verb> <resource-type> in <location> [where <conditions>]
    Allow <subject> to {PERMISSION, ...} in <location> [where <conditions>]

subject: `group <name>`, `group id <ocid>`, `dynamic-group <name>`, `dynamic-group id <ocid>`,
`service <name>` (a comma-separated list of any of these is one subject), `any-user`,
`any-group`. verb: inspect, read, use, manage. location: `tenancy`, `compartment <name>`
(or a `a:b` path), `compartment id <ocid>`. conditions: `variable = 'value'` or `!=`, a
value in single quotes or a `/pattern/` with `*`, or `any {…}` / `all {…}` of conditions,
nested freely. Keywords and comparisons are case-insensitive, as OCI's are.

Matching rules of dynamic groups use the same conditions (`ANY {resource.id = '…', …}`).

Cross-tenancy statements (Oracle's "Cross-Tenancy Access Policies"), parsed and checked:

    Define tenancy|group|dynamic-group <alias> as <ocid>
    Endorse <subject> to <verb> <resource-type> | {PERMISSION, ...} in tenancy <alias> | any-tenancy [where …]
    Admit <subject> of tenancy <alias> to <verb> <resource-type> | {…} in <location> [where …]

An Endorse or Admit names only aliases its own policy defines. They never grant within one
tenancy (a request from the tenancy's own principals is decided by its Allow statements).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERBS = ("inspect", "read", "use", "manage")


class PolicySyntaxError(ValueError):
    """A statement OCI would refuse; the message says where."""


@dataclass(frozen=True)
class Comparison:
    variable: str
    negate: bool
    value: str
    pattern: bool


@dataclass(frozen=True)
class Group:
    kind: str  # "any" or "all"
    members: tuple[Condition, ...]


Condition = Comparison | Group


@dataclass(frozen=True)
class Subject:
    kind: str  # "group", "dynamic-group", "service", "any-user", "any-group"
    name: str | None = None  # a name, or an OCID when by_id
    by_id: bool = False


@dataclass(frozen=True)
class Statement:
    text: str
    subjects: tuple[Subject, ...]
    verb: str | None  # None when the statement grants permissions by name
    resource_type: str | None
    permissions: frozenset[str]
    location_kind: str  # "tenancy", "compartment", "compartment-id"; for Endorse "other-tenancy", "any-tenancy"
    location: str | None  # for Endorse "other-tenancy": the tenancy's alias
    condition: Condition | None
    kind: str = "allow"  # "allow", "endorse", "admit"
    of_tenancy: str | None = None  # Admit: the alias of the tenancy its subjects come from


@dataclass(frozen=True)
class Definition:
    """`Define tenancy|group|dynamic-group <alias> as <ocid>`: a name the policy's Endorse and
    Admit statements use for another tenancy's OCIDs."""

    text: str
    kind: str
    alias: str
    ocid: str


_DEFINED = {"tenancy": "ocid1.tenancy.", "group": "ocid1.group.", "dynamic-group": "ocid1.dynamicgroup."}


_TOKEN = re.compile(
    r"\s*(?:(?P<quoted>'[^']*')|(?P<pattern>/[^/]*/)|(?P<op>!=|=)|(?P<punct>[{},])|(?P<word>[^\s{},=!']+))"
)


def _tokens(text: str) -> list[str]:
    found, at = [], 0
    text = text.strip()
    while at < len(text):
        m = _TOKEN.match(text, at)
        if m is None or m.end() == at:
            raise PolicySyntaxError(f"unexpected character at {at + 1}: {text[at : at + 20]!r}")
        found.append(m.group(m.lastgroup or "word"))
        at = m.end()
    return found


class _Cursor:
    def __init__(self, tokens: list[str], text: str):
        self.tokens, self.at, self.text = tokens, 0, text

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise PolicySyntaxError(f"the statement ends too early: {self.text!r}")
        self.at += 1
        return token

    def expect(self, word: str) -> None:
        token = self.take()
        if token.lower() != word:
            raise PolicySyntaxError(f"expected '{word}', found '{token}' in {self.text!r}")

    def done(self) -> bool:
        return self.at >= len(self.tokens)


def parse_condition(text: str) -> Condition:
    """A condition (or a dynamic group's matching rule) alone."""
    cursor = _Cursor(_tokens(text), text)
    condition = _condition(cursor)
    if not cursor.done():
        raise PolicySyntaxError(f"unexpected '{cursor.peek()}' after the condition in {text!r}")
    return condition


def _condition(cursor: _Cursor) -> Condition:
    token = cursor.take()
    if token.lower() in ("any", "all") and cursor.peek() == "{":
        cursor.take()
        members = [_condition(cursor)]
        while cursor.peek() == ",":
            cursor.take()
            members.append(_condition(cursor))
        if cursor.take() != "}":
            raise PolicySyntaxError(f"a condition group is not closed in {cursor.text!r}")
        return Group(token.lower(), tuple(members))
    if not re.fullmatch(r"[A-Za-z][\w.\-]*", token):
        raise PolicySyntaxError(f"'{token}' is not a variable in {cursor.text!r}")
    op = cursor.take()
    if op not in ("=", "!="):
        raise PolicySyntaxError(f"expected = or != after {token}, found '{op}' in {cursor.text!r}")
    value = cursor.take()
    if value.startswith("'") and value.endswith("'") and len(value) >= 2:
        return Comparison(token.lower(), op == "!=", value[1:-1], False)
    if value.startswith("/") and value.endswith("/") and len(value) >= 2:
        return Comparison(token.lower(), op == "!=", value[1:-1], True)
    raise PolicySyntaxError(f"the value of {token} must be in single quotes or a /pattern/: {value!r}")


def parse_statement(text: str) -> Statement | Definition:
    cursor = _Cursor(_tokens(text), text)
    first = cursor.take().lower()
    if first == "define":
        return _definition(cursor)
    if first not in ("allow", "endorse", "admit"):
        raise PolicySyntaxError(f"a statement starts with Allow, Endorse, Admit or Define, not '{first}': {text!r}")
    subjects = [_subject(cursor)]
    while cursor.peek() == ",":
        cursor.take()
        subjects.append(_subject(cursor))
    of_tenancy = None
    if first == "admit":
        cursor.expect("of")
        cursor.expect("tenancy")
        of_tenancy = cursor.take()
    cursor.expect("to")
    verb, resource_type, permissions = _grant(cursor)
    cursor.expect("in")
    if first == "endorse":
        word = cursor.take().lower()
        if word == "any-tenancy":
            kind, location = "any-tenancy", None
        elif word == "tenancy" and not cursor.done() and cursor.peek() != "where":
            kind, location = "other-tenancy", cursor.take()
        else:
            raise PolicySyntaxError(f"an Endorse names the other tenancy ('in tenancy <alias>'): {text!r}")
    else:
        kind, location = _location(cursor)
    condition = None
    if not cursor.done():
        cursor.expect("where")
        condition = _condition(cursor)
    if not cursor.done():
        raise PolicySyntaxError(f"unexpected '{cursor.peek()}' at the end of {text!r}")
    return Statement(
        text, tuple(subjects), verb, resource_type, permissions, kind, location, condition, first, of_tenancy
    )


def _definition(cursor: _Cursor) -> Definition:
    kind = cursor.take().lower()
    if kind not in _DEFINED:
        raise PolicySyntaxError(f"Define names a tenancy, group or dynamic-group, not '{kind}': {cursor.text!r}")
    alias = cursor.take()
    cursor.expect("as")
    ocid = cursor.take()
    if not ocid.startswith(_DEFINED[kind]):
        raise PolicySyntaxError(f"'{ocid}' is not a {kind} OCID in {cursor.text!r}")
    if not cursor.done():
        raise PolicySyntaxError(f"unexpected '{cursor.peek()}' at the end of {cursor.text!r}")
    return Definition(cursor.text, kind, alias, ocid)


def _grant(cursor: _Cursor) -> tuple[str | None, str | None, frozenset[str]]:
    """`<verb> <resource-type>`, or `{PERMISSION, ...}`."""
    text = cursor.text
    if cursor.peek() == "{":
        cursor.take()
        names = [cursor.take()]
        while cursor.peek() == ",":
            cursor.take()
            names.append(cursor.take())
        if cursor.take() != "}":
            raise PolicySyntaxError(f"a permission list is not closed in {text!r}")
        if not all(re.fullmatch(r"[A-Z][A-Z0-9_]*", n) for n in names):
            raise PolicySyntaxError(f"permissions are written in capitals, such as OBJECT_READ: {text!r}")
        return None, None, frozenset(names)
    verb = cursor.take().lower()
    if verb not in VERBS:
        raise PolicySyntaxError(f"'{verb}' is not a verb (inspect, read, use, manage) in {text!r}")
    resource_type = cursor.take().lower()
    if not re.fullmatch(r"[a-z][a-z0-9\-]*", resource_type):
        raise PolicySyntaxError(f"'{resource_type}' is not a resource type in {text!r}")
    return verb, resource_type, frozenset()


def _subject(cursor: _Cursor) -> Subject:
    kind = cursor.take().lower()
    if kind in ("any-user", "any-group"):
        return Subject(kind)
    if kind not in ("group", "dynamic-group", "service"):
        raise PolicySyntaxError(
            f"'{kind}' is not a subject (group, dynamic-group, service, any-user) in {cursor.text!r}"
        )
    name = cursor.take()
    if name.lower() == "id" and kind != "service":
        return Subject(kind, cursor.take(), by_id=True)
    return Subject(kind, name)


def _location(cursor: _Cursor) -> tuple[str, str | None]:
    word = cursor.take().lower()
    if word == "tenancy":
        return "tenancy", None
    if word != "compartment":
        raise PolicySyntaxError(f"a location is 'tenancy' or 'compartment …', not '{word}' in {cursor.text!r}")
    name = cursor.take()
    if name.lower() == "id":
        ocid = cursor.take()
        if not ocid.startswith("ocid1.compartment.") and not ocid.startswith("ocid1.tenancy."):
            raise PolicySyntaxError(f"'{ocid}' is not a compartment OCID in {cursor.text!r}")
        return "compartment-id", ocid
    return "compartment", name


def variables(condition: Condition | None) -> set[str]:
    """Every variable a condition reads."""
    if condition is None:
        return set()
    if isinstance(condition, Comparison):
        return {condition.variable}
    return set().union(*(variables(m) for m in condition.members))


def evaluate(condition: Condition | None, context: dict[str, str | set[str]]) -> bool:
    """True when `condition` holds; a variable the request does not carry never matches."""
    if condition is None:
        return True
    if isinstance(condition, Group):
        results = (evaluate(m, context) for m in condition.members)
        return any(results) if condition.kind == "any" else all(results)
    if condition.variable not in context:
        return False  # "variables not applicable to a request result in a declined request"
    actual = context[condition.variable]
    values = actual if isinstance(actual, set) else {actual}
    matched = any(_matches(condition, v) for v in values)
    return not matched if condition.negate else matched


def _matches(comparison: Comparison, actual: str) -> bool:
    if comparison.pattern:
        regex = ".*".join(re.escape(part) for part in comparison.value.split("*"))
        return re.fullmatch(regex, actual, re.IGNORECASE) is not None
    return comparison.value.lower() == actual.lower()
