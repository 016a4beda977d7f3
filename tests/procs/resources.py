"""Balancer resource files (``conf.d/NAME.toml``) for the tests and benchmarks."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def write_resource(confdir: Path, name: str, *, src: str | Path, dest: str | Path, keys: Sequence[str],
                   check_cmd: str | None = None, reload_cmd: str | None = None,
                   command_timeout: int | None = None, extra: str = "") -> Path:
    """Write the balancer resource ``confdir/conf.d/NAME.toml`` (one ``[template]`` table) and
    return its path.  check_cmd / reload_cmd / command_timeout are left out when None ("" is
    written as ""); `extra` is TOML text appended as it is.

    Strings are written with json.dumps: a JSON string is a valid TOML basic string for
    ordinary paths and shell commands (quotes and backslashes escaped).
    """
    def toml(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["[template]", f"src = {toml(str(src))}", f"dest = {toml(str(dest))}", f"keys = {toml(list(keys))}"]
    for directive, value in (("check_cmd", check_cmd), ("reload_cmd", reload_cmd),
                             ("command_timeout", command_timeout)):
        if value is not None:
            lines.append(f"{directive} = {toml(value)}")
    path = Path(confdir) / "conf.d" / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + extra)
    return path
