"""Identity, as the operator's tools read it: the compartments a principal can see."""

from __future__ import annotations

from .calls import all_pages, call
from .clients import Clients

MAX_COMPARTMENTS = 200  # a diagnosis, not an inventory: it looks at no more than these


class Identity:
    def __init__(self, clients: Clients):
        self._clients = clients

    def compartments_under(self, root: str) -> list[str]:
        """The ACTIVE compartments under `root` (a tenancy or a compartment) the caller may inspect."""
        client = self._clients.identity()
        found = call(
            "ListCompartments",
            self._clients.region,
            lambda: all_pages(
                client.list_compartments,
                root,
                compartment_id_in_subtree=True,
                access_level="ACCESSIBLE",
                lifecycle_state="ACTIVE",
                convert=lambda c: c.id,
            ),
        )
        return found[:MAX_COMPARTMENTS]
