"""The template parser: a port of Go 1.19's text/template/parse/parse.go (BSD-licensed,
Copyright The Go Authors), as text/template's ``Template.Parse`` drives it.

``parse(name, text, funcs)`` returns the tree set: the template ``name`` and every template the
text defines with ``{{define}}`` or ``{{block}}``.  Errors are ``ParseError`` with Go's message,
``template: NAME:LINE: MESSAGE``.  Node positions are character offsets where Go records its
(byte) Pos.  Comments are dropped unless ``parse_comments`` (text/template never keeps them).
"""
from __future__ import annotations

from collections.abc import Collection
from typing import NoReturn

from .errors import ParseError
from .items import Item, ItemType, Lookahead
from .lexer import Lexer
from .literals import GoSyntaxError, quote, unquote
from .nodes import (
    ActionNode, BoolNode, BranchNode, BreakNode, ChainNode, CommandNode, CommentNode, ContinueNode,
    DotNode, FieldNode, IdentifierNode, IfNode, ListNode, NilNode, Node, NumberNode, PipeNode,
    RangeNode, StringNode, TemplateNode, TextNode, Tree, VariableNode, WithNode,
)
from .numlit import fill_complex, fill_number

__all__ = ["parse", "is_empty_tree"]

I = ItemType

# Items that can start an operand of a command.
_OPERAND_START = frozenset({
    I.BOOL, I.CHAR_CONSTANT, I.COMPLEX, I.DOT, I.FIELD, I.IDENTIFIER, I.NUMBER, I.NIL,
    I.RAW_STRING, I.STRING, I.VARIABLE, I.LEFT_PAREN,
})


# unicode.IsSpace, which bytes.TrimSpace uses (Python's str.strip() also strips \x1c-\x1f).
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
    "\u2028\u2029\u202f\u205f\u3000"


class _Delimiter(Node):
    """``{{end}}`` or ``{{else}}``: ends an item list and is returned beside it, never in a tree."""
    __slots__ = ("word", "line")

    def __init__(self, word: str, item: Item) -> None:
        super().__init__(item.pos)
        self.word = word
        self.line = item.line

    def __str__(self) -> str:
        return "{{" + self.word + "}}"


def _is(node: Node, word: str) -> bool:
    return isinstance(node, _Delimiter) and node.word == word


def parse(name: str, text: str, funcs: Collection[str], *,
          parse_comments: bool = False) -> dict[str, Tree]:
    """Parse ``text`` as template ``name``; ``funcs`` names every function it may call."""
    tree_set: dict[str, Tree] = {}
    lexer = Lexer(name, text, emit_comment=parse_comments)
    _Parser(name, name, text, lexer, funcs, tree_set).parse_top()
    return tree_set


def is_empty_tree(node: Node | None) -> bool:
    """Go's IsEmptyTree: nothing but space and comments."""
    if node is None or isinstance(node, CommentNode):
        return True
    if isinstance(node, ListNode):
        return all(is_empty_tree(child) for child in node.nodes)
    if isinstance(node, TextNode):
        return node.text.strip(_GO_SPACE) == ""
    return False


class _Parser(Lookahead):
    """One Go ``*Tree`` while it is being parsed (each define and block gets its own)."""

    def __init__(self, name: str, parse_name: str, text: str, lexer: Lexer,
                 funcs: Collection[str], tree_set: dict[str, Tree]) -> None:
        self.name = name
        self.parse_name = parse_name
        self.text = text
        super().__init__(lexer)
        self.lex: Lexer = lexer
        self.funcs = funcs
        self.tree_set = tree_set
        self.root = ListNode(0)
        self.vars = ["$"]
        self.action_line = 0
        self.range_depth = 0

    def _sub(self, name: str) -> _Parser:
        return _Parser(name, self.parse_name, self.text, self.lex, self.funcs, self.tree_set)

    # -- errors -------------------------------------------------------------------------------

    def errorf(self, message: str) -> NoReturn:
        line = self.token[0].line
        raise ParseError(f"template: {self.parse_name}:{line}: {message}", name=self.parse_name, line=line)

    def expect(self, context: str, *expected: ItemType) -> Item:
        """Go's expect and expectOneOf."""
        token = self.next_non_space()
        if token.typ not in expected:
            self.unexpected(token, context)
        return token

    def unexpected(self, token: Item, context: str) -> NoReturn:
        if token.typ == I.ERROR:
            extra = ""
            if self.action_line != 0 and self.action_line != token.line:
                extra = f" in action started at {self.parse_name}:{self.action_line}"
                if token.val.endswith(" action"):
                    extra = extra[len(" in action"):]      # avoid "action in action"
            self.errorf(f"{token}{extra}")
        self.errorf(f"unexpected {token} in {context}")

    # -- tree set -----------------------------------------------------------------------------

    def add(self) -> None:
        tree = self.tree_set.get(self.name)
        if tree is None or is_empty_tree(tree.root):
            self.tree_set[self.name] = Tree(self.name, self.parse_name, self.root, self.text)
            return
        if not is_empty_tree(self.root):
            self.errorf(f"template: multiple definition of template {quote(self.name)}")

    # -- grammar ------------------------------------------------------------------------------

    def parse_top(self) -> None:
        """The top level: textOrAction* with {{define}}, to EOF."""
        self.root = ListNode(self.peek().pos)
        while self.peek().typ != I.EOF:
            if self.peek().typ == I.LEFT_DELIM:
                delim = self.next()
                if self.next_non_space().typ == I.DEFINE:
                    self._sub("definition").parse_definition()
                    continue
                self.backup2(delim)
            node = self.text_or_action()
            if isinstance(node, _Delimiter):
                self.errorf(f"unexpected {node}")
            self.root.nodes.append(node)
        self.add()

    def parse_definition(self) -> None:
        context = "define clause"
        name = self.expect(context, I.STRING, I.RAW_STRING)
        self.name = self._unquote(name.val)
        self.expect(context, I.RIGHT_DELIM)
        self.root, end = self.item_list()
        if not _is(end, "end"):
            self.errorf(f"unexpected {end} in {context}")
        self.add()

    def item_list(self) -> tuple[ListNode, Node]:
        """textOrAction* up to {{end}} or {{else}}, which is returned separately."""
        nodes = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != I.EOF:
            node = self.text_or_action()
            if isinstance(node, _Delimiter):
                return nodes, node
            nodes.nodes.append(node)
        self.errorf("unexpected EOF")

    def text_or_action(self) -> Node:
        token = self.next_non_space()
        if token.typ == I.TEXT:
            return TextNode(token.pos, text=token.val)
        if token.typ == I.LEFT_DELIM:
            self.action_line = token.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        if token.typ == I.COMMENT:
            return CommentNode(token.pos, text=token.val)
        self.unexpected(token, "input")

    def action(self) -> Node:
        token = self.next_non_space()
        typ = token.typ
        if typ == I.BLOCK:
            return self.block_control()
        if typ == I.BREAK:
            return self.loop_control(token, "break")
        if typ == I.CONTINUE:
            return self.loop_control(token, "continue")
        if typ == I.ELSE:
            return self.else_control()
        if typ == I.END:
            return _Delimiter("end", self.expect("end", I.RIGHT_DELIM))
        if typ == I.IF:
            return self.if_control()
        if typ == I.RANGE:
            return self.branch_control(RangeNode, False, "range")
        if typ == I.TEMPLATE:
            return self.template_control()
        if typ == I.WITH:
            return self.branch_control(WithNode, False, "with")
        self.backup()
        token = self.peek()
        # Variables are not popped: they persist until "end".
        pipe = self.pipeline("command", I.RIGHT_DELIM)
        return ActionNode(token.pos, line=token.line, pipe=pipe)

    def loop_control(self, keyword: Item, word: str) -> Node:
        token = self.next_non_space()
        if token.typ != I.RIGHT_DELIM:
            self.unexpected(token, "{{" + word + "}}")
        if self.range_depth == 0:
            self.errorf("{{" + word + "}} outside {{range}}")
        if word == "break":
            return BreakNode(keyword.pos, line=keyword.line)
        return ContinueNode(keyword.pos, line=keyword.line)

    def pipeline(self, context: str, end: ItemType) -> PipeNode:
        """declarations? command ('|' command)*"""
        token = self.peek_non_space()
        pipe = PipeNode(token.pos, line=token.line)
        while True:         # Go's "goto decls" loop
            v = self.peek_non_space()
            if v.typ != I.VARIABLE:
                break
            self.next()
            # "$x foo" must not be read as a declaration: remember the token after the variable.
            token_after_variable = self.peek()
            nxt = self.peek_non_space()
            if nxt.typ in (I.ASSIGN, I.DECLARE):
                pipe.is_assign = nxt.typ == I.ASSIGN
                self.next_non_space()
                pipe.decl.append(self._variable(v.pos, v.val))
                self.vars.append(v.val)
            elif nxt.typ == I.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(self._variable(v.pos, v.val))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (I.VARIABLE, I.RIGHT_DELIM, I.RIGHT_PAREN):
                        continue        # the second variable of a range
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            elif token_after_variable.typ == I.SPACE:
                self.backup3(v, token_after_variable)
            else:
                self.backup2(v)
            break
        while True:
            token = self.next_non_space()
            if token.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if token.typ in _OPERAND_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(token, context)

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def parse_control(self, allow_else_if: bool, context: str
                      ) -> tuple[int, int, PipeNode, ListNode, ListNode | None]:
        n_vars = len(self.vars)
        try:
            pipe = self.pipeline(context, I.RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list: ListNode | None = None
            if _is(nxt, "else"):
                # {{if a}}_{{else if b}}_{{end}} is {{if a}}_{{else}}{{if b}}_{{end}}{{end}}.
                if allow_else_if and self.peek().typ == I.IF:
                    self.next()
                    else_list = ListNode(nxt.pos, [self.if_control()])
                else:
                    else_list, nxt = self.item_list()
                    if not _is(nxt, "end"):
                        self.errorf(f"expected end; found {nxt}")
            return pipe.pos, pipe.line, pipe, body, else_list
        finally:
            del self.vars[n_vars:]

    def if_control(self) -> Node:
        return self.branch_control(IfNode, True, "if")

    def branch_control(self, cls: type[BranchNode], allow_else_if: bool, context: str) -> Node:
        pos, line, pipe, body, else_list = self.parse_control(allow_else_if, context)
        return cls(pos, line=line, pipe=pipe, list=body, else_list=else_list)

    def else_control(self) -> Node:
        peek = self.peek_non_space()
        if peek.typ == I.IF:
            # "{{else if ...": in effect {{else}}{{if ...; the "if" stays pending.
            return _Delimiter("else", peek)
        return _Delimiter("else", self.expect("else", I.RIGHT_DELIM))

    def block_control(self) -> Node:
        """{{block "name" pipeline}} itemList {{end}}: define the template and call it."""
        context = "block clause"
        token = self.next_non_space()
        name = self.parse_template_name(token, context)
        pipe = self.pipeline(context, I.RIGHT_DELIM)
        block = self._sub(name)
        block.root, end = block.item_list()
        if not _is(end, "end"):
            self.errorf(f"unexpected {end} in {context}")
        block.add()
        return TemplateNode(token.pos, line=token.line, name=name, pipe=pipe)

    def template_control(self) -> Node:
        context = "template clause"
        token = self.next_non_space()
        name = self.parse_template_name(token, context)
        pipe: PipeNode | None = None
        if self.next_non_space().typ != I.RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, I.RIGHT_DELIM)
        return TemplateNode(token.pos, line=token.line, name=name, pipe=pipe)

    def parse_template_name(self, token: Item, context: str) -> str:
        if token.typ in (I.STRING, I.RAW_STRING):
            return self._unquote(token.val)
        self.unexpected(token, context)

    def command(self) -> CommandNode:
        """operand (space operand)*, up to a pipe (consumed) or a right delimiter/paren."""
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.typ == I.SPACE:
                continue
            if token.typ in (I.RIGHT_DELIM, I.RIGHT_PAREN):
                self.backup()
            elif token.typ != I.PIPE:
                self.unexpected(token, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        """term .Field*"""
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == I.FIELD:
            chain = ChainNode(self.peek().pos, node=node)
            while self.peek().typ == I.FIELD:
                chain.fields.append(self.next().val[1:])
            # Fields on a field or variable extend it; a chain stays only after other terms.
            if isinstance(node, FieldNode):
                return FieldNode(chain.pos, ident=str(chain)[1:].split("."))
            if isinstance(node, VariableNode):
                return self._variable(chain.pos, str(chain))
            if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
                self.errorf(f"unexpected . after term {quote(str(node))}")
            return chain
        return node

    def term(self) -> Node | None:
        token = self.next_non_space()
        typ = token.typ
        if typ == I.IDENTIFIER:
            if token.val not in self.funcs:
                self.errorf(f"function {quote(token.val)} not defined")
            return IdentifierNode(token.pos, ident=token.val)
        if typ == I.DOT:
            return DotNode(token.pos)
        if typ == I.NIL:
            return NilNode(token.pos)
        if typ == I.VARIABLE:
            return self.use_var(token.pos, token.val)
        if typ == I.FIELD:
            return FieldNode(token.pos, ident=token.val[1:].split("."))
        if typ == I.BOOL:
            return BoolNode(token.pos, value=token.val == "true")
        if typ in (I.CHAR_CONSTANT, I.COMPLEX, I.NUMBER):
            number = NumberNode(token.pos, text=token.val)
            try:
                if typ == I.COMPLEX:
                    fill_complex(number)
                else:
                    fill_number(number, typ == I.CHAR_CONSTANT)
            except GoSyntaxError as err:
                self.errorf(str(err))
            return number
        if typ == I.LEFT_PAREN:
            return self.pipeline("parenthesized pipeline", I.RIGHT_PAREN)
        if typ in (I.STRING, I.RAW_STRING):
            return StringNode(token.pos, quoted=token.val, text=self._unquote(token.val))
        self.backup()
        return None

    def use_var(self, pos: int, name: str) -> VariableNode:
        v = self._variable(pos, name)
        if v.ident[0] not in self.vars:
            self.errorf(f"undefined variable {quote(v.ident[0])}")
        return v

    @staticmethod
    def _variable(pos: int, name: str) -> VariableNode:
        return VariableNode(pos, ident=name.split("."))

    def _unquote(self, quoted: str) -> str:
        try:
            return unquote(quoted)
        except GoSyntaxError as err:
            self.errorf(str(err))
