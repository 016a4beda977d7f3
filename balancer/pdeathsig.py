"""`python -m balancer.pdeathsig SIGNUM PARENT -- COMMAND...`: exec COMMAND so that the kernel
sends it SIGNUM when PARENT (the balancer) dies, even by SIGKILL.

The balancer starts its --exec child through this small single-threaded process instead of a
subprocess preexec_fn: running Python code between fork() and exec() of the multi-threaded
balancer runs the at-fork handlers of gRPC, which now and then aborted the child (SIGABRT).

The signals the balancer sends its child (the death signal and the forwarded TERM, INT, QUIT,
HUP) get their default disposition before the exec.  An ignored signal is inherited across
exec, and a shell cannot even trap a signal that was ignored when it started: a balancer
started as a background job (SIGINT and SIGQUIT ignored) would otherwise leave a child that
never sees the QUIT it is sent.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
DELIVERED = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP)


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[2] != "--":
        print("usage: python -m balancer.pdeathsig SIGNUM PARENT -- COMMAND...", file=sys.stderr)
        return 2
    signum, parent, command = int(argv[0]), int(argv[1]), argv[3:]
    prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)
    if prctl is not None and prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        print(f"exec: prctl(PR_SET_PDEATHSIG): {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        return 126
    if os.getppid() != parent:          # the balancer died before prctl took effect
        return 128 + signum
    for delivered in {*DELIVERED, signal.Signals(signum)}:
        signal.signal(delivered, signal.SIG_DFL)
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        print(f"exec: cannot start {command[0]}: {exc.strerror}", file=sys.stderr)
    return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
