"""Reading a Vault secret's current content from the function's own region."""

import base64

from .calls import call
from .clients import Clients


class Secrets:
    def __init__(self, clients: Clients):
        self._clients = clients
        self.region = clients.region

    def read(self, secret_id: str) -> bytes:
        bundle = call("GetSecretBundle", self.region, lambda: self._clients.secrets().get_secret_bundle(secret_id)).data
        return base64.b64decode(bundle.secret_bundle_content.content)
