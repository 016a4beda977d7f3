"""Executing a parsed template: Go 1.19's text/template exec.go, over the value model of
values.py.  Errors are ExecError with Go's text: ``template: NAME:LINE:COL: executing "NAME"
at <NODE>: MESSAGE``.

``execute`` is the interpreter (this module walks the tree, evaluate.py evaluates pipelines):
the reference for compile.py, which turns a template set into Python code once and runs that
instead (Template.execute)."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from gotemplate import nodes as n
from gotemplate.errors import ExecError
from gotemplate.evaluate import Evaluator
from gotemplate.gofmt import format_value
from gotemplate.literals import quote
from gotemplate.state import EXEC_BUILTINS, sorted_keys
from gotemplate.values import MISSING, is_true

__all__ = ["EXEC_BUILTINS", "Interpreter", "execute", "no_template"]


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def no_template(name: str) -> ExecError:
    return ExecError(f'template: no template "{name}" associated with template "{name}"', name)


def execute(trees: Mapping[str, n.Tree], name: str, data: Any, funcs: Mapping[str, Callable[..., Any]]) -> str:
    """Run template ``name`` of ``trees`` on ``data`` by walking the tree."""
    tree = trees.get(name)
    if tree is None:
        raise no_template(name)
    state = Interpreter(trees, tree, funcs, data)
    try:
        state.walk(state.top_dot, tree.root)
    except RecursionError:
        state.depth_exceeded()
    return "".join(state.out)


class Interpreter(Evaluator):
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
                saved_from, self.dot_from = self.dot_from, None
                try:
                    self.walk(value, node.list)
                finally:
                    self.dot_from = saved_from
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
                items = ((key, value[key]) for key in sorted_keys(value))
            elif value is MISSING:
                items = ()
            else:
                self.errorf(f"range can't iterate over {format_value(value)}")
            ran = False
            saved_from, self.dot_from = self.dot_from, value
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
                self.dot_from = saved_from
            if not ran and node.else_list is not None:
                try:
                    self.walk(dot, node.else_list)
                except _Break:      # Go: walkRange's recover ends its else list too
                    pass
        finally:
            del self.vars[mark:]

    def walk_template(self, dot: Any, node: n.TemplateNode) -> None:
        self.node = node
        tree = self.trees.get(node.name)
        if tree is None:
            self.errorf(f"template {quote(node.name)} not defined")
        value = self.eval_pipeline(dot, node.pipe) if node.pipe is not None else MISSING
        saved = self.tree, self.vars, self.dot_from
        self.tree, self.vars, self.dot_from = tree, [["$", value]], None
        self.calls.append(node)
        try:
            self.walk(value, tree.root)
        except RecursionError:      # Python's stack ends long before Go's 100,000 levels
            self.ran_out()
            raise
        finally:
            self.calls.pop()
            self.tree, self.vars, self.dot_from = saved
