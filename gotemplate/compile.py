"""Compiled templates: a template set turned into Python functions once (codegen.py), then run
for every execute.  Same output and same errors as the interpreter (exec.py), which stays the
reference and runs the rare templates the compiler leaves out.

The code depends on the Go signature of each function the templates call (how constant
arguments convert, which checks a value needs), and the functions change with every render
(fresh closures over a snapshot): each execute looks the names up, and a program is kept per
distinct set of signatures (in practice one: signatures are cached by code object)."""
from __future__ import annotations

import warnings
from typing import Any, Callable, Mapping

from gotemplate import nodes as n
from gotemplate.builtins import BUILTINS
from gotemplate.codegen import function_names, generate
from gotemplate.codegen_expr import Resolved
from gotemplate.compile_rt import RUNTIME, Function, Run
from gotemplate.exec import execute as interpret
from gotemplate.exec import no_template
from gotemplate.signature import signature_of
from gotemplate.state import EXEC_BUILTINS, EXEC_SIGNATURES

__all__ = ["Compiled"]

_MAX_PROGRAMS = 16


class Compiled:
    """The compiled programs of one template set (kept by gotemplate.Template)."""

    def __init__(self, trees: Mapping[str, n.Tree], main: str | None = None) -> None:
        self.trees = trees
        self.main = main        # the template usually executed (its code outside loops is compact)
        self.names = function_names(trees)
        self.programs: dict[tuple[Resolved, ...], dict[str, Function] | None] = {}

    def resolve(self, funcs: Mapping[str, Callable[..., Any]]) -> tuple[list[Any], tuple[Resolved, ...]]:
        """The function each name calls in this execution, and their signatures (the key)."""
        fns: list[Any] = []
        key: list[Resolved] = []
        for name in self.names:
            function = funcs.get(name)
            if function is not None:
                key.append(("func", signature_of(function)))
            elif name in EXEC_BUILTINS:
                key.append(("exec", signature_of(EXEC_SIGNATURES[name])))
            else:
                function = BUILTINS.get(name)
                key.append(("builtin", signature_of(function)) if function is not None else ("none", None))
            fns.append(function)
        return fns, tuple(key)

    def program(self, key: tuple[Resolved, ...]) -> dict[str, Function] | None:
        if key in self.programs:
            return self.programs[key]
        if len(self.programs) >= _MAX_PROGRAMS:
            self.programs.clear()
        try:
            source, namespace, py_names = generate(self.trees, dict(zip(self.names, key)),
                                                   {name: i for i, name in enumerate(self.names)}, self.main)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                code = compile(source, "<gotemplate>", "exec")
        except Exception:  # noqa: BLE001 - the interpreter runs whatever cannot be compiled
            # Unsupported (a shape left to the interpreter), a SyntaxError (nested deeper than
            # Python's compiler allows: 20 loops, 100 indents), RecursionError, MemoryError.
            # (tests/gotemplate/test_compiled.py checks every case of the table compiles.)
            self.programs[key] = None
            return None
        namespace.update(RUNTIME)
        exec(code, namespace)  # noqa: S102 - our own generated code
        functions: dict[str, Function] = {name: namespace[py] for name, py in py_names.items()}
        self.programs[key] = functions
        return functions

    def execute(self, name: str, data: Any, funcs: Mapping[str, Callable[..., Any]]) -> str:
        tree = self.trees.get(name)
        if tree is None:
            raise no_template(name)
        fns, key = self.resolve(funcs)
        functions = self.program(key)
        if functions is None:
            return interpret(self.trees, name, data, funcs)
        state = Run(self.trees, tree, funcs, data, fns, functions)
        try:
            functions[name](state, state.top_dot)
        except RecursionError:
            state.depth_exceeded()
        return "".join(state.out)
