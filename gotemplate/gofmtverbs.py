"""The formatting half of Go's fmt (fmt/format.go and the per-kind verb switches of print.go):
flags, width, precision and padding, and how one bool, integer, float, string or []byte is
written for a verb (a complex128 as two floats). gofmt.py walks the arguments and calls these."""
from __future__ import annotations

from typing import Any

from . import gofloat, gostrconv
from .values import Byte

_LDIGITS = "0123456789abcdefx"
_UDIGITS = "0123456789ABCDEFX"
_MASK64 = (1 << 64) - 1
_TOO_LARGE = 1_000_000
_COMPLEX_VERBS = frozenset("vbgGxXfFeE")
_FLAG_NAMES = ("wid", "prec", "wid_present", "prec_present", "minus", "plus", "sharp", "space",
               "zero", "plus_v", "sharp_v")


class Formatter:
    """Go's fmt struct: the output buffer and the current verb's flags."""

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.clear_flags()

    def clear_flags(self) -> None:
        self.wid = 0
        self.prec = 0
        self.wid_present = False
        self.prec_present = False
        self.minus = False
        self.plus = False
        self.sharp = False
        self.space = False
        self.zero = False
        self.plus_v = False     # %+v: plus moved here so that it means "field names"
        self.sharp_v = False    # %#v: sharp moved here so that it means "Go syntax"

    def save_flags(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _FLAG_NAMES)

    def restore_flags(self, saved: tuple[Any, ...]) -> None:
        for name, value in zip(_FLAG_NAMES, saved):
            setattr(self, name, value)

    # Implemented by the printer (gofmt._Printer).
    def bad_verb(self, verb: str, v: Any) -> None:
        raise NotImplementedError

    def print_list(self, v: Any, verb: str, depth: int) -> None:
        raise NotImplementedError

    # -- padding ---------------------------------------------------------------------------
    def write_padding(self, n: int) -> None:
        if n > 0:
            self.buf.append(("0" if self.zero else " ") * n)

    def pad(self, s: str) -> None:
        """Append s padded to the width, on the left unless the minus flag is set."""
        if not self.wid_present or self.wid == 0:
            self.buf.append(s)
            return
        width = self.wid - gostrconv.rune_count(s)
        if self.minus:
            self.buf.append(s)
            self.write_padding(width)
        else:
            self.write_padding(width)
            self.buf.append(s)

    def _pad_no_zero(self, s: str) -> None:
        old_zero, self.zero = self.zero, False
        self.pad(s)
        self.zero = old_zero

    # -- integers ----------------------------------------------------------------------------
    def fmt_int(self, value: int, signed: bool, verb: str, original: Any) -> None:
        """pp.fmtInteger: value is an int64 (signed) or a uint64."""
        if verb == "v":
            if self.sharp_v and not signed:
                self.fmt_0x64(value, True)
            else:
                self.fmt_integer(value, 10, signed, verb, _LDIGITS)
        elif verb in ("d", "b", "o", "O", "x", "X"):
            base = {"d": 10, "b": 2, "o": 8, "O": 8, "x": 16, "X": 16}[verb]
            self.fmt_integer(value, base, signed, verb, _UDIGITS if verb == "X" else _LDIGITS)
        elif verb == "c":
            self.fmt_c(value & _MASK64)
        elif verb == "q":
            self.fmt_qc(value & _MASK64)
        elif verb == "U":
            self.fmt_unicode(value & _MASK64)
        else:
            self.bad_verb(verb, original)

    def fmt_0x64(self, value: int, leading_0x: bool) -> None:
        sharp, self.sharp = self.sharp, leading_0x
        self.fmt_integer(value, 16, False, "v", _LDIGITS)
        self.sharp = sharp

    def fmt_integer(self, value: int, base: int, signed: bool, verb: str, digits: str) -> None:
        """fmt.fmtInteger."""
        negative = signed and value < 0
        u = -value if negative else value
        prec = 0
        if self.prec_present:
            prec = self.prec
            if prec == 0 and u == 0:
                old_zero, self.zero = self.zero, False
                self.write_padding(self.wid)
                self.zero = old_zero
                return
        elif self.zero and self.wid_present:
            prec = self.wid
            if negative or self.plus or self.space:
                prec -= 1
        text = format(u, {10: "d", 16: "x", 8: "o", 2: "b"}[base])
        if digits is _UDIGITS:
            text = text.upper()
        if len(text) < prec:
            text = "0" * (prec - len(text)) + text
        if self.sharp:
            if base == 2:
                text = "0b" + text
            elif base == 8 and text[0] != "0":
                text = "0" + text
            elif base == 16:
                text = "0" + digits[16] + text
        if verb == "O":
            text = "0o" + text
        if negative:
            text = "-" + text
        elif self.plus:
            text = "+" + text
        elif self.space:
            text = " " + text
        self._pad_no_zero(text)

    def fmt_unicode(self, u: int) -> None:
        """%U: U+0078, or U+0078 'x' with the sharp flag."""
        prec = self.prec if self.prec_present and self.prec > 4 else 4
        text = "U+" + format(u, "X").rjust(prec, "0")
        if self.sharp and u <= gostrconv.MAX_RUNE and gostrconv.is_print(u):
            text += " '" + chr(u) + "'"
        self._pad_no_zero(text)

    def fmt_c(self, c: int) -> None:
        r = c if gostrconv.valid_rune(c) else gostrconv.RUNE_ERROR
        self.pad(chr(r))

    def fmt_qc(self, c: int) -> None:
        r = c if c <= gostrconv.MAX_RUNE else gostrconv.RUNE_ERROR
        self.pad(gostrconv.quote_rune(r, self.plus))

    # -- floats ------------------------------------------------------------------------------
    def fmt_float_verb(self, v: float, verb: str) -> None:
        """pp.fmtFloat."""
        if verb == "v":
            self.fmt_float(v, "g", -1)
        elif verb in "bgGxX":
            self.fmt_float(v, verb, -1)
        elif verb in "feE":
            self.fmt_float(v, verb, 6)
        elif verb == "F":
            self.fmt_float(v, "f", 6)
        else:
            self.bad_verb(verb, v)

    def fmt_complex(self, v: complex, verb: str) -> None:
        """pp.fmtComplex: ``(r+ji)``, each part as pp.fmtFloat formats a float64 (flags,
        width and precision apply to each), the imaginary part always signed."""
        if verb not in _COMPLEX_VERBS:
            self.bad_verb(verb, v)
            return
        old_plus = self.plus
        self.buf.append("(")
        self.fmt_float_verb(v.real, verb)
        self.plus = True
        self.fmt_float_verb(v.imag, verb)
        self.buf.append("i)")
        self.plus = old_plus

    def fmt_float(self, v: float, verb: str, prec: int) -> None:
        """fmt.fmtFloat: strconv's digits plus sign, zero padding and the sharp flag."""
        if self.prec_present:
            prec = self.prec
        num = gofloat.format_float(v, verb, prec)
        if num[0] not in "+-":
            num = "+" + num
        if self.space and num[0] == "+" and not self.plus:
            num = " " + num[1:]
        if num[1] in "IN":      # Inf, NaN: no zero padding, no sign for NaN unless asked
            if num[1] == "N" and not self.space and not self.plus:
                num = num[1:]
            self._pad_no_zero(num)
            return
        if self.sharp and verb != "b":
            num = self._sharp_float(num, verb, prec)
        if self.plus or num[0] != "+":
            if self.zero and self.wid_present and self.wid > len(num):
                self.buf.append(num[0])
                self.write_padding(self.wid - len(num))
                self.buf.append(num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    @staticmethod
    def _sharp_float(num: str, verb: str, prec: int) -> str:
        """The # flag: always a decimal point, and %g keeps its trailing zeros."""
        digits = 0
        if verb in "vgGx":
            digits = 6 if prec == -1 else prec
        tail = ""
        has_point = False
        saw_nonzero = False
        i = 1
        while i < len(num):
            ch = num[i]
            if ch == ".":
                has_point = True
            elif ch in "pP" or (ch in "eE" and verb not in "xX"):
                tail = num[i:]
                num = num[:i]
                break
            else:
                if ch != "0":
                    saw_nonzero = True
                if saw_nonzero:
                    digits -= 1
            i += 1
        if not has_point:
            if len(num) == 2 and num[1] == "0":
                digits -= 1
            num += "."
        if digits > 0:
            num += "0" * digits
        return num + tail

    # -- strings -------------------------------------------------------------------------------
    def fmt_string(self, v: str, verb: str) -> None:
        """pp.fmtString."""
        if verb == "v":
            if self.sharp_v:
                self.fmt_q(v)
            else:
                self.fmt_s(v)
        elif verb == "s":
            self.fmt_s(v)
        elif verb in "xX":
            self.fmt_sbx(gostrconv.go_bytes(v), _LDIGITS if verb == "x" else _UDIGITS)
        elif verb == "q":
            self.fmt_q(v)
        else:
            self.bad_verb(verb, v)

    def _truncate(self, s: str) -> str:
        s = gostrconv.canonical(s)
        if self.prec_present:
            return s[:self.prec]
        return s

    def fmt_s(self, s: str) -> None:
        self.pad(self._truncate(s))

    def fmt_q(self, s: str) -> None:
        s = self._truncate(s)
        if self.sharp and gostrconv.can_backquote(s):
            self.pad("`" + s + "`")
        else:
            self.pad(gostrconv.quote(s, self.plus))

    def fmt_sbx(self, b: bytes, digits: str) -> None:
        """%x / %X of a string or []byte: hex of its bytes."""
        length = len(b)
        if self.prec_present and self.prec < length:
            length = self.prec
        width = 2 * length
        if width > 0:
            if self.space:
                if self.sharp:
                    width *= 2
                width += length - 1
            elif self.sharp:
                width += 2
        else:
            if self.wid_present:
                self.write_padding(self.wid)
            return
        if self.wid_present and self.wid > width and not self.minus:
            self.write_padding(self.wid - width)
        out = []
        prefix = "0" + digits[16]
        if self.sharp:
            out.append(prefix)
        for i in range(length):
            if self.space and i > 0:
                out.append(" ")
                if self.sharp:
                    out.append(prefix)
            c = b[i]
            out.append(digits[c >> 4] + digits[c & 0xF])
        self.buf.append("".join(out))
        if self.wid_present and self.wid > width and self.minus:
            self.write_padding(self.wid - width)

    def fmt_bytes(self, b: bytes, verb: str, type_string: str) -> None:
        """pp.fmtBytes: a []byte."""
        if verb in "vd":
            if self.sharp_v:
                self.buf.append(type_string + "{")
                for i, c in enumerate(b):
                    if i > 0:
                        self.buf.append(", ")
                    self.fmt_0x64(c, True)
                self.buf.append("}")
            else:
                self.buf.append("[")
                for i, c in enumerate(b):
                    if i > 0:
                        self.buf.append(" ")
                    self.fmt_integer(c, 10, False, verb, _LDIGITS)
                self.buf.append("]")
        elif verb == "s":
            self.fmt_s(gostrconv.go_str(b))
        elif verb in "xX":
            self.fmt_sbx(b, _LDIGITS if verb == "x" else _UDIGITS)
        elif verb == "q":
            self.fmt_q(gostrconv.go_str(b))
        else:
            self.print_list([Byte(c) for c in b], verb, 0)


# -- Printf format parsing (print.go's parsenum, parseArgNumber, intFromArg) ----------------

def parse_num(s: str, start: int, end: int) -> tuple[int, bool, int]:
    """fmt's parsenum: (number, found, index after it); absurd numbers count as none."""
    if start >= end:
        return 0, False, end
    num = 0
    isnum = False
    i = start
    while i < end and "0" <= s[i] <= "9":
        if num > _TOO_LARGE or num < -_TOO_LARGE:
            return 0, False, end
        num = num * 10 + ord(s[i]) - 48
        isnum = True
        i += 1
    return num, isnum, i


def parse_arg_number(format: str) -> tuple[int, int, bool]:
    if len(format) < 3:
        return 0, 1, False
    for i in range(1, len(format)):
        if format[i] == "]":
            width, ok, newi = parse_num(format, 1, i)
            if not ok or newi != i:
                return 0, i + 1, False
            return width - 1, i + 1, True
    return 0, 1, False


def int_from_arg(args: list[Any], arg_num: int) -> tuple[int, bool, int]:
    num, is_int, new_arg_num = 0, False, arg_num
    if arg_num < len(args):
        arg = args[arg_num]
        if isinstance(arg, int) and not isinstance(arg, bool):
            num, is_int = (arg + (1 << 63)) % (1 << 64) - (1 << 63), True
        new_arg_num = arg_num + 1
        if num > _TOO_LARGE or num < -_TOO_LARGE:
            num, is_int = 0, False
    return num, is_int, new_arg_num
