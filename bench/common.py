"""Helpers shared by the benchmark scripts (``python bench/bench_*.py``: bench/ is the script
directory, so ``import common`` finds this file).

Standard library only: a script imports this before ensure_venv() has re-run it under the
project's .venv, i.e. before any third-party module may be imported.
"""
from __future__ import annotations

import argparse
import importlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
REEXEC_FLAG = "BENCH_REEXEC"  # set in the re-run process: re-exec once at most

Row = tuple[str, str, str, bool | None]  # figure, measured, target ("" for none), verdict (None: not judged)


def ensure_venv(script: str, modules: tuple[str, ...], test_file: str) -> None:
    """Re-run ``script`` (the caller's __file__, same arguments) under the project's .venv when
    one of ``modules`` is not importable here; exit with a hint when that is not possible.
    Then put tests/ on sys.path, for ``import procs``."""
    try:
        for module in modules:
            importlib.import_module(module)
    except ImportError:
        if VENV_PYTHON.exists() and not os.environ.get(REEXEC_FLAG):
            os.environ[REEXEC_FLAG] = "1"
            os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(script).resolve()), *sys.argv[1:]])
        names = "/".join(modules)
        sys.exit(f"{Path(script).stem}: {names} {'is' if len(modules) == 1 else 'are'} not importable and "
                 f".venv is missing; create it with\n  bash scripts/test -q {test_file}")
    sys.path.insert(0, str(ROOT / "tests"))


def add_run_options(ap: argparse.ArgumentParser, program: str, log_level_help: str | None = None) -> None:
    """--keep, --profile, --log-level and --workdir: the options of a benchmark that runs one
    ``python -m PROGRAM run`` in a work directory."""
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs, profile)")
    ap.add_argument("--profile", action="store_true",
                    help=f"run the {program} under cProfile (main thread only) and print the top entries")
    ap.add_argument("--log-level", default="INFO", help=log_level_help or f"the {program}'s --log-level")
    ap.add_argument("--workdir", type=Path, default=None, help="parent of the work directory (default: $TMPDIR)")


def raise_on_signals() -> None:
    """SIGTERM/SIGHUP unwind through the finally blocks like Ctrl-C (KeyboardInterrupt); a
    background job's SIGINT may be ignored, so SIGINT is re-enabled too."""
    def _interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, _interrupted)


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def proc_status_kb(pid: int, name: str) -> int | None:
    """A kB figure from /proc/PID/status (VmHWM, VmRSS), or None."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    m = re.search(rf"^{name}:\s+(\d+)\s+kB", text, re.M)
    return int(m.group(1)) if m else None


def etcd_version(which: Callable[[str], str] | None = None) -> str:
    """``etcd --version``'s version number, or "?" (also when ``which``, e.g. procs.which, finds
    no etcd; without it the PATH lookup of subprocess finds it)."""
    try:
        etcd = which("etcd") if which is not None else "etcd"
        return subprocess.run([etcd, "--version"], capture_output=True, text=True,
                              timeout=10).stdout.splitlines()[0].split()[-1]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def cpu_model() -> str:
    """The first "model name" of /proc/cpuinfo, or "?"."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def report_text(facts: str, mode: str, rows: list[Row], extra: list[str]) -> str:
    """The printed report: the machine facts, the mode, the markdown table of the figures
    (PASS/**MISS** only where there is a target and a verdict), then the extra lines, if any."""
    lines = [facts, mode, "", "| figure | measured | target | |", "|---|---:|---|---|"]
    for name, value, target, ok in rows:
        mark = ("PASS" if ok else "**MISS**") if target and ok is not None else ""
        lines.append(f"| {name} | {value} | {target or '—'} | {mark} |")
    if extra:
        lines += ["", *extra]
    return "\n".join(lines)


def report_failure(script: str, exc: BaseException, process: object | None) -> bool:
    """Print why the run failed, with the tail of `process`'s log (a procs ManagedProcess, or
    None); True when it was interrupted (Ctrl-C, SIGTERM) rather than failed."""
    print(f"\n{script}: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
    if process is not None:
        name, log_path = getattr(process, "name", "process"), getattr(process, "log_path", "?")
        print(f"--- {name} log ({log_path}):\n{process.log_tail(40)}", file=sys.stderr)  # type: ignore[attr-defined]
    return not isinstance(exc, Exception)


def finish(work: Path, failed: bool, interrupted: bool, keep: bool) -> int:
    """Keep the work directory when asked or when the run failed, else remove it; the exit status."""
    if failed or keep:
        print(f"\nwork directory kept: {work}")
    else:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    return 130 if interrupted else (1 if failed else 0)


def print_profile(path: Path, heading: str, top: int) -> None:
    """Print ``heading`` and the top entries of the cProfile file at ``path``, by cumulative
    then by own time."""
    import pstats
    if not path.exists():
        print(f"(no profile written at {path})")
        return
    print(f"\n{heading}")
    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
