"""What a sync killed half-way leaves behind, and putting it right before the next one.

A sync stages `.<dest>.<random>.staged`, links it as `.<dest>.<random>.incoming`, swaps that
in and keeps the file it replaced as `.<dest>.<pid>.previous` until check_cmd and reload_cmd
have passed.  Killed in between (SIGKILL, a crash, a power cut), it leaves an unchecked file in
place with the previous one beside it; after a restart the destination would equal the render
and never be checked.  So at start the previous file is put back (the destination is then
rendered, checked and reloaded like any change) and the staged and incoming files go.  Files
of a live process other than this one are left alone: only one balancer may own a destination.
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path

log = logging.getLogger(__name__)


def leftovers(dest: Path) -> tuple[list[Path], list[Path]]:
    """(previous copies, staged/incoming files) of our own naming beside `dest`."""
    pattern = re.compile(rf"\.{re.escape(dest.name)}\.(?:(\d+)\.previous|[^/]+\.(?:staged|incoming))")
    previous, staged = [], []
    try:
        names = os.listdir(dest.parent)
    except OSError:
        return [], []
    for name in sorted(names):
        match = pattern.fullmatch(name)
        if match is None:
            continue
        if match.group(1) is None:
            staged.append(dest.parent / name)
        elif not _other_live_process(int(match.group(1))):
            previous.append(dest.parent / name)
    return previous, staged


def recover(dest: Path, noop: bool = False) -> None:
    """Put back a previous copy left by a killed sync and remove staged files; with `noop`,
    only say what was found."""
    previous, staged = leftovers(dest)
    if not previous and not staged:
        return
    if noop:
        log.warning("%s: left over by a sync that was killed: %s; not touched in --noop", dest,
                    ", ".join(p.name for p in previous + staged))
        return
    if previous:
        newest = max(previous, key=lambda p: p.stat().st_mtime_ns)
        try:
            os.replace(newest, dest)
        except OSError as exc:
            log.error("%s: cannot put back %s left by a killed sync: %s", dest, newest.name, exc.strerror)
        else:
            log.warning("%s: a sync was killed before its check and reload finished; put back the previous "
                        "file %s (the new one was never verified); it will be rendered and checked again",
                        dest, newest.name)
        staged += [p for p in previous if p != newest]
    for path in staged:
        try:
            path.unlink()
            log.info("%s: removed %s left by a killed sync", dest, path.name)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("%s: cannot remove %s: %s", dest, path.name, exc.strerror)


def _other_live_process(pid: int) -> bool:
    return pid != os.getpid() and Path(f"/proc/{pid}").exists()
