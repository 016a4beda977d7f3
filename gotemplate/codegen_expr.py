"""Generating Python code for pipelines, commands and arguments (the half of compile.py's
code generator that mirrors evaluate.py, method for method).

Every method emits statements and returns an *atom*: a Python expression (a local, a global,
a literal) that is cheap to evaluate again and has no side effect.  ``self.cur`` is, at each
point of the generated code, an atom for the node the interpreter's ``State.node`` would hold
there: errors are reported at it, so messages name the same node at the same line:col."""
from __future__ import annotations

from typing import Any

from gotemplate import nodes as n
from gotemplate.compile_rt import field_types
from gotemplate.literals import quote
from gotemplate.signature import Kind, Param, Signature
from gotemplate.state import VALUE, ConstantError, constant_arg, count_error, ideal_constant

__all__ = ["ExprCompiler", "Resolved", "Unsupported"]

# How a function name resolves for one execution: ("func", sig) a function of the map,
# ("builtin", sig) a builtin of builtins.py, ("exec", sig) and/or/call, ("none", None).
Resolved = tuple[str, Signature | None]

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_STRICT = {Kind.STRING: "str", Kind.INT: "int", Kind.FLOAT: "float", Kind.BOOL: "bool"}


class Unsupported(Exception):
    """A template the compiler leaves to the interpreter."""


class ExprCompiler:
    def __init__(self, resolved: dict[str, Resolved], fn_index: dict[str, int]) -> None:
        self.resolved = resolved
        self.fn_index = fn_index
        self.ns: dict[str, Any] = {}
        self._refs: dict[int, str] = {}
        self.lines: list[str] = []
        self.depth = 1
        self.counter = 0        # for the names of values that outlive a statement
        self.scratch = 0        # for the others: each statement starts again (fewer locals)
        self.used_fns: set[int] = set()
        # Per generated function:
        self.scope: list[tuple[str, str]] = []    # visible variables (Go name, Python local)
        self.dot = "dot"                          # atom for dot
        self.dot_from = "None"                    # atom for the list/map dot came from
        self.cur = "None"                         # atom for the interpreter's current node
        self.strings: set[str] = set()            # atoms known to hold a str (never None)
        self.hot = False                          # in a loop (or a template): inline quick paths

    # --- emitting ----------------------------------------------------------------

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def tmp(self, prefix: str = "t") -> str:
        """A local for the rest of the statement being generated (prefix t, k or cn)."""
        self.scratch += 1
        return f"{prefix}{self.scratch}"

    def unique(self, prefix: str) -> str:
        """A local of its own (prefix v, d, r, it, e, i or ran: never a tmp's name)."""
        self.counter += 1
        return f"{prefix}{self.counter}"

    def ref(self, value: Any) -> str:
        """A global of the generated module holding ``value`` (a node, a Param, a constant)."""
        name = self._refs.get(id(value))
        if name is None:
            name = self._refs[id(value)] = f"_k{len(self._refs)}"
            self.ns[name] = value
        return name

    def const(self, value: Any) -> str:
        if type(value) is str:
            atom = repr(value)
            self.strings.add(atom)
            return atom
        if type(value) in (int, bool) or value is None:
            return repr(value)
        return self.ref(value)

    def fail(self, message: str) -> str:
        """Raise Go's error at the current node; the atom returned is never used."""
        self.emit(f"S.fail({self.cur}, {message!r})")
        return "None"

    def store(self, expression: str, prefix: str = "") -> str:
        """A new local holding ``expression``: for the statement, or its own with a prefix."""
        atom = self.unique(prefix) if prefix else self.tmp()
        self.emit(f"{atom} = {expression}")
        return atom

    def is_literal(self, atom: str) -> bool:
        """An atom that is a constant str, int or bool (never None or MISSING)."""
        return atom in self.strings or atom in ("True", "False") or atom[0].isdigit() or atom[0] == "-"

    def missing(self, atom: str) -> str:
        """Go's "nil interface{} leaves no value": None -> MISSING."""
        if atom == "MISSING" or self.is_literal(atom):
            return atom
        result = self.store(f"MISSING if {atom} is None else {atom}")
        return result

    @staticmethod
    def truth(atom: str) -> str:
        return f"({atom} if type({atom}) is bool else is_true({atom}))"

    def lookup(self, name: str) -> str | None:
        for go_name, local in reversed(self.scope):
            if go_name == name:
                return local
        return None

    def sync_vars(self) -> None:
        """Before handing a node to the interpreter: its variable stack and dot's origin."""
        self.emit("S.vars = [" + ", ".join(f"[{name!r}, {local}]" for name, local in self.scope) + "]")
        self.emit(f"S.dot_from = {self.dot_from}")
        self.emit(f"S.node = {self.cur}")

    # --- pipelines and commands (evaluate.py's eval_pipeline, eval_command) ------

    def pipeline(self, pipe: n.PipeNode, exact: bool = True) -> str:
        """The value of ``pipe``; with exact=False a None is not yet turned into MISSING
        (the caller treats both alike: printing, truth)."""
        self.cur = self.ref(pipe)
        if len(pipe.cmds) == 1 and not pipe.decl:
            value = self.command(pipe.cmds[0], None)
            return self.missing(value) if exact else value
        final: str | None = None
        for cmd in pipe.cmds:
            final = self.missing(self.command(cmd, final))
        assert final is not None
        for variable in pipe.decl:
            name = variable.ident[0]
            if pipe.is_assign:
                local = self.lookup(name)
                if local is None:
                    self.fail(f"undefined variable: {name}")
                else:
                    self.emit(f"{local} = {final}")
            else:
                local = self.unique("v")
                self.emit(f"{local} = {final}")
                self.scope.append((name, local))
        return final

    def not_a_function(self, args: list[n.Node], final: str | None) -> None:
        if len(args) > 1 or final is not None:
            self.fail(f"can't give argument to non-function {args[0]}")

    def command(self, cmd: n.CommandNode, final: str | None) -> str:
        first = cmd.args[0]
        kind = type(first)
        if kind is n.DotNode and len(cmd.args) == 1 and final is None:
            return self.dot
        if isinstance(first, n.FieldNode):
            self.cur = self.ref(first)
            return self.field_chain(self.dot, first, first.ident, cmd.args, final, self.dot_from)
        if isinstance(first, n.ChainNode):
            return self.chain(first, cmd.args, final)
        if isinstance(first, n.IdentifierNode):
            return self.function(first, cmd, cmd.args, final)
        if isinstance(first, n.PipeNode):
            self.not_a_function(cmd.args, final)
            return self.pipeline(first)
        if isinstance(first, n.VariableNode):
            return self.variable(first, cmd.args, final)
        self.cur = self.ref(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, n.BoolNode):
            return self.const(first.value)
        if isinstance(first, n.DotNode):
            return self.dot
        if isinstance(first, n.NilNode):
            return self.fail("nil is not a command")
        if isinstance(first, n.NumberNode):
            return self.ideal(first)
        if isinstance(first, n.StringNode):
            return self.const(first.text)
        return self.fail(f"can't evaluate command {quote(str(first))}")

    def ideal(self, constant: n.NumberNode) -> str:
        self.cur = self.ref(constant)
        try:
            return self.const(ideal_constant(constant))
        except ConstantError as exc:
            return self.fail(str(exc))

    def chain(self, chain: n.ChainNode, args: list[n.Node], final: str | None) -> str:
        self.cur = self.ref(chain)
        if not chain.fields:
            return self.fail("internal error: no fields in evalChainNode")
        if isinstance(chain.node, n.NilNode):
            return self.fail(f"indirection through explicit nil in {chain}")
        assert chain.node is not None
        receiver = self.arg(chain.node, VALUE)
        return self.field_chain(receiver, chain, chain.fields, args, final, "None")

    def variable(self, variable: n.VariableNode, args: list[n.Node] | None, final: str | None) -> str:
        self.cur = self.ref(variable)
        local = self.lookup(variable.ident[0])
        if local is None:
            return self.fail(f"undefined variable: {variable.ident[0]}")
        if len(variable.ident) == 1:
            if args is not None:
                self.not_a_function(args, final)
            return local
        return self.field_chain(local, variable, variable.ident[1:], args, final, "None")

    def field_chain(self, receiver: str, node: n.Node, idents: list[str], args: list[n.Node] | None,
                    final: str | None, container: str) -> str:
        for ident in idents[:-1]:
            # The next receiver's container is this one: static_of only names dicts' (a list or
            # a string receiver fails here), as evaluate.py's "receiver if dict".
            receiver, container = self.field(receiver, ident, node, None, None, container), receiver
        return self.field(receiver, idents[-1], node, args, final, container)

    def field(self, receiver: str, name: str, node: n.Node, args: list[n.Node] | None, final: str | None,
              container: str) -> str:
        if (args is not None and len(args) > 1) or final is not None:
            # A method call with arguments (or an error): the interpreter's evalField.
            self.sync_vars()
            arg_list = self.ref(args) if args is not None else "None"
            result = self.store(f"S.eval_field({self.dot}, {name!r}, {self.ref(node)}, {arg_list}, "
                                f"{final if final is not None else 'FINAL_NONE'}, {receiver}, {container})")
            self.cur = "S.node"
            return result
        call = f"(S, {receiver}, {name!r}, {self.ref(node)}, {self.cur}, {container})"
        if name.startswith("_"):
            return self.store("get_field_slow" + call)
        if not self.hot:
            return self.store("get_field" + call)
        if self.is_literal(receiver):       # (1).x: not "1.get(...)"
            receiver = self.store(receiver)
        # get_field, with its quick paths inline: a dict, an object type known to have the field.
        result, kind = self.tmp(), self.tmp("k")
        self.emit(f"if ({kind} := type({receiver})) is dict:")
        self.emit(f"    {result} = {receiver}.get({name!r}, MISSING)")
        self.emit(f"elif {kind} not in {self.ref(field_types(name))} or callable({result} := "
                  f"getattr({receiver}, {name!r}, ABSENT)) or {result} is ABSENT:")
        self.emit(f"    {result} = get_field{call}")
        return result

    # --- calls (eval_function, eval_call, and_or) --------------------------------

    def function(self, ident: n.IdentifierNode, cmd: n.Node, args: list[n.Node] | None,
                 final: str | None) -> str:
        self.cur = self.ref(ident)
        name = ident.ident
        kind, sig = self.resolved[name]
        if sig is None:
            return self.fail(f"{quote(name)} is not a defined function")
        arg_nodes = args[1:] if args is not None else []
        count = len(arg_nodes) + (final is not None)
        message = count_error(name, sig, len(arg_nodes), final is not None)
        if message is not None:
            return self.fail(message)
        if kind == "exec" and name in ("and", "or"):
            return self.and_or(name == "or", arg_nodes, final)
        argv = [self.arg(arg, sig.param(i, count)) for i, arg in enumerate(arg_nodes)]
        if final is not None:
            argv.append(self.check(final, sig.param(len(argv), count)))
        if kind == "exec":
            return self.store(f"S.call({self.ref(cmd)}, [{', '.join(argv)}])")
        index = self.fn_index[name]
        self.used_fns.add(index)
        callee, call_args = f"f{index}", argv
        if kind == "builtin" and name in ("eq", "ne") and len(argv) == 2:
            callee, call_args = f"fast_{name}", [callee, *argv]     # the builtin, quicker
        quick = self.quick_printf(argv, arg_nodes) if kind == "builtin" and name == "printf" else None
        if not self.hot:        # run once per execution: compact code (Python compiles it faster)
            call = f"call_fn(S, {self.ref(cmd)}, {name!r}, {', '.join([callee, *call_args])})"
            return self.store(f"{quick} else {call}" if quick else call)
        result = self.tmp()
        call = f"{callee}({', '.join(call_args)})"
        self.emit("try:")
        self.emit(f"    {result} = {quick + ' else ' + call if quick else call}")
        self.emit("except Exception as exc:")
        self.emit(f"    S.call_failed({self.ref(cmd)}, {name!r}, exc)")
        return result

    def quick_printf(self, argv: list[str], arg_nodes: list[n.Node]) -> str | None:
        """``printf`` with a constant format of %s, %d, %v: "VALUE if CHECKS" computing
        what gofmt.sprintf gives for operands of the types checked (a str, an int64)."""
        if not (arg_nodes and isinstance(arg_nodes[0], n.StringNode) and argv[0] in self.strings):
            return None
        plan = printf_plan(arg_nodes[0].text, len(argv) - 1)
        if plan is None:
            return None
        pieces, verbs = plan
        checks: list[str] = []
        parts = [repr(pieces[0])] if pieces[0] else []
        for verb, atom, piece in zip(verbs, argv[1:], pieces[1:]):
            is_int = f"type({atom}) is int and {_INT64_MIN} <= {atom} <= {_INT64_MAX}"
            if verb == "s":
                checks.append(f"type({atom}) is str")
                parts.append(atom)
            elif verb == "d":
                checks.append(is_int)
                parts.append(f"str({atom})")
            else:
                checks.append(f"(type({atom}) is str or {is_int})")
                parts.append(f"({atom} if type({atom}) is str else str({atom}))")
            if piece:
                parts.append(repr(piece))
        return f"{' + '.join(parts) or repr('')} if {' and '.join(checks) or 'True'}"

    def and_or(self, is_or: bool, arg_nodes: list[n.Node], final: str | None) -> str:
        result = self.tmp()
        node = self.tmp("cn")
        opened = 0
        for i, arg in enumerate(arg_nodes):
            value = self.arg(arg, VALUE)
            self.emit(f"{result} = {value}")
            self.emit(f"{node} = {self.cur}")
            if i < len(arg_nodes) - 1 or final is not None:
                self.emit(f"if {'not ' if is_or else ''}{self.truth(result)}:")
                self.depth += 1
                opened += 1
        if final is not None:
            self.emit(f"{result} = {final}")
        self.depth -= opened
        if arg_nodes:
            self.cur = node
        return result

    # --- arguments (eval_arg, validate) ------------------------------------------

    def arg(self, node: n.Node, param: Param) -> str:
        self.cur = self.ref(node)
        if isinstance(node, n.DotNode):
            return self.check(self.dot, param)
        if isinstance(node, n.NilNode):
            if param.kind in (Kind.ANY, Kind.VALUE):
                return "None" if param.kind is Kind.ANY else "MISSING"
            if param.kind in (Kind.LIST, Kind.DICT):
                return self.store("[]" if param.kind is Kind.LIST else "{}")
            return self.fail(f"cannot assign nil to {param.go_name()}")
        if isinstance(node, n.FieldNode):
            value = self.field_chain(self.dot, node, node.ident, [node], None, self.dot_from)
            return self.check(value, param)
        if isinstance(node, n.VariableNode):
            return self.check(self.variable(node, None, None), param)
        if isinstance(node, n.PipeNode):
            return self.check(self.pipeline(node), param)
        if isinstance(node, n.IdentifierNode):
            return self.check(self.function(node, node, None, None), param)
        if isinstance(node, n.ChainNode):
            return self.check(self.chain(node, [node], None), param)
        try:
            return self.const(constant_arg(param, node))
        except ConstantError as exc:
            return self.fail(str(exc))

    def check(self, atom: str, param: Param) -> str:
        """Go's validateType of the value in ``atom`` for ``param``, at the current node."""
        kind = param.kind
        if kind is Kind.VALUE:
            return atom
        if kind is Kind.ANY:
            if self.is_literal(atom):
                return atom
            return self.store(f"None if {atom} is MISSING else {atom}")
        strict = _STRICT.get(kind)
        if strict == "str" and atom in self.strings:
            return atom
        check = f"S.check({self.cur}, {atom}, {self.ref(param)})"
        if strict is None:
            return self.store(check)
        return self.store(f"{atom} if type({atom}) is {strict} else {check}")


def printf_plan(format: str, n_args: int) -> tuple[tuple[str, ...], str] | None:
    """For a format of only %s, %d, %v (and %%) taking exactly ``n_args`` operands: the literal
    pieces around the operands and their verbs; None for any other format."""
    pieces: list[str] = []
    verbs = ""
    text: list[str] = []
    i = 0
    while i < len(format):
        c = format[i]
        if c != "%":
            text.append(c)
            i += 1
            continue
        verb = format[i + 1] if i + 1 < len(format) else ""
        if verb == "%":
            text.append("%")
        elif verb in ("s", "d", "v"):
            pieces.append("".join(text))
            text = []
            verbs += verb
        else:
            return None
        i += 2
    pieces.append("".join(text))
    if len(verbs) != n_args:
        return None
    return tuple(pieces), verbs
