"""Authentication as the oci CLI does it: a config file and profile, or a principal."""

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import oci

from replicator.api import Clients, ConfigError, ReplicatorConfig, Runtime, wall_clock

AUTH_MODES = ("api_key", "instance_principal", "resource_principal", "security_token")
DEFAULT_CONFIG_FILE = "~/.oci/config"


class CliError(Exception):
    """A problem a person can act on: printed as one line, exit code 1."""

    exit_code = 1


class UsageError(CliError):
    """The command line itself is off (a bad option value, an ambiguous name): exit code 2."""

    exit_code = 2


@dataclass(frozen=True)
class AuthOptions:
    config_file: str = DEFAULT_CONFIG_FILE
    profile: str = "DEFAULT"
    region: str | None = None
    auth: str = "api_key"
    fake: dict | None = None  # an SDK config for the embedded fake cloud (--fake)
    fake_env: dict[str, str] = field(default_factory=dict)  # the fake deployment's IR_* settings
    clock: Callable[[], datetime] = wall_clock  # the fake cloud's simulated time, with --fake
    # Between redraws of status --watch: the simulated clock with --fake.
    wait: Callable[[float], None] = lambda seconds: time.sleep(seconds)


def _file_config(options: AuthOptions) -> dict:
    path = os.path.expanduser(options.config_file)
    if not os.path.exists(path):
        raise CliError(f"config file {path} not found: create it with 'oci setup config' or pass --config-file")
    try:
        config = oci.config.from_file(path, options.profile)
    except oci.exceptions.ProfileNotFound:
        raise CliError(f"profile {options.profile!r} not found in {path}") from None
    except oci.exceptions.ConfigFileNotFound:
        raise CliError(f"config file {path} not found") from None
    except oci.exceptions.InvalidConfig as exc:
        raise CliError(f"profile {options.profile!r} in {path} is invalid: {_one_line(exc)}") from None
    except Exception as exc:  # configparser's errors for a file that is not an INI file at all
        raise CliError(f"config file {path} cannot be read: {_one_line(exc)}") from None
    return config


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def credentials(options: AuthOptions) -> tuple[dict[str, Any], str | None]:
    """Keyword arguments for Clients (an SDK config or a signer), and the region to work in."""
    if options.auth == "api_key":
        config = _file_config(options)
        try:
            oci.config.validate_config(config)
            oci.signer.load_private_key_from_file(config["key_file"], config.get("pass_phrase"))
        except (oci.exceptions.InvalidConfig, oci.exceptions.InvalidPrivateKey, OSError) as exc:
            raise CliError(f"profile {options.profile!r} cannot sign requests: {exc}") from None
        return {"sdk_config": config}, options.region or config.get("region")
    if options.auth == "security_token":
        config = _file_config(options)
        token_file = config.get("security_token_file")
        if not token_file or not os.path.exists(os.path.expanduser(token_file)):
            raise CliError(
                f"profile {options.profile!r} has no readable security_token_file: run 'oci session authenticate'"
            )
        with open(os.path.expanduser(token_file)) as f:
            token = f.read().strip()
        key = oci.signer.load_private_key_from_file(config["key_file"], config.get("pass_phrase"))
        return {"signer": oci.auth.signers.SecurityTokenSigner(token, key)}, options.region or config.get("region")
    if options.auth == "instance_principal":
        try:
            signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner()
        except Exception as exc:  # the SDK raises several types when not on an OCI instance
            raise CliError(f"instance principal unavailable (not running on an OCI instance?): {exc}") from None
        return {"signer": signer}, options.region or signer.region
    if options.auth == "resource_principal":
        try:
            signer = oci.auth.signers.get_resource_principals_signer()
        except (OSError, ValueError) as exc:
            raise CliError(f"resource principal unavailable: {exc}") from None
        return {"signer": signer}, options.region or signer.region
    raise UsageError(f"--auth must be one of {', '.join(AUTH_MODES)}")


class Operator:
    """The operator's view: one runtime per region, all with the operator's identity."""

    def __init__(self, options: AuthOptions, env: Mapping[str, str] = os.environ):
        try:
            self.config = ReplicatorConfig.from_env({**env, **options.fake_env})
        except ConfigError as exc:
            raise CliError(exc.reason) from None
        self._auth: dict[str, Any]
        if options.fake:
            self._auth, region = {"sdk_config": options.fake}, options.region or options.fake["region"]
        else:
            self._auth, region = credentials(options)
        self.options = options
        if not region:
            raise CliError("no region: pass --region or set region in the profile")
        if not oci.regions.is_region(region):
            raise CliError(f"unknown region {region!r}")
        self.region = region
        self._clock = options.clock
        self.wait = options.wait
        self._runtimes: dict[str, Runtime] = {}

    @property
    def tenancy(self) -> str | None:
        """The tenancy the credentials belong to, where they say."""
        sdk = self._auth.get("sdk_config") or {}
        return sdk.get("tenancy") or getattr(self._auth.get("signer"), "tenancy_id", None)

    def who(self) -> str:
        """Which credentials the service refused, and what to check about them."""
        options = self.options
        where = f"profile {options.profile!r} of {options.config_file}"
        if options.auth == "api_key":
            sdk = self._auth.get("sdk_config") or {}
            return (
                f"the tenancy does not accept the API key of {where}: check that key_file "
                f"({sdk.get('key_file', '?')}) is the private key whose fingerprint is {sdk.get('fingerprint', '?')}, "
                f"that this key is uploaded for user {sdk.get('user', '?')}, and the tenancy OCID "
                f"{sdk.get('tenancy', '?')}"
            )
        if options.auth == "security_token":
            return (
                f"the session token of {where} was refused (expired?): run 'oci session refresh "
                f"--profile {options.profile}' or 'oci session authenticate'"
            )
        return f"the {options.auth.replace('_', ' ')} was refused: check its dynamic group's matching rule"

    def runtime(self, region: str | None = None) -> Runtime:
        """The runtime of `region` (default: the one the operator works in)."""
        region = region or self.region
        if region not in self._runtimes:
            clients = Clients(self.config, region, **self._auth)
            self._runtimes[region] = Runtime(self.config, clients, clock=self._clock)
        return self._runtimes[region]


def build_runtime(options: AuthOptions, env: Mapping[str, str] = os.environ) -> Runtime:
    """A runtime for the operator in one region: the function's configuration, the operator's identity."""
    return Operator(options, env).runtime()
