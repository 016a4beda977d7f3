"""`balancer check-template FILE`: which language a template is written in, and why, or its
first error (FILE:LINE[:COL]: ...).  Parses only: no etcd, nothing rendered."""
from __future__ import annotations

from pathlib import Path

import jinja2

from balancer.errors import TemplateError
from balancer.language import decide
from balancer.render import environment


def check_template(path: Path, engine: str | None = None) -> tuple[bool, str]:
    """(True, "FILE: Go template (why)") or (False, the first error as one line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return False, f"{path}: cannot read template: {exc}"
    jinja = environment(jinja2.FileSystemLoader(path.parent))
    try:
        found = decide(path, text, jinja, engine, hint="pass --engine go or --engine jinja2")
    except TemplateError as exc:
        return False, str(exc)
    return True, f"{path}: {found.name} template ({found.reason})"
