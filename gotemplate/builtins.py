"""Go text/template's builtin functions (funcs.go of Go 1.19), except ``and``/``or`` (exec
short-circuits them) and ``call`` (exec calls functions): plain Python functions whose
annotations are their Go signature (DESIGN.md: ``Value`` is Go's reflect.Value, ``Any`` is
``interface{}``, ``*args`` is variadic).

A failing builtin raises ``BuiltinError`` whose message is the text of the error the Go builtin
returns (``index out of range: 5``); exec prefixes ``error calling NAME: ``. Arity errors and
"invalid value; expected reflect.Value" are exec's. Go's nil interface and invalid value both
arrive here as None or MISSING and are treated alike (the builtins call indirectInterface).

Go types are read off the Python values as values.type_name does: a dict whose values are all
ints is a ``map[string]int``, so indexing it with a missing key gives 0, while a mixed one is
a ``map[string]interface {}`` giving nil. Python lists have no spare capacity: ``slice`` can't
reach past ``len`` as Go can on a slice with cap > len.
"""
from __future__ import annotations

from typing import Any, Callable

from . import gofmt, gostrconv
from .values import MISSING, Byte, Value, is_nil_collection, is_true, struct_items, type_name


class BuiltinError(Exception):
    """The error a builtin returns; the message is Go's."""


def _is_nil(v: Any) -> bool:
    return v is None or v is MISSING


def _gobytes(s: str) -> bytes:
    return gostrconv.go_bytes(s)


# -- not, len, index, slice ------------------------------------------------------------------
def not_(arg: Value) -> bool:
    """The Boolean negation of the truth of its argument."""
    return not is_true(arg)


def length(item: Value) -> int:
    """len: the length of a string (in bytes), list or map."""
    if item is MISSING:     # Go calls Type() on the invalid reflect.Value and recovers the panic
        raise BuiltinError("reflect: call of reflect.Value.Type on zero Value")
    if item is None:
        raise BuiltinError("len of nil pointer")
    if isinstance(item, str):
        return len(item) if item.isascii() else len(_gobytes(item))
    if isinstance(item, (list, tuple, dict, bytes, bytearray)):
        return len(item)
    raise BuiltinError("len of type %s" % gofmt.go_type_name(item))


def _index_arg(index: Any, cap: int) -> int:
    """indexArg: an integer index in [0, cap]."""
    if isinstance(index, int) and not isinstance(index, bool):
        x = int(index)
    elif _is_nil(index):
        raise BuiltinError("cannot index slice/array with nil")
    else:
        raise BuiltinError("cannot index slice/array with type %s" % gofmt.go_type_name(index))
    if x < 0 or x > cap:
        raise BuiltinError("index out of range: %d" % x)
    return x


def _common_type(values: Any) -> str:
    """The Go element type of a collection's values: their type if they share one."""
    kinds = {type_name(v) for v in values}
    return kinds.pop() if len(kinds) == 1 else "interface {}"


_ZEROS: dict[str, Any] = {"int": 0, "float64": 0.0, "complex128": 0j, "string": "", "bool": False,
                          "uint8": Byte(0)}


def _zero(go_type: str) -> Any:
    """The zero value of a Go type: nil slices and maps print as [] and map[]."""
    if go_type.startswith("[]"):
        return []
    if go_type.startswith("map["):
        return {}
    return _ZEROS.get(go_type)


def _map_key(item: dict[Any, Any], index: Any) -> Any:
    """prepareArg(index, key type of item)."""
    key_type = _common_type(item) if item else "string"
    if key_type == "interface {}":
        return None if _is_nil(index) else index
    if _is_nil(index):
        raise BuiltinError("value is nil; should be of type %s" % key_type)
    index_type = type_name(index)
    if index_type == key_type:
        return index
    if index_type in ("int", "uint8") and key_type in ("int", "uint8"):
        return Byte(index & 0xFF) if key_type == "uint8" else int(index)
    raise BuiltinError("value has type %s; should be %s" % (index_type, key_type))


def index(item: Value, *indexes: Value) -> Value:
    """index x 1 2 3 is x[1][2][3]; each indexed item must be a map, slice, array or string
    (a string gives a byte, a uint8)."""
    if _is_nil(item):
        raise BuiltinError("index of untyped nil")
    for ix in indexes:
        if _is_nil(item):
            raise BuiltinError("index of nil pointer")
        if isinstance(item, (str, list, tuple, bytes, bytearray)):
            data: Any = item if not isinstance(item, str) or item.isascii() else _gobytes(item)
            x = _index_arg(ix, len(data))
            if x == len(data):     # indexArg lets len through; reflect's Index panics
                kind = "string" if isinstance(item, str) else "slice"
                raise BuiltinError("reflect: %s index out of range" % kind)
            if isinstance(item, str):
                item = Byte(ord(data[x]) if isinstance(data, str) else data[x])
            elif isinstance(item, (bytes, bytearray)):
                item = Byte(data[x])
            else:
                item = data[x]
        elif isinstance(item, dict):
            key = _map_key(item, ix)
            if key in item:
                item = item[key]
            else:
                go_type = getattr(type(item), "go_type", "")
                elem = go_type.partition("]")[2] if go_type.startswith("map[") else _common_type(item.values())
                item = _zero(elem)
        else:
            raise BuiltinError("can't index item of type %s" % gofmt.go_type_name(item))
    return item


def slice_(item: Value, *indexes: Value) -> Value:
    """slice x 1 2 is x[1:2], slice x is x[:], slice x 1 is x[1:], slice x 1 2 3 is x[1:2:3];
    strings are sliced by bytes."""
    if _is_nil(item):
        raise BuiltinError("slice of untyped nil")
    if len(indexes) > 3:
        raise BuiltinError("too many slice indexes: %d" % len(indexes))
    if isinstance(item, str):
        if len(indexes) == 3:
            raise BuiltinError("cannot 3-index slice a string")
        data: Any = item if item.isascii() else _gobytes(item)
    elif isinstance(item, (list, tuple, bytes, bytearray)):
        data = item
    else:
        raise BuiltinError("can't slice item of type %s" % gofmt.go_type_name(item))
    idx = [0, len(data), 0]
    for i, ix in enumerate(indexes):
        idx[i] = _index_arg(ix, len(data))
    if idx[0] > idx[1]:
        raise BuiltinError("invalid slice index: %d > %d" % (idx[0], idx[1]))
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise BuiltinError("invalid slice index: %d > %d" % (idx[1], idx[2]))
    result = data[idx[0]:idx[1]]
    if isinstance(item, str) and isinstance(result, bytes):
        return gostrconv.go_str(result)
    if is_nil_collection(item):             # a nil slice sliced (only [0:0] can be) stays nil
        return item
    if hasattr(type(item), "go_type"):      # a named slice type stays what it is
        return type(item)(result)
    return result


# -- comparison ------------------------------------------------------------------------------
_BAD_TYPE = "invalid type for comparison"
_INCOMPATIBLE = "incompatible types for comparison"


def _basic_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, Byte):
        return "uint"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, complex):
        return "complex"
    if isinstance(v, str):
        return "string"
    return ""


def _reflect_kind(v: Any) -> str:
    if _is_nil(v):
        return "invalid"
    if isinstance(v, (list, tuple, bytes, bytearray)):
        return "slice"
    if isinstance(v, dict):
        return "map"
    if callable(v):
        return "func"
    return _basic_kind(v) or "struct"


def _comparable(v: Any) -> bool:
    """Whether Go's == is defined on v's type (a struct: all its fields)."""
    kind = _reflect_kind(v)
    if kind == "struct":
        return all(_comparable(field) for _, field in struct_items(v))
    return kind not in ("slice", "map", "func")


def _str_equal(a: str, b: str) -> bool:
    return a == b or (not a.isascii() and not b.isascii() and _gobytes(a) == _gobytes(b))


def _go_equal(a: Any, b: Any) -> bool:
    """Go's == on two interface values of comparable types."""
    if _is_nil(a) or _is_nil(b):
        return _is_nil(a) and _is_nil(b)
    if type_name(a) != type_name(b) or type(a) is not type(b):
        return False
    if isinstance(a, str):
        return _str_equal(a, b)
    if _reflect_kind(a) == "struct":
        return all(_go_equal(x, y) for (_, x), (_, y) in zip(struct_items(a), struct_items(b)))
    return bool(a == b)


def _eq1(arg1: Any, arg: Any) -> bool:
    k1, k2 = _basic_kind(arg1), _basic_kind(arg)
    if k1 != k2:
        if (k1, k2) in (("int", "uint"), ("uint", "int")):
            return bool(arg1 >= 0 and arg >= 0 and arg1 == arg)
        if not _is_nil(arg1) and not _is_nil(arg):
            raise BuiltinError(_INCOMPATIBLE)
        return False
    if k1 == "string":
        return _str_equal(arg1, arg)
    if k1:
        return bool(arg1 == arg)
    r1, r2 = _reflect_kind(arg1), _reflect_kind(arg)
    if r1 != r2 and "invalid" not in (r1, r2):
        raise BuiltinError(gofmt.sprintf("non-comparable types %s: %v, %s: %v", arg1,
                                         gofmt.go_type_name(arg1), gofmt.go_type_name(arg), arg))
    if _is_nil(arg1) or _is_nil(arg) or is_nil_collection(arg1) or is_nil_collection(arg):
        return (_is_nil(arg1) or is_nil_collection(arg1)) == (_is_nil(arg) or is_nil_collection(arg))
    if not _comparable(arg):
        raise BuiltinError(gofmt.sprintf("non-comparable type %s: %v", arg, gofmt.go_type_name(arg)))
    return _go_equal(arg1, arg)


def eq(arg1: Value, *arg2: Value) -> bool:
    """arg1 == arg2[0] || arg1 == arg2[1] || ..."""
    if not arg2:
        raise BuiltinError("missing argument for comparison")
    return any(_eq1(arg1, arg) for arg in arg2)


def ne(arg1: Value, arg2: Value) -> bool:
    return not eq(arg1, arg2)


def lt(arg1: Value, arg2: Value) -> bool:
    k1 = _basic_kind(arg1)
    if not k1:
        raise BuiltinError(_BAD_TYPE)
    k2 = _basic_kind(arg2)
    if not k2:
        raise BuiltinError(_BAD_TYPE)
    if k1 != k2:
        if k1 == "int" and k2 == "uint":
            return bool(arg1 < 0 or arg1 < arg2)
        if k1 == "uint" and k2 == "int":
            return bool(arg2 >= 0 and arg1 < arg2)
        raise BuiltinError(_INCOMPATIBLE)
    if k1 in ("bool", "complex"):
        raise BuiltinError(_BAD_TYPE)
    if k1 == "string" and not (arg1.isascii() and arg2.isascii()):
        return _gobytes(arg1) < _gobytes(arg2)
    return bool(arg1 < arg2)


def le(arg1: Value, arg2: Value) -> bool:
    return lt(arg1, arg2) or eq(arg1, arg2)


def gt(arg1: Value, arg2: Value) -> bool:
    return not le(arg1, arg2)


def ge(arg1: Value, arg2: Value) -> bool:
    return not lt(arg1, arg2)


# -- printing and escaping -------------------------------------------------------------------
def print_(*args: Any) -> str:
    return gofmt.sprint(*args)


def printf(format: str, *args: Any) -> str:
    return gofmt.sprintf(format, *args)


def println(*args: Any) -> str:
    return gofmt.sprintln(*args)


def _eval_args(args: tuple[Any, ...]) -> str:
    """evalArgs: one string argument as is, else fmt.Sprint of the arguments with nil shown
    as the string "<no value>" (exec's printableValue)."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return gofmt.sprint(*("<no value>" if _is_nil(a) else a for a in args))


_HTML = {"\0": "\ufffd", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}


def html_escape_string(s: str) -> str:
    """template.HTMLEscapeString."""
    if not any(c in s for c in _HTML):
        return s
    return "".join(_HTML.get(c, c) for c in s)


_JS = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026",
       "=": "\\u003D"}


def js_escape_string(s: str) -> str:
    """template.JSEscapeString."""
    out = []
    for ch in gostrconv.canonical(s):
        c = ord(ch)
        if c < 0x80:
            out.append(_JS.get(ch, "\\u00%02X" % c if c < 0x20 else ch))
        elif gostrconv.invalid_byte(ch) >= 0 or gostrconv.is_print(c):
            out.append(ch)     # an invalid byte is RuneError, printable: copied as is
        else:
            out.append("\\u%04X" % c)
    return "".join(out)


_URL_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def query_escape(s: str) -> str:
    """url.QueryEscape."""
    out = []
    for b in _gobytes(s):
        if b in _URL_SAFE:
            out.append(chr(b))
        elif b == 0x20:
            out.append("+")
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def html(*args: Any) -> str:
    return html_escape_string(_eval_args(args))


def js(*args: Any) -> str:
    return js_escape_string(_eval_args(args))


def urlquery(*args: Any) -> str:
    return query_escape(_eval_args(args))


BUILTINS: dict[str, Callable[..., Any]] = {
    "not": not_, "len": length, "index": index, "slice": slice_,
    "print": print_, "printf": printf, "println": println,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "html": html, "js": js, "urlquery": urlquery,
}
