"""Go's literal syntax for the template parser: the parts of ``strconv`` that Go's
text/template/parse uses for strings and characters (Unquote, UnquoteChar, Quote for ``%q``);
numbers are in numlit.py.

This follows Go 1.19's strconv, BSD-licensed, Copyright The Go Authors.  Strings are Python
``str``: bytes that are not UTF-8 (from ``"\\xff"``) are kept as lone surrogates (``'\\udcff'``),
i.e. the result of ``bytes.decode("utf-8", "surrogateescape")``.
"""
from __future__ import annotations

_HEX = "0123456789abcdefABCDEF"


class GoSyntaxError(ValueError):
    """A strconv failure; ``str()`` is Go's ``err.Error()`` text."""


_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}


def _unquote_char(s: str, quote_char: str) -> tuple[int, bool, str]:
    """strconv.UnquoteChar: (value, is a code point rather than one byte, tail)."""
    if not s:
        raise GoSyntaxError("invalid syntax")
    c = s[0]
    if c == quote_char and quote_char in "'\"":
        raise GoSyntaxError("invalid syntax")
    if c != "\\":
        return ord(c), True, s[1:]
    if len(s) <= 1:
        raise GoSyntaxError("invalid syntax")
    c = s[1]
    s = s[2:]
    if c in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[c], False, s
    if c in "xuU":
        n = {"x": 2, "u": 4, "U": 8}[c]
        digits = s[:n]
        if len(digits) < n or any(d not in _HEX for d in digits):
            raise GoSyntaxError("invalid syntax")
        v = int(digits, 16)
        if c == "x":
            return v, False, s[n:]
        if v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
            raise GoSyntaxError("invalid syntax")
        return v, True, s[n:]
    if "0" <= c <= "7":
        digits = c + s[:2]
        if len(digits) < 3 or any(not "0" <= d <= "7" for d in digits):
            raise GoSyntaxError("invalid syntax")
        v = int(digits, 8)
        if v > 255:
            raise GoSyntaxError("invalid syntax")
        return v, False, s[2:]
    if c in "'\"" and c == quote_char:
        return ord(c), False, s
    raise GoSyntaxError("invalid syntax")


def unquote_char(s: str, quote_char: str) -> tuple[int, str]:
    """strconv.UnquoteChar(s, quote) -> (rune, tail); raises GoSyntaxError("invalid syntax")."""
    value, _, tail = _unquote_char(s, quote_char)
    return value, tail


def unquote(s: str) -> str:
    """strconv.Unquote for the "..." and `...` forms the template lexer produces."""
    if len(s) < 2:
        raise GoSyntaxError("invalid syntax")
    q = s[0]
    if q == "`":
        if s[-1] != "`" or "`" in s[1:-1]:
            raise GoSyntaxError("invalid syntax")
        return s[1:-1].replace("\r", "")
    if q not in "\"'" or s[-1] != q:
        raise GoSyntaxError("invalid syntax")
    out = bytearray()
    rest = s[1:]
    while rest and rest[0] != q:
        if rest[0] == "\n":
            raise GoSyntaxError("invalid syntax")
        value, multibyte, rest = _unquote_char(rest, q)
        if multibyte:
            out += chr(value).encode("utf-8", "surrogateescape")
        else:
            out.append(value)
        if q == "'":
            break
    if rest != q:
        raise GoSyntaxError("invalid syntax")
    return out.decode("utf-8", "surrogateescape")


def quote(s: str) -> str:
    """strconv.Quote (Go's ``%q`` of a string)."""
    out = ['"']
    for c in s:
        o = ord(c)
        if 0xDC80 <= o <= 0xDCFF:         # a byte that is not UTF-8
            out.append(f"\\x{o - 0xDC00:02x}")
        elif c in ('"', "\\"):
            out.append("\\" + c)
        elif c.isascii() and c.isprintable():
            out.append(c)
        elif c in "\a\b\f\n\r\t\v":
            out.append("\\" + "abfnrtv"["\a\b\f\n\r\t\v".index(c)])
        elif o >= 0x80 and c.isprintable():      # Python's notion matches strconv.IsPrint
            out.append(c)
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\\ufffd")
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def quote_rune_u(c: str) -> str:
    """Go's ``%#U`` of a rune: ``U+0023 '#'`` (no character if it is not printable)."""
    code = f"U+{ord(c):04X}"
    return f"{code} '{c}'" if c.isprintable() else code
