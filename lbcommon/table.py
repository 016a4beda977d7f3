"""Plain-text tables for the `status` commands."""
from __future__ import annotations

from typing import Sequence


def table(lines: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns two spaces apart; the last column is not padded."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]) - 1)]
    rendered = []
    for line in lines:
        cells = [cell.ljust(width) for cell, width in zip(line[:-1], widths, strict=True)]
        rendered.append("  ".join([*cells, line[-1]]).rstrip())
    return "\n".join(rendered)


def escaped(text: str) -> str:
    """Control characters escaped (``\\n``, ``\\x1b``...), so that one value stays one row or line."""
    return text.translate(_ESCAPES)


_ESCAPES = {i: f"\\x{i:02x}" for i in range(32)} | {9: "\\t", 10: "\\n", 13: "\\r", 127: "\\x7f"}


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed: one table cell, one log line."""
    return " ".join(text.split())
