"""--exec: the balancer as the container's init, running the service (nginx) as its child."""
from __future__ import annotations

import logging
import signal
import subprocess
import threading

from balancer.errors import ChildError

log = logging.getLogger(__name__)

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)


class Child:
    """A child process whose exit wakes the main loop."""

    def __init__(self, argv: tuple[str, ...], wake: threading.Event) -> None:
        self.argv = argv
        self._wake = wake
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log.info("exec: starting %s", " ".join(self.argv))
        try:
            self._proc = subprocess.Popen(self.argv)
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
