"""Go's text/template (Go 1.19) in Python, byte for byte: see DESIGN.md.

    template = Template.parse("nginx.tmpl", text, {"getv": getv})
    output = template.execute(None)
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from gotemplate.errors import ExecError, ParseError, TemplateError

if TYPE_CHECKING:
    from gotemplate.compile import Compiled

__all__ = ["ExecError", "ParseError", "Template", "TemplateError"]


class Template:
    """A parsed template set (the named template and every ``define``/``block`` in it)."""

    def __init__(self, name: str, trees: Mapping[str, Any], funcs: Mapping[str, Callable[..., Any]]) -> None:
        self.name = name
        self.trees = dict(trees)
        self.funcs = dict(funcs)
        self._compiled: Compiled | None = None     # made at the first execute

    @classmethod
    def parse(cls, name: str, text: str, funcs: Mapping[str, Callable[..., Any]]) -> Template:
        """Parse ``text``; ParseError (Go's message) when it is not a valid template."""
        from gotemplate.builtins import BUILTINS
        from gotemplate.parser import parse
        from gotemplate.state import EXEC_BUILTINS
        names = set(BUILTINS) | set(EXEC_BUILTINS) | set(funcs)
        return cls(name, parse(name, text, names), funcs)

    def execute(self, data: Any = None, funcs: Mapping[str, Callable[..., Any]] | None = None) -> str:
        """Run the template on ``data`` (confd passes nil) with ``funcs`` (default: those given to
        parse; a template parsed once can run with fresh functions each render, as long as the
        names are the same); ExecError with Go's message.  The template set is compiled to
        Python once (gotemplate.compile) and the compiled form runs every time."""
        if self._compiled is None:
            from gotemplate.compile import Compiled
            self._compiled = Compiled(self.trees, self.name)
        return self._compiled.execute(self.name, data, self.funcs if funcs is None else funcs)
