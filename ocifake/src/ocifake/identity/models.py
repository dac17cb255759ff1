"""IAM for the whole tenancy: groups, dynamic groups, policies, and the decision on each request.

Principals the fake knows:
- users (the API-key user, signed in by key or session token), members of groups; the
  tenancy's own user is in `Administrators`, which the built-in `Tenant Admin Policy` lets
  manage all-resources in the tenancy, as in a new tenancy;
- a function's resource principal (`resource.type = 'fnfunc'`, its OCID and compartment),
  a member of every dynamic group whose matching rule it satisfies;
- services acting on their own (`service objectstorage-<region>` running a copy,
  `service cloudEvents` invoking a function);
- a Resource Scheduler schedule (`request.principal.type = 'resourceschedule'`), matched
  by `any-user` statements that condition on it.

A request is allowed when one statement matches its principal, covers the operation's
resource type with a verb at least as strong (or names its permission), covers the target's
compartment, and its condition holds with the variables the service supports.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ..core import errors
from . import language, permissions
from .language import Condition, Definition, Statement
from .permissions import Caller, Target

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime as _datetime

    from ..core.identity import Compartments, Ids


class Clock(Protocol):
    """The simulated clock, as IAM and compartments read it."""

    def now(self) -> _datetime: ...


class IdentityHost(Protocol):
    """What IAM asks of the cloud it decides for (FakeCloud is one): the tenancy's compartments,
    identifiers and clock, and each operation's need. Typed here, not as the cloud, so that
    nothing IAM imports leads back to the services that consult it."""

    tenancy_id: str
    user_id: str
    ids: Ids
    compartments: Compartments

    @property
    def clock(self) -> Clock: ...

    @property
    def operations(self) -> Mapping[tuple[str, str], permissions.Need]: ...

    @property
    def families(self) -> Mapping[str, frozenset[str]]: ...

    def variables(self, service: str) -> frozenset[str]: ...

    def compartment_exists(self, compartment_id: str) -> bool: ...

    def compartment_name(self, compartment_id: str) -> str: ...

    def compartment_covers(self, ancestor: str, compartment_id: str) -> bool: ...


ADMINISTRATORS = "Administrators"


@dataclass
class DynamicGroup:
    id: str
    name: str
    description: str
    matching_rule: str
    rule: Condition
    compartment_id: str
    time_created: datetime

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "matchingRule": self.matching_rule,
            "compartmentId": self.compartment_id,
            "lifecycleState": "ACTIVE",
            "timeCreated": self.time_created.isoformat(),
        }


@dataclass
class Policy:
    id: str
    name: str
    description: str
    compartment_id: str
    statements: list[Statement | Definition]
    time_created: datetime
    version: int = 1

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "compartmentId": self.compartment_id,
            "statements": [s.text for s in self.statements],
            "lifecycleState": "ACTIVE",
            "timeCreated": self.time_created.isoformat(),
        }


class IdentityBackend:
    """One tenancy's IAM: its groups, dynamic groups and policies."""

    def __init__(self, cloud: IdentityHost, tenancy_id: str | None = None):
        self.cloud = cloud
        self.tenancy_id = tenancy_id or cloud.tenancy_id
        home = self.tenancy_id == cloud.tenancy_id
        self.groups: dict[str, set[str]] = {ADMINISTRATORS: {cloud.user_id} if home else set()}
        self.dynamic_groups: dict[str, DynamicGroup] = {}
        self.policies: dict[str, Policy] = {}
        self.denials: list[tuple[str, str, str]] = []  # (caller id, operation, compartment)
        self._lock = threading.RLock()
        self.create_policy(
            {
                "compartmentId": self.tenancy_id,
                "name": "Tenant Admin Policy",
                "description": "Tenant Admin Policy",
                "statements": [f"ALLOW GROUP {ADMINISTRATORS} to manage all-resources IN TENANCY"],
            }
        )

    # ----- dynamic groups ---------------------------------------------------------------------
    def create_dynamic_group(self, details: dict) -> DynamicGroup:
        name, rule = details.get("name"), details.get("matchingRule")
        if not name or not rule or not details.get("description"):
            raise errors.MissingParameter("name, description and matchingRule are required.")
        parsed = _matching_rule(rule)
        with self._lock:
            if any(g.name.lower() == name.lower() for g in self.dynamic_groups.values()):
                raise errors.OciError(f"A dynamic group named {name} already exists.", code="Conflict", status=409)
            group = DynamicGroup(
                self.cloud.ids.ocid("dynamicgroup"),
                name,
                details["description"],
                rule,
                parsed,
                details.get("compartmentId") or self.tenancy_id,
                self.cloud.clock.now(),
            )
            self.dynamic_groups[group.id] = group
            return group

    def dynamic_group(self, group_id: str) -> DynamicGroup:
        group = self.dynamic_groups.get(group_id)
        if group is None:
            raise errors.NotAuthorizedOrNotFound()
        return group

    def delete_dynamic_group(self, group_id: str) -> None:
        with self._lock:
            self.dynamic_groups.pop(self.dynamic_group(group_id).id)

    # ----- policies -------------------------------------------------------------------------------
    def create_policy(self, details: dict) -> Policy:
        for key in ("compartmentId", "name", "description", "statements"):
            if not details.get(key):
                raise errors.MissingParameter(f"{key} is required.")
        compartment = details["compartmentId"]
        if not self.cloud.compartment_exists(compartment):
            raise errors.NotAuthorizedOrNotFound()
        statements = self._parse_statements(details["statements"], compartment)
        with self._lock:
            if any(p.name.lower() == details["name"].lower() for p in self.policies.values()):
                raise errors.OciError(f"A policy named {details['name']} already exists.", code="Conflict", status=409)
            policy = Policy(
                self.cloud.ids.ocid("policy"),
                details["name"],
                details["description"],
                compartment,
                statements,
                self.cloud.clock.now(),
            )
            self.policies[policy.id] = policy
            return policy

    def policy(self, policy_id: str) -> Policy:
        policy = self.policies.get(policy_id)
        if policy is None:
            raise errors.NotAuthorizedOrNotFound()
        return policy

    def update_dynamic_group(self, group_id: str, details: dict) -> DynamicGroup:
        """UpdateDynamicGroup: its description and matching rule (its name stays)."""
        if not isinstance(details, dict):
            raise errors.InvalidParameter("The request body must be a JSON object.")
        with self._lock:
            group = self.dynamic_group(group_id)
            if details.get("matchingRule"):
                group.rule, group.matching_rule = _matching_rule(details["matchingRule"]), details["matchingRule"]
            if details.get("description"):
                group.description = details["description"]
            return group

    def update_policy(self, policy_id: str, details: dict) -> Policy:
        with self._lock:
            policy = self.policy(policy_id)
            if "statements" in details:
                policy.statements = self._parse_statements(details["statements"], policy.compartment_id)
            if details.get("description"):
                policy.description = details["description"]
            policy.version += 1
            return policy

    def delete_policy(self, policy_id: str) -> None:
        with self._lock:
            self.policies.pop(self.policy(policy_id).id)

    def _parse_statements(self, texts: list, compartment: str) -> list[Statement | Definition]:
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise errors.InvalidParameter("statements must be a list of strings.")
        parsed: list[Statement | Definition] = []
        for text in texts:
            try:
                parsed.append(language.parse_statement(text))
            except language.PolicySyntaxError as exc:
                raise errors.InvalidParameter(f"Invalid policy statement: {exc}") from None
        defined = {(d.kind, d.alias.lower()) for d in parsed if isinstance(d, Definition)}
        for statement in parsed:
            if isinstance(statement, Definition):
                continue
            self._check_aliases(statement, defined)
            if statement.kind == "endorse":
                continue  # its location is in the other tenancy
            location = self._location_id(statement)
            if location is None:
                raise errors.InvalidParameter(
                    f"Invalid policy statement: no compartment {statement.location!r}: {statement.text!r}"
                )
            # A policy grants only in its own compartment's subtree.
            if not self.cloud.compartment_covers(compartment, location):
                raise errors.InvalidParameter(
                    f"Invalid policy statement: its location is outside the policy's compartment: {statement.text!r}"
                )
        return parsed

    @staticmethod
    def _check_aliases(statement: Statement, defined: set[tuple[str, str]]) -> None:
        """An Endorse or Admit names only what its own policy defines (Oracle: the Define goes in
        the same policy)."""
        wanted: list[tuple[str, str]] = []
        if statement.kind == "endorse" and statement.location_kind == "other-tenancy":
            wanted.append(("tenancy", statement.location or ""))
        if statement.kind == "admit":
            wanted.append(("tenancy", statement.of_tenancy or ""))
            wanted += [(s.kind, s.name or "") for s in statement.subjects if s.kind in ("group", "dynamic-group")]
        for kind, alias in wanted:
            if (kind, alias.lower()) not in defined:
                raise errors.InvalidParameter(
                    f"Invalid policy statement: {kind} {alias!r} is not defined in this policy: {statement.text!r}"
                )

    def _location_id(self, statement: Statement) -> str | None:
        if statement.location_kind == "tenancy":
            return self.tenancy_id
        if statement.location_kind == "compartment-id":
            found = statement.location or ""
            return found if self.cloud.compartments.tenancy_of(found) == self.tenancy_id else None
        return self.cloud.compartments.by_path(statement.location or "", root=self.tenancy_id)

    # ----- decisions ------------------------------------------------------------------------------
    def member_of(self, caller: Caller) -> set[str]:
        """The OCIDs and names of the dynamic groups `caller` belongs to."""
        if caller.type != "fnfunc":
            return set()
        attributes = {
            "resource.id": caller.id,
            "resource.type": caller.type,
            "resource.compartment.id": caller.compartment_id or "",
        }
        found = set()
        for group in self.dynamic_groups.values():
            if language.evaluate(group.rule, dict(attributes)):
                found |= {group.id, group.name.lower()}
        return found

    def context(
        self, caller: Caller, service: str, operation: str, target: Target, region: str, need: permissions.Need
    ) -> dict[str, str | set[str]]:
        """The variables a statement's condition may read for this request (those the service supports)."""
        supported = self.cloud.variables(service)
        context: dict[str, str | set[str]] = {
            "request.operation": operation,
            "request.region": region,
            "request.principal.type": caller.type,
            "request.principal.id": caller.id,
            "target.compartment.id": target.compartment_id,
            "target.compartment.name": self.cloud.compartment_name(target.compartment_id),
        }
        if need.permission:
            context["request.permission"] = need.permission
        if caller.type == "user":
            context["request.user.id"] = caller.id
        context.update(target.variables)
        return {k: v for k, v in context.items() if k in supported}

    def allows(self, caller: Caller, service: str, operation: str, target: Target, region: str) -> bool:
        need = self.need_of(service, operation, target)
        context = self.context(caller, service, operation, target, region, need)
        dynamic_groups = self.member_of(caller)
        with self._lock:
            policies = list(self.policies.values())
        for policy in policies:
            for statement in policy.statements:
                if not isinstance(statement, Statement) or statement.kind != "allow":
                    continue  # a Define names; an Endorse or Admit grants across tenancies only
                if (
                    self._subject_matches(statement, caller, dynamic_groups)
                    and self._grants(statement, need)
                    and self._covers(statement, target.compartment_id)
                    and language.evaluate(statement.condition, context)
                ):
                    return True
        with self._lock:
            self.denials.append((caller.id, operation, target.compartment_id))
        return False

    # ----- across tenancies -------------------------------------------------------------------------
    def need_of(self, service: str, operation: str, target: Target) -> permissions.Need:
        need = target.need or self.cloud.operations.get((service, operation))
        if need is None:
            raise errors.NotImplementedByFake(f"ocifake knows no IAM permission for {service} {operation}")
        return need

    def endorses(self, caller: Caller, need: permissions.Need, tenancy_id: str) -> bool:
        """This (the caller's) tenancy lets `caller` do `need` in tenancy `tenancy_id`."""
        dynamic_groups = self.member_of(caller)
        for policy in self._snapshot():
            aliases = _aliases(policy)
            for statement in policy.statements:
                if not isinstance(statement, Statement) or statement.kind != "endorse":
                    continue
                where = (
                    statement.location_kind == "any-tenancy"
                    or aliases.get(("tenancy", (statement.location or "").lower())) == tenancy_id
                )
                if where and self._subject_matches(statement, caller, dynamic_groups) and self._grants(statement, need):
                    return True
        return False

    def admits(
        self,
        caller: Caller,
        dynamic_groups: set[str],
        need: permissions.Need,
        target: Target,
        context: dict[str, str | set[str]],
    ) -> bool:
        """This (the resource's) tenancy admits `caller` of its own tenancy; `dynamic_groups`: the
        OCIDs of the caller's dynamic groups, as its own tenancy knows them. The Admit's condition
        is evaluated here, on the resource's side."""
        for policy in self._snapshot():
            aliases = _aliases(policy)
            for statement in policy.statements:
                if not isinstance(statement, Statement) or statement.kind != "admit":
                    continue
                if aliases.get(("tenancy", (statement.of_tenancy or "").lower())) != caller.tenancy_id:
                    continue
                subject = any(
                    s.kind == "any-user"
                    or (s.kind == "dynamic-group" and aliases.get((s.kind, (s.name or "").lower())) in dynamic_groups)
                    for s in statement.subjects
                )
                if (
                    subject
                    and self._grants(statement, need)
                    and self._covers(statement, target.compartment_id)
                    and language.evaluate(statement.condition, context)
                ):
                    return True
        return False

    def _snapshot(self) -> list[Policy]:
        with self._lock:
            return list(self.policies.values())

    def _subject_matches(self, statement: Statement, caller: Caller, dynamic_groups: set[str]) -> bool:
        for subject in statement.subjects:
            if subject.kind == "any-user" and caller.type != "service":
                return True
            if subject.kind == "any-group" and caller.type == "user" and caller.groups:
                return True
            name = (subject.name or "").lower()
            in_group = (subject.by_id and subject.name in caller.groups) or name in {g.lower() for g in caller.groups}
            if subject.kind == "group" and caller.type == "user" and in_group:
                return True
            if subject.kind == "dynamic-group" and (
                (subject.by_id and subject.name in dynamic_groups) or (not subject.by_id and name in dynamic_groups)
            ):
                return True
            if subject.kind == "service" and caller.type == "service" and name == (caller.service_name or "").lower():
                return True
        return False

    def _grants(self, statement: Statement, need: permissions.Need) -> bool:
        if statement.permissions:
            return need.permission is not None and need.permission in statement.permissions
        assert statement.verb is not None and statement.resource_type is not None
        return (
            permissions.covers(statement.resource_type, need.resource_type, self.cloud.families)
            and language.VERBS.index(statement.verb) >= need.level
        )

    def _covers(self, statement: Statement, compartment_id: str) -> bool:
        location = self._location_id(statement)
        return location is not None and self.cloud.compartment_covers(location, compartment_id)


def _aliases(policy: Policy) -> dict[tuple[str, str], str]:
    return {(d.kind, d.alias.lower()): d.ocid for d in policy.statements if isinstance(d, Definition)}


def _matching_rule(rule: str) -> Condition:
    """A dynamic group's matching rule, parsed: resource, instance and tag variables only."""
    try:
        parsed = language.parse_condition(rule)
    except language.PolicySyntaxError as exc:
        raise errors.InvalidParameter(f"Invalid matching rule: {exc}") from None
    for variable in language.variables(parsed):
        if variable.split(".")[0] not in ("resource", "instance", "tag"):
            raise errors.InvalidParameter(f"Invalid matching rule: {variable} is not a resource variable.")
    return parsed
