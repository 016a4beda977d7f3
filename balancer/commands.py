"""check_cmd and reload_cmd: run through /bin/sh with a timeout, output logged."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass

from balancer.errors import CommandError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandResult:
    output: str
    seconds: float


def run_command(what: str, command: str, timeout: float) -> CommandResult:
    """Run `command`; CommandError names `what` and the command when it fails or times out."""
    started = time.monotonic()
    try:
        proc = subprocess.Popen(["/bin/sh", "-c", command], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
    except OSError as exc:
        raise CommandError(f"{what} `{command}` could not start: {exc}") from None
    try:
        raw, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        raise CommandError(f"{what} `{command}` timed out after {timeout:g}s and was killed") from None
    seconds = time.monotonic() - started
    output = raw.decode("utf-8", "replace").strip()
    summary = " | ".join(output.splitlines())
    if proc.returncode != 0:
        reason = f"exited with status {proc.returncode}" if proc.returncode > 0 \
            else f"killed by signal {-proc.returncode}"
        raise CommandError(f"{what} `{command}` {reason}: {summary or 'no output'}")
    log.info("%s `%s` ok in %.0f ms%s", what, command, seconds * 1000,
             f": {summary}" if summary else "")
    return CommandResult(output, seconds)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
