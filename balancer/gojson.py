"""Go 1.19's ``json.Unmarshal`` into ``map[string]interface{}`` / ``[]interface{}`` (what confd's
``json``/``jsonArray`` do): float64 numbers, Go's error texts.  Python's parser does the work;
on bad input, a port of Go's scanner (encoding/json/scanner.go) finds Go's message."""
from __future__ import annotations

import json as _json
from collections.abc import Callable
from typing import Any

from gotemplate.gostrconv import canonical, go_bytes, quote
from balancer.gostd import GoError

__all__ = ["json_decode", "json_syntax_error"]


def json_decode(data: str, want: type[Any], go_type: str,
                make_map: Callable[[list[tuple[str, Any]]], Any],
                make_list: Callable[[list[Any]], Any]) -> Any:
    """json.Unmarshal of ``data`` into a ``go_type`` (``want`` is dict or list): numbers are
    float64, null is None (a top-level null gives an empty ``want``), errors carry Go's text."""
    too_big: list[str] = []

    def number(text: str) -> float:
        value = float(text)
        if value in (float("inf"), float("-inf")) and not too_big:
            too_big.append(text)
        return value

    try:
        parsed = _json.loads(canonical(data), parse_float=number, parse_int=number,
                             parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise GoError(json_syntax_error(go_bytes(data)) or "json: nesting too deep") from None
    if parsed is None:
        return make_map([]) if want is dict else make_list([])
    if not isinstance(parsed, want):
        kinds = {bool: "bool", str: "string", float: "number", dict: "object", list: "array"}
        raise GoError(f"json: cannot unmarshal {kinds[type(parsed)]} into Go value of type {go_type}")
    if too_big:
        raise GoError(f"json: cannot unmarshal number {too_big[0]} into Go value of type float64")
    return _convert(parsed, make_map, make_list)


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN / Infinity: Python extensions Go refuses


def _convert(value: Any, make_map: Callable[[list[tuple[str, Any]]], Any],
             make_list: Callable[[list[Any]], Any]) -> Any:
    if isinstance(value, str):
        return _fix_surrogates(value)
    if isinstance(value, dict):
        return make_map([(_fix_surrogates(k), _convert(v, make_map, make_list)) for k, v in value.items()])
    if isinstance(value, list):
        return make_list([_convert(v, make_map, make_list) for v in value])
    return value


def _fix_surrogates(s: str) -> str:
    """Go's JSON strings never hold invalid UTF-8: a bad byte or lone \\uD800 becomes U+FFFD."""
    if s.isascii():
        return s
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in s)


_SPACE = b" \t\r\n"
_HEXDIGITS = frozenset(b"0123456789abcdefABCDEF")
_DIGITS = frozenset(b"0123456789")
_END = "end"  # marks a state where a value has just ended
# Literal states: (expected byte, the state after it, the literal's name).
_LITERALS = {"t": (0x72, "tr", "true"), "tr": (0x75, "tru", "true"), "tru": (0x65, _END, "true"),
             "f": (0x61, "fa", "false"), "fa": (0x6C, "fal", "false"), "fal": (0x73, "fals", "false"),
             "fals": (0x65, _END, "false"), "n": (0x75, "nu", "null"), "nu": (0x6C, "nul", "null"),
             "nul": (0x6C, _END, "null")}
_OBJECT_KEY, _OBJECT_VALUE, _ARRAY_VALUE = 0, 1, 2


def json_syntax_error(data: bytes) -> str | None:
    """Go's checkValid: the SyntaxError text for ``data``, None when it is valid JSON.  Go's
    scanner state machine, byte by byte; at the end it steps once more on a space, as Go does
    (so ``"-"`` ends with ``invalid character ' ' in numeric literal``)."""
    scan = _JsonScanner()
    for c in data:
        if not scan.step(c):
            return scan.err
    if scan.state != "top" and scan.step(0x20) and scan.state != "top":
        return "unexpected end of JSON input"
    return scan.err


class _JsonScanner:
    def __init__(self) -> None:
        self.state = "begin"
        self.stack: list[int] = []
        self.err: str | None = None

    def fail(self, c: int, context: str) -> bool:
        if c == 0x27:
            char = "'\\''"
        elif c == 0x22:
            char = "'\"'"
        else:
            char = "'" + quote(chr(c))[1:-1] + "'"
        self.err = f"invalid character {char} {context}"
        self.state = "error"
        return False

    def step(self, c: int) -> bool:
        """Feed one byte: False (and ``err``) on a syntax error."""
        state = self.state
        if state == "begin" or state == "begin_or_empty":
            if c in _SPACE:
                return True
            if state == "begin_or_empty" and c == 0x5D:
                return self.end_value(c)
            return self.begin_value(c)
        if state == "key" or state == "key_or_empty":
            if c in _SPACE:
                return True
            if state == "key_or_empty" and c == 0x7D:
                self.stack[-1] = _OBJECT_VALUE
                return self.end_value(c)
            if c == 0x22:
                self.state = "string"
                return True
            return self.fail(c, "looking for beginning of object key string")
        if state == "string":
            if c == 0x22:
                self.state = _END
            elif c == 0x5C:
                self.state = "escape"
            elif c < 0x20:
                return self.fail(c, "in string literal")
            return True
        if state == "escape":
            if c in b'bfnrt\\/"':
                self.state = "string"
            elif c == 0x75:
                self.state = "u0"
            else:
                return self.fail(c, "in string escape code")
            return True
        if state[0] == "u":
            if c not in _HEXDIGITS:
                return self.fail(c, "in \\u hexadecimal character escape")
            self.state = "string" if state == "u3" else "u" + str(int(state[1]) + 1)
            return True
        if state in _LITERALS:
            want, after, name = _LITERALS[state]
            if c != want:
                return self.fail(c, f"in literal {name} (expecting {chr(want)!r})")
            self.state = after
            return True
        return self.number(state, c)

    def number(self, state: str, c: int) -> bool:
        if state == "neg":
            if c not in _DIGITS:
                return self.fail(c, "in numeric literal")
            self.state = "0" if c == 0x30 else "1"
            return True
        if state == "1" and c in _DIGITS:
            return True
        if state in ("0", "1"):
            if c == 0x2E:
                self.state = "dot"
                return True
            if c in b"eE":
                self.state = "e"
                return True
            return self.end_value(c)
        if state == "dot":
            if c not in _DIGITS:
                return self.fail(c, "after decimal point in numeric literal")
            self.state = "dot0"
            return True
        if state == "dot0":
            if c in _DIGITS:
                return True
            if c in b"eE":
                self.state = "e"
                return True
            return self.end_value(c)
        if state == "e" and c in b"+-":
            self.state = "esign"
            return True
        if state in ("e", "esign"):
            if c not in _DIGITS:
                return self.fail(c, "in exponent of numeric literal")
            self.state = "e0"
            return True
        if state == "e0":
            return c in _DIGITS or self.end_value(c)
        if state == _END:
            return self.end_value(c)
        if state == "top":
            return c in _SPACE or self.fail(c, "after top-level value")
        return False  # "error"

    def begin_value(self, c: int) -> bool:
        if c == 0x7B or c == 0x5B:
            self.stack.append(_OBJECT_KEY if c == 0x7B else _ARRAY_VALUE)
            self.state = "key_or_empty" if c == 0x7B else "begin_or_empty"
            return len(self.stack) <= 10000 or self.fail(c, "exceeded max depth")
        if c == 0x22:
            self.state = "string"
        elif c == 0x2D:
            self.state = "neg"
        elif c in _DIGITS:
            self.state = "0" if c == 0x30 else "1"
        elif c in b"tfn":
            self.state = chr(c)
        else:
            return self.fail(c, "looking for beginning of value")
        return True

    def end_value(self, c: int) -> bool:
        if not self.stack:
            self.state = "top"
            return c in _SPACE or self.fail(c, "after top-level value")
        self.state = _END
        if c in _SPACE:
            return True
        top = self.stack[-1]
        if top == _OBJECT_KEY:
            if c == 0x3A:
                self.stack[-1] = _OBJECT_VALUE
                self.state = "begin"
                return True
            return self.fail(c, "after object key")
        if c == (0x2C):
            self.stack[-1] = _OBJECT_KEY if top == _OBJECT_VALUE else top
            self.state = "key" if top == _OBJECT_VALUE else "begin"
            return True
        if c == (0x7D if top == _OBJECT_VALUE else 0x5D):
            self.stack.pop()
            self.state = _END if self.stack else "top"
            return True
        return self.fail(c, "after object key:value pair" if top == _OBJECT_VALUE else "after array element")
