"""A Python function's Go signature, read from its annotations (DESIGN.md), and the checks Go
applies to a value passed to a parameter of a given type (exec.go's validateType)."""
from __future__ import annotations

import enum
import inspect
from dataclasses import dataclass
from typing import Any, Callable

from gotemplate.values import MISSING, Byte, type_name


class Kind(enum.Enum):
    ANY = "interface {}"
    VALUE = "reflect.Value"
    STRING = "string"
    INT = "int"
    FLOAT = "float64"
    BOOL = "bool"
    LIST = "slice"
    NAMED = "named"     # a list element of a named Go type (a class with go_type)
    DICT = "map"


@dataclass(frozen=True, slots=True)
class Param:
    kind: Kind
    elem: Kind = Kind.ANY         # the element type of a list (list[str] -> STRING)
    text: str = "interface {}"    # the Go spelling, for messages

    def go_name(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Signature:
    fixed: tuple[Param, ...]      # required parameters, then optional ones (Python defaults)
    required: int                 # how many of ``fixed`` must be given
    variadic: Param | None        # the *args parameter, if any

    def param(self, index: int, count: int) -> Param:
        """The parameter the index-th of ``count`` arguments goes to."""
        if index < len(self.fixed):
            return self.fixed[index]
        assert self.variadic is not None
        return self.variadic


_SCALARS = {"str": Kind.STRING, "int": Kind.INT, "float": Kind.FLOAT, "bool": Kind.BOOL,
            "Value": Kind.VALUE}
_GO_NAMES = {Kind.STRING: "string", Kind.INT: "int", Kind.FLOAT: "float64", Kind.BOOL: "bool"}
_ANY = Param(Kind.ANY)
_VARIADIC_ANY = Signature((), 0, _ANY)


def _param(annotation: Any, names: dict[str, Any]) -> Param:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    text = text.replace(" ", "")
    if text in _SCALARS:
        kind = _SCALARS[text]
        return Param(kind, text=_GO_NAMES.get(kind, kind.value))
    for prefix in ("list[", "Sequence[", "tuple["):
        if text.startswith(prefix):
            elem_name = text[len(prefix):].split(",")[0].rstrip("]")
            elem = _SCALARS.get(elem_name, Kind.ANY)
            named = getattr(names.get(elem_name), "go_type", None)   # list[KVPair] -> []memkv.KVPair
            if named is not None:
                return Param(Kind.LIST, Kind.NAMED, "[]" + named)
            return Param(Kind.LIST, elem, "[]" + _GO_NAMES.get(elem, "interface {}"))
    if text in ("list", "Sequence", "tuple"):
        return Param(Kind.LIST, text="[]interface {}")
    if text.startswith(("dict", "Mapping")):
        return Param(Kind.DICT, text="map[string]interface {}")
    return _ANY


_CACHE: dict[Any, Signature] = {}


def signature_of(func: Callable[..., Any]) -> Signature:
    """The Go signature of ``func`` (variadic interface{} when Python cannot tell).  Cached by
    code object: closures made afresh for every render share one entry (and are not kept)."""
    func = inspect.unwrap(func)    # a functools.wraps wrapper has its function's signature
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    key = (code, getattr(func, "__defaults__", None), hasattr(func, "__self__")) if code is not None else None
    found = _CACHE.get(key) if key is not None else None
    if found is None:
        found = _read_signature(func)
        if key is not None and len(_CACHE) < 4096:
            _CACHE[key] = found
    return found


def _read_signature(func: Callable[..., Any]) -> Signature:
    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return _VARIADIC_ANY
    names = getattr(getattr(func, "__func__", func), "__globals__", {})
    fixed: list[Param] = []
    required = 0
    variadic = None
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            variadic = _param(parameter.annotation, names)
        elif parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            fixed.append(_param(parameter.annotation, names))
            if parameter.default is inspect.Parameter.empty:
                required = len(fixed)
    return Signature(tuple(fixed), required, variadic)


def check_value(value: Any, param: Param) -> Any:
    """Go's validateType: ``value`` as the parameter receives it, or ValueError with Go's text."""
    kind = param.kind
    if kind is Kind.VALUE:
        return value
    if value is MISSING or value is None:
        if kind is Kind.ANY:
            return None
        if kind is Kind.LIST:
            return []
        if kind is Kind.DICT:
            return {}
        if value is MISSING:
            raise ValueError(f"invalid value; expected {param.go_name()}")
        raise ValueError(f"wrong type for value; expected {param.go_name()}; got interface {{}}")
    if kind is Kind.ANY or _fits(value, param):
        return value
    raise ValueError(f"wrong type for value; expected {param.go_name()}; got {type_name(value)}")


def _fits(value: Any, param: Param) -> bool:
    kind = param.kind
    if kind is Kind.STRING:
        return isinstance(value, str)
    if kind is Kind.BOOL:
        return isinstance(value, bool)
    if kind is Kind.INT:    # not bool, uint8 or a named int type (int64, time.Month)
        return isinstance(value, int) and not isinstance(value, (bool, Byte)) and not hasattr(type(value), "go_type")
    if kind is Kind.FLOAT:
        return isinstance(value, float)
    if kind is Kind.DICT:
        return isinstance(value, dict)
    if kind is Kind.LIST:
        if not isinstance(value, (list, tuple)):
            return False
        go_type = getattr(type(value), "go_type", None)    # a list that knows its Go type
        if go_type is not None and param.elem is not Kind.ANY:
            return param.text in (go_type, getattr(type(value), "go_underlying", None))
        if param.elem is Kind.NAMED:
            return all(getattr(type(item), "go_type", None) == param.text[2:] for item in value)
        elem = Param(param.elem)
        return param.elem is Kind.ANY or all(_fits(item, elem) for item in value)
    return True
