"""A real nginx master for the tests, under its own prefix, with reload helpers."""
from __future__ import annotations

import shlex
import signal
import subprocess
import time
from pathlib import Path

from .base import LOOPBACK, ManagedProcess, free_port, http_get, ppid_of, tail, wait_for, which


class Nginx(ManagedProcess):
    """An nginx master in the foreground with everything under its own ``prefix``.

    The main config has no server block: tests render theirs into ``conf_d`` and listen on
    ``port`` (reserved for them).
    """

    name = "nginx"

    # The tutorial's log format.  Not defined in the main config by default: like Debian's
    # stock nginx.conf, because the shipped template defines it itself (a second
    # definition is a hard "duplicate log_format" error).
    UPSTREAMLOG = (
        "log_format upstreamlog '[$time_local] $remote_addr passed to: $upstream_addr: "
        "$request Upstream Response Time: $upstream_response_time Request time: $request_time';"
    )

    def __init__(self, prefix: Path, define_upstreamlog: bool = False):
        self.define_upstreamlog = define_upstreamlog
        self.prefix = Path(prefix).resolve()
        self.prefix.mkdir(parents=True, exist_ok=True)
        super().__init__(self.prefix / "nginx.out")
        self.conf_d = self.prefix / "conf.d"
        self.conf_d.mkdir(exist_ok=True)
        self.conf = self.prefix / "nginx.conf"
        self.pid_file = self.prefix / "nginx.pid"
        self.error_log = self.prefix / "error.log"
        self.access_log = self.prefix / "access.log"
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.write_main_conf()

    def write_main_conf(self) -> None:
        p = self.prefix
        self.conf.write_text(
            f"pid {p}/nginx.pid;\n"
            f"error_log {p}/error.log info;\n"
            "worker_processes 1;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            f"    access_log {p}/access.log;\n"
            f"    client_body_temp_path {p}/client_body_temp;\n"
            f"    proxy_temp_path {p}/proxy_temp;\n"
            f"    fastcgi_temp_path {p}/fastcgi_temp;\n"
            f"    uwsgi_temp_path {p}/uwsgi_temp;\n"
            f"    scgi_temp_path {p}/scgi_temp;\n"
            + (f"    {self.UPSTREAMLOG}\n" if self.define_upstreamlog else "")
            + f"    include {p}/conf.d/*.conf;\n"
            "}\n"
        )

    def _base_argv(self) -> list[str]:
        return [which("nginx"), "-p", str(self.prefix), "-c", str(self.conf)]

    @property
    def check_cmd(self) -> str:
        """Shell string: ``nginx -p PREFIX -c CONF -t``."""
        return shlex.join(self._base_argv() + ["-t"])

    @property
    def exec_cmd(self) -> str:
        """Shell string: nginx in the foreground (``-g 'daemon off;'``), for ``balancer --exec``."""
        return shlex.join(self._base_argv() + ["-g", "daemon off;"])

    @property
    def reload_cmd(self) -> str:
        """Shell string: ``nginx -p PREFIX -c CONF -s reload``."""
        return shlex.join(self._base_argv() + ["-s", "reload"])

    def start(self, timeout: float = 10.0) -> "Nginx":
        self.pid_file.unlink(missing_ok=True)
        self._spawn(self._base_argv() + ["-g", "daemon off;"])
        self._wait_ready(lambda: self.master_pid() == self.pid and self.worker_pids(),
                         time.monotonic() + timeout, f"wrote no pid file / started no worker within {timeout}s",
                         0.02)
        return self

    def master_pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def worker_pids(self) -> set[int]:
        """Current children of the master (the workers, including ones shutting down).  For an
        nginx someone else started (the balancer's --exec child), the master in the pid file."""
        if self.running():
            return _children(self.pid)
        master = self.master_pid() if self.proc is None else None
        return _children(master) if master is not None else set()

    def settled(self) -> bool:
        """No worker of an earlier configuration is left: right after a reload the old worker
        may still accept a connection or two before it turns into 'worker process is shutting
        down', and then serves it with the old configuration."""
        for pid in self.worker_pids():
            try:
                if b"shutting down" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return False
            except OSError:
                continue
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """SIGQUIT (graceful), then SIGKILL to the whole group after ``timeout`` seconds."""
        self._signal(signal.SIGQUIT, timeout)

    def check(self) -> subprocess.CompletedProcess[str]:
        """Run ``nginx -t`` on the current configuration (does not raise)."""
        return subprocess.run(self._base_argv() + ["-t"], capture_output=True, text=True, timeout=30)

    def reload(self, timeout: float = 10.0) -> None:
        """``nginx -s reload`` and wait until the new workers replaced the old ones.

        Raises RuntimeError when the configuration is rejected (nginx keeps the old one).
        """
        if not self.running():
            raise RuntimeError("nginx is not running")
        old = self.worker_pids()
        offset = self.error_log.stat().st_size if self.error_log.exists() else 0
        res = subprocess.run(self._base_argv() + ["-s", "reload"], capture_output=True, text=True, timeout=30)
        if res.returncode != 0:
            raise RuntimeError(f"nginx -s reload failed ({res.returncode}):\n{res.stderr}")

        def done() -> bool:
            with open(self.error_log, "rb") as f:
                f.seek(offset)
                new = f.read().decode(errors="replace")
            errors = [ln for ln in new.splitlines() if "[emerg]" in ln or "[alert]" in ln]
            if errors:
                raise RuntimeError("nginx rejected the reload:\n" + "\n".join(errors))
            return self._replaced(old)

        wait_for(done, timeout=timeout, interval=0.01, ignore=(),
                 message="nginx workers to be replaced after reload")

    def _replaced(self, old: set[int]) -> bool:
        if not self.running():
            raise self._died("died")
        now = self.worker_pids()
        return bool(now) and not (now & old)

    def wait_reloaded(self, old_workers: set[int], timeout: float = 10.0) -> None:
        """Wait until none of ``old_workers`` (``worker_pids()`` taken before a reload) is left.

        Right after a reload the old worker keeps accepting connections with the old
        configuration until it has handled its shutdown signal; only after this are all
        requests served by the new configuration.
        """
        wait_for(lambda: self._replaced(old_workers), timeout=timeout, interval=0.01, ignore=(),
                 message=f"nginx workers {sorted(old_workers)} to be replaced")

    def request(self, path: str = "/", timeout: float = 5, headers: dict[str, str] | None = None) -> tuple[int, str]:
        """GET ``url + path``; returns (status, body). HTTP errors are returned, connection errors raise."""
        return http_get(self.url + path, timeout=timeout, headers=headers)

    def logs(self) -> dict[str, str]:
        return {
            f"nginx output ({self.log_path})": self.log_tail(),
            f"nginx error.log ({self.error_log})": tail(self.error_log),
        }


def _children(pid: int) -> set[int]:
    kids: set[int] = set()
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return {int(x) for x in text.split()}
    except (FileNotFoundError, PermissionError, ValueError):
        pass
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        if ppid_of(int(d.name)) == pid:
            kids.add(int(d.name))
    return kids
