"""End-to-end benchmark on this host: Docker -> sidekick -> etcd -> balancer -> nginx.

1. container `start` -> nginx answers from it, and `kill` -> gone from nginx's config (reload
   issued), p50/p99 over N containers, with the real nginx check and reload;
2. churn under load: a bounded request loop through nginx for DURATION seconds while
   containers are replaced continuously (start new, wait until served, stop old), compared
   with the same loop straight at one backend.  Everything on 127.0.0.1.

The backends are busybox httpd containers draining on SIGTERM (the default), or, with
`--image apache`, the project's apache image (images/apache, built by images/build when needed):
Debian's Apache stopped by `docker stop` with SIGWINCH, its graceful stop, and joining once its
Docker HEALTHCHECK (every 1 s here) says healthy.

    python bench/bench_e2e.py [--containers 50] [--duration 60] [--threads 4] [--image apache] [--plot DIR]

With --plot DIR (matplotlib: the `bench` extra) it also writes DIR/e2e-latency.png (start and
kill latencies, ECDF), DIR/churn-requests.png (request latencies through nginx and straight)
and DIR/churn-reloads.png (nginx reloads and container replacements over the churn).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import ROOT, ensure_venv

ensure_venv(__file__, ("etcd3",), "tests/e2e/test_chain.py")

import procs  # noqa: E402
from procs.apache import APACHE_IMAGE, apache_run_args, build_images  # noqa: E402

TEMPLATE = ROOT / "balancer" / "examples" / "tutorial" / "templates" / "nginx.tmpl"
# Pause before each timed event: longer than --debounce-max, so every event is measured as an
# isolated change (back-to-back changes are rate-limited to one render per second on purpose).
ISOLATION = 1.1


def pct(values: list[float], q: float) -> float:
    """The value at index round(q% of n-1) (not common.pct's nearest rank: kept, so the figures stay comparable)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class Setup:
    def __init__(self, work: Path, image: str = "busybox", access_log: bool = True) -> None:
        self.work = work
        self.image = image
        self.access_log = access_log
        self.service = "bench" + uuid.uuid4().hex[:6]
        self.names: list[str] = []
        self.etcd = procs.EtcdServer(work / "etcd")
        self.nginx = procs.Nginx(work / "nginx")
        self.balancer = procs.CliProcess("balancer", work / "balancer.log")
        self.sidekick = procs.CliProcess("sidekick", work / "sidekick.log")
        self.dockerd: procs.DockerControl | None = None

    def start(self) -> None:
        self.dockerd = procs.DockerControl(self.work / "dockerd")
        self.dockerd.ensure()
        if self.image == "apache":
            build_images("apache")            # quick when up to date (docker's layer cache)
        elif procs.docker("image", "inspect", procs.HTTPD_IMAGE, check=False).returncode != 0:
            procs.build_httpd_image(self.work / "image")
        self.etcd.start()
        confdir = self.work / "confdir"
        (self.work / "app.tmpl").write_text(TEMPLATE.read_text().replace("/services/apache/*",
                                                                        f"/services/{self.service}/*"))
        # each successful reload appends its time (for the reloads-over-time plot)
        procs.write_resource(confdir, "app", src=self.work / "app.tmpl", dest=self.dest,
                             keys=[f"/services/{self.service}"], check_cmd=self.nginx.check_cmd,
                             reload_cmd=f"{self.nginx.reload_cmd} && date +%s.%N >> {self.reloads_file}")
        nginx_cmd = self.nginx.exec_cmd
        self.balancer.start("--confdir", str(confdir), "--etcd", self.etcd.hostport, "--exec", nginx_cmd,
                            "--log-level", "WARNING",
                            env={"BALANCER_LISTEN": f"127.0.0.1:{self.nginx.port}",
                                 "BALANCER_ACCESS_LOG": str(self.nginx.access_log)})
        self.sidekick.start("--etcd", self.etcd.hostport, "--host-ip", "127.0.0.1", "--service", self.service,
                            "--check-interval", "0.5", "--check-timeout", "0.4", "--log-level", "WARNING")
        procs.wait_for(lambda: self.nginx.request()[0] == 503, timeout=30)

    @property
    def reloads_file(self) -> Path:
        return self.work / "reloads.txt"

    def reload_times(self) -> list[float]:
        """Epoch seconds of every successful reload so far."""
        if not self.reloads_file.exists():
            return []
        return [float(line) for line in self.reloads_file.read_text().split()]

    @property
    def dest(self) -> Path:
        return self.nginx.conf_d / "app.conf"

    def create(self, name: str) -> str:
        full = f"{self.service}-{name}"
        self.names.append(full)
        if self.image == "apache":
            log = [] if self.access_log else ["-e", "APACHE_ACCESS_LOG=/dev/null"]
            backend = [*apache_run_args(name), *log, APACHE_IMAGE]
        else:
            backend = [procs.HTTPD_IMAGE, "sh", "-c", procs.graceful_httpd(name)]
        procs.docker("create", "--init", "--name", full, "-l", f"sidekick.service={self.service}",
                     "-p", "127.0.0.1::80", *backend)
        return full

    def stop(self) -> None:
        for name in self.names:
            procs.docker("rm", "-f", name, check=False)
        self.sidekick.terminate()
        self.balancer.terminate()
        self.etcd.close()
        if self.dockerd:
            self.dockerd.close()


def latency(setup: Setup, count: int) -> dict[str, list[float]]:
    starts: list[float] = []
    kills: list[float] = []
    start_after_cli: list[float] = []
    kill_after_cli: list[float] = []
    for i in range(count):
        name = f"lat{i}"
        full = setup.create(name)
        time.sleep(ISOLATION)
        began = time.monotonic()
        procs.docker("start", full)
        returned = time.monotonic()
        procs.wait_for(lambda n=name: setup.nginx.request(timeout=2)[1].strip() == n, timeout=20, interval=0.002)
        starts.append(time.monotonic() - began)
        start_after_cli.append(time.monotonic() - returned)
        address = procs.published_address(full)
        time.sleep(ISOLATION)
        began = time.monotonic()
        procs.docker("kill", full)
        returned = time.monotonic()
        procs.wait_for(lambda a=address: a not in setup.dest.read_text(), timeout=20, interval=0.001)
        kills.append(time.monotonic() - began)
        kill_after_cli.append(time.monotonic() - returned)
        procs.docker("rm", "-f", full)
    return {"start": starts, "kill": kills, "start_after_cli": start_after_cli, "kill_after_cli": kill_after_cli}


def churn(setup: Setup, duration: float, threads: int) -> tuple[procs.LoadLoop, list[float], float]:
    """The load loop, the epoch times of the replacements, and the epoch time the churn began."""
    live = []
    for i in range(3):
        full = setup.create(f"c{i}")
        procs.docker("start", full)
        live.append((f"c{i}", full))
    procs.wait_for(lambda: {setup.nginx.request()[1].strip() for _ in range(12)} == {n for n, _ in live},
                   timeout=30)
    load = procs.LoadLoop(setup.nginx.url + "/", threads=threads, max_seconds=duration + 30).start()
    deadline = time.monotonic() + duration
    began = time.time()
    replaced: list[float] = []
    i = 3
    try:
        while time.monotonic() < deadline:
            name = f"c{i}"
            full = setup.create(name)
            procs.docker("start", full)
            procs.wait_for(lambda n=name: n in {setup.nginx.request()[1].strip() for _ in range(6)}, timeout=20)
            old_name, old = live.pop(0)
            procs.docker("stop", "-t", "5", old)     # SIGTERM (busybox), SIGWINCH (apache's STOPSIGNAL)
            procs.docker("rm", "-f", old)
            live.append((name, full))
            replaced.append(time.time())
            i += 1
    finally:
        load.stop()
    return load, replaced, began


def direct(setup: Setup, seconds: float, threads: int) -> procs.LoadLoop:
    full = setup.create("direct")
    procs.docker("start", full)
    url = f"http://{procs.published_address(full)}/"
    procs.wait_for(lambda: procs.http_get(url)[0] == 200, timeout=20)
    load = procs.LoadLoop(url, threads=threads, max_seconds=seconds + 30).start()
    time.sleep(seconds)
    return load.stop()


def write_plots(folder: Path, lat: dict[str, list[float]], load: procs.LoadLoop, straight: procs.LoadLoop,
                reloads: list[float], replacements: list[float], duration: float) -> None:
    from plots import latency_plot, reloads_plot
    written = [
        latency_plot(folder / "e2e-latency.png", {"docker start -> served": lat["start"],
                                                 "docker kill -> out of nginx": lat["kill"]},
                     f"End to end, isolated events (n={len(lat['start'])})"),
        latency_plot(folder / "churn-requests.png", {"through nginx, under churn": load.latencies,
                                                    "straight at one backend": straight.latencies},
                     "Request latency (one connection per request)"),
        reloads_plot(folder / "churn-reloads.png", reloads, replacements, duration,
                     f"Churn: {len(replacements)} replacements in {duration:.0f} s under load"),
    ]
    for path in written:
        print(f"plot: {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--containers", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--image", choices=("busybox", "apache"), default="busybox",
                        help="the backends: busybox httpd (default) or the project's apache image")
    parser.add_argument("--plot", type=Path, metavar="DIR", default=None,
                        help="write PNG plots into DIR (e.g. bench/plots; needs matplotlib: the bench extra)")
    parser.add_argument("--no-access-log", action="store_true",
                        help="apache: no access log (APACHE_ACCESS_LOG=/dev/null; default: the container's stdout)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    setup = Setup(work, args.image, access_log=not args.no_access_log)
    try:
        setup.start()
        lat = latency(setup, args.containers)
        load, replacements, began = churn(setup, args.duration, args.threads)
        reloads = [t - began for t in setup.reload_times()]
        straight = direct(setup, min(args.duration, 20.0), args.threads)
    finally:
        setup.stop()
    replaced = len(replacements)
    ms = 1000.0
    backends = "busybox httpd" if args.image == "busybox" else \
        f"apache ({'no access log' if args.no_access_log else 'access log on stdout'}, health check every 1 s)"
    print(f"\nmachine: nproc={os.cpu_count()}, python {sys.version.split()[0]}, client: {args.threads} "
          f"Python threads (urllib, one connection per request); backends: {backends}")
    print("\n| figure | p50 | p99 | max |\n|---|---:|---:|---:|")
    for what, label in (("start", "`docker start` -> nginx answers from it"),
                        ("start_after_cli", "  of which after `docker start` returned"),
                        ("kill", "`docker kill` -> out of nginx's config (reload issued)"),
                        ("kill_after_cli", "  of which after `docker kill` returned")):
        values = lat[what]
        print(f"| {label} (n={len(values)}) | {statistics.median(values) * ms:.0f} ms | "
              f"{pct(values, 99) * ms:.0f} ms | {max(values) * ms:.0f} ms |")
    print("\n| load | requests | failed | req/s | p50 | p99 |\n|---|---:|---:|---:|---:|---:|")
    for label, loop, seconds in ((f"through nginx, {replaced} replacements in {args.duration:.0f} s", load,
                                  args.duration),
                                 ("straight at one backend", straight, min(args.duration, 20.0))):
        total = loop.ok + len(loop.failed)
        print(f"| {label} | {total} | {len(loop.failed)} | {loop.ok / seconds:.0f} | "
              f"{statistics.median(loop.latencies) * ms:.1f} ms | {pct(loop.latencies, 99) * ms:.1f} ms |")
    if load.failed:
        print("failures:", load.failed[:5])
    if args.plot:
        write_plots(args.plot, lat, load, straight, reloads, [t - began for t in replacements], args.duration)
    return 0 if not load.failed else 1


if __name__ == "__main__":
    sys.exit(main())
