"""The parse tree of a Go template, node for node as Go's text/template/parse builds it.

``pos`` is the node's offset in the template text (in characters; exec turns it into Go's
line:column) and ``str(node)`` is Go's ``Node.String()``, which error messages quote.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(slots=True, eq=False)
class Node:
    pos: int


@dataclass(slots=True, eq=False)
class ListNode(Node):
    nodes: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(node) for node in self.nodes)


@dataclass(slots=True, eq=False)
class TextNode(Node):
    text: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True, eq=False)
class CommentNode(Node):
    text: str = ""          # with its /* */

    def __str__(self) -> str:
        return "{{" + self.text + "}}"


@dataclass(slots=True, eq=False)
class IdentifierNode(Node):
    """A function name."""
    ident: str = ""

    def __str__(self) -> str:
        return self.ident


@dataclass(slots=True, eq=False)
class VariableNode(Node):
    """``$`` or ``$x``, possibly followed by fields: ident == ["$x", "field", ...]."""
    ident: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return ".".join(self.ident)


@dataclass(slots=True, eq=False)
class DotNode(Node):
    def __str__(self) -> str:
        return "."


@dataclass(slots=True, eq=False)
class NilNode(Node):
    def __str__(self) -> str:
        return "nil"


@dataclass(slots=True, eq=False)
class FieldNode(Node):
    """``.a.b``: ident == ["a", "b"]."""
    ident: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join("." + name for name in self.ident)


@dataclass(slots=True, eq=False)
class ChainNode(Node):
    """``(pipeline).a.b`` or ``$x.a`` after a parenthesised term: node, then fields."""
    node: Node | None = None
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return head + "".join("." + name for name in self.fields)


@dataclass(slots=True, eq=False)
class BoolNode(Node):
    value: bool = False

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(slots=True, eq=False)
class NumberNode(Node):
    """A numeric constant as Go's parser classifies it."""
    is_int: bool = False          # representable as int64
    is_uint: bool = False         # representable as uint64
    is_float: bool = False        # representable as float64
    is_complex: bool = False      # an imaginary or complex constant (1i, 1+2i): a complex128
    int_value: int = 0
    uint_value: int = 0
    float_value: float = 0.0
    complex_value: complex = 0j
    text: str = ""                # as written

    def __str__(self) -> str:
        return self.text


@dataclass(slots=True, eq=False)
class StringNode(Node):
    quoted: str = ""              # as written, with quotes
    text: str = ""                # the value

    def __str__(self) -> str:
        return self.quoted


@dataclass(slots=True, eq=False)
class CommandNode(Node):
    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join(f"({arg})" if isinstance(arg, PipeNode) else str(arg) for arg in self.args)


@dataclass(slots=True, eq=False)
class PipeNode(Node):
    line: int = 0
    is_assign: bool = False       # $x = ... rather than $x := ...
    decl: list[VariableNode] = field(default_factory=list)
    cmds: list[CommandNode] = field(default_factory=list)

    def __str__(self) -> str:
        head = ""
        if self.decl:
            head = ", ".join(str(v) for v in self.decl) + " := "   # Go 1.19 prints := for = too
        return head + " | ".join(str(c) for c in self.cmds)


@dataclass(slots=True, eq=False)
class ActionNode(Node):
    line: int = 0
    pipe: PipeNode | None = None

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass(slots=True, eq=False)
class BranchNode(Node):
    line: int = 0
    pipe: PipeNode | None = None
    list: ListNode | None = None
    else_list: ListNode | None = None

    keyword = ""

    def __str__(self) -> str:
        text = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            text += "{{else}}" + str(self.else_list)
        return text + "{{end}}"


@dataclass(slots=True, eq=False)
class IfNode(BranchNode):
    keyword = "if"


@dataclass(slots=True, eq=False)
class RangeNode(BranchNode):
    keyword = "range"


@dataclass(slots=True, eq=False)
class WithNode(BranchNode):
    keyword = "with"


@dataclass(slots=True, eq=False)
class BreakNode(Node):
    line: int = 0

    def __str__(self) -> str:
        return "{{break}}"


@dataclass(slots=True, eq=False)
class ContinueNode(Node):
    line: int = 0

    def __str__(self) -> str:
        return "{{continue}}"


@dataclass(slots=True, eq=False)
class TemplateNode(Node):
    """``{{template "name" pipeline}}`` (pipe may be None)."""
    line: int = 0
    name: str = ""
    pipe: PipeNode | None = None

    def __str__(self) -> str:
        from gotemplate.literals import quote   # literals builds NumberNodes: import here
        quoted = quote(self.name)
        if self.pipe is None:
            return "{{template " + quoted + "}}"
        return "{{template " + quoted + " " + str(self.pipe) + "}}"


# What a command's argument can be.
Operand = Union[IdentifierNode, VariableNode, DotNode, NilNode, FieldNode, ChainNode, BoolNode,
                NumberNode, StringNode, PipeNode]


@dataclass(slots=True, eq=False)
class Tree:
    """One named template: its root list and the text it was parsed from (for line:column)."""
    name: str
    parse_name: str               # the name of the top-level template it was defined in
    root: ListNode
    text: str

    def location(self, pos: int) -> str:
        """Go's ErrorContext location: 'NAME:LINE:COL' with COL in bytes from the line start."""
        before = self.text[:pos]
        line = before.count("\n") + 1
        col = len(before[before.rfind("\n") + 1:].encode())
        return f"{self.parse_name}:{line}:{col}"
