"""The balancer's settings, built by the CLI and passed to run()."""
from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path

from lbcommon.etcd import Credentials, Endpoint


@dataclass(frozen=True)
class Config:
    confdir: Path
    endpoints: tuple[Endpoint, ...]
    credentials: Credentials = Credentials()
    prefix: str = ""
    interval: float | None = None          # polling period; None = watch mode
    onetime: bool = False
    noop: bool = False
    exec_command: tuple[str, ...] = ()     # --exec: the supervised child (argv)
    exec_death_signal: int = signal.SIGTERM  # what the child gets if the balancer dies
    debounce_quiet: float = 0.1
    debounce_limit: float = 1.0
    resync_interval: float = 60.0
    confdir_poll: float = 2.0              # look for conf.d/template changes; 0 = SIGHUP only
    etcd_timeout: float = 5.0
    retry_max: float = 30.0                # cap for retry backoff after failures
    metrics_addr: tuple[str, int] | None = None

    @property
    def mode(self) -> str:
        if self.onetime:
            return "onetime"
        return "interval" if self.interval else "watch"
