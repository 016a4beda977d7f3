"""The interpreter's evaluation of pipelines, commands, arguments and calls (Go's exec.go
evalPipeline .. evalArg), node by node; exec.py walks the tree with it.  Compiled programs
(compile.py) do the same in generated code and hand the shapes they leave out to these."""
from __future__ import annotations

from typing import Any, Callable

from gotemplate import nodes as n
from gotemplate.builtins import BUILTINS
from gotemplate.literals import quote
from gotemplate.signature import Kind, Param, signature_of
from gotemplate.state import (EXEC_BUILTINS, EXEC_SIGNATURES, FINAL_NONE, VALUE, ConstantError, State,
                              constant_arg, count_error, ideal_constant)
from gotemplate.values import MISSING, is_true

__all__ = ["Evaluator"]


class Evaluator(State):
    def eval_pipeline(self, dot: Any, pipe: n.PipeNode) -> Any:
        self.node = pipe
        cmds = pipe.cmds
        if len(cmds) == 1 and not pipe.decl:       # the common case, made quick
            result = self.eval_command(dot, cmds[0], FINAL_NONE)
            return MISSING if result is None else result
        value: Any = FINAL_NONE
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
        if len(args) > 1 or final is not FINAL_NONE:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: n.CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        kind = type(first)
        if kind is n.DotNode and len(cmd.args) == 1 and final is FINAL_NONE:
            return dot
        if kind is n.FieldNode:
            assert isinstance(first, n.FieldNode)
            self.node = first
            return self.eval_field_chain(dot, dot, first, first.ident, cmd.args, final, self.dot_from)
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
        try:
            return ideal_constant(constant)
        except ConstantError as exc:
            self.errorf(str(exc))

    def eval_chain(self, dot: Any, chain: n.ChainNode, args: list[n.Node], final: Any) -> Any:
        self.node = chain
        if not chain.fields:
            self.errorf("internal error: no fields in evalChainNode")
        if isinstance(chain.node, n.NilNode):
            self.errorf(f"indirection through explicit nil in {chain}")
        assert chain.node is not None
        receiver = self.eval_arg(dot, VALUE, chain.node)   # Go: evalArg with no type
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
                         args: list[n.Node] | None, final: Any, container: Any = None) -> Any:
        # container: what receiver came out of (Go's static type interface{} for messages)
        for ident in idents[:-1]:
            value = self.eval_field(dot, ident, node, None, FINAL_NONE, receiver, container)
            container = receiver if isinstance(receiver, dict) else None
            receiver = value
        return self.eval_field(dot, idents[-1], node, args, final, receiver, container)

    def eval_field(self, dot: Any, name: str, node: n.Node, args: list[n.Node] | None, final: Any,
                   receiver: Any, container: Any = None) -> Any:
        has_args = (args is not None and len(args) > 1) or final is not FINAL_NONE

        def method(attribute: Callable[..., Any], name: str, node: n.Node) -> Any:
            return self.eval_call(dot, attribute, False, node, name, args, final)

        return self.field(receiver, name, node, container, method, has_args)

    def eval_function(self, dot: Any, node: n.IdentifierNode, cmd: n.Node, args: list[n.Node] | None,
                      final: Any) -> Any:
        self.node = node
        name = node.ident
        function = self.funcs.get(name)
        if function is not None:
            return self.eval_call(dot, function, False, cmd, name, args, final)
        if name in EXEC_BUILTINS:
            return self.eval_call(dot, EXEC_SIGNATURES[name], True, cmd, name, args, final)
        builtin = BUILTINS.get(name)
        if builtin is None:
            self.errorf(f"{quote(name)} is not a defined function")
        return self.eval_call(dot, builtin, True, cmd, name, args, final)

    def eval_call(self, dot: Any, function: Callable[..., Any], is_builtin: bool, node: n.Node, name: str,
                  args: list[n.Node] | None, final: Any) -> Any:
        arg_nodes = args[1:] if args is not None else []
        sig = signature_of(function)
        count = len(arg_nodes) + (final is not FINAL_NONE)
        message = count_error(name, sig, len(arg_nodes), final is not FINAL_NONE)
        if message is not None:
            self.errorf(message)
        if is_builtin and name in ("and", "or"):
            return self.and_or(dot, name == "or", arg_nodes, final)
        argv = [self.eval_arg(dot, sig.param(i, count), arg) for i, arg in enumerate(arg_nodes)]
        if final is not FINAL_NONE:
            argv.append(self.validate(final, sig.param(len(argv), count)))
        if is_builtin and name == "call":
            return self.call(node, argv)
        try:
            result = function(*argv)
        except Exception as exc:  # noqa: BLE001 - Go reports any error (or panic) of a function
            self.call_failed(node, name, exc)
        return result

    def and_or(self, dot: Any, is_or: bool, arg_nodes: list[n.Node], final: Any) -> Any:
        value: Any = MISSING
        for arg in arg_nodes:
            value = self.eval_arg(dot, VALUE, arg)
            if is_true(value) == is_or:
                return value
        if final is not FINAL_NONE:
            value = final
        return value

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
            value = self.eval_field_chain(dot, dot, node, node.ident, [node], FINAL_NONE, self.dot_from)
            return self.validate(value, param)
        if kind is n.VariableNode:
            assert isinstance(node, n.VariableNode)
            return self.validate(self.eval_variable(dot, node, None, FINAL_NONE), param)
        if kind is n.PipeNode:
            assert isinstance(node, n.PipeNode)
            return self.validate(self.eval_pipeline(dot, node), param)
        if kind is n.IdentifierNode:
            assert isinstance(node, n.IdentifierNode)
            return self.validate(self.eval_function(dot, node, node, None, FINAL_NONE), param)
        if kind is n.ChainNode:
            assert isinstance(node, n.ChainNode)
            return self.validate(self.eval_chain(dot, node, [node], FINAL_NONE), param)
        try:
            return constant_arg(param, node)
        except ConstantError as exc:
            self.errorf(str(exc))
