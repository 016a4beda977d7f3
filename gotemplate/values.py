"""How Go values are represented in Python (see DESIGN.md), and the rules Go applies to them
whatever the function: type names for messages, truth, struct fields."""
from __future__ import annotations

import dataclasses
from typing import Any


class _Missing:
    """Go's invalid reflect.Value: what a missing map key or a field of nil data gives.
    Printed as ``<no value>``; false in ``if``; passed to a function it becomes nil."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

# The annotation of a builtin's parameter that takes any value, MISSING included (Go's
# reflect.Value parameters): exec reads annotations as text, see DESIGN.md.
Value = Any


class Byte(int):
    """A Go uint8 (what ``index "abc" 0`` and ``slice`` of bytes give): prints as a number."""

    __slots__ = ()


def type_name(value: Any) -> str:
    """The Go type name of a value, as Go's error messages spell it."""
    if value is None or value is MISSING:
        return "<nil>"
    go_type = getattr(type(value), "go_type", None)    # a named type (memkv.KVPairs, time.Month)
    if go_type is not None:
        return str(go_type)
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Byte):
        return "uint8"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, complex):
        return "complex128"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        kinds = {type_name(item) for item in value}
        return "[]" + (kinds.pop() if len(kinds) == 1 else "interface {}")
    if isinstance(value, dict):
        kinds = {type_name(item) for item in value.values()}
        return "map[string]" + (kinds.pop() if len(kinds) == 1 else "interface {}")
    if callable(value):
        return "func"
    return type(value).__name__


def is_true(value: Any) -> bool:
    """Go's template truth: the zero value of its type and empty collections are false;
    structs are always true."""
    if value is None or value is MISSING:
        return False
    if isinstance(value, (bool, int, float, complex, str, list, tuple, dict)):
        return bool(value)
    return True


def is_nil_collection(value: Any) -> bool:
    """A nil slice or map (Go's ``var s []int``): a list or dict whose ``go_nil`` is true (see
    balancer/gofuncs.py's GoList), always empty.  It behaves as an empty one except that
    ``%#v`` prints ``[]int(nil)``, ``%p`` prints 0x0 and ``eq`` finds it equal to nil."""
    return isinstance(value, (list, dict)) and not value and getattr(value, "go_nil", False) is True


def struct_items(obj: Any) -> list[tuple[str, Any]]:
    """The (name, value) fields of a struct-like object, in declaration order (``{a b}`` when
    printed): the names in its class's ``go_fields`` when it has one, else its dataclass fields,
    slots or attributes."""
    go_fields = getattr(type(obj), "go_fields", None)
    if go_fields is not None:
        return [(name, getattr(obj, name)) for name in go_fields]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)]
    slots = getattr(type(obj), "__slots__", None)
    if slots:
        names = [slots] if isinstance(slots, str) else list(slots)
        return [(name, getattr(obj, name)) for name in names]
    try:
        return list(vars(obj).items())
    except TypeError:
        return []
