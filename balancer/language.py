"""Which language a template is written in: Go's text/template (confd's) or Jinja2.

The rule, deterministic and in this order (README, "Go templates: migrating from confd"):

1. ``engine = "go"`` or ``"jinja2"`` in the resource's ``[template]`` (``check-template
   --engine``) decides; only that parser runs.
2. A text without ``{{`` holds no Go action.  Without ``{%`` and ``{#`` either it is plain
   text: both engines give the same bytes (rendered by Jinja2, as before Go templates
   existed).  With them it is Jinja2: Go would copy its tags to the output as they are, and
   Jinja2's own syntax error is the useful one.
3. Otherwise both parsers read it.  Exactly one accepts it: that one.  Neither: an error
   naming the file with both parsers' first errors.  Both: ambiguous, an error asking for
   ``engine``.  (Go's parser rejects an unknown function name, so ``{{ getv("/a") }}`` is
   not Go and ``{{getv "/a"}}`` is not Jinja2: real templates are never ambiguous.)
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import jinja2

import gotemplate
from balancer.errors import TemplateError
from balancer.gofuncs import confd_functions
from balancer.resource import ENGINES

GO, JINJA2 = ENGINES
NAMES = {GO: "Go", JINJA2: "Jinja2"}

_LOCATION = r":(?P<line>\d+)(?::(?P<col>\d+))?: "


@dataclass(frozen=True)
class Language:
    """The decision for one template text."""

    engine: str                                   # GO or JINJA2
    reason: str                                   # why, for the log and check-template
    go: gotemplate.Template | None = None         # the parsed template when engine is GO

    @property
    def name(self) -> str:
        return NAMES[self.engine]


def decide(src: Path, text: str, jinja: jinja2.Environment, engine: str | None = None,
           hint: str = 'set engine = "go" or engine = "jinja2" in the resource\'s [template]') -> Language:
    """The language of ``text`` (the template file ``src``) by the rule above; TemplateError
    (one line naming the file) when it is not a valid template or cannot be decided.  ``hint``
    tells the operator how to force an engine."""
    if engine == GO:
        return Language(GO, "engine = \"go\"", parse_go(src, text))
    if engine == JINJA2:
        parse_jinja2(src, text, jinja)
        return Language(JINJA2, "engine = \"jinja2\"")
    if engine is not None:
        raise TemplateError(f"{src}: unknown engine {engine!r} (expected \"go\" or \"jinja2\")")
    if "{{" not in text:
        if "{%" not in text and "{#" not in text:
            return Language(JINJA2, "plain text: no {{, {% or {#, the same bytes in either language")
        parse_jinja2(src, text, jinja)
        return Language(JINJA2, "{% or {# and no {{ (Go would copy the tags as they are)")
    go_error = jinja_error = None
    parsed: gotemplate.Template | None = None
    try:
        parsed = parse_go(src, text)
    except TemplateError as exc:
        go_error = str(exc)
    try:
        parse_jinja2(src, text, jinja)
    except TemplateError as exc:
        jinja_error = str(exc)
    if go_error is None and jinja_error is None:
        raise TemplateError(f"{src}: ambiguous: both Go and Jinja2 parse this template, and they render it "
                            f"differently; {hint}")
    if go_error is not None and jinja_error is not None:
        raise TemplateError(f"{src}: neither a Go template ({go_error}) nor a Jinja2 template ({jinja_error})")
    if parsed is not None:
        return Language(GO, f"only Go parses it; Jinja2 says {jinja_error}", parsed)
    return Language(JINJA2, f"only Jinja2 parses it; Go says {go_error}")


def parse_go(src: Path, text: str) -> gotemplate.Template:
    """Parse with Go's rules, named by the file's base name as confd does; TemplateError
    ``SRC:LINE: MESSAGE`` (Go's message) when Go rejects it."""
    try:
        return gotemplate.Template.parse(src.name, text, go_function_names())
    except gotemplate.TemplateError as exc:
        raise TemplateError(go_error_line(src, exc)) from None
    except Exception as exc:  # noqa: BLE001 - a parser failure (deep nesting...) is a rejection too
        raise TemplateError(f"{src}: Go's parser failed: {type(exc).__name__}: {_one_line(exc)}") from None


def parse_jinja2(src: Path, text: str, jinja: jinja2.Environment) -> None:
    """Compile with Jinja2 (what loading it would do); TemplateError ``SRC:LINE: template syntax
    error: MESSAGE`` when Jinja2 rejects it."""
    try:
        jinja.compile(text, src.name, str(src))
    except jinja2.TemplateSyntaxError as exc:
        message = " ".join(str(exc.message).splitlines())
        raise TemplateError(f"{src}:{exc.lineno}: template syntax error: {message}") from None
    except Exception as exc:  # noqa: BLE001 - a parser failure (deep nesting...) is a rejection too
        raise TemplateError(f"{src}: Jinja2's parser failed: {type(exc).__name__}: {_one_line(exc)}") from None


def go_error_line(src: Path, exc: gotemplate.TemplateError) -> str:
    """Go's message as one line, its ``template: NAME:LINE:COL: `` replaced by ``SRC:LINE:COL: ``."""
    message = _one_line(exc)
    found = re.match(f"template: {re.escape(src.name)}{_LOCATION}", message) or re.match(
        rf"template: \S+?{_LOCATION}", message)
    if found is not None:
        col = f":{found['col']}" if found["col"] else ""
        return f"{src}:{found['line']}{col}: {message[found.end():]}"
    for prefix in (f"template: {src.name}: ", "template: "):
        if message.startswith(prefix):
            return f"{src}: {message[len(prefix):]}"
    return f"{src}: {message}"


@functools.cache
def go_function_names() -> dict[str, Callable[..., Any]]:
    """The functions a Go template may name (for parsing; each render passes its own): confd's,
    with Go semantics, and ours (routing)."""
    return {**confd_functions({}), "routing": _unset}


def _unset(*args: Any) -> Any:
    raise TemplateError("routing() outside a render")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).splitlines())
