"""confd's template functions with confd's exact Go semantics, for the Go template engine
(gotemplate).  Re-implemented from kelseyhightower/confd ``resource/template/template_funcs.go``
and the memkv store (``kelseyhightower/memkv`` ``store.go``) it vendors.

Each function's annotations are its Go signature (gotemplate/DESIGN.md): ``add(a: int, b: int)
-> int`` is ``func(a, b int) int``.  A failing function raises an exception whose text is Go's
``err.Error()`` (exec prefixes ``error calling NAME: ``).  The lists and maps returned carry their
Go type in ``go_type`` (``gets`` gives a ``memkv.KVPairs``, which ``reverse`` leaves alone, as in
confd), so the engine can name it in messages; where confd returns a nil slice or map (``seq 2 1``,
``jsonArray "null"``) the result is marked nil (balancer/gotypes.py).

Where this still differs from confd (see also balancer/funcs.py, the Jinja2 flavour):

* ``lookupSRV`` is omitted (the standard library has no SRV resolver); ``lookupIP`` asks the C
  resolver (getaddrinfo) where a static confd binary uses Go's own resolver: the same answers
  for /etc/hosts names and IP literals.
* ``sortKVByLength`` given a ``gets`` result sorts it in place and returns a sorted copy typed
  ``[]memkv.KVPair`` (Go returns the same array under the new type: later in-place changes
  to one show in the other, which a Python list cannot mirror).
* ``datetime``'s monotonic reading (``m=+0.001``) counts from when this module was imported,
  not from process start; the zone comes from the C library's localtime.
* ``json`` nested deeper than Python's parser allows (about 1000 levels, Go: 10000) fails
  with ``json: nesting too deep``.
"""
from __future__ import annotations

import base64
import functools
import ipaddress
import os
import socket
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from gotemplate.gostrconv import canonical, go_bytes, go_str
from gotemplate.values import type_name
from balancer import gojson, gosort, gostd
from balancer.errors import MissingKeyError
from balancer.funcs import KVPair, _list, _list_dir, _log_rejected, _matcher
from balancer.gopath import go_base, go_dir
from balancer.gostd import GoError
from balancer.gotime import GoTime, now
from balancer.gotypes import GoList, GoMap, IntList, KVPairList, KVPairs, StringList
from lbcommon.backends import valid_backends

__all__ = ["GoList", "GoMap", "IntList", "KVPairList", "KVPairs", "StringList", "confd_functions"]

_I64 = 1 << 63


def confd_functions(
    values: Mapping[str, str],
    on_reject: Callable[[str, str, str], None] | None = None,
) -> dict[str, Callable[..., Any]]:
    """confd's function map (memkv's store functions over the etcd snapshot ``values``, the
    template_funcs.go helpers) plus ``backends(pattern)``, for one Go-template render."""
    reject = on_reject or _log_rejected

    @functools.cache
    def sorted_keys() -> _Keys:
        keys = _go_sorted(values)
        return _Keys(keys, all(key.isascii() for key in keys))

    def exists(key: str) -> bool:
        return key in values

    def get(key: str) -> KVPair:
        if key not in values:
            raise MissingKeyError(f"key does not exist: {key}")
        return KVPair(key, values[key])

    def getv(key: str, *default: str) -> str:
        if key in values:
            return values[key]
        if default:
            return default[0]
        raise MissingKeyError(f"key does not exist: {key}")

    def gets(pattern: str) -> list[KVPair]:
        return KVPairs(KVPair(key, values[key]) for key in _matching(pattern, sorted_keys()))

    def getvs(pattern: str) -> list[str]:
        return StringList(_go_sorted(values[key] for key in _matching(pattern, sorted_keys())))

    def ls(filePath: str) -> list[str]:  # noqa: N803 - memkv's parameter name
        return StringList(_list(values, filePath))

    def lsdir(filePath: str) -> list[str]:  # noqa: N803
        return StringList(_list_dir(values, filePath))

    def backends(pattern: str) -> list[str]:
        matches = _matching(pattern, sorted_keys())
        return StringList(valid_backends(((key, values[key]) for key in matches), reject))

    store: dict[str, Callable[..., Any]] = {
        "exists": exists, "get": get, "getv": getv, "gets": gets, "getvs": getvs,
        "ls": ls, "lsdir": lsdir, "backends": backends}
    return _HELPERS | store


def _go_sorted(items: Iterable[str]) -> list[str]:
    """sort.Strings: byte order (code point order, except for escaped invalid bytes)."""
    found = list(items)
    if all(item.isascii() for item in found):
        return sorted(found)
    return sorted(found, key=go_bytes)


class _Keys(NamedTuple):
    """The store's keys in memkv's order, and whether all of them are ASCII."""

    keys: list[str]
    ascii: bool


def _matching(pattern: str, store: _Keys) -> list[str]:
    """memkv GetAll: the keys ``path.Match(pattern, key)`` accepts.  A bad pattern is an error
    only when some key is there to match (so never for an empty store), as in memkv."""
    # path_match (the Jinja2 flavour's) reads characters, Go reads bytes: the same for ASCII.
    matches = _matcher(pattern) if pattern.isascii() else None
    raw = go_bytes(pattern)
    keys = store.keys
    try:
        if matches is not None and store.ascii:
            return [key for key in keys if matches(key)]
        return [key for key in keys if (matches(key) if matches is not None and key.isascii()
                                        else gostd.path_match_bytes(raw, go_bytes(key)))]
    except (ValueError, GoError):
        raise GoError(gostd.BAD_PATTERN) from None


# --- template_funcs.go ------------------------------------------------------------------------


def _wrap(value: int) -> int:
    """Go's int arithmetic wraps around at 64 bits."""
    return (value + _I64) % (2 * _I64) - _I64


def _quotient(a: int, b: int) -> int:
    if b == 0:  # a Go panic, which text/template reports as the function's error
        raise GoError("runtime error: integer divide by zero")
    quotient = abs(a) // abs(b)  # Go truncates toward zero
    return quotient if (a < 0) == (b < 0) else -quotient


def add(a: int, b: int) -> int:
    return _wrap(a + b)


def sub(a: int, b: int) -> int:
    return _wrap(a - b)


def mul(a: int, b: int) -> int:
    return _wrap(a * b)


def div(a: int, b: int) -> int:
    return _wrap(_quotient(a, b))


def mod(a: int, b: int) -> int:
    return a - b * _quotient(a, b)  # the sign follows the dividend


def seq(first: int, last: int) -> list[int]:
    return IntList(range(first, last + 1)) if first <= last else IntList.nil()  # Go appends to nil


def atoi(s: str) -> int:
    return gostd.atoi(s)


def parse_bool(str: str) -> bool:  # noqa: A002 - strconv.ParseBool's parameter name
    return gostd.parse_bool(str)


def _blen(s: str) -> int:
    return len(s) if s.isascii() else len(go_bytes(s))


def sort_by_length(values: list[str]) -> list[str]:
    """confd SortByLength: sort.Sort by byte length, in place (not stable), returns ``values``."""
    gosort.go_sort(values, lambda a, b: _blen(a) < _blen(b))
    return values


def sort_kv_by_length(values: list[KVPair]) -> list[KVPair]:
    """confd SortKVByLength: sort.Sort by the keys' byte length, in place; the result is a
    ``[]memkv.KVPair`` (a ``gets`` result comes back as a sorted copy of that type)."""
    gosort.go_sort(values, lambda a, b: _blen(a.Key) < _blen(b.Key))
    return KVPairList(values) if isinstance(values, KVPairs) else values


def reverse(values: Any) -> Any:
    """confd Reverse: reverses a ``[]string`` or ``[]memkv.KVPair`` in place; anything else
    (``gets``' ``memkv.KVPairs``, a JSON array, ``[]int``) comes back untouched."""
    if isinstance(values, list):
        go_type = getattr(type(values), "go_type", None) or type_name(values)
        if go_type in ("[]string", "[]memkv.KVPair"):
            values.reverse()
    return values


def getenv(key: str, *default: str) -> str:
    """confd Getenv: an empty variable counts as unset."""
    try:
        value = os.environ.get(key, "")
    except ValueError:  # an embedded NUL: Go finds no such variable
        value = ""
    return value or (default[0] if default else "")


def create_map(*values: Any) -> dict[str, Any]:
    if len(values) % 2:
        raise GoError("invalid map call")
    result = GoMap()
    for key, value in zip(values[::2], values[1::2]):
        if not isinstance(key, str):
            raise GoError("map keys must be strings")
        result[key] = value
    return result


def unmarshal_json_object(data: str) -> dict[str, Any]:
    result: GoMap = gojson.json_decode(data, dict, "map[string]interface {}", GoMap, GoList)
    result.go_nil = _is_json_null(data)  # Unmarshal leaves the nil map alone for "null"
    return result


def unmarshal_json_array(data: str) -> list[Any]:
    result: list[Any] = gojson.json_decode(data, list, "[]interface {}", GoMap, GoList)
    return GoList.nil() if _is_json_null(data) else result


def _is_json_null(data: str) -> bool:
    return data.strip(" \t\r\n") == "null"


def base64_encode(data: str) -> str:
    return base64.b64encode(go_bytes(data)).decode("ascii")


def base64_decode(data: str) -> str:
    return go_str(gostd.base64_decode(data))


def file_exists(fpath: str) -> bool:
    """confd util.IsFileExist: false only when os.Stat says the file does not exist."""
    try:
        os.stat(fpath)
    except FileNotFoundError:
        return False
    except (OSError, ValueError):  # permission, ENOTDIR, a NUL byte (Go: EINVAL): "exists"
        pass
    return True


def lookup_ip(data: str) -> list[str]:
    """confd LookupIP: the addresses as Go's IP.String spells them, sorted; nil on error."""
    try:
        infos = socket.getaddrinfo(data, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return StringList.nil()
    # Spelled like Go's IP.String(): no zone, an IPv4-mapped address as a dotted quad.
    ips = (ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in infos)
    return StringList(_go_sorted(str(getattr(ip, "ipv4_mapped", None) or ip) for ip in ips))


def lookup_ipv4(data: str) -> list[str]:
    return StringList(ip for ip in lookup_ip(data) if "." in ip) or StringList.nil()  # appended to nil


def lookup_ipv6(data: str) -> list[str]:
    return StringList(ip for ip in lookup_ip(data) if ":" in ip) or StringList.nil()


def split(s: str, sep: str) -> list[str]:
    """strings.Split; an empty separator splits after each UTF-8 sequence, and (Go's explode)
    every piece but the last that is an invalid byte becomes U+FFFD."""
    if sep == "":
        runes = list(canonical(s))
        return StringList([_valid(r) for r in runes[:-1]] + runes[-1:])
    if _has_bad_bytes(s, sep):
        return StringList(go_str(part) for part in go_bytes(s).split(go_bytes(sep)))
    return StringList(s.split(sep))


def _has_bad_bytes(*strings: str) -> bool:
    """Whether a string holds bytes that are not UTF-8 (escaped as lone surrogates): then the
    byte-wise Go functions must work on bytes, not on characters."""
    for text in strings:
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


def _valid(c: str) -> str:
    """An invalid byte read as a rune: utf8.RuneError, U+FFFD."""
    return "\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c


def join(a: list[str], sep: str) -> str:
    return sep.join(a)


def to_upper(s: str) -> str:
    """strings.ToUpper: unicode.ToUpper on each rune (simple case mapping: 'ß' stays); as in
    strings.Map, an invalid byte becomes U+FFFD."""
    return s.upper() if s.isascii() else "".join(_simple_upper(_valid(c)) for c in canonical(s))


def to_lower(s: str) -> str:
    return s.lower() if s.isascii() else "".join(_simple_lower(_valid(c)) for c in canonical(s))


# Letters Unicode 14 gave case mappings (Python 3.11) that Go 1.19 (Unicode 13) leaves alone:
# recorded by comparing strings.ToUpper/ToLower with these functions over every rune.
_NEWER_CASED = frozenset(code for start, end in (
    (0x2C2F, 0x2C2F), (0x2C5F, 0x2C5F), (0xA7C0, 0xA7C1), (0xA7D0, 0xA7D1), (0xA7D6, 0xA7D9),
    (0x10570, 0x1057A), (0x1057C, 0x1058A), (0x1058C, 0x10592), (0x10594, 0x10595), (0x10597, 0x105A1),
    (0x105A3, 0x105B1), (0x105B3, 0x105B9), (0x105BB, 0x105BC)) for code in range(start, end + 1))


def _simple_upper(c: str) -> str:
    if ord(c) in _NEWER_CASED:
        return c
    upper = c.upper()
    if len(upper) == 1:
        return upper
    title = c.title()  # the Greek iota-subscript letters: simple upper == title case
    return title if len(title) == 1 else c


def _simple_lower(c: str) -> str:
    if c == "\u0130":
        return "i"  # İ: full lowercase is "i̇", the simple mapping is "i"
    if ord(c) in _NEWER_CASED:
        return c
    lower = c.lower()
    return lower if len(lower) == 1 else c


def contains(s: str, substr: str) -> bool:
    if _has_bad_bytes(s, substr):
        return go_bytes(substr) in go_bytes(s)
    return substr in s


def replace(s: str, old: str, new: str, n: int) -> str:
    """strings.Replace; an empty ``old`` matches at each rune boundary (an invalid byte is one rune)."""
    count = n if n >= 0 else -1
    if old and _has_bad_bytes(s, old, new):
        return go_str(go_bytes(s).replace(go_bytes(old), go_bytes(new), count))
    return canonical(s).replace(old, new, count)


def trim_suffix(s: str, suffix: str) -> str:
    if _has_bad_bytes(s, suffix):
        return go_str(go_bytes(s).removesuffix(go_bytes(suffix)))
    return s.removesuffix(suffix)


def datetime() -> GoTime:
    return now()


_HELPERS: dict[str, Callable[..., Any]] = {
    "base": go_base, "split": split, "json": unmarshal_json_object,
    "jsonArray": unmarshal_json_array, "dir": go_dir, "map": create_map, "getenv": getenv,
    "join": join, "datetime": datetime, "toUpper": to_upper, "toLower": to_lower,
    "contains": contains, "replace": replace, "trimSuffix": trim_suffix, "lookupIP": lookup_ip,
    "lookupIPV4": lookup_ipv4, "lookupIPV6": lookup_ipv6, "fileExists": file_exists,
    "base64Encode": base64_encode, "base64Decode": base64_decode, "parseBool": parse_bool,
    "reverse": reverse, "sortByLength": sort_by_length, "sortKVByLength": sort_kv_by_length,
    "add": add, "sub": sub, "div": div, "mod": mod, "mul": mul, "seq": seq, "atoi": atoi,
}
