"""systemd unit files read as systemd reads them, for the tests of units/: assignments with
continuation lines joined, Environment= defaults, and command lines with %i, ${VAR} and $VAR
expanded."""
from __future__ import annotations

import re
import shlex
from pathlib import Path


def parse_unit(path: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) for every assignment, continuation lines joined as systemd does."""
    entries: list[tuple[str, str, str]] = []
    section = ""
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line[0] in "#;"):
            continue
        if pending and line[:1] in ("#", ";"):
            continue                      # comments inside a continued line are skipped
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not an assignment: {line!r}"
        entries.append((section, key.strip(), value.strip()))
    assert not pending, f"{path.name}: the last line ends with a backslash"
    return entries


def values(path: Path, section: str, key: str) -> list[str]:
    return [v for s, k, v in parse_unit(path) if s == section and k == key]


def unit_defaults(path: Path) -> dict[str, str]:
    """The unit's Environment= assignments (EnvironmentFile= settings override these)."""
    env: dict[str, str] = {}
    for value in values(path, "Service", "Environment"):
        for word in shlex.split(value):
            name, _, val = word.partition("=")
            env[name] = val
    return env


def expand(command: str, env: dict[str, str], instance: str) -> list[str]:
    """Split a command line and expand %i, ${VAR} (one word) and $VAR (split) like systemd."""
    command = command.replace("%i", instance)
    assert "%" not in command.replace("%%", ""), f"unexpected specifier in {command!r}"
    argv: list[str] = []
    for word in shlex.split(command.replace("%%", "%")):
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            argv.extend(shlex.split(env[whole.group(1)]))
        else:
            argv.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env[m.group(1)], word))
    return argv
