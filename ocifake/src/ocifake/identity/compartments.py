"""Compartments through the API: CreateCompartment, GetCompartment, UpdateCompartment, DeleteCompartment.

A compartment's name is unique among its siblings (letters, digits, `.`, `-`, `_`; 1 to 100),
its description required (1 to 400). Only an empty compartment is deleted: no compartment
below it, no policy in it, no resource of any service (each service says what it holds, its
`Service.holds`), no function. A deleted compartment is still read, `DELETED`; nothing can be
made in it, and its name is free again. What OCI answers a duplicate name and a compartment in
use with is not confirmed here: 409 `CompartmentAlreadyExists` and 409 `CompartmentNotEmpty`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

from ..core import errors
from ..core.clock import iso

if TYPE_CHECKING:
    from ..core.identity import Compartments, Ids
    from .models import Clock

_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


class CompartmentHost(Protocol):
    compartments: Compartments
    ids: Ids

    @property
    def clock(self) -> Clock: ...

    def compartment_in_use(self, compartment_id: str) -> str | None: ...


def to_json(cloud: CompartmentHost, compartment_id: str) -> dict:
    tree = cloud.compartments
    return {
        "id": compartment_id,
        "compartmentId": tree.parent(compartment_id),
        "name": tree.name(compartment_id),
        "description": tree.descriptions.get(compartment_id, tree.name(compartment_id)),
        "timeCreated": tree.created.get(compartment_id) or iso(cloud.clock.now()),
        "lifecycleState": "DELETED" if compartment_id in tree.deleted else "ACTIVE",
        "freeformTags": {},
        "definedTags": {},
    }


def _check(name: object, description: object) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise errors.InvalidParameter("name must be 1 to 100 letters, digits, periods, hyphens or underscores.")
    if not isinstance(description, str) or not 1 <= len(description) <= 400:
        raise errors.InvalidParameter("description must be 1 to 400 characters.")


def _taken(cloud: CompartmentHost, parent: str, name: str, but: str | None = None) -> None:
    tree = cloud.compartments
    if any(tree.name(c).lower() == name.lower() for c in tree.children(parent) if c != but):
        raise errors.OciError(
            f"A compartment named {name} already exists in its parent.", status=409, code="CompartmentAlreadyExists"
        )


def create(cloud: CompartmentHost, details: dict) -> str:
    if not isinstance(details, dict) or not details.get("compartmentId"):
        raise errors.MissingParameter("compartmentId is required.")
    parent = details["compartmentId"]
    if not cloud.compartments.exists(parent):
        raise errors.NotAuthorizedOrNotFound()
    _check(details.get("name"), details.get("description"))
    _taken(cloud, parent, details["name"])
    compartment_id = cloud.ids.ocid("compartment")
    cloud.compartments.add(compartment_id, details["name"], parent)
    cloud.compartments.descriptions[compartment_id] = details["description"]
    cloud.compartments.created[compartment_id] = iso(cloud.clock.now())
    return compartment_id


def known(cloud: CompartmentHost, compartment_id: str) -> str:
    if not cloud.compartments.known(compartment_id) or cloud.compartments.parent(compartment_id) is None:
        raise errors.NotAuthorizedOrNotFound()  # a tenancy is read with GetTenancy
    return compartment_id


def update(cloud: CompartmentHost, compartment_id: str, details: dict) -> None:
    tree = cloud.compartments
    if compartment_id in tree.deleted:
        raise errors.IncorrectState("The compartment is deleted.")
    name = details.get("name", tree.name(compartment_id))
    description = details.get("description", tree.descriptions.get(compartment_id, name))
    _check(name, description)
    parent = tree.parent(compartment_id)
    if parent is not None:
        _taken(cloud, parent, name, but=compartment_id)
    tree.rename(compartment_id, name)
    tree.descriptions[compartment_id] = description


def delete(cloud: CompartmentHost, compartment_id: str) -> None:
    if compartment_id in cloud.compartments.deleted:
        raise errors.IncorrectState("The compartment is already deleted.")
    holding = cloud.compartment_in_use(compartment_id)
    if holding:
        raise errors.OciError(
            f"The compartment is not empty: it holds {holding}.", status=409, code="CompartmentNotEmpty"
        )
    cloud.compartments.deleted.add(compartment_id)
