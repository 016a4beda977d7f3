"""Our own CLIs (``python -m balancer|sidekick run``) as real processes."""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from .base import ManagedProcess, wait_for


class CliProcess(ManagedProcess):
    """`python -m <module> run ARGS` (the balancer or the sidekick), output in a log file."""

    def __init__(self, module: str, log_path: Path) -> None:
        super().__init__(log_path)
        self.module = module
        self.name = module

    def start(self, *args: str, env: dict[str, str] | None = None) -> "CliProcess":
        import sys
        self._spawn([sys.executable, "-m", self.module, "run", *args], env={**os.environ, **(env or {})})
        return self

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def count(self, text: str) -> int:
        return self.output().count(text)

    def wait_output(self, text: str, count: int = 1, timeout: float = 15.0) -> None:
        wait_for(lambda: self.count(text) >= count, timeout=timeout, ignore=(),
                 message=f"{count}x {text!r} in the {self.module}'s output")

    def send(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float = 15.0) -> int:
        assert self.proc is not None
        status = self.proc.wait(timeout)
        self._finish()
        return status

    def terminate(self) -> None:
        """SIGTERM and wait; SIGKILL the group if it does not exit (teardown)."""
        if self.running():
            self.send(signal.SIGTERM)
            try:
                self.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
