"""The credentials a fake cloud hands out: SDK configs, users, session tokens, resource principals.

A mixin of `FakeCloud`: what it reads of the cloud is declared below.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import TYPE_CHECKING, cast

from .core import auth

if TYPE_CHECKING:
    from .core.identity import Ids
    from .core.platform import Platform
    from .functions.loopback import LoopbackServer
    from .identity.models import IdentityBackend
    from .regions import RegionState


class Credentials:
    tenancy_id: str
    user_id: str
    ids: Ids
    auth: auth.Authenticator
    identity: IdentityBackend
    regions: dict[str, RegionState]
    _tmp: str | None
    _key_file: str
    _loopback: LoopbackServer | None

    @property
    def _platform(self) -> Platform:
        return cast("Platform", self)  # a mixin of FakeCloud only, which is the platform

    if TYPE_CHECKING:

        def require_region(self, region: str) -> RegionState: ...

        def tenancy_of(self, compartment_id: str) -> str: ...

    def config(self, region: str) -> dict:
        """An SDK config dict for the tenancy's API-key user in `region`."""
        self.require_region(region)
        return {
            "user": self.user_id,
            "tenancy": self.tenancy_id,
            "fingerprint": auth.fingerprint(self.auth.user_key),
            "key_file": self._key_file,
            "region": region,
        }

    def create_user(self, name: str, groups: list[str] | None = None) -> dict:
        """Another user of the tenancy, in `groups` (made if new), with an API key; its SDK config.

        Only the policies of its groups let it do anything (the `Administrators` group is the
        tenancy's own user's).
        """
        user_id = self.ids.ocid("user")
        key = self.auth.add_user(user_id)
        for group in groups or []:
            self.identity.groups.setdefault(group, set()).add(user_id)
        assert self._tmp is not None, "enter the FakeCloud first"
        key_file = auth.write_private_key(self._tmp, f"{name}.pem", key)
        return {
            "user": user_id,
            "tenancy": self.tenancy_id,
            "fingerprint": auth.fingerprint(key),
            "key_file": key_file,
            "region": next(iter(self.regions)),
        }

    def session_token_config(self, region: str, directory: str) -> dict:
        """An SDK config for the API-key user signed in with a session token (`--auth security_token`).

        The token file and its key are written to `directory`, as `oci session authenticate` does.
        """
        self.require_region(region)
        token = auth.session_token(
            {
                "sub": self.user_id,
                "tenant": self.tenancy_id,
                "ptype": "user",
                "exp": int(time.time()) + 3600,
            }
        )
        token_file = os.path.join(directory, "token")
        with open(token_file, "w") as f:
            f.write(token)
        key_file = auth.write_private_key(directory, "session-key.pem", self.auth.user_session_key)
        return {
            "user": self.user_id,
            "tenancy": self.tenancy_id,
            "fingerprint": auth.fingerprint(self.auth.user_session_key),
            "key_file": key_file,
            "security_token_file": token_file,
            "region": region,
        }

    @property
    def clock_round_trips(self) -> int:
        """How often a function process asked the simulated time over HTTP (not from the shared file)."""
        return self._loopback.clock_round_trips if self._loopback is not None else 0

    def process_env(self) -> dict[str, str]:
        """What another process needs in its environment for its oci SDK to reach this fake.

        Its SDK's requests go through a loopback endpoint (started here on first use) and
        are answered as in-process ones are; nothing else in that process changes.
        """
        from .functions.fdk_process import BOOTSTRAP_DIR
        from .functions.loopback import LoopbackServer

        if self._loopback is None:
            self._loopback = LoopbackServer(self._platform)
            self._loopback.start()
        pythonpath = os.pathsep.join(p for p in (BOOTSTRAP_DIR, os.environ.get("PYTHONPATH")) if p)
        return {
            "OCIFAKE_ENDPOINT": self._loopback.url,
            "OCIFAKE_CLOCK_FILE": self._loopback.clock.path,
            "PYTHONPATH": pythonpath,
        }

    def resource_principal_env(
        self, region: str, function_id: str | None = None, compartment_id: str | None = None
    ) -> dict[str, str]:
        """The variables OCI Functions sets for a function's resource principal (version 2.2, file paths)."""
        self.require_region(region)
        function_id = function_id or self.ids.ocid("fnfunc", region)
        folder = tempfile.mkdtemp(prefix="rp-", dir=self._tmp)
        token = auth.session_token(
            {
                "sub": function_id,
                "res_type": "fnfunc",
                "res_tenant": self.tenancy_of(compartment_id or self.tenancy_id),
                "res_compartment": compartment_id or self.tenancy_id,
                "res_region": region,
                "exp": int(time.time()) + 7 * 24 * 3600,
            }
        )
        rpst = os.path.join(folder, "rpst")
        with open(rpst, "w") as f:
            f.write(token)
        key = auth.write_private_key(folder, "private.pem", self.auth.session_key)
        return {
            "OCI_RESOURCE_PRINCIPAL_VERSION": "2.2",
            "OCI_RESOURCE_PRINCIPAL_RPST": rpst,
            "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM": key,
            "OCI_RESOURCE_PRINCIPAL_REGION": region,
        }
