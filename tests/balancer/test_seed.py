"""The seed's confd configuration runs as written: tests/balancer/data/seed/ holds the
tutorial's `nginx.toml` and `nginx.tmpl` (a Go template; /work/shared/seed/, the blog post's code
blocks), run by `balancer run` against a real etcd and a real nginx proxying to backends on
127.0.0.1.

The one change in the data files themselves: the blog prints the template's actions as
`{ { range getvs "/services/apache/*" } }` (spaces between the braces, so that its Jekyll/Liquid
renderer leaves them alone); confd's template, as the DigitalOcean original has it, is
`{{ range getvs "/services/apache/*" }}`.  Everything else is byte for byte.

What this test changes when it installs them, because it must (each one is listed in
`seed_confdir` below): the listen port (the test nginx's free port on 127.0.0.1, and [::1] for
the IPv6 line, instead of port 80 on every address), the access log path (the test nginx's, not
the system's /var/log/nginx), `dest` (the test nginx's conf.d) and `check_cmd`/`reload_cmd` (the
test's nginx, with its own prefix and nginx.conf, instead of the system's).  `log_format
upstreamlog` goes in nginx.conf's http block, as the tutorial tells.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

import procs
from procs import EtcdServer, Nginx, http_get, wait_for

SEED = Path(__file__).parent / "data" / "seed"
KEY = "/services/apache/"


@pytest.fixture
def seed_nginx(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Nginx]:
    """nginx with the tutorial's `log_format upstreamlog` in its http block (the template uses it)."""
    with procs.started(request, Nginx(tmp_path / "nginx", define_upstreamlog=True)) as server:
        yield server


def ipv6_loopback(port: int) -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", port))
        return True
    except OSError:
        return False


def replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} is not in the seed file once"
    return text.replace(old, new)


@pytest.fixture
def seed_confdir(tmp_path: Path, seed_nginx: Nginx) -> Path:
    """A confdir with the seed's nginx.toml and nginx.tmpl, changed only where the test must."""
    confdir = tmp_path / "confdir"
    (confdir / "conf.d").mkdir(parents=True)
    (confdir / "templates").mkdir()
    toml = (SEED / "nginx.toml").read_text()
    # dest: the test nginx's conf.d, not /etc/nginx/sites-enabled.
    toml = replace(toml, 'dest = "/etc/nginx/sites-enabled/app.conf"',
                   f"dest = {json.dumps(str(seed_nginx.conf_d / 'app.conf'))}")
    # check_cmd / reload_cmd: the test's nginx (its own -p prefix and nginx.conf), not the system's.
    toml = replace(toml, 'check_cmd = "/usr/sbin/nginx -t"', f"check_cmd = {json.dumps(seed_nginx.check_cmd)}")
    toml = replace(toml, 'reload_cmd = "/usr/sbin/service nginx reload"',
                   f"reload_cmd = {json.dumps(seed_nginx.reload_cmd)}")
    if os.geteuid() != 0:
        # owner = "root" (kept as written when the suite runs as root, as scripts/test does) can only
        # be applied by root.
        toml = replace(toml, 'owner = "root"\n', "")
    (confdir / "conf.d" / "nginx.toml").write_text(toml)

    template = (SEED / "nginx.tmpl").read_text()
    # The listen port: 127.0.0.1:<free port> instead of port 80 on every IPv4 address ...
    template = replace(template, "listen 80 default_server;", f"listen 127.0.0.1:{seed_nginx.port} default_server;")
    # ... and [::1] on the same port instead of [::]:80 (the line is left out without IPv6).
    template = replace(template, "    listen [::]:80 default_server ipv6only=on;\n",
                       f"    listen [::1]:{seed_nginx.port} default_server ipv6only=on;\n"
                       if ipv6_loopback(seed_nginx.port) else "")
    # The access log: the test nginx's, not the system's /var/log/nginx.
    template = replace(template, "access_log /var/log/nginx/access.log upstreamlog;",
                       f"access_log {seed_nginx.access_log} upstreamlog;")
    (confdir / "templates" / "nginx.tmpl").write_text(template)
    return confdir


def served(nginx: Nginx, requests: int = 8) -> set[str]:
    return {nginx.request()[1].strip() for _ in range(requests)}


def test_seed_onetime_serves_the_registered_backends(seed_confdir: Path, seed_nginx: Nginx, etcd: EtcdServer,
                                                     http_backends) -> None:
    a, b = http_backends("alpha"), http_backends("beta")
    etcd.put(KEY + a.address, a.address)
    etcd.put(KEY + b.address, b.address)
    res = subprocess.run([sys.executable, "-m", "balancer", "run", "--onetime", "--confdir", str(seed_confdir),
                          "--etcd", etcd.hostport], capture_output=True, text=True, timeout=60)
    output = res.stdout + res.stderr
    assert res.returncode == 0, output
    assert f"{seed_confdir / 'templates' / 'nginx.tmpl'}: Go template" in output
    dest = seed_nginx.conf_d / "app.conf"
    first, second = sorted([a.address, b.address])
    assert dest.read_text().startswith(
        f"upstream apache_pool {{\n\n    server {first};\n\n    server {second};\n\n}}\n\nserver {{\n")
    assert dest.stat().st_mode & 0o7777 == 0o644
    if os.geteuid() == 0:
        assert dest.stat().st_uid == 0
    wait_for(lambda: served(seed_nginx) == {"alpha", "beta"})          # reload_cmd reloaded it
    assert a.hits and b.hits
    if f"[::1]:{seed_nginx.port}" in dest.read_text():
        assert http_get(f"http://[::1]:{seed_nginx.port}/")[1] in ("alpha", "beta")
    log = seed_nginx.access_log.read_text()
    assert f"passed to: {a.address}: GET / HTTP/1." in log             # the tutorial's upstreamlog format


def test_seed_watch_follows_the_keys_and_keeps_the_last_good_file(seed_confdir: Path, seed_nginx: Nginx,
                                                                  etcd: EtcdServer, http_backends, tmp_path: Path,
                                                                  request: pytest.FixtureRequest) -> None:
    a, b, c = http_backends("alpha"), http_backends("beta"), http_backends("gamma")
    etcd.put(KEY + a.address, a.address)
    balancer = procs.CliProcess("balancer", tmp_path / "balancer.log")
    procs.track(request, balancer)
    balancer.start("--confdir", str(seed_confdir), "--etcd", etcd.hostport)
    try:
        wait_for(lambda: served(seed_nginx) == {"alpha"})
        etcd.put(KEY + b.address, b.address)
        etcd.put(KEY + c.address, c.address)
        wait_for(lambda: served(seed_nginx, 12) == {"alpha", "beta", "gamma"})
        etcd.delete(KEY + a.address)
        wait_for(lambda: served(seed_nginx) == {"beta", "gamma"})
        # An empty pool: the seed's template renders an upstream without servers, which nginx -t
        # rejects (confd would fail the same way); the last good file stays and nginx serves on.
        good = (seed_nginx.conf_d / "app.conf").read_bytes()
        etcd.delete(KEY + b.address)
        etcd.delete(KEY + c.address)
        balancer.wait_output("no servers are inside upstream")
        assert (seed_nginx.conf_d / "app.conf").read_bytes() == good
        assert served(seed_nginx) == {"beta", "gamma"}
        assert balancer.running()
    finally:
        balancer.terminate()
