"""The oci CLI's own settings file (`~/.oci/oci_cli_rc`), read as the oci CLI reads it.

What it can hold that applies here:
- `[OCI_CLI_SETTINGS] default_profile`: the profile used when neither `--profile` nor
  `OCI_CLI_PROFILE` names one;
- in a profile's section, default values for options, by the option's long name without its
  dashes (`compartment-id`, `output`, `rpo`), or for one command only (`status.rpo`);
- `[OCI_CLI_CANNED_QUERIES]`: named JMESPath expressions, used as `--query query://NAME`.

The file is found through `--cli-rc-file`, then `OCI_CLI_RC_FILE`, then `~/.oci/oci_cli_rc`.
An option given on the line or through its variable still wins over the file, as in the oci CLI.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_RC_FILE = "~/.oci/oci_cli_rc"
SETTINGS = "OCI_CLI_SETTINGS"
CANNED_QUERIES = "OCI_CLI_CANNED_QUERIES"
QUERY_PREFIX = "query://"
# The oci CLI names a compartment `--compartment-id`; here the option is `--compartment`.
ALIASES = {"compartment-id": "compartment"}


class RcError(Exception):
    """The settings file cannot be used: one line naming the file and what is wrong."""


@dataclass(frozen=True)
class RcFile:
    path: str | None = None
    default_profile: str | None = None
    sections: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    queries: Mapping[str, str] = field(default_factory=dict)

    def defaults(self, profile: str) -> dict[str, str]:
        """The option defaults of a profile: its section over the file's [DEFAULT] section."""
        return dict(self.sections.get(profile, self.sections.get("DEFAULT", {})))

    def query(self, value: str | None) -> str | None:
        """`query://NAME` resolved to the canned query it names; any other value unchanged."""
        if value is None or not value.startswith(QUERY_PREFIX):
            return value
        name = value[len(QUERY_PREFIX) :]
        if name not in self.queries:
            where = self.path or "the oci_cli_rc file"
            raise RcError(f"no canned query {name!r} in [{CANNED_QUERIES}] of {where}")
        return self.queries[name]


def locate(argv: list[str], env: Mapping[str, str]) -> tuple[str, bool]:
    """The file's path, and whether it was asked for explicitly (then it must exist)."""
    for i, arg in enumerate(argv):
        if arg == "--cli-rc-file" and i + 1 < len(argv):
            return os.path.expanduser(argv[i + 1]), True
        if arg.startswith("--cli-rc-file="):
            return os.path.expanduser(arg.split("=", 1)[1]), True
    if env.get("OCI_CLI_RC_FILE"):
        return os.path.expanduser(env["OCI_CLI_RC_FILE"]), True
    return os.path.expanduser(DEFAULT_RC_FILE), False


def load(argv: list[str], env: Mapping[str, str]) -> RcFile:
    path, explicit = locate(argv, env)
    if not os.path.exists(path):
        if explicit:
            raise RcError(f"oci_cli_rc file {path} not found")
        return RcFile()
    # No interpolation: a JMESPath expression may hold '%'.
    parser = configparser.ConfigParser(interpolation=None, default_section="\0none")
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # option names keep their case
    try:
        parser.read(path)
    except configparser.Error as exc:
        raise RcError(f"oci_cli_rc file {path} cannot be read: {' '.join(str(exc).split())}") from None
    sections = {name: dict(parser.items(name)) for name in parser.sections()}
    settings = sections.pop(SETTINGS, {})
    queries = sections.pop(CANNED_QUERIES, {})
    for other in ("OCI_CLI_COMMAND_ALIASES", "OCI_CLI_PARAM_ALIASES"):
        sections.pop(other, None)  # the oci CLI's own aliases name its commands, not these
    return RcFile(path, settings.get("default_profile"), sections, queries)


def chosen_profile(argv: list[str], env: Mapping[str, str], rc: RcFile) -> str:
    """--profile, then OCI_CLI_PROFILE, then the file's default_profile, then DEFAULT."""
    for i, arg in enumerate(argv):
        if arg == "--profile" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--profile="):
            return arg.split("=", 1)[1]
    return env.get("OCI_CLI_PROFILE") or rc.default_profile or "DEFAULT"


@dataclass(frozen=True)
class Param:
    name: str  # the parameter's name in the command's function
    multiple: bool = False  # a list: the file's value is split on commas and spaces


def _alias(key: str) -> str:
    command, _, option = key.rpartition(".")
    option = ALIASES.get(option, option)
    return f"{command}.{option}" if command else option


def default_map(
    rc: RcFile, profile: str, global_params: Mapping[str, Param], commands: Mapping[str, Mapping[str, Param]]
) -> dict:
    """Click's default_map from a profile's defaults.

    `global_params` and each of `commands` map an option's long name (without dashes) to its
    parameter; a key `command.option` applies to that command only and wins over `option`.
    """
    values = {_alias(k): v for k, v in rc.defaults(profile).items()}

    def value(param: Param, raw: str):
        return [v for v in raw.replace(",", " ").split() if v] if param.multiple else raw

    result: dict = {}
    if rc.default_profile:
        result["profile"] = rc.default_profile
    for option, param in global_params.items():
        if option in values:
            result[param.name] = value(param, values[option])
    for command, params in commands.items():
        chosen: dict = {}
        for option, param in params.items():
            for key in (option, f"{command}.{option}"):
                if key in values:
                    chosen[param.name] = value(param, values[key])
        if chosen:
            result[command] = chosen
    return result
