"""Executing a parsed template: Go 1.19's text/template exec.go, over the value model of
values.py.  Errors are ExecError with Go's text: ``template: NAME:LINE:COL: executing "NAME"
at <NODE>: MESSAGE``."""
from __future__ import annotations

from typing import Any, Callable, Mapping, NoReturn

from gotemplate import nodes as n
from gotemplate.builtins import BUILTINS
from gotemplate.errors import ExecError
from gotemplate.gofmt import format_value
from gotemplate.literals import quote
from gotemplate.signature import Kind, Param, check_value, signature_of
from gotemplate.values import MISSING, Value, is_true, type_name

__all__ = ["EXEC_BUILTINS", "execute"]

EXEC_BUILTINS = ("and", "or", "call")     # builtins that exec implements itself
_MAX_DEPTH = 100_000                       # Go's maxExecDepth; Python's stack ends first
_VALUE = Param(Kind.VALUE, text="reflect.Value")


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def execute(trees: Mapping[str, n.Tree], name: str, data: Any, funcs: Mapping[str, Callable[..., Any]]) -> str:
    tree = trees.get(name)
    if tree is None:
        raise ExecError(f'template: no template "{name}" associated with template "{name}"', name)
    state = _State(trees, tree, funcs, data)
    try:
        state.walk(state.top_dot, tree.root)
    except RecursionError:
        state.errorf(f"exceeded maximum template depth ({_MAX_DEPTH})")
    return "".join(state.out)




class _State:
    def __init__(self, trees: Mapping[str, n.Tree], tree: n.Tree, funcs: Mapping[str, Callable[..., Any]],
                 data: Any) -> None:
        self.trees = trees
        self.tree = tree
        self.funcs = funcs
        self.out: list[str] = []
        self.node: n.Node | None = None
        self.top_dot = MISSING if data is None else data
        self.vars: list[list[Any]] = [["$", self.top_dot]]
        self.dot_static: str | None = None     # "interface {}" for dot taken from a []interface{} or map

    # --- errors and variables ----------------------------------------------------

    def errorf(self, message: str) -> NoReturn:
        name = self.tree.name
        if self.node is None:
            raise ExecError(f"template: {name}: {message}", name)
        location = self.tree.location(self.node.pos)
        _, line, col = location.rsplit(":", 2)
        raise ExecError(f"template: {location}: executing {quote(name)} at <{self.node}>: {message}",
                        self.tree.parse_name, int(line), int(col))

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

    # --- walking -----------------------------------------------------------------

    def walk(self, dot: Any, node: n.Node) -> None:
        kind = type(node)
        if kind is n.ListNode:
            out = self.out
            for child in node.nodes:  # type: ignore[attr-defined]
                if type(child) is n.TextNode:
                    out.append(child.text)
                else:
                    self.walk(dot, child)
            return
        self.node = node
        if kind is n.TextNode:
            self.out.append(node.text)  # type: ignore[attr-defined]
        elif kind is n.ActionNode:
            pipe = node.pipe  # type: ignore[attr-defined]
            value = self.eval_pipeline(dot, pipe)
            if not pipe.decl:
                if type(value) is str:
                    self.out.append(value)
                else:
                    self.print_value(node, value)
        elif kind is n.IfNode or kind is n.WithNode:
            assert isinstance(node, n.BranchNode)
            self.walk_if_or_with(kind is n.WithNode, dot, node)
        elif kind is n.RangeNode:
            assert isinstance(node, n.RangeNode)
            self.walk_range(dot, node)
        elif kind is n.TemplateNode:
            assert isinstance(node, n.TemplateNode)
            self.walk_template(dot, node)
        elif kind is n.BreakNode:
            raise _Break
        elif kind is n.ContinueNode:
            raise _Continue
        elif kind is not n.CommentNode:
            self.errorf(f"unknown node: {node}")

    def walk_if_or_with(self, is_with: bool, dot: Any, node: n.BranchNode) -> None:
        mark = len(self.vars)
        try:
            assert node.pipe is not None and node.list is not None
            value = self.eval_pipeline(dot, node.pipe)
            if is_true(value) and is_with:
                saved_static, self.dot_static = self.dot_static, None
                try:
                    self.walk(value, node.list)
                finally:
                    self.dot_static = saved_static
            elif is_true(value):
                self.walk(dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[mark:]

    def walk_range(self, dot: Any, node: n.RangeNode) -> None:
        self.node = node
        mark = len(self.vars)
        try:
            assert node.pipe is not None and node.list is not None
            value = self.eval_pipeline(dot, node.pipe)
            body_mark = len(self.vars)
            decl = len(node.pipe.decl)
            if isinstance(value, (list, tuple)):
                items: Any = enumerate(value)
            elif isinstance(value, dict):
                items = ((key, value[key]) for key in _sorted_keys(value))
            elif value is MISSING:
                items = ()
            else:
                self.errorf(f"range can't iterate over {format_value(value)}")
            ran = False
            saved_static = self.dot_static
            self.dot_static = "interface {}" if type_name(value).endswith("]interface {}") else None
            try:
                for index, elem in items:
                    ran = True
                    if decl > 0:
                        self.vars[-1][1] = elem
                    if decl > 1:
                        self.vars[-2][1] = index
                    try:
                        self.walk(elem, node.list)
                    except _Continue:
                        pass
                    finally:
                        del self.vars[body_mark:]
            except _Break:
                return
            finally:
                self.dot_static = saved_static
            if not ran and node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            del self.vars[mark:]

    def walk_template(self, dot: Any, node: n.TemplateNode) -> None:
        self.node = node
        tree = self.trees.get(node.name)
        if tree is None:
            self.errorf(f"template {quote(node.name)} not defined")
        value = self.eval_pipeline(dot, node.pipe) if node.pipe is not None else MISSING
        saved = self.tree, self.vars, self.dot_static
        self.tree, self.vars, self.dot_static = tree, [["$", value]], None
        try:
            self.walk(value, tree.root)
        except RecursionError:      # Python's stack ends long before Go's 100,000 levels
            self.node = node
            self.errorf(f"exceeded maximum template depth ({_MAX_DEPTH})")
        finally:
            self.tree, self.vars, self.dot_static = saved

    # --- evaluating --------------------------------------------------------------

    def eval_pipeline(self, dot: Any, pipe: n.PipeNode) -> Any:
        self.node = pipe
        cmds = pipe.cmds
        if len(cmds) == 1 and not pipe.decl:       # the common case, made quick
            result = self.eval_command(dot, cmds[0], _FINAL_NONE)
            return MISSING if result is None else result
        value: Any = _FINAL_NONE
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
            if value is None:       # a nil interface{} result: "dig down" leaves no value
                value = MISSING
        for variable in pipe.decl:
            if pipe.is_assign:
                self.set_var(variable.ident[0], value)
            else:
                self.vars.append([variable.ident[0], value])
        return value

    def not_a_function(self, args: list[n.Node], final: Any) -> None:
        if len(args) > 1 or final is not _FINAL_NONE:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: n.CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        kind = type(first)
        if kind is n.DotNode and len(cmd.args) == 1 and final is _FINAL_NONE:
            return dot
        if kind is n.FieldNode:
            assert isinstance(first, n.FieldNode)
            self.node = first
            return self.eval_field_chain(dot, dot, first, first.ident, cmd.args, final, self.dot_static)
        if kind is n.ChainNode:
            assert isinstance(first, n.ChainNode)
            return self.eval_chain(dot, first, cmd.args, final)
        if kind is n.IdentifierNode:
            assert isinstance(first, n.IdentifierNode)
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if kind is n.PipeNode:
            assert isinstance(first, n.PipeNode)
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if kind is n.VariableNode:
            assert isinstance(first, n.VariableNode)
            return self.eval_variable(dot, first, cmd.args, final)
        self.node = first
        self.not_a_function(cmd.args, final)
        if isinstance(first, n.BoolNode):
            return first.value
        if isinstance(first, n.DotNode):
            return dot
        if isinstance(first, n.NilNode):
            self.errorf("nil is not a command")
        if isinstance(first, n.NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, n.StringNode):
            return first.text
        self.errorf(f"can't evaluate command {quote(str(first))}")

    def ideal_constant(self, constant: n.NumberNode) -> Any:
        self.node = constant
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
            self.errorf(f"{text} overflows int")
        return MISSING

    def eval_chain(self, dot: Any, chain: n.ChainNode, args: list[n.Node], final: Any) -> Any:
        self.node = chain
        if not chain.fields:
            self.errorf("internal error: no fields in evalChainNode")
        if isinstance(chain.node, n.NilNode):
            self.errorf(f"indirection through explicit nil in {chain}")
        assert chain.node is not None
        receiver = self.eval_arg(dot, _VALUE, chain.node)   # Go: evalArg with no type
        return self.eval_field_chain(dot, receiver, chain, chain.fields, args, final)

    def eval_variable(self, dot: Any, variable: n.VariableNode, args: list[n.Node] | None, final: Any) -> Any:
        self.node = variable
        value = self.var_value(variable.ident[0])
        if len(variable.ident) == 1:
            if args is not None:
                self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, variable, variable.ident[1:], args, final)

    def eval_field_chain(self, dot: Any, receiver: Any, node: n.Node, idents: list[str],
                         args: list[n.Node] | None, final: Any, static: str | None = None) -> Any:
        # static: Go's static type of the receiver when it came out of a container of interface{}
        for ident in idents[:-1]:
            value = self.eval_field(dot, ident, node, None, _FINAL_NONE, receiver, static)
            static = "interface {}" if isinstance(receiver, dict) and type_name(receiver).endswith(
                "]interface {}") else None
            receiver = value
        return self.eval_field(dot, idents[-1], node, args, final, receiver, static)

    def eval_field(self, dot: Any, name: str, node: n.Node, args: list[n.Node] | None, final: Any,
                   receiver: Any, static: str | None = None) -> Any:
        if receiver is MISSING:
            return MISSING
        if receiver is None:
            self.errorf(f"nil pointer evaluating interface {{}}.{name}")
        has_args = (args is not None and len(args) > 1) or final is not _FINAL_NONE
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
                    return self.eval_call(dot, attribute, False, node, name, args, final)
                if fields is None or name in fields:
                    if has_args:
                        self.errorf(f"{name} has arguments but cannot be invoked as function")
                    return attribute
        self.errorf(f"can't evaluate field {name} in type {static or type_name(receiver)}")

    def eval_function(self, dot: Any, node: n.IdentifierNode, cmd: n.Node, args: list[n.Node] | None,
                      final: Any) -> Any:
        self.node = node
        name = node.ident
        function = self.funcs.get(name)
        if function is not None:
            return self.eval_call(dot, function, False, cmd, name, args, final)
        if name in EXEC_BUILTINS:
            return self.eval_call(dot, _EXEC_SIGNATURES[name], True, cmd, name, args, final)
        builtin = BUILTINS.get(name)
        if builtin is None:
            self.errorf(f"{quote(name)} is not a defined function")
        return self.eval_call(dot, builtin, True, cmd, name, args, final)

    def eval_call(self, dot: Any, function: Callable[..., Any], is_builtin: bool, node: n.Node, name: str,
                  args: list[n.Node] | None, final: Any) -> Any:
        arg_nodes = args[1:] if args is not None else []
        sig = signature_of(function)
        count = len(arg_nodes) + (final is not _FINAL_NONE)
        if sig.variadic is not None:
            if count < sig.required:
                self.errorf(f"wrong number of args for {name}: want at least {sig.required} got {len(arg_nodes)}")
        elif not sig.required <= count <= len(sig.fixed):
            self.errorf(f"wrong number of args for {name}: want {len(sig.fixed)} got {count}")
        if is_builtin and name in ("and", "or"):
            return self.and_or(dot, name == "or", arg_nodes, final)
        argv = [self.eval_arg(dot, sig.param(i, count), arg) for i, arg in enumerate(arg_nodes)]
        if final is not _FINAL_NONE:
            argv.append(self.validate(final, sig.param(len(argv), count)))
        if is_builtin and name == "call":
            return self.call(node, argv)
        try:
            result = function(*argv)
        except ExecError:
            raise
        except Exception as exc:  # noqa: BLE001 - Go reports any error (or panic) of a function
            self.node = node
            self.errorf(f"error calling {name}: {exc}")
        return result

    def and_or(self, dot: Any, is_or: bool, arg_nodes: list[n.Node], final: Any) -> Any:
        value: Any = MISSING
        for arg in arg_nodes:
            value = self.eval_arg(dot, _VALUE, arg)
            if is_true(value) == is_or:
                return value
        if final is not _FINAL_NONE:
            value = final
        return value

    def call(self, node: n.Node, argv: list[Any]) -> Any:
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
            self.node = node
            self.errorf(f"error calling call: {exc}")

    def validate(self, value: Any, param: Param) -> Any:
        try:
            return check_value(value, param)
        except ValueError as exc:
            self.errorf(str(exc))

    def eval_arg(self, dot: Any, param: Param, node: n.Node) -> Any:
        self.node = node
        kind = type(node)
        if kind is n.DotNode:
            return self.validate(dot, param)
        if kind is n.NilNode:
            if param.kind in (Kind.ANY, Kind.VALUE):
                return None if param.kind is Kind.ANY else MISSING
            if param.kind in (Kind.LIST, Kind.DICT):
                return [] if param.kind is Kind.LIST else {}
            self.errorf(f"cannot assign nil to {param.go_name()}")
        if kind is n.FieldNode:
            assert isinstance(node, n.FieldNode)
            value = self.eval_field_chain(dot, dot, node, node.ident, [node], _FINAL_NONE, self.dot_static)
            return self.validate(value, param)
        if kind is n.VariableNode:
            assert isinstance(node, n.VariableNode)
            return self.validate(self.eval_variable(dot, node, None, _FINAL_NONE), param)
        if kind is n.PipeNode:
            assert isinstance(node, n.PipeNode)
            return self.validate(self.eval_pipeline(dot, node), param)
        if kind is n.IdentifierNode:
            assert isinstance(node, n.IdentifierNode)
            return self.validate(self.eval_function(dot, node, node, None, _FINAL_NONE), param)
        if kind is n.ChainNode:
            assert isinstance(node, n.ChainNode)
            return self.validate(self.eval_chain(dot, node, [node], _FINAL_NONE), param)
        return self.eval_constant(param, node)

    def eval_constant(self, param: Param, node: n.Node) -> Any:
        wanted = param.kind
        if wanted is Kind.BOOL:
            if isinstance(node, n.BoolNode):
                return node.value
            self.errorf(f"expected bool; found {node}")
        if wanted is Kind.STRING:
            if isinstance(node, n.StringNode):
                return node.text
            self.errorf(f"expected string; found {node}")
        if wanted is Kind.INT:
            if isinstance(node, n.NumberNode) and node.is_int:
                return node.int_value
            self.errorf(f"expected integer; found {node}")
        if wanted is Kind.FLOAT:
            if isinstance(node, n.NumberNode) and node.is_float:
                return node.float_value
            self.errorf(f"expected float; found {node}")
        if wanted in (Kind.ANY, Kind.VALUE):
            if isinstance(node, n.BoolNode):
                return node.value
            if isinstance(node, n.NumberNode):
                return self.ideal_constant(node)
            if isinstance(node, n.StringNode):
                return node.text
        self.errorf(f"can't handle {node} for arg of type {param.go_name()}")

    def print_value(self, node: n.Node, value: Any) -> None:
        self.node = node
        if value is MISSING:
            self.out.append("<no value>")
            return
        if callable(value):
            self.errorf(f"can't print {node} of type {type_name(value)}")
        self.out.append(format_value(value))


class _FinalNone:
    """No value from a previous command of the pipeline (Go's missingVal)."""


_FINAL_NONE: Any = _FinalNone()


def _and(arg0: Value, *args: Value) -> Any:
    raise AssertionError("exec short-circuits and/or")


def _call(fn: Value, *args: Value) -> Any:
    raise AssertionError("exec implements call")


_EXEC_SIGNATURES: dict[str, Callable[..., Any]] = {"and": _and, "or": _and, "call": _call}


def _sorted_keys(mapping: dict[Any, Any]) -> list[Any]:
    """Map keys in the order Go's fmtsort gives (numbers numerically, strings by bytes)."""
    try:
        return sorted(mapping)
    except TypeError:
        return sorted(mapping, key=lambda key: (type_name(key), str(key)))
