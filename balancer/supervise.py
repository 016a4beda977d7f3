"""--exec: the balancer as the container's init, running the service (nginx) as its child."""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading

from balancer.errors import ChildError

log = logging.getLogger(__name__)



class Child:
    """A child process whose exit wakes the main loop; it gets `death_signal` if we die."""

    def __init__(self, argv: tuple[str, ...], wake: threading.Event,
                 death_signal: int = signal.SIGTERM) -> None:
        self.argv = argv
        self.death_signal = death_signal
        self._wake = wake
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the child through balancer.pdeathsig (which sets the death signal and execs
        it: same pid).  A command that cannot be found is an error here, before any fork."""
        if shutil.which(self.argv[0]) is None:
            raise ChildError(f"exec: cannot start {self.argv[0]}: not found or not executable")
        log.info("exec: starting %s (%s if the balancer dies)", " ".join(self.argv),
                 signal.Signals(self.death_signal).name)
        wrapper = (sys.executable, "-m", "balancer.pdeathsig", str(int(self.death_signal)), str(os.getpid()), "--")
        try:
            self._proc = subprocess.Popen((*wrapper, *self.argv))
        except OSError as exc:
            raise ChildError(f"exec: cannot start {self.argv[0]}: {exc.strerror}") from None
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
