"""Template resources: confd's `[template]` TOML files, loaded and checked strictly."""
from __future__ import annotations

import grp
import logging
import posixpath
import pwd
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from balancer.errors import ResourceError

ENGINES = ("go", "jinja2")     # the template languages (balancer.language)

log = logging.getLogger(__name__)

DEFAULT_COMMAND_TIMEOUT = 30.0

# directive -> (python types accepted, description for error messages)
_DIRECTIVES: dict[str, tuple[tuple[type, ...], str]] = {
    "src": ((str,), "a string"),
    "dest": ((str,), "a string"),
    "keys": ((list,), "an array of strings"),
    "prefix": ((str,), "a string"),
    "owner": ((str,), "a string"),
    "group": ((str,), "a string"),
    "uid": ((int,), "an integer"),
    "gid": ((int,), "an integer"),
    "mode": ((str,), "an octal string such as \"0644\""),
    "check_cmd": ((str,), "a string"),
    "reload_cmd": ((str,), "a string"),
    # ours, not confd's
    "command_timeout": ((int, float), "a number of seconds"),
    "engine": ((str,), '"go" or "jinja2"'),      # the template's language; unset: decided from the text
}
_REQUIRED = ("src", "dest", "keys")


@dataclass(frozen=True)
class TemplateResource:
    path: Path                 # the TOML file it came from
    src: Path                  # the template
    dest: Path
    keys: tuple[str, ...]      # as written, without prefix
    prefix: str                # global prefix joined with the resource's own, e.g. "/" or "/prod"
    uid: int | None = None
    gid: int | None = None
    mode: int | None = None
    check_cmd: str | None = None
    reload_cmd: str | None = None
    command_timeout: float = DEFAULT_COMMAND_TIMEOUT
    engine: str | None = None  # "go" or "jinja2"; None: decided from the text (balancer.language)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def etcd_prefixes(self) -> tuple[str, ...]:
        """The etcd key prefixes this resource reads (its keys under its prefix)."""
        return tuple(join_key(self.prefix, key) for key in self.keys)

    def strip_prefix(self, key: str) -> str:
        """A full etcd key as the template sees it, as confd does: prefix removed, leading '/'."""
        if self.prefix != "/" and key.startswith(self.prefix):
            key = key[len(self.prefix):]
        return key if key.startswith("/") else "/" + key


def join_key(*parts: str) -> str:
    return posixpath.normpath(posixpath.join("/", *(p.lstrip("/") for p in parts))).replace("//", "/")


def load_resource(path: Path, templates_dir: Path, global_prefix: str = "") -> TemplateResource:
    """Load one TOML file; every problem is a ResourceError naming the file and directive."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ResourceError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ResourceError(f"{path}: malformed TOML: {exc}") from None
    table = _template_table(path, data)
    for name in _REQUIRED:
        if name not in table:
            raise ResourceError(f"{path}: [template] is missing required directive {name!r}")
    keys = _keys(path, table["keys"])
    src = Path(table["src"])
    if not src.is_absolute():
        src = templates_dir / src
    if not src.is_file():
        raise ResourceError(f"{path}: src: template {src} does not exist")
    dest = Path(table["dest"])
    if not dest.is_absolute():
        raise ResourceError(f"{path}: dest: {dest} must be an absolute path")
    timeout = float(table.get("command_timeout", DEFAULT_COMMAND_TIMEOUT))
    if timeout <= 0:
        raise ResourceError(f"{path}: command_timeout must be positive")
    engine = table.get("engine")
    if engine is not None and engine not in ENGINES:
        raise ResourceError(f"{path}: directive 'engine' must be \"go\" or \"jinja2\", got {engine!r}")
    return TemplateResource(
        path=path, src=src, dest=dest, keys=keys,
        prefix=join_key(global_prefix, table.get("prefix", "")),
        uid=_owner(path, table, "owner", "uid", _user_id),
        gid=_owner(path, table, "group", "gid", _group_id),
        mode=_mode(path, table.get("mode")),
        check_cmd=table.get("check_cmd") or None,
        reload_cmd=table.get("reload_cmd") or None,
        command_timeout=timeout,
        engine=engine,
    )


def _template_table(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    unknown_tables = sorted(set(data) - {"template"})
    if unknown_tables:
        raise ResourceError(f"{path}: unknown table or key {unknown_tables[0]!r} (expected [template])")
    table = data.get("template")
    if not isinstance(table, dict):
        raise ResourceError(f"{path}: no [template] table")
    for name, value in table.items():
        if name not in _DIRECTIVES:
            raise ResourceError(f"{path}: unknown directive {name!r} in [template]")
        types, described = _DIRECTIVES[name]
        if not isinstance(value, types) or isinstance(value, bool):
            raise ResourceError(f"{path}: directive {name!r} must be {described}, got {value!r}")
    return table


def _keys(path: Path, keys: list[Any]) -> tuple[str, ...]:
    if not keys or not all(isinstance(k, str) and k for k in keys):
        raise ResourceError(f"{path}: directive 'keys' must be a non-empty array of non-empty strings")
    return tuple(keys)


def _mode(path: Path, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        mode = int(text, 8)
    except ValueError:
        mode = -1
    if not 0 <= mode <= 0o7777:
        raise ResourceError(f"{path}: directive 'mode' must be an octal string such as \"0644\", got {text!r}")
    return mode


def _owner(path: Path, table: dict[str, Any], name_key: str, id_key: str,
           lookup: Callable[[Path, str, str], int]) -> int | None:
    if name_key in table and id_key in table:
        resolved = lookup(path, name_key, table[name_key])
        if resolved != table[id_key]:
            raise ResourceError(f"{path}: {name_key} {table[name_key]!r} and {id_key} {table[id_key]} disagree")
        return resolved
    if name_key in table:
        return lookup(path, name_key, table[name_key])
    if id_key in table:
        if table[id_key] < 0:
            raise ResourceError(f"{path}: directive {id_key!r} must not be negative")
        return int(table[id_key])
    return None


def _user_id(path: Path, directive: str, name: str) -> int:
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        raise ResourceError(f"{path}: directive {directive!r}: no such user {name!r}") from None


def _group_id(path: Path, directive: str, name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise ResourceError(f"{path}: directive {directive!r}: no such group {name!r}") from None


def load_confdir(confdir: Path, global_prefix: str = "") -> tuple[list[TemplateResource], list[ResourceError]]:
    """Every conf.d/*.toml; the files that fail are returned as errors, the others still load."""
    resources: list[TemplateResource] = []
    errors: list[ResourceError] = []
    conf_d = confdir / "conf.d"
    if not conf_d.is_dir():
        return [], [ResourceError(f"{conf_d}: template resource directory does not exist")]
    for path in sorted(conf_d.glob("*.toml")):
        try:
            resources.append(load_resource(path, confdir / "templates", global_prefix))
        except ResourceError as exc:
            errors.append(exc)
    return resources, errors


ConfdirState = frozenset[tuple[str, int, int]]


def confdir_state(confdir: Path, resources: list[TemplateResource]) -> ConfdirState:
    """Every conf.d/*.toml and every loaded resource's template as (path, mtime_ns, size): when
    this changes, a file appeared, went or was edited."""
    paths = set((confdir / "conf.d").glob("*.toml")) | {resource.src for resource in resources}
    state = set()
    for path in paths:
        try:
            info = path.stat()
            state.add((str(path), info.st_mtime_ns, info.st_size))
        except OSError:
            state.add((str(path), -1, -1))
    return frozenset(state)
