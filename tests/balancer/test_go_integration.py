"""Go templates (confd's language) through `balancer run` against a real etcd and a real nginx:
--onetime, --noop and watch mode, as test_integration.py and test_bad_input.py do for Jinja2.
The template is tests/balancer/data/go/tutorial.tmpl, the shipped tutorial template in Go."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from procs import wait_for

KEY = "/services/apache/"
GO_TUTORIAL = Path(__file__).parent / "data" / "go" / "tutorial.tmpl"


@pytest.fixture
def go_site(site):
    """The site with its resource rendering the Go tutorial template (no `engine` directive)."""
    site.write_resource(src=GO_TUTORIAL)
    return site


@pytest.fixture
def go_good(go_site, onetime, http_backends) -> bytes:
    """A first successful --onetime sync with the Go template (backend alpha), nginx reloaded."""
    a = http_backends("alpha")
    go_site.etcd.put(KEY + a.address, a.address)
    status, output = onetime()
    assert status == 0, output
    assert f"{GO_TUTORIAL}: Go template (only Go parses it" in output
    go_site.nginx.reload()
    assert go_site.served() == {"alpha"}
    return go_site.dest.read_bytes()


def test_onetime_renders_a_go_template_that_nginx_serves(go_site, onetime, go_good, http_backends) -> None:
    b = http_backends("beta")
    go_site.etcd.put(KEY + b.address, b.address)
    status, output = onetime()
    assert status == 0 and "reload_cmd" in output, output
    go_site.nginx.reload()
    wait_for(lambda: go_site.served(8) == {"alpha", "beta"})
    assert go_site.dest.read_text().startswith("# Rendered by the balancer from the etcd keys /services/apache/*")


def test_noop_shows_the_diff_and_changes_nothing(go_site, onetime, go_good, http_backends) -> None:
    b = http_backends("beta")
    go_site.etcd.put(KEY + b.address, b.address)
    status, output = onetime("--noop")
    assert status == 0, output
    assert re.search(rf"^\+    server {re.escape(b.address)} ", output, re.M), output
    assert go_site.dest.read_bytes() == go_good


def test_watch_mode_follows_the_keys(go_site, run_balancer, http_backends) -> None:
    a, b = http_backends("alpha"), http_backends("beta")
    balancer = run_balancer()
    wait_for(lambda: go_site.dest.exists())
    wait_for(lambda: go_site.served() == {"no backend available"})      # empty pool: a valid config, 503
    go_site.etcd.put(KEY + a.address, a.address)
    go_site.etcd.put(KEY + b.address, b.address)
    wait_for(lambda: go_site.served(8) == {"alpha", "beta"})
    go_site.etcd.delete(KEY + a.address)
    wait_for(lambda: go_site.served(8) == {"beta"})
    assert balancer.running() and balancer.count("Go template") == 1


def test_a_failing_go_template_is_one_line_and_the_last_good_file_stays(go_site, onetime, go_good) -> None:
    src = go_site.confdir / "templates" / "broken.tmpl"
    src.write_text('upstream x {\n    server {{getv "/services/apache/nope"}};\n}\n')
    go_site.write_resource(src=src)
    status, output = onetime()
    assert status != 0
    lines = [line for line in output.splitlines() if f"{src}:2:13:" in line]
    assert len(lines) == 1 and ' ERROR ' in lines[0], output
    assert 'executing "broken.tmpl" at <getv "/services/apache/nope">: error calling getv: ' in lines[0]
    assert go_site.dest.read_bytes() == go_good
    assert go_site.served() == {"alpha"}


def test_an_ambiguous_template_names_the_file_and_the_directive(go_site, onetime, go_good) -> None:
    src = go_site.confdir / "templates" / "both.tmpl"
    src.write_text('{{ "x" }}\n')
    toml = go_site.write_resource(src=src)
    status, output = onetime()
    assert status != 0 and f'{src}: ambiguous' in output and f"in [template] of {toml}" in output, output
    assert go_site.dest.read_bytes() == go_good
    go_site.write_resource(src=src, extra='engine = "jinja2"\n')
    status, output = onetime("--noop")
    assert status == 0 and "+x" in output, output


def test_check_config_parses_go_templates(go_site) -> None:
    check = [sys.executable, "-m", "balancer", "run", "--check-config", *go_site.args()]
    ok = subprocess.run(check, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "Go template" in ok.stderr, ok.stderr
    (go_site.confdir / "templates" / "bad.tmpl").write_text("a\n{{if}}{{end}}\n")
    go_site.write_resource("bad.toml", src=go_site.confdir / "templates" / "bad.tmpl", extra='engine = "go"\n')
    bad = subprocess.run(check, capture_output=True, text=True, timeout=60)
    errors = [line for line in bad.stderr.splitlines() if " ERROR " in line]
    assert bad.returncode == 1 and len(errors) == 1, bad.stderr
    assert "bad.toml: " in errors[0] and "bad.tmpl:2: missing value for if" in errors[0]


def test_interval_mode_polls(go_site, run_balancer, http_backends) -> None:
    a = http_backends("alpha")
    balancer = run_balancer("--interval", "0.5")
    wait_for(lambda: go_site.dest.exists())
    go_site.etcd.put(KEY + a.address, a.address)
    wait_for(lambda: go_site.served() == {"alpha"})
    assert "interval mode" in balancer.output()


def test_exec_starts_nginx_with_the_rendered_go_template(go_site, run_balancer, http_backends) -> None:
    a, b = http_backends("alpha"), http_backends("beta")
    go_site.nginx.stop()
    go_site.etcd.put(KEY + a.address, a.address)
    nginx_cmd = go_site.nginx.exec_cmd
    balancer = run_balancer("--exec", nginx_cmd)
    wait_for(lambda: go_site.served() == {"alpha"}, timeout=30, ignore=(OSError,))
    go_site.etcd.put(KEY + b.address, b.address)                 # reload_cmd reloads the child
    wait_for(lambda: go_site.served(8) == {"alpha", "beta"})
    balancer.send(signal.SIGTERM)
    assert balancer.wait() == 0
