"""The parts of Go's strconv and unicode/utf8 that fmt and the builtins need, over Python strings.

Go strings are bytes, usually UTF-8. A Python ``str`` stands for the Go string whose bytes are
``go_bytes(s)``: the UTF-8 encoding, where a lone surrogate ``\\udc80``..``\\udcff`` (Python's
``surrogateescape``) stands for the one invalid byte 0x80..0xff. ``go_str(b)`` is the inverse, so
byte slicing (``slice "héllo" 0 2``) and printing agree with Go; whoever writes the output must
encode it with ``go_bytes`` (``errors="surrogateescape"``) to get Go's bytes.
"""
from __future__ import annotations

import bisect

MAX_RUNE = 0x10FFFF
RUNE_ERROR = 0xFFFD


def go_bytes(s: str) -> bytes:
    """The bytes of the Go string ``s`` stands for."""
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:
        pass
    out = bytearray()
    for ch in s:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(code - 0xDC00)
        else:   # other lone surrogates: their 3 bytes, which Go reads as 3 invalid bytes
            out += ch.encode("utf-8", "surrogatepass")
    return bytes(out)


def go_str(b: bytes) -> str:
    """The Python string standing for the Go string of bytes ``b``."""
    return b.decode("utf-8", "surrogateescape")


def canonical(s: str) -> str:
    """``s`` with every run of escaped bytes that is valid UTF-8 decoded, so that each character
    is one of Go's runes (an invalid byte being one rune of width 1, as utf8.DecodeRune reads it)."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return go_str(go_bytes(s))


def invalid_byte(ch: str) -> int:
    """The invalid byte a character of a canonical string stands for, or -1 for a real rune."""
    code = ord(ch)
    return code - 0xDC00 if 0xD800 <= code <= 0xDFFF else -1


def valid_rune(r: int) -> bool:
    return 0 <= r <= MAX_RUNE and not 0xD800 <= r <= 0xDFFF


# Characters Python 3.11 (Unicode 14) calls printable that Go 1.19 (Unicode 13) does not:
# recorded by comparing unicode.IsPrint over every rune with str.isprintable.
_NEWER_THAN_GO = (
    (0x61D, 0x61D), (0x870, 0x88E), (0x898, 0x89F), (0x8B5, 0x8B5), (0x8C8, 0x8D2), (0xC3C, 0xC3C),
    (0xC5D, 0xC5D), (0xCDD, 0xCDD), (0x170D, 0x170D), (0x1715, 0x1715), (0x171F, 0x171F),
    (0x180F, 0x180F), (0x1AC1, 0x1ACE), (0x1B4C, 0x1B4C), (0x1B7D, 0x1B7E), (0x1DFA, 0x1DFA),
    (0x20C0, 0x20C0), (0x2C2F, 0x2C2F), (0x2C5F, 0x2C5F), (0x2E53, 0x2E5D), (0x9FFD, 0x9FFF),
    (0xA7C0, 0xA7C1), (0xA7D0, 0xA7D1), (0xA7D3, 0xA7D3), (0xA7D5, 0xA7D9), (0xA7F2, 0xA7F4),
    (0xFBC2, 0xFBC2), (0xFD40, 0xFD4F), (0xFDCF, 0xFDCF), (0xFDFE, 0xFDFF), (0x10570, 0x1057A),
    (0x1057C, 0x1058A), (0x1058C, 0x10592), (0x10594, 0x10595), (0x10597, 0x105A1),
    (0x105A3, 0x105B1), (0x105B3, 0x105B9), (0x105BB, 0x105BC), (0x10780, 0x10785),
    (0x10787, 0x107B0), (0x107B2, 0x107BA), (0x10F70, 0x10F89), (0x11070, 0x11075),
    (0x110C2, 0x110C2), (0x116B9, 0x116B9), (0x11740, 0x11746), (0x11AB0, 0x11ABF),
    (0x12F90, 0x12FF2), (0x16A70, 0x16ABE), (0x16AC0, 0x16AC9), (0x1AFF0, 0x1AFF3),
    (0x1AFF5, 0x1AFFB), (0x1AFFD, 0x1AFFE), (0x1B11F, 0x1B122), (0x1CF00, 0x1CF2D),
    (0x1CF30, 0x1CF46), (0x1CF50, 0x1CFC3), (0x1D1E9, 0x1D1EA), (0x1DF00, 0x1DF1E),
    (0x1E290, 0x1E2AE), (0x1E7E0, 0x1E7E6), (0x1E7E8, 0x1E7EB), (0x1E7ED, 0x1E7EE),
    (0x1E7F0, 0x1E7FE), (0x1F6DD, 0x1F6DF), (0x1F7F0, 0x1F7F0), (0x1F979, 0x1F979),
    (0x1F9CC, 0x1F9CC), (0x1FA7B, 0x1FA7C), (0x1FAA9, 0x1FAAC), (0x1FAB7, 0x1FABA),
    (0x1FAC3, 0x1FAC5), (0x1FAD7, 0x1FAD9), (0x1FAE0, 0x1FAE7), (0x1FAF0, 0x1FAF6),
    (0x2A6DE, 0x2A6DF), (0x2B735, 0x2B738),
)
_NEWER_STARTS = [start for start, _ in _NEWER_THAN_GO]


def is_print(r: int) -> bool:
    """Go's unicode.IsPrint / strconv.IsPrint: letters, marks, numbers, punctuation, symbols
    and the ASCII space."""
    if not valid_rune(r) or not chr(r).isprintable():
        return False
    if r < 0x61D:
        return True
    i = bisect.bisect_right(_NEWER_STARTS, r) - 1
    return i < 0 or r > _NEWER_THAN_GO[i][1]


_HEX = "0123456789abcdef"
_SIMPLE_ESCAPES = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}


def _escaped_rune(r: int, quote: str, ascii_only: bool) -> str:
    """strconv's appendEscapedRune (graphicOnly false)."""
    if r == ord(quote) or r == 0x5C:
        return "\\" + chr(r)
    if ascii_only:
        if r < 0x80 and is_print(r):
            return chr(r)
    elif is_print(r):
        return chr(r)
    simple = _SIMPLE_ESCAPES.get(r)
    if simple is not None:
        return simple
    if r < 0x20 or r == 0x7F:
        return "\\x%02x" % r
    if not valid_rune(r):
        r = RUNE_ERROR
    if r < 0x10000:
        return "\\u%04x" % r
    return "\\U%08x" % r


def quote(s: str, ascii_only: bool = False) -> str:
    """strconv.Quote (or QuoteToASCII): a double-quoted Go string literal."""
    parts = ['"']
    for ch in canonical(s):
        bad = invalid_byte(ch)
        if bad >= 0:
            parts.append("\\x" + _HEX[bad >> 4] + _HEX[bad & 0xF])
        else:
            parts.append(_escaped_rune(ord(ch), '"', ascii_only))
    parts.append('"')
    return "".join(parts)


def quote_rune(r: int, ascii_only: bool = False) -> str:
    """strconv.QuoteRune (or QuoteRuneToASCII): a single-quoted Go character literal."""
    if not valid_rune(r):
        r = RUNE_ERROR
    return "'" + _escaped_rune(r, "'", ascii_only) + "'"


def can_backquote(s: str) -> bool:
    """strconv.CanBackquote: whether s can be a raw string literal."""
    for ch in canonical(s):
        r = ord(ch)
        if invalid_byte(ch) >= 0 or r == 0xFEFF:
            return False
        if r < 0x80 and ((r < 0x20 and r != 9) or r == 0x60 or r == 0x7F):
            return False
    return True


def rune_count(s: str) -> int:
    """utf8.RuneCountInString."""
    return len(canonical(s))
