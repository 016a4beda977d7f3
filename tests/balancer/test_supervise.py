"""--exec's Child: the supervised service never outlives the balancer as an orphan."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from balancer.errors import ChildError
from balancer.supervise import Child
from procs import alive, wait_for

# A stand-in balancer: starts a Child, prints the child's pid, then waits to be killed.  The
# child sets its trap, then says so in `ready`.
PARENT = textwrap.dedent("""\
    import signal, sys, threading, time
    from balancer.supervise import Child
    for sig in %s:
        signal.signal(sig, signal.SIG_IGN)
    child = Child(("sh", "-c", "trap 'echo got-%s >> %s; exit 0' %s; touch %s; while :; do sleep 0.05; done"),
                  threading.Event(), signal.SIG%s)
    child.start()
    print(child._proc.pid, flush=True)
    time.sleep(60)
    """)


@pytest.mark.parametrize("inherited", ["default", "ignored"])
@pytest.mark.parametrize("name", ["TERM", "QUIT"])
def test_child_gets_the_death_signal_when_the_balancer_is_sigkilled(name: str, inherited: str, tmp_path: Path) -> None:
    """`ignored`: the balancer was started with the signal ignored (a background job ignores
    SIGQUIT), which a child would inherit, and a shell could not even trap: it must not matter.
    (This is why the QUIT case once failed in a full run and passed alone.)"""
    trail, ready = tmp_path / "trail", tmp_path / "ready"
    ignored = "(signal.SIGTERM, signal.SIGQUIT)" if inherited == "ignored" else "()"
    code = PARENT % (ignored, name, trail, name, ready, name)
    root = Path(__file__).resolve().parents[2]
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(root)})
    try:
        pid = int(parent.stdout.readline())
        wait_for(ready.exists, timeout=10, message="the child's trap to be set")
        assert alive(pid)
        parent.kill()
        parent.wait(10)
        wait_for(lambda: not alive(pid), timeout=10, message=f"child {pid} to exit after its parent's SIGKILL")
        wait_for(lambda: trail.exists(), timeout=5)
        assert trail.read_text().split() == [f"got-{name}"]     # the chosen signal, once
    finally:
        parent.kill()
        parent.wait(10)
        parent.stdout.close()


def test_child_status_and_forwarding() -> None:
    wake = threading.Event()
    child = Child(("sh", "-c", "trap 'exit 7' TERM; while :; do sleep 0.05; done"), wake)
    assert not child.started and child.exit_status is None
    child.start()
    time.sleep(0.2)
    child.forward(signal.SIGTERM)
    assert wake.wait(10)
    wait_for(lambda: child.exit_status is not None, timeout=5)
    assert child.exit_status == 7


def test_child_that_cannot_start_is_one_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ChildError, match=r"^exec: cannot start /nonexistent/nginx: not found or not executable$"):
        Child(("/nonexistent/nginx",), threading.Event()).start()


def test_the_child_keeps_its_pid_and_parent(tmp_path: Path) -> None:
    """The death-signal wrapper execs the command: the pid we hold is the service's own."""
    child = Child(("sh", "-c", "echo $$ $PPID > %s; sleep 30" % (tmp_path / "ids")), threading.Event())
    child.start()
    try:
        wait_for(lambda: (tmp_path / "ids").exists() and (tmp_path / "ids").read_text().strip(), timeout=10)
        assert (tmp_path / "ids").read_text().split() == [str(child._proc.pid), str(os.getpid())]
    finally:
        child.forward(signal.SIGTERM)


def test_wrapper_usage_and_missing_command() -> None:
    wrapper = [sys.executable, "-m", "balancer.pdeathsig"]
    root = str(Path(__file__).resolve().parents[2])
    usage = subprocess.run([*wrapper, "15"], capture_output=True, text=True, cwd=root)
    assert usage.returncode == 2 and "usage:" in usage.stderr
    missing = subprocess.run([*wrapper, "15", str(os.getpid()), "--", "/nonexistent/nginx"],
                             capture_output=True, text=True, cwd=root)
    assert missing.returncode == 127
    assert missing.stderr.strip() == "exec: cannot start /nonexistent/nginx: No such file or directory"
