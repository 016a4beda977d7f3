"""Go's `path` package (Match, Clean, Base, Dir), ported for confd-compatible templates."""
from __future__ import annotations

__all__ = ["BAD_PATTERN", "go_base", "go_clean", "go_dir", "path_match"]

BAD_PATTERN = "syntax error in pattern"  # Go's path.ErrBadPattern text


def path_match(pattern: str, name: str) -> bool:
    """Go's ``path.Match``: ``*``/``?`` never match ``/``; ValueError on a bad pattern."""
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return "/" not in name  # a trailing * eats the rest unless it has a /
        rest = _match_chunk(chunk, name)
        # The last chunk must use up the name; if it does not, a later start
        # reached through the star may still match.
        if rest is not None and (not rest or pattern):
            name = rest
            continue
        rest = _skip_to_match(chunk, pattern, name) if star else None
        if rest is not None:
            name = rest
            continue
        while pattern:  # like Go, check the remaining syntax before saying no
            _, chunk, pattern = _scan_chunk(pattern)
            _match_chunk(chunk, "")
        return False
    return not name


def _skip_to_match(chunk: str, pattern: str, name: str) -> str | None:
    """Let a star eat 1..n non-/ characters until ``chunk`` matches; the rest of name."""
    for i, char in enumerate(name):
        if char == "/":
            break
        rest = _match_chunk(chunk, name[i + 1 :])
        if rest is not None and (pattern or not rest):
            return rest
    return None


def _scan_chunk(pattern: str) -> tuple[bool, str, str]:
    """Split off leading stars and the star-free chunk after them."""
    stripped = pattern.lstrip("*")
    in_class = False
    i = 0
    while i < len(stripped):
        char = stripped[i]
        if char == "\\":
            i += 1  # skip the escaped character; matchChunk reports a lone "\"
        elif char in "[]":
            in_class = char == "["
        elif char == "*" and not in_class:
            break
        i += 1
    i = min(i, len(stripped))
    return len(stripped) != len(pattern), stripped[:i], stripped[i:]


def _match_chunk(chunk: str, s: str) -> str | None:
    """Match ``chunk`` at the start of ``s``: the unmatched rest, or None.

    Keeps parsing after a mismatch, as Go does, so bad syntax always raises.
    """
    failed = False
    while chunk:
        failed = failed or not s
        head = chunk[0]
        if head == "[":
            matched, chunk = _match_class(chunk[1:], "" if failed else s[0])
        elif head == "?":
            matched, chunk = failed or s[0] != "/", chunk[1:]
        else:
            if head == "\\":
                chunk = chunk[1:]
                if not chunk:
                    raise ValueError(BAD_PATTERN)
            matched, chunk = failed or chunk[0] == s[0], chunk[1:]
        failed = failed or not matched
        s = s if failed else s[1:]
    return None if failed else s


def _match_class(chunk: str, char: str) -> tuple[bool, str]:
    """Match ``char`` against the class after ``[``: (matched, rest of chunk)."""
    negated = chunk.startswith("^")
    chunk = chunk[1:] if negated else chunk
    matched, ranges = False, 0
    while not (chunk.startswith("]") and ranges > 0):
        lo, chunk = _class_char(chunk)
        hi = lo
        if chunk[0] == "-":
            hi, chunk = _class_char(chunk[1:])
        matched = matched or (char != "" and lo <= char <= hi)
        ranges += 1
    return matched != negated, chunk[1:]


def _class_char(chunk: str) -> tuple[str, str]:
    """Go's getEsc: one (possibly escaped) class character; the class must go on."""
    start = 1 if chunk.startswith("\\") else 0
    if not chunk or chunk[0] in "-]" or len(chunk) < start + 2:
        raise ValueError(BAD_PATTERN)
    return chunk[start], chunk[start + 1 :]


def go_clean(path: str) -> str:
    """Go's ``path.Clean``."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append(part)
        elif part not in ("", "."):
            parts.append(part)
    joined = "/".join(parts)
    return "/" + joined if rooted else joined or "."


def go_base(path: str) -> str:
    """Go's ``path.Base``."""
    stripped = path.rstrip("/")
    return stripped.rpartition("/")[2] if stripped else ("/" if path else ".")


def go_dir(path: str) -> str:
    """Go's ``path.Dir``."""
    return go_clean(path[: path.rfind("/") + 1])
