"""Go's fmt (Sprint, Sprintln, Sprintf) over the value model of values.py, after Go 1.19's
fmt/print.go; the per-verb layout (padding, integers, floats, strings) is in gofmtverbs.py.

What is fmt's and what is exec's: fmt never sees Go's invalid reflect.Value. ``values.MISSING``
given to ``sprint``/``sprintln``/``sprintf`` (the ``print``/``printf``/``println`` builtins) is
printed as nil (``<nil>``), because exec turns an invalid value passed to an ``interface{}``
parameter into a nil interface. ``format_value(MISSING)`` is ``<no value>``: that is what the
template prints for ``{{.Missing}}`` (exec's printableValue), and ``format_value`` is the function
exec prints values with. Inside lists, maps and structs None (and MISSING) print as ``<nil>``,
and ``format_value(None)`` is ``<nil>`` (fmt.Sprint(nil)); but Go's evalPipeline turns a nil
interface{} result into the invalid value, so the template prints ``{{.N}}`` (N nil in a map),
``{{index .L 0}}`` (a nil element) or a function's nil result as ``<no value>``: exec's business.

Strings are Go strings as described in gostrconv.py (invalid bytes as surrogate escapes).
Python objects with a callable ``String`` (or ``Error``) attribute are Go Stringers (errors):
%v %s %q %x %X print what the method returns, like Go's handleMethods.
"""
from __future__ import annotations

import math
from typing import Any

from . import gostrconv
from .gofmtverbs import Formatter, int_from_arg, parse_arg_number, parse_num
from .values import MISSING, Byte, is_nil_collection, struct_items, type_name


def format_value(v: Any) -> str:
    """fmt.Sprint(v) for one value, as the template prints it (``<no value>`` for MISSING)."""
    if v is MISSING:
        return "<no value>"
    kind = type(v)
    if kind is str:
        return v  # type: ignore[no-any-return]
    if kind is int and -(1 << 63) <= v < (1 << 63):
        return str(v)
    if kind is bool:
        return "true" if v else "false"
    return sprint(v)


def sprint(*args: Any) -> str:
    """fmt.Sprint: operands separated by a space when neither side is a string."""
    p = _Printer()
    prev_string = False
    for i, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not prev_string:
            p.buf.append(" ")
        p.print_arg(arg, "v")
        prev_string = is_string
    return "".join(p.buf)


def sprintln(*args: Any) -> str:
    """fmt.Sprintln: operands always separated by a space, and a newline at the end."""
    p = _Printer()
    for i, arg in enumerate(args):
        if i > 0:
            p.buf.append(" ")
        p.print_arg(arg, "v")
    p.buf.append("\n")
    return "".join(p.buf)


def sprintf(format: str, *args: Any) -> str:
    """fmt.Sprintf."""
    p = _Printer()
    p.do_printf(format, list(args))
    return "".join(p.buf)


def go_type_name(v: Any) -> str:
    """The Go type name fmt prints for %T and in ``%!verb(TYPE=value)``."""
    if isinstance(v, (bytes, bytearray)):
        return "[]uint8"
    return type_name(v)


def _map_sort_key(key: Any) -> tuple[Any, ...]:
    """Go's internal/fmtsort order: nil first, numbers numerically (NaN first), strings by bytes,
    false before true; keys of different kinds (only in map[interface{}]) grouped by kind."""
    if key is None or key is MISSING:
        return (0,)
    if isinstance(key, bool):
        return (1, key)
    if isinstance(key, int):
        return (2, key)
    if isinstance(key, float):
        return (3, 0) if math.isnan(key) else (3, 1, key)
    if isinstance(key, str):
        return (4, gostrconv.go_bytes(key))
    return (5, type_name(key), str(key))


def _method(v: Any, name: str) -> Any:
    if v is None or v is MISSING or isinstance(v, (bool, int, float, complex, str, list, tuple, dict)):
        return None
    m = getattr(v, name, None)
    return m if callable(m) else None


def _is_byte_slice(v: Any) -> bool:
    return isinstance(v, (list, tuple)) and bool(v) and all(isinstance(x, Byte) for x in v)


class _Printer(Formatter):
    """Go's pp: the argument-walking half of fmt (print.go)."""

    def __init__(self) -> None:
        super().__init__()
        self.erroring = False
        self.reordered = False
        self.good_arg_num = True

    # -- values ----------------------------------------------------------------------------
    def bad_verb(self, verb: str, v: Any) -> None:
        self.erroring = True
        self.buf.append("%!" + verb + "(")
        if v is None or v is MISSING:
            self.buf.append("<nil>")
        else:
            self.buf.append(go_type_name(v) + "=")
            self.print_arg(v, "v")
        self.buf.append(")")
        self.erroring = False

    def print_arg(self, arg: Any, verb: str) -> None:
        if arg is None or arg is MISSING:
            if verb in "Tv":
                self.pad("<nil>")
            else:
                self.bad_verb(verb, None)
            return
        if verb == "T":
            self.fmt_s(go_type_name(arg))
            return
        if verb == "p":
            self.fmt_pointer(arg, verb)
            return
        if isinstance(arg, (bool, int, float, complex, str, bytes, bytearray)) and not hasattr(type(arg), "go_type"):
            self.print_value(arg, verb, 0)
        elif _is_byte_slice(arg):      # Go's printArg case []byte
            self.fmt_bytes(bytes(int(x) & 0xFF for x in arg), verb, "[]byte")
        elif not self.handle_methods(arg, verb):
            self.print_value(arg, verb, 0)

    def handle_methods(self, v: Any, verb: str) -> bool:
        if self.erroring:
            return False
        if self.sharp_v:
            names = ["GoString"]
        elif verb in "vsxXq":
            names = ["Error", "String"]
        else:
            return False
        for name in names:
            method = _method(v, name)
            if method is None:
                continue
            try:
                text = str(method())
            except Exception as exc:  # Go's catchPanic
                saved = self.save_flags()
                self.clear_flags()
                self.buf.append("%!" + verb + "(PANIC=" + name + " method: " + str(exc) + ")")
                self.restore_flags(saved)
                return True
            if name == "GoString":
                self.fmt_s(text)
            else:
                self.fmt_string(text, verb)
            return True
        return False

    def print_value(self, v: Any, verb: str, depth: int) -> None:
        if depth > 0 and self.handle_methods(v, verb):
            return
        if v is None or v is MISSING:     # a nil interface inside a slice, map or struct
            self.buf.append("interface {}(nil)" if self.sharp_v else "<nil>")
        elif isinstance(v, bool):
            if verb in "tv":
                self.pad("true" if v else "false")
            else:
                self.bad_verb(verb, v)
        elif isinstance(v, Byte):
            self.fmt_int(int(v) & 0xFF, False, verb, v)
        elif isinstance(v, int):
            self.fmt_int((int(v) + (1 << 63)) % (1 << 64) - (1 << 63), True, verb, v)
        elif isinstance(v, float):
            self.fmt_float_verb(v, verb)
        elif isinstance(v, complex):
            self.fmt_complex(v, verb)
        elif isinstance(v, str):
            self.fmt_string(v, verb)
        elif isinstance(v, (bytes, bytearray)):
            self.fmt_bytes(bytes(v), verb, "[]byte" if depth == 0 else "[]uint8")
        elif isinstance(v, dict):
            self.print_map(v, verb, depth)
        elif isinstance(v, (list, tuple)):
            if verb in "sqxX" and _is_byte_slice(v):
                self.fmt_bytes(bytes(int(x) & 0xFF for x in v), verb, go_type_name(v))
                return
            self.print_list(v, verb, depth)
        elif callable(v):
            self.fmt_pointer(v, verb)
        else:
            self.print_struct(v, verb, depth)

    def print_list(self, v: Any, verb: str, depth: int) -> None:
        if self.sharp_v and is_nil_collection(v):
            self.buf.append(go_type_name(v) + "(nil)")
            return
        if self.sharp_v:
            self.buf.append(go_type_name(v) + "{")
            sep = ", "
        else:
            self.buf.append("[")
            sep = " "
        for i, item in enumerate(v):
            if i > 0:
                self.buf.append(sep)
            self.print_value(item, verb, depth + 1)
        self.buf.append("}" if self.sharp_v else "]")

    def print_map(self, v: dict[Any, Any], verb: str, depth: int) -> None:
        if self.sharp_v and is_nil_collection(v):
            self.buf.append(go_type_name(v) + "(nil)")
            return
        if self.sharp_v:
            self.buf.append(go_type_name(v) + "{")
        else:
            self.buf.append("map[")
        for i, key in enumerate(sorted(v, key=_map_sort_key)):
            if i > 0:
                self.buf.append(", " if self.sharp_v else " ")
            self.print_value(key, verb, depth + 1)
            self.buf.append(":")
            self.print_value(v[key], verb, depth + 1)
        self.buf.append("}" if self.sharp_v else "]")

    def print_struct(self, v: Any, verb: str, depth: int) -> None:
        if self.sharp_v:
            self.buf.append(go_type_name(v))
        self.buf.append("{")
        for i, (name, field) in enumerate(struct_items(v)):
            if i > 0:
                self.buf.append(", " if self.sharp_v else " ")
            if self.plus_v or self.sharp_v:
                self.buf.append(name + ":")
            self.print_value(field, verb, depth + 1)
        self.buf.append("}")

    def fmt_pointer(self, v: Any, verb: str) -> None:
        """Functions, and %p of lists and maps: Go prints an address; we print the object id."""
        if not (callable(v) or isinstance(v, (list, tuple, dict))):
            self.bad_verb(verb, v)
            return
        address = 0 if is_nil_collection(v) else id(v)
        if verb == "v" and self.sharp_v:
            self.buf.append("(" + go_type_name(v) + ")(")
            self.fmt_0x64(address, True)
            self.buf.append(")")
        elif verb in "vp":
            self.fmt_0x64(address, not self.sharp)
        elif verb in "bodxX":
            self.fmt_int(address, False, verb, v)
        else:
            self.bad_verb(verb, v)

    # -- Printf ------------------------------------------------------------------------------
    def arg_number(self, arg_num: int, format: str, i: int, num_args: int) -> tuple[int, int, bool]:
        if len(format) <= i or format[i] != "[":
            return arg_num, i, False
        self.reordered = True
        index, wid, ok = parse_arg_number(format[i:])
        if ok and 0 <= index < num_args:
            return index, i + wid, True
        self.good_arg_num = False
        return arg_num, i + wid, ok

    def do_printf(self, format: str, args: list[Any]) -> None:
        end = len(format)
        arg_num = 0
        after_index = False
        self.reordered = False
        i = 0
        while i < end:
            self.good_arg_num = True
            j = format.find("%", i)
            if j < 0:
                j = end
            if j > i:
                self.buf.append(format[i:j])
            i = j
            if i >= end:
                break
            i += 1
            self.clear_flags()
            while i < end:
                c = format[i]
                if c == "#":
                    self.sharp = True
                elif c == "0":
                    self.zero = not self.minus
                elif c == "+":
                    self.plus = True
                elif c == "-":
                    self.minus = True
                    self.zero = False
                elif c == " ":
                    self.space = True
                else:
                    break
                i += 1
            arg_num, i, after_index = self.arg_number(arg_num, format, i, len(args))
            if i < end and format[i] == "*":
                i += 1
                self.wid, self.wid_present, arg_num = int_from_arg(args, arg_num)
                if not self.wid_present:
                    self.buf.append("%!(BADWIDTH)")
                if self.wid < 0:
                    self.wid = -self.wid
                    self.minus = True
                    self.zero = False
                after_index = False
            else:
                self.wid, self.wid_present, i = parse_num(format, i, end)
                if after_index and self.wid_present:
                    self.good_arg_num = False
            if i + 1 < end and format[i] == ".":
                i += 1
                if after_index:
                    self.good_arg_num = False
                arg_num, i, after_index = self.arg_number(arg_num, format, i, len(args))
                if i < end and format[i] == "*":
                    i += 1
                    self.prec, self.prec_present, arg_num = int_from_arg(args, arg_num)
                    if self.prec < 0:
                        self.prec = 0
                        self.prec_present = False
                    if not self.prec_present:
                        self.buf.append("%!(BADPREC)")
                    after_index = False
                else:
                    self.prec, self.prec_present, i = parse_num(format, i, end)
                    if not self.prec_present:
                        self.prec = 0
                        self.prec_present = True
            if not after_index:
                arg_num, i, after_index = self.arg_number(arg_num, format, i, len(args))
            if i >= end:
                self.buf.append("%!(NOVERB)")
                break
            verb = format[i]
            i += 1
            if gostrconv.invalid_byte(verb) >= 0:
                verb = "\ufffd"
            if verb == "%":
                self.buf.append("%")
            elif not self.good_arg_num:
                self.buf.append("%!" + verb + "(BADINDEX)")
            elif arg_num >= len(args):
                self.buf.append("%!" + verb + "(MISSING)")
            else:
                if verb == "v":
                    self.sharp_v, self.sharp = self.sharp, False
                    self.plus_v, self.plus = self.plus, False
                self.print_arg(args[arg_num], verb)
                arg_num += 1
        if not self.reordered and arg_num < len(args):
            self.clear_flags()
            self.buf.append("%!(EXTRA ")
            for k, arg in enumerate(args[arg_num:]):
                if k > 0:
                    self.buf.append(", ")
                if arg is None or arg is MISSING:
                    self.buf.append("<nil>")
                else:
                    self.buf.append(go_type_name(arg) + "=")
                    self.print_arg(arg, "v")
            self.buf.append(")")

