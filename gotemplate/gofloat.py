"""Go's strconv.FormatFloat(f, fmt, prec, 64) for float64.

Go first finds decimal digits (the shortest ones that round-trip when prec < 0, else the value
correctly rounded, half to even, to a number of digits) and then lays them out itself. Python's
``repr`` gives the same shortest digits and ``format(x, ".Ne")`` the same correctly rounded ones,
so only the layout (fmtE, fmtF, the %g choice, %b, %x) is written out here, after ftoa.go.
"""
from __future__ import annotations

import math
import struct

_MANTBITS = 52
_BIAS = -1023


def _decompose(x: float) -> tuple[bool, int, int]:
    """(negative, mantissa with the implicit bit, binary exponent) as genericFtoa computes them."""
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    neg = bits >> 63 != 0
    exp = (bits >> _MANTBITS) & 0x7FF
    mant = bits & ((1 << _MANTBITS) - 1)
    if exp == 0:
        exp += 1
    else:
        mant |= 1 << _MANTBITS
    return neg, mant, exp + _BIAS


def _digits_of(text: str) -> tuple[str, int]:
    """Decimal digits (no leading or trailing zeros) and decimal point position of a positive
    number written by Python (``123.45``, ``1.2e-07``, ``1.000e+02``): value = 0.DIGITS * 10**dp."""
    mantissa, _, exponent = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    dp = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    stripped = stripped.rstrip("0")
    if not stripped:
        return "", 0
    return stripped, dp


def _shortest(x: float) -> tuple[str, int]:
    return _digits_of(repr(abs(x)))


def _fmt_e(neg: bool, d: str, dp: int, prec: int, fmt: str) -> str:
    out = ["-" if neg else "", d[0] if d else "0"]
    if prec > 0:
        out.append(".")
        tail = d[1:prec + 1]
        out.append(tail + "0" * (prec - len(tail)))
    exp = dp - 1 if d else 0
    out.append(fmt)
    out.append("-" if exp < 0 else "+")
    exp = abs(exp)
    out.append("%02d" % exp)
    return "".join(out)


def _fmt_f(neg: bool, d: str, dp: int, prec: int) -> str:
    out = ["-" if neg else ""]
    if dp > 0:
        head = d[:dp]
        out.append(head + "0" * (dp - len(head)))
    else:
        out.append("0")
    if prec > 0:
        out.append(".")
        for i in range(prec):
            j = dp + i
            out.append(d[j] if 0 <= j < len(d) else "0")
    return "".join(out)


def _fmt_b(neg: bool, mant: int, exp: int) -> str:
    exp -= _MANTBITS
    return ("-" if neg else "") + str(mant) + "p" + ("+" if exp >= 0 else "") + str(exp)


def _fmt_x(prec: int, fmt: str, neg: bool, mant: int, exp: int) -> str:
    mask64 = (1 << 64) - 1
    if mant == 0:
        exp = 0
    mant = (mant << (60 - _MANTBITS)) & mask64
    while mant != 0 and mant & (1 << 60) == 0:
        mant = (mant << 1) & mask64
        exp -= 1
    if 0 <= prec < 15:
        shift = prec * 4
        extra = (mant << shift) & ((1 << 60) - 1)
        mant >>= 60 - shift
        if extra | (mant & 1) > 1 << 59:
            mant += 1
        mant = (mant << (60 - shift)) & mask64
        if mant & (1 << 61):
            mant >>= 1
            exp += 1
    digits = "0123456789ABCDEF" if fmt == "X" else "0123456789abcdef"
    out = ["-" if neg else "", "0", fmt, str((mant >> 60) & 1)]
    mant = (mant << 4) & mask64
    if prec < 0 and mant != 0:
        out.append(".")
        while mant != 0:
            out.append(digits[(mant >> 60) & 15])
            mant = (mant << 4) & mask64
    elif prec > 0:
        out.append(".")
        for _ in range(prec):
            out.append(digits[(mant >> 60) & 15])
            mant = (mant << 4) & mask64
    out.append("P" if fmt == "X" else "p")
    out.append("-" if exp < 0 else "+")
    out.append("%02d" % abs(exp))
    return "".join(out)


def format_float(x: float, fmt: str, prec: int) -> str:
    """strconv.FormatFloat(x, fmt, prec, 64); fmt is one of b e E f g G x X."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    neg, mant, exp = _decompose(x)
    if fmt == "b":
        return _fmt_b(neg, mant, exp)
    if fmt in "xX":
        return _fmt_x(prec, fmt, neg, mant, exp)
    shortest = prec < 0
    if shortest:
        d, dp = _shortest(x)
        if fmt in "eE":
            prec = max(len(d) - 1, 0)
        elif fmt == "f":
            prec = max(len(d) - dp, 0)
        else:
            prec = len(d)
    elif fmt == "f":
        d, dp = _digits_of(format(abs(x), ".%df" % prec))
    else:
        if fmt in "gG" and prec == 0:
            prec = 1
        ndigits = prec + 1 if fmt in "eE" else prec
        d, dp = _digits_of(format(abs(x), ".%de" % (ndigits - 1)))
    if fmt in "eE":
        return _fmt_e(neg, d, dp, prec, fmt)
    if fmt == "f":
        return _fmt_f(neg, d, dp, prec)
    # %g / %G: %e for large exponents, %f otherwise.
    eprec = prec
    if eprec > len(d) and len(d) >= dp:
        eprec = len(d)
    if shortest:
        eprec = 6
    exponent = dp - 1
    if exponent < -4 or exponent >= eprec:
        if prec > len(d):
            prec = len(d)
        return _fmt_e(neg, d, dp, prec - 1, "e" if fmt == "g" else "E")
    if prec > dp:
        prec = len(d)
    return _fmt_f(neg, d, dp, max(prec - dp, 0))
