"""What executing a template needs whichever way it runs (the interpreter, exec.py and
evaluate.py, or a compiled program, compile.py): the state (output, variables, the node being
executed), Go's error messages, and the value rules both paths share (field access, printing,
argument checks, constants, function arity)."""
from __future__ import annotations

from typing import Any, Callable, Mapping, NoReturn

from gotemplate import nodes as n
from gotemplate.errors import ExecError
from gotemplate.gofmt import format_value
from gotemplate.literals import quote
from gotemplate.signature import Kind, Param, Signature, check_value, signature_of
from gotemplate.values import MISSING, Value, type_name

__all__ = ["EXEC_BUILTINS", "EXEC_SIGNATURES", "FINAL_NONE", "MAX_DEPTH", "VALUE", "State",
           "constant_arg", "count_error", "ideal_constant", "sorted_keys", "static_of"]

EXEC_BUILTINS = ("and", "or", "call")     # builtins that exec implements itself
MAX_DEPTH = 100_000                        # Go's maxExecDepth; Python's stack ends first
VALUE = Param(Kind.VALUE, text="reflect.Value")


class _FinalNone:
    """No value from a previous command of the pipeline (Go's missingVal)."""


FINAL_NONE: Any = _FinalNone()


def _and(arg0: Value, *args: Value) -> Any:
    raise AssertionError("exec short-circuits and/or")


def _call(fn: Value, *args: Value) -> Any:
    raise AssertionError("exec implements call")


EXEC_SIGNATURES: dict[str, Callable[..., Any]] = {"and": _and, "or": _and, "call": _call}


class State:
    """One execution: the output so far, the variable stack (the interpreter's; compiled code
    keeps variables in Python locals and fills this in only to hand a node to the
    interpreter), the current tree and node (for messages)."""

    def __init__(self, trees: Mapping[str, n.Tree], tree: n.Tree, funcs: Mapping[str, Callable[..., Any]],
                 data: Any) -> None:
        self.trees = trees
        self.tree = tree
        self.funcs = funcs
        self.out: list[str] = []
        self.node: n.Node | None = None
        self.top_dot = MISSING if data is None else data
        self.vars: list[list[Any]] = [["$", self.top_dot]]
        # The list or map dot was taken from by range (None: dot came from elsewhere): Go's
        # static type of dot is interface{} when that container's elements are interface{}.
        self.dot_from: Any = None
        self.calls: list[n.TemplateNode] = []      # the {{template}} calls being executed
        self.deepest: list[n.TemplateNode] | None = None   # self.calls when the stack ran out

    # --- errors and variables ----------------------------------------------------

    def errorf(self, message: str) -> NoReturn:
        name = self.tree.name
        if self.node is None:
            raise ExecError(f"template: {name}: {message}", name)
        location = self.tree.location(self.node.pos)
        _, line, col = location.rsplit(":", 2)
        raise ExecError(f"template: {location}: executing {quote(name)} at <{self.node}>: {message}",
                        self.tree.parse_name, int(line), int(col))

    def fail(self, node: n.Node | None, message: str) -> NoReturn:
        """errorf with ``node`` as the current node."""
        self.node = node
        self.errorf(message)

    def var_value(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        self.errorf(f"undefined variable: {name}")

    def set_var(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    # --- value rules -------------------------------------------------------------

    def validate(self, value: Any, param: Param) -> Any:
        try:
            return check_value(value, param)
        except ValueError as exc:
            self.errorf(str(exc))

    def check(self, node: n.Node | None, value: Any, param: Param) -> Any:
        """validate with ``node`` as the current node (compiled code's slow path)."""
        self.node = node
        return self.validate(value, param)

    def text_of(self, node: n.Node, value: Any) -> str:
        """What ``{{pipeline}}`` prints for a value that is not a str (None counts as MISSING)."""
        self.node = node
        if value is MISSING or value is None:
            return "<no value>"
        if callable(value):
            self.errorf(f"can't print {node} of type {type_name(value)}")
        return format_value(value)

    def print_value(self, node: n.Node, value: Any) -> None:
        self.out.append(self.text_of(node, value))

    def field(self, receiver: Any, name: str, node: n.Node, container: Any,
              method: Callable[[Callable[..., Any], str, n.Node], Any] | None = None,
              has_args: bool = False) -> Any:
        """Go's evalField of ``receiver.name``; ``container`` is what receiver came out of (for
        the static type in messages); ``method(attribute, name, node)`` calls a method (the
        default: with no arguments)."""
        if receiver is MISSING:
            return MISSING
        if receiver is None:
            self.errorf(f"nil pointer evaluating interface {{}}.{name}")
        if isinstance(receiver, dict):
            if has_args:
                self.errorf(f"{name} is not a method but has arguments")
            return receiver.get(name, MISSING)
        if not isinstance(receiver, (str, int, float, list, tuple)) and not name.startswith("_"):
            fields = getattr(type(receiver), "go_fields", None)    # the fields Go would see
            try:
                attribute = getattr(receiver, name)
            except AttributeError:
                pass
            else:
                if callable(attribute):
                    return (method or self.call_niladic)(attribute, name, node)
                if fields is None or name in fields:
                    if has_args:
                        self.errorf(f"{name} has arguments but cannot be invoked as function")
                    return attribute
        self.no_field(receiver, name, container)

    def no_field(self, receiver: Any, name: str, container: Any) -> NoReturn:
        self.errorf(f"can't evaluate field {name} in type {static_of(container) or type_name(receiver)}")

    # --- template calls ----------------------------------------------------------

    def ran_out(self) -> None:
        """In an ``except RecursionError`` of a template call: keep the calls for depth_exceeded."""
        if self.deepest is None:
            self.deepest = self.calls[:]

    def depth_exceeded(self) -> NoReturn:
        """Go's error for a recursion Python's stack cannot follow: "exceeded maximum template
        depth" at the template call Go makes at depth MAX_DEPTH (the recursion repeats, so the
        calls recorded when Python gave up tell which one), or at the current node."""
        calls = self.deepest or []
        if len(calls) < 2:
            self.errorf(f"exceeded maximum template depth ({MAX_DEPTH})")
        # calls[i] is the call made at depth i: Go fails making calls[MAX_DEPTH], in the
        # template calls[MAX_DEPTH - 1] called.
        size = len(calls)
        period = next((p for p in range(1, size // 4 + 1)
                       if all(calls[i] is calls[i - p] for i in range(size // 2, size))), 0)
        if period:
            last = size - period + (MAX_DEPTH - (size - period)) % period
            node, caller = calls[last], calls[last - 1]
        else:
            node, caller = calls[-1], calls[-2]
        self.tree = self.trees[caller.name]
        self.fail(node, f"exceeded maximum template depth ({MAX_DEPTH})")

    # --- calls -------------------------------------------------------------------

    def call_niladic(self, function: Callable[..., Any], name: str, node: n.Node) -> Any:
        """A method called with no arguments (evalCall with no args and no final value)."""
        message = count_error(name, signature_of(function), 0, False)
        if message is not None:
            self.errorf(message)
        try:
            return function()
        except Exception as exc:  # noqa: BLE001 - Go reports any error (or panic) of a function
            self.call_failed(node, name, exc)

    def call_failed(self, node: n.Node, name: str, exc: Exception) -> NoReturn:
        """A function raised ``exc``: Go's call error.  An ExecError passes, and so does running
        out of stack inside a template call (the template recursion's error, not the call's)."""
        if isinstance(exc, ExecError) or (isinstance(exc, RecursionError) and self.calls):
            raise exc
        self.fail(node, f"error calling {name}: {exc}")

    def call(self, node: n.Node, argv: list[Any]) -> Any:
        """The builtin ``call``: argv[0] called with the rest."""
        function, args = argv[0], argv[1:]
        try:
            if function is MISSING or function is None:
                raise ValueError("call of nil")
            if not callable(function):
                raise ValueError(f"non-function of type {type_name(function)}")
            sig = signature_of(function)
            if sig.variadic is None and not sig.required <= len(args) <= len(sig.fixed):
                raise ValueError(f"wrong number of args: got {len(args)} want {len(sig.fixed)}")
            if sig.variadic is not None and len(args) < sig.required:
                raise ValueError(f"wrong number of args: got {len(args)} want at least {sig.required}")
            for i, arg in enumerate(args):
                try:
                    args[i] = check_value(arg, sig.param(i, len(args)))
                except ValueError as exc:
                    raise ValueError(f"arg {i}: {exc}") from None
            return function(*args)
        except Exception as exc:  # noqa: BLE001
            self.call_failed(node, "call", exc)


def static_of(container: Any) -> str | None:
    """Go's static type of a value taken from ``container``: interface{} for the elements of a
    []interface{} or map[string]interface{}; None when the value's own type is the one."""
    if isinstance(container, (list, tuple, dict)) and type_name(container).endswith("]interface {}"):
        return "interface {}"
    return None


def count_error(name: str, sig: Signature, n_args: int, has_final: bool) -> str | None:
    """Go's "wrong number of args" for a call with ``n_args`` arguments (plus a final value)."""
    count = n_args + has_final
    if sig.variadic is not None:
        if count < sig.required:
            return f"wrong number of args for {name}: want at least {sig.required} got {n_args}"
    elif not sig.required <= count <= len(sig.fixed):
        return f"wrong number of args for {name}: want {len(sig.fixed)} got {count}"
    return None


class ConstantError(Exception):
    """A constant that cannot be used where it is: Go's message, reported at the constant."""


def ideal_constant(constant: n.NumberNode) -> Any:
    """Go's idealConstant: the value of a number used where any type goes."""
    text = constant.text
    if getattr(constant, "is_complex", False):
        return getattr(constant, "complex_value")
    is_hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(c in text for c in "pP")
    if (constant.is_float and not is_hex_int and not text.startswith("'")
            and any(c in text for c in ".eEpP")):
        return constant.float_value
    if constant.is_int:
        return constant.int_value
    if constant.is_uint:
        raise ConstantError(f"{text} overflows int")
    return MISSING


def constant_arg(param: Param, node: n.Node) -> Any:
    """Go's evalArg of a constant for a parameter of kind ``param`` (ConstantError if it may not)."""
    wanted = param.kind
    if wanted is Kind.BOOL:
        if isinstance(node, n.BoolNode):
            return node.value
        raise ConstantError(f"expected bool; found {node}")
    if wanted is Kind.STRING:
        if isinstance(node, n.StringNode):
            return node.text
        raise ConstantError(f"expected string; found {node}")
    if wanted is Kind.INT:
        if isinstance(node, n.NumberNode) and node.is_int:
            return node.int_value
        raise ConstantError(f"expected integer; found {node}")
    if wanted is Kind.FLOAT:
        if isinstance(node, n.NumberNode) and node.is_float:
            return node.float_value
        raise ConstantError(f"expected float; found {node}")
    if wanted in (Kind.ANY, Kind.VALUE):
        if isinstance(node, n.BoolNode):
            return node.value
        if isinstance(node, n.NumberNode):
            return ideal_constant(node)
        if isinstance(node, n.StringNode):
            return node.text
    raise ConstantError(f"can't handle {node} for arg of type {param.go_name()}")


def sorted_keys(mapping: dict[Any, Any]) -> list[Any]:
    """Map keys in the order Go's fmtsort gives (numbers numerically, strings by bytes)."""
    try:
        return sorted(mapping)
    except TypeError:
        return sorted(mapping, key=lambda key: (type_name(key), str(key)))
