"""The template lexer: a port of Go 1.19's text/template/parse/lex.go (BSD-licensed, Copyright
The Go Authors), state function for state function.

Only the default delimiters ``{{`` and ``}}`` are supported.  Positions are offsets in
characters (Go counts bytes); lines are 1-based.  ``break`` and ``continue`` are always
keywords, as in text/template (which never passes functions to the lexer's check).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Optional

from .items import KEYWORDS, Item, ItemType
from .literals import quote, quote_rune_u

__all__ = ["Lexer", "Item", "ItemType"]


EOF = ""                 # what next() returns at the end of the input
LEFT_DELIM = "{{"
RIGHT_DELIM = "}}"
LEFT_COMMENT = "/*"
RIGHT_COMMENT = "*/"
SPACE_CHARS = " \t\r\n"
TRIM_MARKER_LEN = 2      # marker plus the space before or after it

StateFn = Callable[[], Optional["StateFn"]]


def is_space(r: str) -> bool:
    return r == " " or r == "\t" or r == "\r" or r == "\n"


def is_alphanumeric(r: str) -> bool:
    """Go's isAlphaNumeric: '_', a Unicode letter or a decimal digit."""
    return r == "_" or (r != EOF and (r.isalpha() or r.isdecimal()))


def has_left_trim_marker(s: str) -> bool:
    return len(s) >= 2 and s[0] == "-" and is_space(s[1])


def has_right_trim_marker(s: str) -> bool:
    return len(s) >= 2 and is_space(s[0]) and s[1] == "-"


class Lexer:
    """Produces Items on demand (Go runs this in a goroutine feeding a channel)."""

    def __init__(self, name: str, text: str, emit_comment: bool = False) -> None:
        self.name = name
        self.input = text
        self.emit_comment = emit_comment
        self.pos = 0
        self.start = 0
        self.at_eof = False
        self.paren_depth = 0
        self.line = 1
        self.start_line = 1
        self.items: deque[Item] = deque()
        self.state: StateFn | None = self.lex_text

    def next_item(self) -> Item:
        while not self.items and self.state is not None:
            self.state = self.state()
        if self.items:
            return self.items.popleft()
        return Item(ItemType.ERROR, 0, "", 0)     # Go: receive from the closed channel

    # -- scanning primitives ------------------------------------------------------------------

    def next(self) -> str:
        if self.pos >= len(self.input):
            self.at_eof = True
            return EOF
        r = self.input[self.pos]
        self.pos += 1
        if r == "\n":
            self.line += 1
        return r

    def peek(self) -> str:
        r = self.next()
        self.backup()
        return r

    def backup(self) -> None:
        if not self.at_eof and self.pos > 0:
            self.pos -= 1
            if self.input[self.pos] == "\n":
                self.line -= 1

    def emit(self, typ: ItemType) -> None:
        self.items.append(Item(typ, self.start, self.input[self.start:self.pos], self.start_line))
        self.start = self.pos
        self.start_line = self.line

    def ignore(self) -> None:
        self.line += self.input.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def accept(self, valid: str) -> bool:
        r = self.next()
        if r != EOF and r in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str) -> None:
        while True:
            r = self.next()
            if r == EOF or r not in valid:
                break
        self.backup()

    def errorf(self, message: str) -> StateFn | None:
        self.items.append(Item(ItemType.ERROR, self.start, message, self.start_line))
        return None

    def at_right_delim(self) -> tuple[bool, bool]:
        """(at a right delimiter, it has a trim marker)."""
        if has_right_trim_marker(self.input[self.pos:self.pos + 2]) and \
                self.input.startswith(RIGHT_DELIM, self.pos + TRIM_MARKER_LEN):
            return True, True
        if self.input.startswith(RIGHT_DELIM, self.pos):
            return True, False
        return False, False

    def at_terminator(self) -> bool:
        """Can an identifier end here?  Breaks .X.Y into two pieces."""
        r = self.peek()
        if is_space(r) or r == EOF or r in ".,|:)(":
            return True
        return self.input.startswith(RIGHT_DELIM, self.pos)

    # -- state functions ----------------------------------------------------------------------

    def lex_text(self) -> StateFn | None:
        x = self.input.find(LEFT_DELIM, self.pos)
        if x >= 0:
            self.pos = x
            trim_length = 0
            if has_left_trim_marker(self.input[x + 2:x + 4]):
                before = self.input[self.start:self.pos]
                trim_length = len(before) - len(before.rstrip(SPACE_CHARS))
            self.pos -= trim_length
            if self.pos > self.start:
                self.line += self.input.count("\n", self.start, self.pos)
                self.emit(ItemType.TEXT)
            self.pos += trim_length
            self.ignore()
            return self.lex_left_delim
        self.pos = len(self.input)
        if self.pos > self.start:
            self.line += self.input.count("\n", self.start, self.pos)
            self.emit(ItemType.TEXT)
        self.emit(ItemType.EOF)
        return None

    def lex_left_delim(self) -> StateFn | None:
        self.pos += len(LEFT_DELIM)
        trim_space = has_left_trim_marker(self.input[self.pos:self.pos + 2])
        after_marker = TRIM_MARKER_LEN if trim_space else 0
        if self.input.startswith(LEFT_COMMENT, self.pos + after_marker):
            self.pos += after_marker
            self.ignore()
            return self.lex_comment
        self.emit(ItemType.LEFT_DELIM)
        self.pos += after_marker
        self.ignore()
        self.paren_depth = 0
        return self.lex_inside_action

    def lex_comment(self) -> StateFn | None:
        self.pos += len(LEFT_COMMENT)
        i = self.input.find(RIGHT_COMMENT, self.pos)
        if i < 0:
            return self.errorf("unclosed comment")
        self.pos = i + len(RIGHT_COMMENT)
        delim, trim_space = self.at_right_delim()
        if not delim:
            return self.errorf("comment ends before closing delimiter")
        if self.emit_comment:
            self.emit(ItemType.COMMENT)
        if trim_space:
            self.pos += TRIM_MARKER_LEN
        self.pos += len(RIGHT_DELIM)
        if trim_space:
            self.pos = self._after_spaces(self.pos)
        self.ignore()
        return self.lex_text

    def _after_spaces(self, pos: int) -> int:
        rest = self.input[pos:]
        return pos + len(rest) - len(rest.lstrip(SPACE_CHARS))

    def lex_right_delim(self) -> StateFn | None:
        trim_space = has_right_trim_marker(self.input[self.pos:self.pos + 2])
        if trim_space:
            self.pos += TRIM_MARKER_LEN
            self.ignore()
        self.pos += len(RIGHT_DELIM)
        self.emit(ItemType.RIGHT_DELIM)
        if trim_space:
            self.pos = self._after_spaces(self.pos)
            self.ignore()
        return self.lex_text

    def lex_inside_action(self) -> StateFn | None:
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            return self.errorf("unclosed left paren")
        r = self.next()
        if r == EOF:
            return self.errorf("unclosed action")
        if is_space(r):
            self.backup()           # put the space back in case we have " -}}"
            return self.lex_space
        if r == "=":
            self.emit(ItemType.ASSIGN)
        elif r == ":":
            if self.next() != "=":
                return self.errorf("expected :=")
            self.emit(ItemType.DECLARE)
        elif r == "|":
            self.emit(ItemType.PIPE)
        elif r == '"':
            return self.lex_quote
        elif r == "`":
            return self.lex_raw_quote
        elif r == "$":
            return self.lex_variable
        elif r == "'":
            return self.lex_char
        elif r == "." and self.pos < len(self.input) and not "0" <= self.input[self.pos] <= "9":
            return self.lex_field
        elif r in ".+-" or "0" <= r <= "9":      # '.' followed by a digit starts a number
            self.backup()
            return self.lex_number
        elif is_alphanumeric(r):
            self.backup()
            return self.lex_identifier
        elif r == "(":
            self.emit(ItemType.LEFT_PAREN)
            self.paren_depth += 1
        elif r == ")":
            self.emit(ItemType.RIGHT_PAREN)
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.errorf(f"unexpected right paren {quote_rune_u(r)}")
        elif r <= "\x7f" and r.isprintable():
            self.emit(ItemType.CHAR)
        else:
            return self.errorf(f"unrecognized character in action: {quote_rune_u(r)}")
        return self.lex_inside_action

    def lex_space(self) -> StateFn | None:
        num_spaces = 0
        while is_space(self.peek()):
            self.next()
            num_spaces += 1
        # A trim-marked closing delimiter starts with a space: leave that space for it.
        if has_right_trim_marker(self.input[self.pos - 1:self.pos + 1]) and \
                self.input.startswith(RIGHT_DELIM, self.pos - 1 + TRIM_MARKER_LEN):
            self.backup()
            if num_spaces == 1:
                return self.lex_right_delim
        self.emit(ItemType.SPACE)
        return self.lex_inside_action

    def lex_identifier(self) -> StateFn | None:
        while True:
            r = self.next()
            if is_alphanumeric(r):
                continue
            self.backup()
            word = self.input[self.start:self.pos]
            if not self.at_terminator():
                return self.errorf(f"bad character {quote_rune_u(r)}")
            keyword = KEYWORDS.get(word)
            if keyword is not None and keyword > ItemType.KEYWORD:
                self.emit(keyword)
            elif word[0] == ".":
                self.emit(ItemType.FIELD)
            elif word in ("true", "false"):
                self.emit(ItemType.BOOL)
            else:
                self.emit(ItemType.IDENTIFIER)
            return self.lex_inside_action

    def lex_field(self) -> StateFn | None:
        return self.lex_field_or_variable(ItemType.FIELD)

    def lex_variable(self) -> StateFn | None:
        if self.at_terminator():        # nothing interesting follows: "$"
            self.emit(ItemType.VARIABLE)
            return self.lex_inside_action
        return self.lex_field_or_variable(ItemType.VARIABLE)

    def lex_field_or_variable(self, typ: ItemType) -> StateFn | None:
        if self.at_terminator():        # nothing interesting follows: "." or "$"
            self.emit(ItemType.VARIABLE if typ == ItemType.VARIABLE else ItemType.DOT)
            return self.lex_inside_action
        while True:
            r = self.next()
            if not is_alphanumeric(r):
                self.backup()
                break
        if not self.at_terminator():
            return self.errorf(f"bad character {quote_rune_u(r)}")
        self.emit(typ)
        return self.lex_inside_action

    def _lex_quoted(self, quote_char: str, typ: ItemType, message: str) -> StateFn | None:
        while True:
            r = self.next()
            if r == "\\":
                r = self.next()
                if r != EOF and r != "\n":
                    continue
                return self.errorf(message)
            if r == EOF or r == "\n":
                return self.errorf(message)
            if r == quote_char:
                break
        self.emit(typ)
        return self.lex_inside_action

    def lex_char(self) -> StateFn | None:
        """A character constant; the parser checks its syntax."""
        return self._lex_quoted("'", ItemType.CHAR_CONSTANT, "unterminated character constant")

    def lex_quote(self) -> StateFn | None:
        return self._lex_quoted('"', ItemType.STRING, "unterminated quoted string")

    def lex_raw_quote(self) -> StateFn | None:
        while True:
            r = self.next()
            if r == EOF:
                return self.errorf("unterminated raw quoted string")
            if r == "`":
                break
        self.emit(ItemType.RAW_STRING)
        return self.lex_inside_action

    def lex_number(self) -> StateFn | None:
        """Decimal, octal, hex, binary, float or imaginary; strconv in the parser checks it."""
        if not self.scan_number():
            return self.errorf(f"bad number syntax: {quote(self.input[self.start:self.pos])}")
        sign = self.peek()
        if sign == "+" or sign == "-":
            # Complex: 1+2i. No spaces, must end in 'i'.
            if not self.scan_number() or self.input[self.pos - 1] != "i":
                return self.errorf(f"bad number syntax: {quote(self.input[self.start:self.pos])}")
            self.emit(ItemType.COMPLEX)
        else:
            self.emit(ItemType.NUMBER)
        return self.lex_inside_action

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 10 + 1 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 16 + 6 + 1 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if is_alphanumeric(self.peek()):
            self.next()
            return False
        return True
