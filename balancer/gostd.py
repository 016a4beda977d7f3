"""Ports of the Go 1.19 standard library pieces confd's template functions lean on, where Go's
exact behaviour shows in a template's output or error text: path.Match over bytes,
strconv.Atoi/ParseBool and encoding/base64's StdEncoding decoder (sort.Sort is in gosort.py,
encoding/json in gojson.py).  Re-implemented from Go's source, not translated line
by line.  Strings follow gotemplate.gostrconv: a ``str`` stands for the Go string of bytes
``go_bytes(s)``."""
from __future__ import annotations

from gotemplate.gostrconv import go_bytes, quote
from balancer.errors import TemplateError

__all__ = ["BAD_PATTERN", "GoError", "atoi", "base64_decode", "parse_bool", "path_match_bytes"]

_U64 = (1 << 64) - 1
BAD_PATTERN = "syntax error in pattern"  # path.ErrBadPattern


class GoError(TemplateError):
    """An error whose ``str()`` is the text Go's ``err.Error()`` gives."""


# --- path.Match over bytes ---------------------------------------------------------------------


def path_match_bytes(pattern: bytes, name: bytes) -> bool:
    """Go's ``path.Match`` on the bytes of Go strings: ``*`` skips bytes, ``?`` and classes
    read runes (an invalid byte is one rune U+FFFD).  GoError(BAD_PATTERN) on bad syntax."""
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return b"/" not in name
        rest = _match_chunk(chunk, name)
        if rest is not None and (not rest or pattern):
            name = rest
            continue
        if star:
            found = None
            for i in range(len(name)):
                if name[i] == 0x2F:
                    break
                rest = _match_chunk(chunk, name[i + 1 :])
                if rest is not None and (pattern or not rest):
                    found = rest
                    break
            if found is not None:
                name = found
                continue
        while pattern:
            _, chunk, pattern = _scan_chunk(pattern)
            _match_chunk(chunk, b"")
        return False
    return not name


def _scan_chunk(pattern: bytes) -> tuple[bool, bytes, bytes]:
    stripped = pattern.lstrip(b"*")
    in_range = False
    i = 0
    while i < len(stripped):
        c = stripped[i]
        if c == 0x5C:  # backslash
            if i + 1 < len(stripped):
                i += 1
        elif c == 0x5B:
            in_range = True
        elif c == 0x5D:
            in_range = False
        elif c == 0x2A and not in_range:
            break
        i += 1
    return len(stripped) != len(pattern), stripped[:i], stripped[i:]


def _decode_rune(s: bytes) -> tuple[int, int]:
    """utf8.DecodeRune: (rune, width); (0xFFFD, 1) for an invalid byte, (0xFFFD, 0) at the end."""
    if not s:
        return 0xFFFD, 0
    if s[0] < 0x80:
        return s[0], 1
    for width in (2, 3, 4):
        try:
            return ord(s[:width].decode("utf-8")), width
        except UnicodeDecodeError:
            continue
    return 0xFFFD, 1


def _match_chunk(chunk: bytes, s: bytes) -> bytes | None:
    """Go's matchChunk: the rest of ``s`` after ``chunk``, or None; parses all of ``chunk``."""
    failed = False
    while chunk:
        failed = failed or not s
        c = chunk[0]
        if c == 0x5B:  # [
            r = 0
            if not failed:
                r, width = _decode_rune(s)
                s = s[width:]
            chunk = chunk[1:]
            negated = chunk[:1] == b"^"
            if negated:
                chunk = chunk[1:]
            matched, ranges = False, 0
            while not (chunk[:1] == b"]" and ranges > 0):
                lo, chunk = _get_esc(chunk)
                hi = lo
                if chunk[0] == 0x2D:  # -
                    hi, chunk = _get_esc(chunk[1:])
                matched = matched or lo <= r <= hi
                ranges += 1
            chunk = chunk[1:]
            failed = failed or matched == negated
        elif c == 0x3F:  # ?
            if not failed:
                failed = s[0] == 0x2F
                s = s[_decode_rune(s)[1]:]
            chunk = chunk[1:]
        else:
            if c == 0x5C:
                chunk = chunk[1:]
                if not chunk:
                    raise GoError(BAD_PATTERN)
            if not failed:
                failed = chunk[0] != s[0]
                s = s[1:]
            chunk = chunk[1:]
    return None if failed else s


def _get_esc(chunk: bytes) -> tuple[int, bytes]:
    if not chunk or chunk[0] in b"-]":
        raise GoError(BAD_PATTERN)
    if chunk[0] == 0x5C:
        chunk = chunk[1:]
        if not chunk:
            raise GoError(BAD_PATTERN)
    r, width = _decode_rune(chunk)
    if (r == 0xFFFD and width == 1) or not chunk[width:]:
        raise GoError(BAD_PATTERN)
    return r, chunk[width:]


# --- strconv -----------------------------------------------------------------------------------

_BOOLS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
          "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}


def _num_error(func: str, s: str, reason: str) -> GoError:
    return GoError(f"strconv.{func}: parsing {quote(s)}: {reason}")


def parse_bool(s: str) -> bool:
    """strconv.ParseBool."""
    if s not in _BOOLS:
        raise _num_error("ParseBool", s, "invalid syntax")
    return _BOOLS[s]


def atoi(s: str) -> int:
    """strconv.Atoi on 64-bit Go: a syntax error or a range error, whichever Go meets first."""
    raw = go_bytes(s)
    digits = raw[1:] if raw[:1] in (b"+", b"-") else raw
    if not digits:
        raise _num_error("Atoi", s, "invalid syntax")
    value = 0
    for c in digits:
        if not 0x30 <= c <= 0x39:
            raise _num_error("Atoi", s, "invalid syntax")
        value = value * 10 + c - 0x30
        if value > _U64:  # ParseUint stops at the first digit that overflows uint64
            raise _num_error("Atoi", s, "value out of range")
    if raw[:1] == b"-":
        value = -value
    if not -(1 << 63) <= value < 1 << 63:
        raise _num_error("Atoi", s, "value out of range")
    return value


# --- encoding/base64 StdEncoding.DecodeString -------------------------------------------------

_B64 = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def base64_decode(data: str) -> bytes:
    """base64.StdEncoding.DecodeString; GoError ``illegal base64 data at input byte N``."""
    src = go_bytes(data)
    out = bytearray()
    si = 0
    while si < len(src):
        si = _decode_quantum(src, si, out)
    return bytes(out)


def _corrupt(offset: int) -> GoError:
    return GoError(f"illegal base64 data at input byte {offset}")


def _decode_quantum(src: bytes, si: int, out: bytearray) -> int:
    """Go's decodeQuantum: decode one group of 4 into ``out``, the next input offset."""
    quad: list[int] = []
    size = len(src)
    while len(quad) < 4:
        if si == size:
            if not quad:
                return si
            raise _corrupt(si - len(quad))
        c = src[si]
        si += 1
        if c in _B64:
            quad.append(_B64[c])
            continue
        if c in (0x0A, 0x0D):
            continue
        if c != 0x3D or len(quad) < 2:  # a stray byte, or '=' too early
            raise _corrupt(si - 1)
        if len(quad) == 2:  # "==" expected: the first '=' is consumed
            while si < size and src[si] in (0x0A, 0x0D):
                si += 1
            if si == size:
                raise _corrupt(size)
            if src[si] != 0x3D:
                raise _corrupt(si - 1)
            si += 1
        while si < size and src[si] in (0x0A, 0x0D):
            si += 1
        if si < size:
            raise _corrupt(si)  # trailing garbage after the padding
        break
    bits = 0
    for value in quad + [0] * (4 - len(quad)):
        bits = bits << 6 | value
    out += bits.to_bytes(3, "big")[: len(quad) - 1]
    return si
