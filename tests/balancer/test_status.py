"""`balancer status` against a real etcd: pool size, rejected values, in-sync state, failures."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from balancer.render import Renderer
from balancer.resource import load_resource
from balancer.store import Snapshot
from procs import EtcdServer, write_resource

TEMPLATE = textwrap.dedent("""\
    upstream app {
    {%- for server in backends("/services/apache/*") %}
        server {{ server }};
    {%- endfor %}
    }
    """)
GOOD = ("10.0.0.1:80", "10.0.0.2:8080")


@pytest.fixture
def confdir(tmp_path: Path) -> Path:
    """conf.d with one good resource (app.toml -> tmp_path/out/app.conf) and one broken TOML."""
    confdir = tmp_path / "confdir"
    (confdir / "templates").mkdir(parents=True)
    (confdir / "templates" / "app.tmpl").write_text(TEMPLATE)
    (tmp_path / "out").mkdir()
    write_resource(confdir, "app", src="app.tmpl", dest=tmp_path / "out" / "app.conf", keys=["/services/apache"],
                   check_cmd="", reload_cmd="")
    (confdir / "conf.d" / "broken.toml").write_text("[template\nsrc = \n")
    return confdir


@pytest.fixture
def keys(etcd: EtcdServer) -> None:
    for address in GOOD:
        etcd.put(f"/services/apache/{address}", address)
    etcd.put("/services/apache/evil", "1.2.3.4:80; } server { listen 9999; }")
    etcd.put("/services/other/10.9.9.9:80", "10.9.9.9:80")      # not under the resource's keys


def status(etcd: EtcdServer, confdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETCD")}
    return subprocess.run([sys.executable, "-m", "balancer", "status", "--confdir", str(confdir),
                           "--etcd", etcd.hostport, "--etcd-timeout", "2", *args],
                          check=False, capture_output=True, text=True, timeout=60, env=env)


def rows(output: str) -> dict[str, list[str]]:
    """Table lines by resource name, split on runs of two or more spaces."""
    lines = output.strip().splitlines()
    assert re.split(r"\s{2,}", lines[0]) == ["RESOURCE", "DEST", "CHANGED", "POOL", "REJECTED", "IN SYNC"]
    return {line.split()[0]: re.split(r"\s{2,}", line, maxsplit=5) for line in lines[1:]}


def expected_content(confdir: Path) -> str:
    resource = load_resource(confdir / "conf.d" / "app.toml", confdir / "templates")
    values = {f"/services/apache/{a}": a for a in GOOD}
    return Renderer().render(resource, Snapshot(1, values))


def test_table_shows_pool_rejected_and_sync_state(etcd, confdir, keys, tmp_path) -> None:
    dest = tmp_path / "out" / "app.conf"
    result = status(etcd, confdir)
    assert result.returncode == 0, result.stderr
    table = rows(result.stdout)
    assert table["app.toml"] == ["app.toml", str(dest), "missing", "2", "1", "no"]
    assert table["broken.toml"][:5] == ["broken.toml", "-", "-", "-", "-"]
    assert table["broken.toml"][5].startswith("error: malformed TOML")

    dest.write_text(expected_content(confdir))
    result = status(etcd, confdir)
    assert result.returncode == 0, result.stderr
    app = rows(result.stdout)["app.toml"]
    assert app[3:] == ["2", "1", "yes"]
    changed = datetime.fromisoformat(app[2])                       # ISO, local time with offset
    assert changed.tzinfo is not None and abs(changed.timestamp() - dest.stat().st_mtime) < 1

    dest.write_text("upstream app { server 10.0.0.1:80; }\n")   # stale: one backend short
    assert rows(status(etcd, confdir).stdout)["app.toml"][5] == "no"


def test_json_has_numbers_and_both_mtimes(etcd, confdir, keys, tmp_path) -> None:
    dest = tmp_path / "out" / "app.conf"
    dest.write_text(expected_content(confdir))
    result = status(etcd, confdir, "--json")
    assert result.returncode == 0, result.stderr
    by_name = {item["resource"]: item for item in json.loads(result.stdout)["resources"]}
    app = by_name["app.toml"]
    assert app["pool"] == 2 and app["rejected"] == 1 and app["in_sync"] is True and app["error"] is None
    assert app["dest"] == str(dest)
    assert app["dest_mtime"] == pytest.approx(dest.stat().st_mtime)
    assert isinstance(app["dest_mtime_iso"], str) and app["dest_mtime_iso"][:4].isdigit()
    broken = by_name["broken.toml"]
    assert broken["pool"] is None and broken["in_sync"] is None and "malformed TOML" in broken["error"]


def test_render_error_is_reported_in_the_row(etcd, confdir, keys) -> None:
    (confdir / "templates" / "bad.tmpl").write_text('{{ getv("/services/nothing/here") }}\n')
    write_resource(confdir, "bad", src="bad.tmpl", dest=confdir / "bad.conf", keys=["/services/apache"])
    result = status(etcd, confdir)
    assert result.returncode == 0, result.stderr
    bad = rows(result.stdout)["bad.toml"]
    assert bad[3:5] == ["2", "1"]
    assert bad[5].startswith("error: ") and "/services/nothing/here" in bad[5]


def test_etcd_unreachable_exits_1_with_one_line(etcd, confdir, keys) -> None:
    etcd.stop()
    result = status(etcd, confdir)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert etcd.hostport in lines[0] and "ERROR" in lines[0]
