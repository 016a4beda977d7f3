"""Go's ``time.Time`` as confd's ``datetime`` function returns it (``time.Now()``): printed as
``Time.String()`` prints it, with Go-named methods a template can call (``(datetime).Year``,
``(datetime).Format "2006-01-02"``) and Go's layout language ported from time/format.go."""
from __future__ import annotations

import datetime as _dt
import time as _time
from typing import ClassVar

__all__ = ["GoInt64", "GoMonth", "GoTime", "GoWeekday", "now"]

_START_MONO = _time.monotonic_ns() - 1  # Go: runtime start, minus 1 so readings are never 0
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()


class GoInt64(int):
    """An int64 (what Time.Unix returns): prints as a number, ``%T`` says int64, and like any
    Go integer it compares with an int (eq, lt) but is not an ``int`` argument."""

    go_type: ClassVar[str] = "int64"
    __slots__ = ()


class GoMonth(int):
    """time.Month: an int that prints as its English name."""

    go_type: ClassVar[str] = "time.Month"

    def String(self) -> str:  # noqa: N802 - Go's method name
        return _MONTHS[self - 1] if 1 <= self <= 12 else f"%!Month({int(self)})"

    def __str__(self) -> str:
        return self.String()


class GoWeekday(int):
    """time.Weekday: an int (Sunday = 0) that prints as its English name."""

    go_type: ClassVar[str] = "time.Weekday"

    def String(self) -> str:  # noqa: N802 - Go's method name
        return _DAYS[self] if 0 <= self <= 6 else f"%!Weekday({int(self)})"

    def __str__(self) -> str:
        return self.String()


def now() -> GoTime:
    """time.Now(): the wall clock in the local zone, with a monotonic clock reading."""
    unix_ns = _time.time_ns()
    local = _time.localtime(unix_ns // 1_000_000_000)
    return GoTime(unix_ns, local.tm_gmtoff or 0, local.tm_zone or "", _time.monotonic_ns() - _START_MONO)


class GoTime:
    """A time.Time: an instant (Unix nanoseconds), its zone, maybe a monotonic reading."""

    go_type: ClassVar[str] = "time.Time"
    __slots__ = ("_unix_ns", "_offset", "_zone", "_mono")

    def __init__(self, unix_ns: int, offset: int = 0, zone: str = "UTC", mono: int | None = None) -> None:
        self._unix_ns = unix_ns
        self._offset = offset  # seconds east of UTC
        self._zone = zone
        self._mono = mono

    # The calendar fields in the time's own zone.
    def _local_seconds(self) -> int:
        return self._unix_ns // 1_000_000_000 + self._offset

    def _date(self) -> _dt.date:
        return _dt.date.fromordinal(_EPOCH_ORDINAL + self._local_seconds() // 86400)

    def _clock(self) -> tuple[int, int, int]:
        secs = self._local_seconds() % 86400
        return secs // 3600, secs // 60 % 60, secs % 60

    def Year(self) -> int:  # noqa: N802 - Go's method names from here on
        return self._date().year

    def Month(self) -> GoMonth:  # noqa: N802
        return GoMonth(self._date().month)

    def Day(self) -> int:  # noqa: N802
        return self._date().day

    def YearDay(self) -> int:  # noqa: N802
        return self._date().timetuple().tm_yday

    def Weekday(self) -> GoWeekday:  # noqa: N802
        return GoWeekday(self._date().isoweekday() % 7)

    def Hour(self) -> int:  # noqa: N802
        return self._clock()[0]

    def Minute(self) -> int:  # noqa: N802
        return self._clock()[1]

    def Second(self) -> int:  # noqa: N802
        return self._clock()[2]

    def Nanosecond(self) -> int:  # noqa: N802
        return self._unix_ns % 1_000_000_000

    def Unix(self) -> GoInt64:  # noqa: N802
        return GoInt64(self._unix_ns // 1_000_000_000)

    def UnixMilli(self) -> GoInt64:  # noqa: N802
        return GoInt64(self._unix_ns // 1_000_000)

    def UnixMicro(self) -> GoInt64:  # noqa: N802
        return GoInt64(self._unix_ns // 1_000)

    def UnixNano(self) -> GoInt64:  # noqa: N802
        return GoInt64(self._unix_ns)

    def IsZero(self) -> bool:  # noqa: N802
        return False  # time.Now() is never the zero time

    def UTC(self) -> GoTime:  # noqa: N802
        return GoTime(self._unix_ns, 0, "UTC")  # Go drops the monotonic reading here

    def Local(self) -> GoTime:  # noqa: N802
        local = _time.localtime(self.Unix())
        return GoTime(self._unix_ns, local.tm_gmtoff or 0, local.tm_zone or "")

    def Format(self, layout: str) -> str:  # noqa: N802
        return _format(self, layout)

    def String(self) -> str:  # noqa: N802
        text = _format(self, "2006-01-02 15:04:05.999999999 -0700 MST")
        if self._mono is None:
            return text
        sign = "-" if self._mono < 0 else "+"
        seconds, nanos = divmod(abs(self._mono), 1_000_000_000)
        return f"{text} m={sign}{seconds}.{nanos:09d}"

    def __str__(self) -> str:
        return self.String()

    def __repr__(self) -> str:
        return f"GoTime({self.String()!r})"


# --- time/format.go: the layout language -------------------------------------------------------

def _next_chunk(layout: str) -> tuple[str, str, str]:
    """nextStdChunk: (text before, the std chunk or "", the rest)."""
    for i, c in enumerate(layout):
        rest = layout[i:]
        if c == "J" and rest.startswith("Jan"):
            if rest.startswith("January"):
                return layout[:i], "January", rest[7:]
            if not ("a" <= rest[3:4] <= "z"):
                return layout[:i], "Jan", rest[3:]
        elif c == "M" and len(rest) >= 3:
            if rest.startswith("Mon"):
                if rest.startswith("Monday"):
                    return layout[:i], "Monday", rest[6:]
                if not ("a" <= rest[3:4] <= "z"):
                    return layout[:i], "Mon", rest[3:]
            if rest.startswith("MST"):
                return layout[:i], "MST", rest[3:]
        elif c == "0":
            if "1" <= rest[1:2] <= "6":
                return layout[:i], rest[:2], rest[2:]
            if rest.startswith("002"):
                return layout[:i], "002", rest[3:]
        elif c == "1":
            if rest.startswith("15"):
                return layout[:i], "15", rest[2:]
            return layout[:i], "1", rest[1:]
        elif c == "2":
            if rest.startswith("2006"):
                return layout[:i], "2006", rest[4:]
            return layout[:i], "2", rest[1:]
        elif c == "_":
            if rest.startswith("_2"):
                if rest.startswith("_2006"):  # a literal _ and then the year
                    return layout[: i + 1], "2006", rest[5:]
                return layout[:i], "_2", rest[2:]
            if rest.startswith("__2"):
                return layout[:i], "__2", rest[3:]
        elif c in "345":
            return layout[:i], c, rest[1:]
        elif c in "Pp" and rest[1:2] == ("M" if c == "P" else "m"):
            return layout[:i], rest[:2], rest[2:]
        elif c in "-Z":
            for chunk in (c + "070000", c + "07:00:00", c + "0700", c + "07:00", c + "07"):
                if rest.startswith(chunk):
                    return layout[:i], chunk, rest[len(chunk):]
        elif c in ".," and rest[1:2] in ("0", "9"):
            digits = len(rest[1:]) - len(rest[1:].lstrip(rest[1]))
            after = rest[1 + digits :]
            if not ("0" <= after[:1] <= "9"):  # the fraction must not run into more digits
                return layout[:i], rest[: 1 + digits], after
    return layout, "", ""


def _format(t: GoTime, layout: str) -> str:
    out: list[str] = []
    date = t._date()
    hour, minute, second = t._clock()
    while layout:
        prefix, std, layout = _next_chunk(layout)
        out.append(prefix)
        if not std:
            break
        out.append(_format_chunk(t, std, date, hour, minute, second))
    return "".join(out)


def _format_chunk(t: GoTime, std: str, date: _dt.date, hour: int, minute: int, second: int) -> str:
    year = date.year
    simple = {
        "2006": f"{year:04d}" if year >= 0 else f"-{-year:04d}", "06": f"{abs(year) % 100:02d}",
        "January": _MONTHS[date.month - 1], "Jan": _MONTHS[date.month - 1][:3],
        "1": str(date.month), "01": f"{date.month:02d}",
        "Monday": _DAYS[date.isoweekday() % 7], "Mon": _DAYS[date.isoweekday() % 7][:3],
        "2": str(date.day), "_2": f"{date.day:2d}", "02": f"{date.day:02d}",
        "__2": f"{t.YearDay():3d}", "002": f"{t.YearDay():03d}",
        "15": f"{hour:02d}", "3": str(hour % 12 or 12), "03": f"{hour % 12 or 12:02d}",
        "4": str(minute), "04": f"{minute:02d}", "5": str(second), "05": f"{second:02d}",
        "PM": "PM" if hour >= 12 else "AM", "pm": "pm" if hour >= 12 else "am",
    }
    if std in simple:
        return simple[std]
    if std[0] in ".,":
        digits = f"{t.Nanosecond():09d}"[: min(len(std) - 1, 9)]
        if std[1] == "9":
            digits = digits.rstrip("0")
            if not digits:
                return ""
        return std[0] + digits
    offset = t._offset
    if std == "MST":
        if t._zone:
            return t._zone
        std = "-0700"  # no zone name known: Go prints the numeric offset
    if std[0] == "Z" and offset == 0:
        return "Z"
    sign = "-" if offset < 0 else "+"
    hours, rem = divmod(abs(offset), 3600)
    text = f"{sign}{hours:02d}"
    colon = ":" if ":" in std else ""
    if std[1:] not in ("07",):
        text += f"{colon}{rem // 60:02d}"
    if std[1:] in ("070000", "07:00:00"):
        text += f"{colon}{rem % 60:02d}"
    return text
