"""Docker for the tests: the docker CLI wrapper, the daemon (started when none answers, and
restarted for reconnect tests), the busybox httpd test image and published addresses.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator

from .base import LOOPBACK, ManagedProcess, wait_for, which
from .cli import CliProcess

# Debian's CLI matches Debian's dockerd (20.10); another `docker` may come first in PATH.
DOCKER = "/usr/bin/docker" if os.path.exists("/usr/bin/docker") else (shutil.which("docker") or "docker")
DOCKER_SOCK = "/var/run/docker.sock"
HTTPD_IMAGE = "lb-test-httpd:2"


def graceful_httpd(name: str) -> str:
    """`sh -c` script for HTTPD_IMAGE: serve a page saying `name`, and drain on SIGTERM like
    Apache's graceful stop: stop accepting at once (nginx retries a refused connection on
    another backend) and let the requests in flight finish before the container exits.
    (busybox httpd alone is killed with the container and cuts them off; serving on for a
    fixed time after SIGTERM and then being killed cut one request in 100,000 when nginx
    still routed there.)"""
    return (f"echo {name} > /www/index.html; httpd -f -p 80 -h /www & pid=$!; "
            "trap 'kill $pid; sleep 1; exit 0' TERM; wait $pid")


@contextlib.contextmanager
def removed_after(containers: list[str], *processes: CliProcess) -> Iterator[None]:
    """On the way out, whatever happened: the `containers` (the list as it is then) removed,
    the `processes` stopped in the order given."""
    try:
        yield
    finally:
        for name in containers:
            docker("rm", "-f", name, check=False)
        for proc in processes:
            proc.terminate()


def docker(*args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the docker CLI, capturing text output; raises with stderr when check fails."""
    res = subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout)
    if check and res.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)} failed ({res.returncode}):\n{res.stderr}{res.stdout}")
    return res


def docker_ok() -> bool:
    try:
        return docker("info", check=False, timeout=15).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class Dockerd(ManagedProcess):
    """A ``dockerd`` started by the tests (only when none answers already)."""

    name = "dockerd"

    def start(self, timeout: float = 60.0) -> "Dockerd":
        _remove_stale_pidfile(Path("/var/run/docker.pid"))
        self._spawn([which("dockerd"), "--host", f"unix://{DOCKER_SOCK}"])
        deadline = time.monotonic() + timeout
        while not docker_ok():
            if not self.running():
                err = self._died("exited during startup")
                self._finish()
                raise err
            if time.monotonic() >= deadline:
                err = self._died(f"did not answer `docker info` within {timeout}s")
                self.stop()
                raise err
            time.sleep(0.5)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        super().stop(timeout)


class DockerControl:
    """The session's Docker daemon, and a way to restart it (for reconnect tests)."""

    PID_FILE = Path("/var/run/docker.pid")

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.owned: Dockerd | None = None       # a dockerd started by the tests
        self.starts = 0

    def ensure(self) -> None:
        if not docker_ok():
            self._start()

    def _start(self) -> None:
        self.starts += 1
        self.owned = Dockerd(self.workdir / f"dockerd-{self.starts}.log").start()

    def stop_daemon(self, timeout: float = 60.0) -> None:
        """SIGTERM whatever dockerd runs (ours or not) and wait until it is gone."""
        if self.owned is not None and self.owned.running():
            self.owned.stop(timeout)
            self.owned = None
            return
        try:
            pid = int(self.PID_FILE.read_text().strip())
        except (FileNotFoundError, ValueError):
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), timeout=timeout, ignore=(),
                 message=f"dockerd {pid} to exit")

    def restart(self) -> None:
        self.stop_daemon()
        self._start()

    def pid(self) -> int:
        """The running dockerd's pid (ours, or the machine's from its pid file)."""
        if self.owned is not None and self.owned.pid is not None:
            return self.owned.pid
        return int(self.PID_FILE.read_text().strip())

    @contextlib.contextmanager
    def frozen(self) -> Iterator[int]:
        """dockerd stopped with SIGSTOP (a hung daemon: its API does not answer, its containers
        run on); SIGCONT when the block ends, whatever happened in it."""
        pid = self.pid()
        os.kill(pid, signal.SIGSTOP)
        try:
            yield pid
        finally:
            os.kill(pid, signal.SIGCONT)

    def close(self) -> None:
        """Stop the daemon only if the tests started it."""
        if self.owned is not None:
            self.owned.stop()
            self.owned = None


def _remove_stale_pidfile(path: Path) -> None:
    try:
        pid = int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        path.unlink(missing_ok=True)
    except PermissionError:
        pass


def build_httpd_image(workdir: Path, tag: str = HTTPD_IMAGE) -> str:
    """``docker import`` a busybox-only image running ``httpd -f -p 80 -h /www``.

    /www/index.html says "lb-test-httpd"; /cgi-bin/hostname answers the container's hostname.
    """
    root = Path(workdir) / "rootfs"
    if root.exists():
        shutil.rmtree(root)
    (root / "bin").mkdir(parents=True)
    shutil.copy2(os.path.realpath("/bin/busybox"), root / "bin" / "busybox")
    for applet in ("sh", "httpd", "hostname", "echo", "cat", "rm", "mv", "touch", "sleep", "kill", "test"):
        (root / "bin" / applet).symlink_to("busybox")
    (root / "www" / "cgi-bin").mkdir(parents=True)
    (root / "www" / "index.html").write_text("lb-test-httpd\n")
    cgi = root / "www" / "cgi-bin" / "hostname"
    cgi.write_text('#!/bin/sh\necho "Content-Type: text/plain"\necho\nhostname\n')
    cgi.chmod(0o755)
    (root / "tmp").mkdir()
    (root / "tmp").chmod(0o1777)
    tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    try:
        res = subprocess.run(
            [DOCKER, "import",
             "-c", 'CMD ["/bin/httpd","-f","-p","80","-h","/www"]',
             "-c", "EXPOSE 80",
             "-", tag],
            stdin=tar.stdout, capture_output=True, text=True, timeout=120,
        )
    finally:
        assert tar.stdout is not None
        tar.stdout.close()
        tar.wait()
    if res.returncode != 0 or tar.returncode != 0:
        raise RuntimeError(f"docker import of {tag} failed ({res.returncode}/{tar.returncode}):\n{res.stderr}")
    return tag


def published_address(container: str, port: str = "80/tcp", host: str = LOOPBACK) -> str:
    """'HOST:PORT' published for the container's ``port`` (from ``docker port``)."""
    out = docker("port", container, port).stdout.split()
    for item in out:
        if item.startswith(host + ":"):
            return item
    raise RuntimeError(f"{container} publishes {port} on no {host} address: {out}")
