"""What the code compile.py generates calls at run time: the state of a compiled execution
(Run) and the quick paths of field access, range, eq/ne (each the same as the interpreter's
rule, with the general case handed to it)."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from gotemplate import nodes as n
from gotemplate.evaluate import Evaluator
from gotemplate.gofmt import format_value
from gotemplate.state import FINAL_NONE, State, sorted_keys
from gotemplate.values import MISSING, is_true

__all__ = ["RUNTIME", "Function", "Run", "field_types"]

Function = Callable[["Run", Any], None]


class Run(Evaluator):
    """The state of one execution of a compiled program (an Evaluator: the code hands the
    shapes it does not compile to the interpreter's methods)."""

    def __init__(self, trees: Mapping[str, n.Tree], tree: n.Tree, funcs: Mapping[str, Callable[..., Any]],
                 data: Any, fns: list[Any], functions: dict[str, Function]) -> None:
        super().__init__(trees, tree, funcs, data)
        self.fns = fns                  # the functions of this execution, by Compiled.names index
        self.functions = functions      # the compiled templates

    def call_tree(self, name: str, value: Any, node: n.TemplateNode) -> None:
        """{{template "name" value}}"""
        saved = self.tree, self.dot_from
        self.tree, self.dot_from = self.trees[name], None
        self.calls.append(node)
        try:
            self.functions[name](self, value)
        except RecursionError:      # Python's stack ends long before Go's 100,000 levels
            self.ran_out()
            raise
        finally:
            self.calls.pop()
            self.tree, self.dot_from = saved


_UNKNOWN = object()
ABSENT = object()
# type -> None: an object whose attributes are its fields; else its go_fields (or False:
# not an object: dict, list, str, numbers, MISSING, None; State.field decides).
_OBJECT_TYPES: dict[type, Any] = {}
# field name -> the object types for which ``.name`` is ``getattr(receiver, name)`` when that
# exists and is not callable (get_field learns them; the generated code checks them inline).
_FIELD_TYPES: dict[str, set[type]] = {}
_MAX_TYPES = 64


def field_types(name: str) -> set[type]:
    found = _FIELD_TYPES.get(name)
    if found is None:
        found = _FIELD_TYPES[name] = set()
    return found


def _object_type(kind: type) -> Any:
    if issubclass(kind, (str, int, float, list, tuple, dict)) or kind is type(None) or kind is type(MISSING):
        fields: Any = False
    else:
        fields = getattr(kind, "go_fields", None)
    if len(_OBJECT_TYPES) < 1024:
        _OBJECT_TYPES[kind] = fields
    return fields


def get_field(state: State, receiver: Any, name: str, node: n.Node, cur: n.Node | None, container: Any) -> Any:
    """State.field(receiver, name) for a name without a leading "_", made quick for maps and
    objects; ``cur`` is the current node for errors."""
    kind = type(receiver)
    if kind is dict:
        return receiver.get(name, MISSING)
    fields = _OBJECT_TYPES.get(kind, _UNKNOWN)
    if fields is _UNKNOWN:
        fields = _object_type(kind)
    if fields is None or (fields and name in fields):
        known = field_types(name)
        if len(known) < _MAX_TYPES:
            known.add(kind)
        try:
            attribute = getattr(receiver, name)
        except AttributeError:
            state.node = cur
            state.no_field(receiver, name, container)
        if not callable(attribute):
            return attribute
        state.node = cur
        return state.call_niladic(attribute, name, node)
    state.node = cur
    return state.field(receiver, name, node, container)


def get_field_slow(state: State, receiver: Any, name: str, node: n.Node, cur: n.Node | None,
                   container: Any) -> Any:
    state.node = cur
    return state.field(receiver, name, node, container)


def range_items(state: State, value: Any, indexed: bool, cur: n.Node | None) -> Any:
    """What {{range}} iterates: elements, or (index, element) pairs when ``indexed``."""
    if isinstance(value, (list, tuple)):
        return enumerate(value) if indexed else value
    if isinstance(value, dict):
        keys = sorted_keys(value)
        return ((key, value[key]) for key in keys) if indexed else (value[key] for key in keys)
    if value is MISSING or value is None:
        return ()
    state.fail(cur, f"range can't iterate over {format_value(value)}")


def call_fn(state: State, node: n.Node, name: str, function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)``, a failure reported as Go does (Evaluator.eval_call)."""
    try:
        return function(*args)
    except Exception as exc:  # noqa: BLE001 - Go reports any error (or panic) of a function
        state.call_failed(node, name, exc)


def fast_eq(function: Callable[[Any, Any], bool], a: Any, b: Any) -> bool:
    """builtins.eq(a, b), without its work for two ints or two strings that differ in ASCII."""
    kind = type(a)
    if kind is type(b) and (kind is int or (kind is str and (a == b or a.isascii() or b.isascii()))):
        return bool(a == b)
    return function(a, b)


def fast_ne(function: Callable[[Any, Any], bool], a: Any, b: Any) -> bool:
    kind = type(a)
    if kind is type(b) and (kind is int or (kind is str and (a == b or a.isascii() or b.isascii()))):
        return bool(a != b)
    return function(a, b)


RUNTIME: dict[str, Any] = {
    "MISSING": MISSING, "ABSENT": ABSENT, "FINAL_NONE": FINAL_NONE, "is_true": is_true, "get_field": get_field,
    "get_field_slow": get_field_slow, "range_items": range_items, "fast_eq": fast_eq, "fast_ne": fast_ne,
    "call_fn": call_fn,
}
