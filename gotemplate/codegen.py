"""Generating Python code for a template set (the half of compile.py's code generator that
mirrors exec.py's walk): one function per template, ``def t_NAME(S, dot)``, where text is
appended, range is a ``for`` loop, if/with are ``if``, {{break}}/{{continue}} are Python's,
and template variables are Python locals (Go's variables are lexically scoped: the parser
checks every use, so the interpreter's stack always holds what the enclosing blocks declared).
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from gotemplate import nodes as n
from gotemplate.codegen_expr import ExprCompiler, Resolved, Unsupported
from gotemplate.literals import quote

__all__ = ["Unsupported", "generate", "function_names"]

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1   # format_value prints these ints with str


def _children(node: n.Node) -> Iterator[n.Node]:
    if isinstance(node, n.ListNode):
        yield from node.nodes
    elif isinstance(node, (n.ActionNode, n.TemplateNode)):
        if node.pipe is not None:
            yield node.pipe
    elif isinstance(node, n.BranchNode):
        for child in (node.pipe, node.list, node.else_list):
            if child is not None:
                yield child
    elif isinstance(node, n.PipeNode):
        yield from node.cmds
    elif isinstance(node, n.CommandNode):
        yield from node.args
    elif isinstance(node, n.ChainNode) and node.node is not None:
        yield node.node


def _walk(node: n.Node) -> Iterator[n.Node]:
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(_children(node))


def function_names(trees: Mapping[str, n.Tree]) -> list[str]:
    """Every function name the templates call, sorted."""
    return sorted({node.ident for tree in trees.values() for node in _walk(tree.root)
                   if isinstance(node, n.IdentifierNode)})


def _check_supported(trees: Mapping[str, n.Tree]) -> None:
    """A variable declared inside a parenthesized pipeline may not be (``and``/``or`` skip
    it): the lexical scopes would not be the interpreter's stack."""
    for tree in trees.values():
        for node in _walk(tree.root):
            operands: list[n.Node] = []
            if isinstance(node, n.CommandNode):
                operands = node.args
            elif isinstance(node, n.ChainNode) and node.node is not None:
                operands = [node.node]
            if any(isinstance(op, n.PipeNode) and op.decl for op in operands):
                raise Unsupported("a variable declared in a parenthesized pipeline")


def _breaks(node: n.Node) -> bool:
    """A {{break}} that belongs to this list, not to a range nested in it."""
    if isinstance(node, n.BreakNode):
        return True
    if isinstance(node, n.RangeNode):
        return node.else_list is not None and _breaks(node.else_list)
    return any(_breaks(child) for child in _children(node))


class _Compiler(ExprCompiler):
    def __init__(self, trees: Mapping[str, n.Tree], resolved: dict[str, Resolved],
                 fn_index: dict[str, int]) -> None:
        super().__init__(resolved, fn_index)
        self.trees = trees
        self.continue_flag: str | None = None   # set while a range's else runs as a one-shot loop
        self.in_loop = False                    # inside a range body (a Python for loop)

    def template(self, name: str, tree: n.Tree, py_name: str, hot: bool) -> None:
        header = len(self.lines)
        self.depth = 1
        self.hot = hot
        self.used_fns = set()
        self.scope = [("$", "v0")]
        self.dot, self.dot_from, self.cur = "dot", "None", "None"
        self.emit("v0 = dot")
        self.block(tree.root)
        prologue = [f"def {py_name}(S, dot):", "    w = S.out.append"]
        if self.used_fns:
            prologue.append("    fns = S.fns")
            prologue += [f"    f{i} = fns[{i}]" for i in sorted(self.used_fns)]
        self.lines[header:header] = prologue

    def block(self, body: n.ListNode | None) -> None:
        """The statements of a list; ``pass`` when there are none."""
        start = len(self.lines)
        if body is not None:
            self.list(body)
        if len(self.lines) == start:
            self.emit("pass")

    def list(self, body: n.ListNode) -> None:
        text: list[str] = []
        for child in body.nodes:
            if isinstance(child, n.TextNode):
                text.append(child.text)
                continue
            if isinstance(child, n.CommentNode):
                continue
            if text:
                self.emit(f"w({''.join(text)!r})")
                text = []
            self.statement(child)
        if text:
            self.emit(f"w({''.join(text)!r})")

    def statement(self, node: n.Node) -> None:
        self.cur = self.ref(node)
        self.scratch = 0        # the temporaries of the statements before are dead
        if isinstance(node, n.ActionNode):
            assert node.pipe is not None
            if node.pipe.decl:
                self.pipeline(node.pipe)
                return
            value = self.pipeline(node.pipe, exact=False)
            if value in self.strings:
                self.emit(f"w({value})")
            elif not self.hot:
                self.emit(f"w({value} if type({value}) is str else S.text_of({self.ref(node)}, {value}))")
            else:
                # as S.text_of (format_value), quicker for a str or an int
                self.emit(f"w({value} if type({value}) is str else str({value}) if type({value}) is int and "
                          f"{_INT64_MIN} <= {value} <= {_INT64_MAX} else S.text_of({self.ref(node)}, {value}))")
        elif isinstance(node, (n.IfNode, n.WithNode)):
            self.if_or_with(isinstance(node, n.WithNode), node)
        elif isinstance(node, n.RangeNode):
            self.range(node)
        elif isinstance(node, n.TemplateNode):
            self.template_call(node)
        elif isinstance(node, n.BreakNode):
            self.emit("break")
        elif isinstance(node, n.ContinueNode):
            if self.continue_flag is not None:      # in a range's else run as a one-shot loop
                self.emit(f"{self.continue_flag} = True")
                self.emit("break")
            else:
                self.emit("continue")
        else:
            self.fail(f"unknown node: {node}")

    def if_or_with(self, is_with: bool, node: n.BranchNode) -> None:
        mark = len(self.scope)
        assert node.pipe is not None
        value = self.pipeline(node.pipe, exact=bool(node.pipe.decl))
        body_mark = len(self.scope)
        self.emit(f"if {self.truth(value)}:")
        self.depth += 1
        saved = self.dot, self.dot_from
        if is_with:
            if not self.is_literal(value):      # the body's statements reuse temporaries' names,
                value = self.store(value, "d")  # and {{with $x}}{{$x = 1}} leaves dot alone
            self.dot, self.dot_from = value, "None"
        self.block(node.list)
        self.dot, self.dot_from = saved
        del self.scope[body_mark:]
        self.depth -= 1
        if node.else_list is not None:
            self.emit("else:")
            self.depth += 1
            self.block(node.else_list)
            self.depth -= 1
        del self.scope[mark:]

    def range(self, node: n.RangeNode) -> None:
        mark = len(self.scope)
        assert node.pipe is not None
        decl = len(node.pipe.decl)
        value = self.pipeline(node.pipe, exact=decl > 0)
        # The interpreter's vars[-decl:] (after a failed "=" there may be fewer: dead code).
        targets = (["_"] * decl + [local for _, local in self.scope])[-decl:] if decl else []
        container = self.store(value, "r")
        items = self.store(f"range_items(S, {container}, {decl > 1}, {self.cur})", "it")
        body_mark = len(self.scope)
        ran = self.unique("ran") if node.else_list is not None else None
        if ran is not None:
            self.emit(f"{ran} = False")
        elem = self.unique("e")
        index = self.unique("i") if decl > 1 else ""
        self.emit(f"for {index + ', ' if index else ''}{elem} in {items}:")
        self.depth += 1
        if ran is not None:
            self.emit(f"{ran} = True")
        if decl > 1:
            self.emit(f"{targets[1]}, {targets[0]} = {elem}, {index}")
        elif decl == 1:
            self.emit(f"{targets[0]} = {elem}")
        saved = self.dot, self.dot_from, self.hot, self.continue_flag, self.in_loop
        self.dot, self.dot_from, self.hot, self.continue_flag, self.in_loop = elem, container, True, None, True
        self.block(node.list)
        self.dot, self.dot_from, self.hot, self.continue_flag, self.in_loop = saved
        del self.scope[body_mark:]
        self.depth -= 1
        if ran is not None:
            assert node.else_list is not None
            self.emit(f"if not {ran}:")
            self.depth += 1
            if _breaks(node.else_list):
                self.else_with_break(node.else_list)
            else:
                self.block(node.else_list)
            self.depth -= 1
        del self.scope[mark:]

    def else_with_break(self, else_list: n.ListNode) -> None:
        """Go ends a range's else list at a {{break}} in it (walkRange's recover), and a
        {{continue}} there continues the loop around the range: the else list runs as a
        one-shot loop whose break is Go's, and a continue sets a flag acted on after it."""
        flag = self.unique("cont")
        self.emit(f"{flag} = False")
        self.emit("for _ in (0,):")
        self.depth += 1
        saved = self.continue_flag
        self.continue_flag = flag
        self.block(else_list)
        self.continue_flag = saved
        self.depth -= 1
        self.emit(f"if {flag}:")
        self.depth += 1
        if self.continue_flag is not None:
            self.emit(f"{self.continue_flag} = True")
            self.emit("break")
        else:
            self.emit("continue" if self.in_loop else "pass")   # Go panics on a continue outside a loop
        self.depth -= 1

    def template_call(self, node: n.TemplateNode) -> None:
        if node.name not in self.trees:
            self.fail(f"template {quote(node.name)} not defined")
            return
        value = self.pipeline(node.pipe) if node.pipe is not None else "MISSING"
        self.emit(f"S.call_tree({node.name!r}, {value}, {self.ref(node)})")


def generate(trees: Mapping[str, n.Tree], resolved: dict[str, Resolved], fn_index: dict[str, int],
             main: str | None = None) -> tuple[str, dict[str, Any], dict[str, str]]:
    """Python source for every template of ``trees``, the globals it needs, and the Python
    function name of each template.  Unsupported when the interpreter must run the set.
    Code that runs once per execution (``main`` outside its loops) is compact: Python
    compiles it faster; loops and the other templates (called from loops, maybe) get the
    quick paths inline."""
    _check_supported(trees)
    compiler = _Compiler(trees, resolved, fn_index)
    names: dict[str, str] = {}
    for i, (name, tree) in enumerate(trees.items()):
        names[name] = f"t{i}"
        compiler.template(name, tree, names[name], hot=name != main)
    return "\n".join(compiler.lines) + "\n", compiler.ns, names
