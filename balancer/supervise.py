"""--exec: the balancer as the container's init, running the service (nginx) as its child."""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import threading
from typing import Callable

from balancer.errors import ChildError

log = logging.getLogger(__name__)

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)
PR_SET_PDEATHSIG = 1

_prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)


def dies_with_parent(signum: int) -> Callable[[], None]:
    """A preexec_fn: the kernel sends `signum` to the child when the balancer dies, even by
    SIGKILL, so the service never outlives its supervisor as an orphan nobody updates."""
    parent = os.getpid()
    prctl = _prctl
    assert prctl is not None

    def preexec() -> None:
        if prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
        if os.getppid() != parent:   # the balancer died before prctl took effect
            os.kill(os.getpid(), signum)
    return preexec


class Child:
    """A child process whose exit wakes the main loop; it gets `death_signal` if we die."""

    def __init__(self, argv: tuple[str, ...], wake: threading.Event,
                 death_signal: int = signal.SIGTERM) -> None:
        self.argv = argv
        self.death_signal = death_signal
        self._wake = wake
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log.info("exec: starting %s (%s if the balancer dies)", " ".join(self.argv),
                 signal.Signals(self.death_signal).name)
        preexec = dies_with_parent(self.death_signal) if _prctl is not None else None
        try:
            self._proc = subprocess.Popen(self.argv, preexec_fn=preexec)
        except OSError as exc:
            raise ChildError(f"exec: cannot start {self.argv[0]}: {exc.strerror}") from None
        except subprocess.SubprocessError as exc:   # the preexec_fn failed
            raise ChildError(f"exec: cannot start {self.argv[0]}: {exc}") from None
        threading.Thread(target=self._reap, name="child-wait", daemon=True).start()

    def _reap(self) -> None:
        assert self._proc
        self._proc.wait()
        self._wake.set()

    @property
    def started(self) -> bool:
        return self._proc is not None

    @property
    def exit_status(self) -> int | None:
        """The child's status as a shell reports it (128 + signal), or None while it runs."""
        if self._proc is None or self._proc.returncode is None:
            return None
        code = self._proc.returncode
        return 128 - code if code < 0 else code

    def forward(self, signum: int) -> None:
        if self._proc is not None and self._proc.returncode is None:
            log.info("exec: forwarding %s to pid %d", signal.Signals(signum).name, self._proc.pid)
            self._proc.send_signal(signum)
