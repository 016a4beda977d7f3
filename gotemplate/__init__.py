"""Go's text/template (Go 1.19) in Python, byte for byte: see DESIGN.md.

    template = Template.parse("nginx.tmpl", text, {"getv": getv})
    output = template.execute(None)
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from gotemplate.errors import ExecError, ParseError, TemplateError

__all__ = ["ExecError", "ParseError", "Template", "TemplateError"]


class Template:
    """A parsed template set (the named template and every ``define``/``block`` in it)."""

    def __init__(self, name: str, trees: Mapping[str, Any], funcs: Mapping[str, Callable[..., Any]]) -> None:
        self.name = name
        self.trees = dict(trees)
        self.funcs = dict(funcs)

    @classmethod
    def parse(cls, name: str, text: str, funcs: Mapping[str, Callable[..., Any]]) -> Template:
        """Parse ``text``; ParseError (Go's message) when it is not a valid template."""
        from gotemplate.builtins import BUILTINS
        from gotemplate.parser import parse
        from gotemplate.exec import EXEC_BUILTINS
        names = set(BUILTINS) | set(EXEC_BUILTINS) | set(funcs)
        return cls(name, parse(name, text, names), funcs)

    def execute(self, data: Any = None, funcs: Mapping[str, Callable[..., Any]] | None = None) -> str:
        """Run the template on ``data`` (confd passes nil) with ``funcs`` (default: those given to
        parse; a template parsed once can run with fresh functions each render, as long as the
        names are the same); ExecError with Go's message."""
        from gotemplate.exec import execute
        return execute(self.trees, self.name, data, self.funcs if funcs is None else funcs)
