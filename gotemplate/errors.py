"""The errors a Go template gives: one root, parse and exec below it.  ``str(exc)`` is Go's
``err.Error()`` text, e.g. ``template: nginx.tmpl:3: function "foo" not defined``."""
from __future__ import annotations


class TemplateError(Exception):
    """Root of every gotemplate error."""

    def __init__(self, message: str, name: str = "", line: int = 0, col: int = 0) -> None:
        super().__init__(message)
        self.name = name        # the template (file) name
        self.line = line        # 1-based, 0 when unknown
        self.col = col          # byte column as Go counts it, 0 when unknown or a parse error


class ParseError(TemplateError):
    """The template text is not a valid template."""


class ExecError(TemplateError):
    """Executing the template failed (a function error, a missing key, a bad argument)."""
