"""A balancer SIGKILLed in the middle of a sync (its check_cmd running) leaves an unchecked file
in place and its previous copy beside it; the next start must not take that file as good."""
from __future__ import annotations

import os
import signal

from procs import wait_for

KEY = "/services/apache/"


def dot_files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_sync_killed_during_its_check_is_put_right_at_the_next_start(site, onetime, good, http_backends,
                                                                     run_balancer, tmp_path) -> None:
    beta = http_backends("beta")
    site.etcd.put(KEY + beta.address, beta.address)
    checking = tmp_path / "checking"
    site.write_resource(check_cmd=f"echo $$ > {checking}; exec sleep 60")  # a slow check
    balancer = run_balancer("--onetime")
    wait_for(lambda: checking.exists() and checking.read_text().strip(), timeout=20,
             message="the check to start")
    assert beta.address in site.dest.read_text()                           # in place, not yet checked
    assert any(name.endswith(".previous") for name in dot_files(site.dest.parent))
    assert balancer.pid is not None
    os.kill(balancer.pid, signal.SIGKILL)
    balancer.wait(10)
    os.kill(int(checking.read_text()), signal.SIGKILL)                     # its check, orphaned

    # The new file turns out to be bad: its check fails.  Without the put-back, the file in
    # place would equal the render, count as in sync and never be checked.
    site.write_resource(check_cmd="false")
    status, output = onetime()
    assert status != 0, output
    assert "put back the previous file" in output and "check_cmd" in output
    assert site.dest.read_bytes() == good
    assert dot_files(site.dest.parent) == []

    site.write_resource()                                                   # a good check again
    status, output = onetime()
    assert status == 0, output
    assert beta.address in site.dest.read_text() and dot_files(site.dest.parent) == []
    wait_for(lambda: site.served(8) == {"alpha", "beta"}, timeout=10)


def test_noop_reports_leftovers_and_touches_nothing(site, onetime, good) -> None:
    previous = site.dest.with_name(f".{site.dest.name}.999999.previous")
    previous.write_bytes(b"older\n")
    status, output = onetime("--noop")
    assert "not touched in --noop" in output and previous.name in output
    assert previous.read_bytes() == b"older\n" and site.dest.read_bytes() == good
