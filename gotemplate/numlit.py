"""Go's numeric constants for the template parser: the parts of ``strconv`` that Go's
text/template/parse uses for numbers (ParseUint/ParseInt with base 0, ParseFloat), fmt.Sscan's
reading of a complex pair, and ``newNumber``'s classification of a constant (node.go).

This follows Go 1.19's strconv, fmt/scan.go and text/template/parse (node.go), BSD-licensed,
Copyright The Go Authors.
"""
from __future__ import annotations

import math

from .literals import GoSyntaxError, quote, unquote_char
from .nodes import NumberNode

_UINT64_MAX = (1 << 64) - 1
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_HEX = "0123456789abcdefABCDEF"


def _lower(c: str) -> str:
    return c.lower() if c.isascii() else c


def underscore_ok(s: str) -> bool:
    """strconv.underscoreOK: underscores only between digits (or after a base prefix)."""
    saw = "^"
    i = 0
    if s[:1] in ("-", "+"):
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == "0" and _lower(s[1]) in ("b", "o", "x"):
        i = 2
        saw = "0"
        hexa = _lower(s[1]) == "x"
    while i < len(s):
        c = s[i]
        i += 1
        if "0" <= c <= "9" or (hexa and "a" <= _lower(c) <= "f"):
            saw = "0"
            continue
        if c == "_":
            if saw != "0":
                return False
            saw = "_"
            continue
        if saw == "_":
            return False
        saw = "!"
    return saw != "_"


def parse_uint(s: str) -> int | None:
    """strconv.ParseUint(s, 0, 64), or None where Go returns an error."""
    if not s:
        return None
    s0 = s
    base = 10
    if s[0] == "0":
        if len(s) >= 3 and _lower(s[1]) in ("b", "o", "x"):
            base = {"b": 2, "o": 8, "x": 16}[_lower(s[1])]
            s = s[2:]
        else:
            base = 8
            s = s[1:]
    n = 0
    underscores = False
    for c in s:
        if c == "_":
            underscores = True
            continue
        if "0" <= c <= "9":
            d = ord(c) - ord("0")
        elif "a" <= _lower(c) <= "z":
            d = ord(_lower(c)) - ord("a") + 10
        else:
            return None
        if d >= base:
            return None
        n = n * base + d
        if n > _UINT64_MAX:
            return None
    if underscores and not underscore_ok(s0):
        return None
    return n


def parse_int(s: str) -> int | None:
    """strconv.ParseInt(s, 0, 64), or None where Go returns an error."""
    if not s:
        return None
    neg = s[0] == "-"
    body = s[1:] if s[0] in "+-" else s
    un = parse_uint(body)
    if un is None:
        return None
    value = -un if neg else un
    if not _INT64_MIN <= value <= _INT64_MAX:
        return None
    return value


def _read_float(s: str) -> tuple[int, bool]:
    """strconv.readFloat's syntax check: (characters consumed, ok)."""
    i = 0
    underscores = False
    if i < len(s) and s[i] in "+-":
        i += 1
    hexa = False
    if i + 2 < len(s) and s[i] == "0" and _lower(s[i + 1]) == "x":
        hexa = True
        i += 2
    sawdot = sawdigits = False
    while i < len(s):
        c = s[i]
        if c == "_":
            underscores = True
        elif c == ".":
            if sawdot:
                break
            sawdot = True
        elif "0" <= c <= "9" or (hexa and "a" <= _lower(c) <= "f"):
            sawdigits = True
        else:
            break
        i += 1
    if not sawdigits:
        return i, False
    if i < len(s) and _lower(s[i]) == ("p" if hexa else "e"):
        i += 1
        if i >= len(s):
            return i, False
        if s[i] in "+-":
            i += 1
        if i >= len(s) or not "0" <= s[i] <= "9":
            return i, False
        while i < len(s) and ("0" <= s[i] <= "9" or s[i] == "_"):
            underscores = underscores or s[i] == "_"
            i += 1
    elif hexa:
        return i, False
    if underscores and not underscore_ok(s[:i]):
        return i, False
    return i, True


def parse_float(s: str) -> float | None:
    """strconv.ParseFloat(s, 64), or None where Go returns an error (syntax or range).

    Go's "inf"/"nan" spellings are not accepted: the template lexer never produces them.
    """
    n, ok = _read_float(s)
    if not ok or n != len(s):
        return None
    clean = s.replace("_", "")
    try:
        if "x" in clean or "X" in clean:
            value = float.fromhex(clean)
        else:
            value = float(clean)
    except (OverflowError, ValueError):
        return None
    if math.isinf(value):
        return None
    return value


def _fits_int64(f: float) -> bool:
    return -(2.0 ** 63) <= f < 2.0 ** 63 and float(int(f)) == f


def _fits_uint64(f: float) -> bool:
    return 0 <= f < 2.0 ** 64 and float(int(f)) == f


def fill_number(node: NumberNode, is_char: bool) -> None:
    """Go's Tree.newNumber: classify ``node.text`` and set the value fields, or raise
    GoSyntaxError with Go's message.  An imaginary constant (``2.5i``) is complex, and also an
    int, uint and float when it is zero (simplifyComplex)."""
    text = node.text
    if is_char:
        rune, tail = unquote_char(text[1:], text[0])
        if tail != "'":
            raise GoSyntaxError(f"malformed character constant: {text}")
        node.is_int = node.is_uint = node.is_float = True
        node.int_value = node.uint_value = rune
        node.float_value = float(rune)
        return
    if text.endswith("i"):
        f = parse_float(text[:-1])
        if f is not None:
            _set_complex(node, complex(0.0, f))
            return
    u = parse_uint(text)
    if u is not None:
        node.is_uint = True
        node.uint_value = u
    i = parse_int(text)
    if i is not None:
        node.is_int = True
        node.int_value = i
        if i == 0:
            node.is_uint = True
            node.uint_value = u or 0
    if node.is_int:
        node.is_float = True
        node.float_value = float(node.int_value)
    elif node.is_uint:
        node.is_float = True
        node.float_value = float(node.uint_value)
    else:
        f = parse_float(text)
        if f is not None:
            if not any(c in text for c in ".eEpP"):
                raise GoSyntaxError(f"integer overflow: {quote(text)}")
            _set_float(node, f)
    if not (node.is_int or node.is_uint or node.is_float):
        raise GoSyntaxError(f"illegal number syntax: {quote(text)}")


def _float_token(s: str, i: int) -> int:
    """fmt's floatToken: the end of the token.  ("nan" cannot come from the lexer, but its
    check for "inf" consumes a lone 'i' as Go's does.)"""
    if i < len(s) and s[i] in "+-":
        i += 1
    if i < len(s) and s[i] in "iI":
        i += 1
        if i < len(s) and s[i] in "nN":
            i += 1
            if i < len(s) and s[i] in "fF":
                return i + 1
    digits, exp = "0123456789_", "eE"
    if s[i:i + 2] in ("0x", "0X"):
        digits, exp = _HEX + "_", "pP"
        i += 2
    elif s[i:i + 1] == "0":
        i += 1
    while i < len(s) and s[i] in digits:
        i += 1
    if i < len(s) and s[i] == ".":
        i += 1
        while i < len(s) and s[i] in digits:
            i += 1
    if i < len(s) and s[i] in exp:
        i += 1
        if i < len(s) and s[i] in "+-":
            i += 1
        while i < len(s) and s[i] in "0123456789_":
            i += 1
    return i


def _convert_float(s: str) -> float:
    """fmt's convertFloat (its decimal-mantissa 'p' exponent cannot come from the lexer)."""
    f = parse_float(s)
    if f is None:
        n, ok = _read_float(s)
        kind = "value out of range" if ok and n == len(s) else "invalid syntax"
        raise GoSyntaxError(f"strconv.ParseFloat: parsing {quote(s)}: {kind}")
    return f


def fill_complex(node: NumberNode) -> None:
    """newNumber for an itemComplex such as ``1+0i``: fmt.Sscan's parse of the two parts."""
    text = node.text
    cut = _float_token(text, 0)
    end = _float_token(text, cut)
    if cut >= len(text) or text[cut] not in "+-" or text[end:end + 1] != "i":
        raise GoSyntaxError("syntax error scanning complex number")
    real = _convert_float(text[:cut])
    imag = _convert_float(text[cut:end])
    _set_complex(node, complex(real, imag))


def _set_complex(node: NumberNode, value: complex) -> None:
    """IsComplex, then simplifyComplex: a complex constant with no imaginary part is also a
    float, and an int or uint when its real part is one."""
    node.is_complex = True
    node.complex_value = value
    if value.imag == 0:
        _set_float(node, value.real)


def _set_float(node: NumberNode, f: float) -> None:
    """A float constant, also an int and a uint when it is integral and fits one."""
    node.is_float = True
    node.float_value = f
    if _fits_int64(f):
        node.is_int = True
        node.int_value = int(f)
    if _fits_uint64(f):
        node.is_uint = True
        node.uint_value = int(f)
