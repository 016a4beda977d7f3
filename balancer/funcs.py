"""confd's template functions, rebuilt as Jinja2 globals over a snapshot of etcd.

Ported from kelseyhightower/confd ``resource/template/template_funcs.go`` and the
memkv store it vendors (``kelseyhightower/memkv`` ``store.go``): confd's
``{{getv "/a" "x"}}`` is written ``{{ getv("/a", "x") }}`` and gives the same result.

Deliberate differences from confd:

* ``lookupSRV`` is omitted (the standard library has no SRV resolver).
* Keys are looked up exactly as written, like memkv: ``getv("a")`` misses ``/a``.
* A malformed ``gets``/``getvs`` pattern is an error even when no key exists
  (memkv only notices while matching a key); ``path_match`` works on characters
  where Go works on bytes, which only matters for non-ASCII keys after a ``*``.
* ``reverse``/``sortByLength``/``sortKVByLength`` return new lists instead of
  sorting in place; the sorts are stable (Go's ``sort.Sort`` is not) and
  ``reverse`` accepts any sequence (Go silently ignores other slice types).
* ``json``/``jsonArray`` keep JSON integers as ``int`` (Go: float64) and turn
  ``null`` into an empty dict/list (Go: a nil map/slice).
* ``base64Decode`` replaces bytes that are not UTF-8 with U+FFFD.
* ``add``/``sub``/... use Python integers, so they do not wrap at 64 bits.
* ``backends(pattern)`` is new: the values of the matching keys, filtered by
  :func:`lbcommon.backends.valid_backends`.
"""
from __future__ import annotations

import base64
import binascii
import datetime as _dt
import functools
import ipaddress
import json as _json
import logging
import os
import re
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from lbcommon.backends import valid_backends
from balancer.errors import MissingKeyError, TemplateError
from balancer.gopath import BAD_PATTERN, go_base, go_clean, go_dir, path_match

__all__ = ["KVPair", "go_base", "go_clean", "go_dir", "make_globals", "path_match"]

logger = logging.getLogger(__name__)

_MISSING: Any = object()
_ATOI = re.compile(r"[+-]?[0-9]+")
_BOOLS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
          "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}


@dataclass(frozen=True)
class KVPair:
    """One etcd key and its value; ``Key``/``Value`` keep confd templates working."""

    go_type: ClassVar[str] = "memkv.KVPair"  # its type name in Go template messages
    go_fields: ClassVar[tuple[str, ...]] = ("Key", "Value")   # its fields as Go templates see them
    key: str
    value: str

    @property
    def Key(self) -> str:  # noqa: N802 - confd's spelling
        return self.key

    @property
    def Value(self) -> str:  # noqa: N802 - confd's spelling
        return self.value


# --- memkv's store functions --------------------------------------------------


def make_globals(
    values: Mapping[str, str],
    on_reject: Callable[[str, str, str], None] | None = None,
) -> dict[str, Callable[..., Any]]:
    """Build the Jinja2 globals for one render over the etcd snapshot ``values``."""
    reject = on_reject or _log_rejected

    def exists(key: str) -> bool:
        return key in values

    def get(key: str) -> KVPair:
        if key not in values:
            raise MissingKeyError(f"key {key} not found in etcd")
        return KVPair(key, values[key])

    def getv(key: str, default: str = _MISSING) -> str:
        if key not in values and default is not _MISSING:
            return default
        return get(key).value

    def gets(pattern: str) -> list[KVPair]:
        _check_pattern(pattern)
        matches = _matcher(pattern)
        return [KVPair(key, values[key]) for key in sorted(values) if matches(key)]

    def getvs(pattern: str) -> list[str]:
        return sorted(kv.value for kv in gets(pattern))

    def ls(path: str) -> list[str]:
        return _list(values, path)

    def lsdir(path: str) -> list[str]:
        return _list_dir(values, path)

    def backends(pattern: str) -> list[str]:
        return valid_backends(((kv.key, kv.value) for kv in gets(pattern)), reject)

    store: dict[str, Callable[..., Any]] = {
        "exists": exists, "get": get, "getv": getv, "gets": gets, "getvs": getvs,
        "ls": ls, "lsdir": lsdir, "backends": backends}
    return store | _HELPERS


def _log_rejected(key: str, value: str, reason: str) -> None:
    logger.warning("rejected backend value %r at key %s: %s", value, key, reason)


@functools.lru_cache(maxsize=256)
def _matcher(pattern: str) -> Callable[[str], bool]:
    """path_match(pattern, ·), compiled to a regex when the pattern has only `*` and `?`
    (the common case, and 30x faster over thousands of keys); classes and escapes use the port."""
    if "[" in pattern or "\\" in pattern:
        return functools.partial(path_match, pattern)
    regex = "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in pattern)
    compiled = re.compile(regex, re.DOTALL)
    return lambda key: compiled.fullmatch(key) is not None


def _check_pattern(pattern: str) -> None:
    # Matching "" parses every chunk, so a bad pattern fails the same way
    # whatever keys happen to be in etcd.
    try:
        path_match(pattern, "")
    except ValueError:
        raise TemplateError(f"bad key pattern {pattern!r}: {BAD_PATTERN}") from None


def _list(keys: Iterable[str], path: str) -> list[str]:
    """memkv ``List``: names directly below ``path``; a key equal to ``path`` lists itself."""
    prefix = _terms(path)
    names: set[str] = set()
    for key in keys:
        if key == path:
            names.add(go_base(key))
        elif _terms(go_dir(key))[: len(prefix)] == prefix:
            names.add(key.removeprefix(path).removeprefix("/").split("/")[0])
    return sorted(names)


def _list_dir(keys: Iterable[str], path: str) -> list[str]:
    """memkv ``ListDir``: only the names below ``path`` that have keys under them."""
    prefix = _terms(path)
    names: set[str] = set()
    for key in keys:
        terms = _terms(go_dir(key))
        if key.startswith(path) and len(terms) > len(prefix) and terms[: len(prefix)] == prefix:
            names.add(terms[len(prefix)])
    return sorted(names)


def _terms(path: str) -> list[str]:
    # memkv quirk kept on purpose: "/" becomes ["", ""], so ls("/") sees only
    # keys directly under the root and lsdir("/") sees nothing.
    return go_clean(path).split("/")


# --- stateless helpers --------------------------------------------------------


def _unmarshal(data: str, kind: type, label: str) -> Any:
    try:
        parsed = _json.loads(data, parse_constant=_reject_constant)
    except ValueError as exc:
        raise TemplateError(f"{label}: invalid JSON: {exc}") from None
    if parsed is None:
        return kind()
    if not isinstance(parsed, kind):
        raise TemplateError(f"{label}: expected a JSON {kind.__name__}, got {type(parsed).__name__}")
    return parsed


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")  # Go refuses NaN/Infinity


def _create_map(*items: Any) -> dict[str, Any]:
    if len(items) % 2:
        raise TemplateError("invalid map call")
    if not all(isinstance(key, str) for key in items[::2]):
        raise TemplateError("map keys must be strings")
    return dict(zip(items[::2], items[1::2], strict=True))


def _parse_bool(s: str) -> bool:
    if s not in _BOOLS:
        raise TemplateError(f'parseBool: parsing "{s}": invalid syntax')
    return _BOOLS[s]


def _atoi(s: str) -> int:
    # Stricter than int(): no spaces, underscores or non-ASCII digits, as in Go.
    if not _ATOI.fullmatch(s):
        raise TemplateError(f'atoi: parsing "{s}": invalid syntax')
    if not -(2**63) <= int(s) < 2**63:
        raise TemplateError(f'atoi: parsing "{s}": value out of range')
    return int(s)


def _int(value: Any) -> int:
    # Go's add/sub/... take ints only; refusing strings keeps "1"+"2" from being "12".
    if isinstance(value, bool) or not isinstance(value, int):
        raise TemplateError(f"expected an integer, got {value!r}")
    return value


def _div(a: Any, b: Any) -> int:
    a, b = _int(a), _int(b)
    if b == 0:
        raise TemplateError("integer divide by zero")
    quotient: int = abs(a) // abs(b)  # Go truncates toward zero where Python floors
    return quotient if (a < 0) == (b < 0) else -quotient


def _mod(a: Any, b: Any) -> int:
    return _int(a) - _int(b) * _div(a, b)  # sign follows the dividend, as in Go


def _base64_decode(data: str) -> str:
    try:  # Go's StdEncoding skips \r and \n but nothing else
        raw = base64.b64decode(data.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TemplateError(f"base64Decode: {exc}") from None
    return raw.decode("utf-8", errors="replace")


def _file_exists(path: str) -> bool:
    try:
        os.stat(path)
    except (FileNotFoundError, ValueError):
        return False
    except OSError:
        pass  # Go's os.IsNotExist test: only "no such file" means absent
    return True


def _lookup_ip(name: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError, ValueError):
        return []  # confd returns nil on any lookup error
    # Spelled like Go's IP.String(): no zone suffix, IPv4-mapped as dotted quad.
    ips = (ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in infos)
    return sorted({str(getattr(ip, "ipv4_mapped", None) or ip) for ip in ips})


_HELPERS: dict[str, Callable[..., Any]] = {
    "base": go_base, "dir": go_dir,
    "split": lambda s, sep: list(s) if sep == "" else s.split(sep),  # Go: "" splits characters
    "join": lambda items, sep: sep.join(items),
    "toUpper": str.upper, "toLower": str.lower,
    "contains": lambda s, sub: sub in s,
    "replace": lambda s, old, new, n: s.replace(old, new, n if n >= 0 else -1),
    "trimSuffix": str.removesuffix,
    "json": lambda data: _unmarshal(data, dict, "json"),
    "jsonArray": lambda data: _unmarshal(data, list, "jsonArray"),
    "map": _create_map, "datetime": _dt.datetime.now,
    "getenv": lambda key, default="": os.environ.get(key) or default,  # empty counts as unset
    "parseBool": _parse_bool, "atoi": _atoi,
    "reverse": lambda items: list(reversed(items)),
    "sortByLength": lambda items: sorted(items, key=len),
    "sortKVByLength": lambda items: sorted(items, key=lambda kv: len(kv.key)),
    "seq": lambda first, last: list(range(_int(first), _int(last) + 1)),
    "add": lambda a, b: _int(a) + _int(b),
    "sub": lambda a, b: _int(a) - _int(b),
    "mul": lambda a, b: _int(a) * _int(b),
    "div": _div, "mod": _mod,
    "base64Encode": lambda data: base64.b64encode(data.encode()).decode("ascii"),
    "base64Decode": _base64_decode, "fileExists": _file_exists,
    "lookupIP": _lookup_ip,
    "lookupIPV4": lambda name: [ip for ip in _lookup_ip(name) if "." in ip],
    "lookupIPV6": lambda name: [ip for ip in _lookup_ip(name) if ":" in ip],
}
