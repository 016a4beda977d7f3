"""Hostile values under /services/apache/ through the shipped template: none reaches the
nginx file, each is logged once with its key, and the valid neighbours still render.

Every address in the corpus is on loopback (127.0.0.9, where nothing listens): traffic
through nginx must stay on this machine even if a value slipped through."""
from __future__ import annotations

import time

from procs import wait_for

KEY = "/services/apache/"

HOSTILE: dict[str, str | bytes] = {
    "inject-brace": "127.0.0.9:80; } server { listen 9999; }",
    "inject-semicolon": "127.0.0.9:80;",
    "inject-newline": "127.0.0.9:80\nserver 6.6.6.6:80",
    "inject-crlf": "127.0.0.9:80\r\n\r\nserver 6.6.6.6:80",
    "inject-include": "include /etc/passwd",
    "inject-include-inline": "127.0.0.9:80; include /etc/nginx/*.conf",
    "inject-comment": "127.0.0.9:80 #",
    "inject-backup": "127.0.0.9:80 backup",
    "inject-weight": "127.0.0.9:80 weight=100",
    "inject-quote": "\"127.0.0.9:80\"",
    "inject-dollar": "$host:80",
    "inject-unix": "unix:/var/run/x.sock",
    "inject-tab": "127.0.0.9\t:80",
    "long": "a" * 5000 + ":80",
    "long-label": "a" * 64 + ".example:80",
    "non-utf8": b"\xff\xfe127.0.0.9:80",
    "non-ascii-digits": "١.٢.٣.٤:80",
    "fullwidth-port": "127.0.0.9:８０",
    "ipv6-unbracketed": "::1:80",
    "ipv6-bare": "fe80::1",
    "ipv6-zone": "[fe80::1%eth0]:80",
    "port-0": "127.0.0.9:0",
    "port-65536": "127.0.0.9:65536",
    "port-negative": "127.0.0.9:-1",
    "port-plus": "127.0.0.9:+80",
    "port-missing": "127.0.0.9",
    "port-empty": "127.0.0.9:",
    "empty": "",
    "spaces": "   ",
    "bad-ipv4": "999.1.1.1:80",
    "short-ipv4": "1.2.3:80",
    "underscore-host": "bad_host:80",
    "hyphen-edge": "-bad.example:80",
    "url": "http://127.0.0.9:80",
    "nul": "127.0.0.9:80\x00",
}
ODD_KEYS: dict[str, str] = {
    "with space": "127.0.0.9:1 ",           # valid (outer space stripped), odd key: renders
    "new\nline": "bad value",
    "ünïcödé": "also bad;",
}
FORBIDDEN_IN_FILE = ("9999", "passwd", "6.6.6.6", "backup", "weight=", "$host", "unix:", "aaaaaaaaaaaaaaaa",
                     "::1", "fe80", "65536", "http://", "999.1.1.1")


def put_corpus(etcd) -> None:
    for name, value in HOSTILE.items():
        etcd.put(KEY + name, value)
    for name, value in ODD_KEYS.items():
        etcd.put(KEY + name, value)


def test_hostile_corpus_never_reaches_nginx(site, run_balancer, http_backends) -> None:
    assert len(HOSTILE) + len(ODD_KEYS) >= 30
    a, b = http_backends("alpha"), http_backends("beta")
    put_corpus(site.etcd)
    site.etcd.put(KEY + a.address, a.address)
    site.etcd.put(KEY + b.address, b.address)
    balancer = run_balancer()
    wait_for(lambda: site.served(8) == {"alpha", "beta"}, timeout=20)
    text = site.dest.read_text()
    servers = [line.strip() for line in text.splitlines() if line.strip().startswith("server ") and
               not line.strip().startswith("server {")]
    assert servers == sorted(["server 127.0.0.9:1 max_fails=1 fail_timeout=10s;",
                              f"server {a.address} max_fails=1 fail_timeout=10s;",
                              f"server {b.address} max_fails=1 fail_timeout=10s;"])
    upstream = text[text.index("upstream apache_pool {"):text.index("}", text.index("upstream apache_pool {"))]
    for needle in FORBIDDEN_IN_FILE:
        assert needle not in upstream, needle
    assert text.count("server {") == 1 and "include" not in text and "9999" not in text
    assert site.nginx.check().returncode == 0

    # re-render a few times: each bad value is still reported once only
    for i in range(3):
        site.etcd.put(KEY + f"127.0.0.{10 + i}:1", f"127.0.0.{10 + i}:1")
    wait_for(lambda: "127.0.0.12:1" in site.dest.read_text())
    time.sleep(0.5)
    log = balancer.output()
    for name in HOSTILE:
        if name == "non-utf8":
            assert log.count(f"etcd key {KEY}non-utf8: key or value is not valid UTF-8") == 1, name
        else:
            assert log.count(f"at key {KEY}{name}:") == 1, name
    assert log.count("at key '/services/apache/new\\nline'") == 1
    assert log.count(f"at key {KEY}ünïcödé:") == 1
    for line in log.splitlines():            # every event stays on one line
        assert not line or line[:4].isdigit() or line.startswith(("=====", "  ")), repr(line[:80])


def test_broken_template_at_runtime_leaves_other_resources_working(site, run_balancer, http_backends) -> None:
    a = http_backends("alpha")
    other_template = site.confdir / "templates" / "other.tmpl"
    other_template.write_text("# {{ getv('/other/x', 'none') }}\n")
    other_dest = site.nginx.prefix / "other.txt"
    site.write_resource("other.toml", src=other_template, dest=other_dest, keys=["/other"],
                        check_cmd="", reload_cmd="")
    site.etcd.put(KEY + a.address, a.address)
    balancer = run_balancer()
    wait_for(lambda: site.served() == {"alpha"} and other_dest.exists())
    other_template.write_text("{% if %}broken\n")    # edited into a syntax error while running
    site.etcd.put("/other/x", "1")
    balancer.wait_output("other.tmpl:1: template syntax error")
    assert other_dest.read_text() == "# none\n"       # its last good file stays
    b = http_backends("beta")
    site.etcd.put(KEY + b.address, b.address)         # the fine resource keeps following etcd
    wait_for(lambda: site.served(8) == {"alpha", "beta"})
