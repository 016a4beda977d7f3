"""Every bad input gets one clear line naming the file, key or command, and the last good
file stays in place.  Run through `balancer run --onetime` against real etcd and nginx."""
from __future__ import annotations

import re
import sys
import subprocess

import pytest

KEY = "/services/apache/"


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if " ERROR " in line or " WARNING " in line]


def assert_fails_naming(onetime, *names: str) -> str:
    status, output = onetime()
    assert status != 0, output
    lines = error_lines(output)
    assert any(all(name in line for name in names) for line in lines), output
    return output


@pytest.mark.parametrize("body,names", [
    ("[template\nsrc = 'x'", ["bad.toml", "malformed TOML"]),
    ("[template]\nsrc = 'nginx.tmpl'\ndest = '/tmp/x'\nkeys = ['/a']\ncolour = 'red'\n", ["bad.toml", "'colour'"]),
    ("[template]\ndest = '/tmp/x'\nkeys = ['/a']\n", ["bad.toml", "'src'"]),
    ("[template]\nsrc = 'nginx.tmpl'\ndest = '/tmp/x'\nkeys = '/a'\n", ["bad.toml", "'keys'"]),
])
def test_bad_resource_file(site, onetime, good, body, names) -> None:
    (site.confdir / "conf.d" / "bad.toml").write_text(body)
    assert_fails_naming(onetime, *names)
    assert site.dest.read_bytes() == good               # the good resource was still synced


@pytest.mark.parametrize("template,names", [
    ("{% for x in %}\n", ["broken.tmpl:1", "template syntax error"]),
    ("line one\n{{ nosuchfunc('/a') }}\n", ["broken.tmpl:2", "'nosuchfunc' is undefined"]),
    ("{{ getv('/services/apache/nope') }}\n", ["broken.tmpl", "/services/apache/nope"]),
    ("{{ undefined_variable }}\n", ["broken.tmpl", "'undefined_variable' is undefined"]),
])
def test_bad_template(site, onetime, good, template, names) -> None:
    src = site.confdir / "templates" / "broken.tmpl"
    src.write_text(template)
    site.write_resource(src=src)
    assert_fails_naming(onetime, *names)
    assert site.dest.read_bytes() == good
    assert "<no value>" not in site.dest.read_text()


def test_invalid_backend_values_are_logged_with_their_key(site, onetime, good) -> None:
    site.etcd.put(KEY + "evil", "1.2.3.4:80; } server { listen 9999; }")
    site.etcd.put(KEY + "v6", "::1:80")
    status, output = onetime()
    assert status == 0, output                          # the valid neighbour still renders
    assert any("/services/apache/evil" in line for line in error_lines(output))
    assert any("/services/apache/v6" in line and "brackets" in line for line in error_lines(output))
    assert "9999" not in site.dest.read_text() and "::1" not in site.dest.read_text()


def test_non_utf8_value_is_skipped_with_its_key(site, onetime, good) -> None:
    site.etcd.put(KEY + "binary", b"\xff\xfe127.0.0.1:80")
    status, output = onetime()
    assert status == 0, output
    assert any("/services/apache/binary" in line and "UTF-8" in line for line in error_lines(output)), output
    assert site.dest.read_bytes() == good


def test_etcd_unreachable(site, onetime, good) -> None:
    site.etcd.stop()
    assert_fails_naming(onetime, site.etcd.hostport)
    assert site.dest.read_bytes() == good


def test_failing_check_cmd(site, onetime, good, http_backends) -> None:
    site.write_resource(check_cmd="sh -c 'echo config is bad; exit 1'")
    b = http_backends("beta")
    site.etcd.put(KEY + b.address, b.address)
    assert_fails_naming(onetime, "check_cmd", "config is bad", "exited with status 1")
    assert site.dest.read_bytes() == good
    assert site.served() == {"alpha"}


def test_failing_reload_cmd(site, onetime, good, http_backends) -> None:
    site.write_resource(reload_cmd="false")
    b = http_backends("beta")
    site.etcd.put(KEY + b.address, b.address)
    assert_fails_naming(onetime, "reload_cmd `false`", "previous file put back")
    assert site.dest.read_bytes() == good


def test_check_cmd_timeout(site, onetime, good, http_backends) -> None:
    site.write_resource(check_cmd="sleep 30", extra="")
    text = (site.confdir / "conf.d" / "app.toml").read_text().replace("command_timeout = 10", "command_timeout = 0.5")
    (site.confdir / "conf.d" / "app.toml").write_text(text)
    b = http_backends("beta")
    site.etcd.put(KEY + b.address, b.address)
    assert_fails_naming(onetime, "check_cmd `sleep 30` timed out")
    assert site.dest.read_bytes() == good


@pytest.mark.parametrize("dest,names", [
    ("/nonexistent-dir/app.conf", ["/nonexistent-dir/app.conf", "does not exist"]),
    ("/proc/app.conf", ["/proc/app.conf", "cannot stage"]),
])
def test_bad_destination(site, onetime, good, dest, names) -> None:
    site.write_resource(dest=dest)
    assert_fails_naming(onetime, *names)


def test_noop_shows_the_diff_and_changes_nothing(site, onetime, good, http_backends) -> None:
    b = http_backends("beta")
    site.etcd.put(KEY + b.address, b.address)
    status, output = onetime("--noop")
    assert status == 0, output
    assert re.search(rf"^\+    server {re.escape(b.address)} ", output, re.M), output
    assert site.dest.read_bytes() == good


def test_onetime_in_sync_is_a_no_op(site, onetime, good) -> None:
    before = site.dest.stat().st_mtime_ns
    status, output = onetime()
    assert status == 0 and "reload_cmd" not in output and "check_cmd" not in output
    assert site.dest.stat().st_mtime_ns == before


def test_check_config(site) -> None:
    ok = subprocess.run([sys.executable, "-m", "balancer", "run", "--check-config", *site.args()],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    (site.confdir / "conf.d" / "bad.toml").write_text("[template]\nsrc = 1\n")
    bad = subprocess.run([sys.executable, "-m", "balancer", "run", "--check-config", *site.args()],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "bad.toml: directive 'src' must be a string" in bad.stderr


def test_check_config_names_an_exec_command_that_is_missing(site) -> None:
    check = [sys.executable, "-m", "balancer", "run", "--check-config", *site.args()]
    ok = subprocess.run([*check, "--exec", "sh -c 'exit 0'"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([*check, "--exec", "/nonexistent/nginx -g 'daemon off;'"], capture_output=True, text=True)
    errors = [line for line in bad.stderr.splitlines() if "ERROR" in line]
    assert bad.returncode == 1 and len(errors) == 1, bad.stderr
    assert "--exec: /nonexistent/nginx: not found or not executable" in errors[0]


@pytest.mark.parametrize("args,message", [
    (["--etcd", "ftp://x:1"], "scheme must be http or https"),
    (["--etcd", "host:notaport"], "bad etcd endpoint"),
    (["--onetime", "--interval", "5", "--etcd", "127.0.0.1:1"], "--onetime cannot be combined"),
    (["--etcd", "127.0.0.1:1", "--exec", "'unclosed"], "--exec"),
])
def test_bad_options(args, message) -> None:
    res = subprocess.run([sys.executable, "-m", "balancer", "run", *args], capture_output=True, text=True)
    assert res.returncode == 2 and message in res.stderr, res.stderr
