"""The Go reference for the gotemplate tests: ``tests/gotemplate/reference`` is a small Go
program that renders confd-style templates with Go's own text/template and confd's function
map (see reference/main.go and reference/VERIFIED.md). It decides what "right" is.

Fixtures:

* ``go_reference_binary`` (session): builds the program once with the installed ``go``
  (Go 1.19, Debian's golang-go; scripts/lib.sh installs it). A missing or different ``go``
  FAILS the tests, it never skips them: without the reference nothing is being checked.
  Set GOTEMPLATE_ANY_GO=1 to accept another Go version (results may then differ from 1.19).
* ``go_render`` (session): ``go_render(cases) -> list[result]``, all cases in one process.

A case is ``{"name": str, "template": str, "keys": {key: value}, "env": {NAME: value|None}}``
(extra fields are ignored; env None unsets the variable). A result is
``{"output": str, "output_bytes": bytes, "error": str|None, "phase": "parse"|"exec"|None,
"partial_bytes": bytes}``: on error output is "" (confd discards a failed render) and
partial_bytes is what Execute wrote before failing.

Also usable outside pytest (generate.py --go-out): ``build_reference(dir)``,
``run_reference(binary, cases)``.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
GO_VERSION_PREFIX = "go1.19"
ANY_GO_ENV = "GOTEMPLATE_ANY_GO"

GoResult = dict[str, Any]
GoRender = Callable[[Sequence[Mapping[str, Any]]], list[GoResult]]


class GoReferenceError(RuntimeError):
    """The Go reference could not be built or run (a broken test setup, not a test failure)."""


def _go_env(workdir: Path) -> dict[str, str]:
    # Self-contained: no module download, no user cache, no inherited flags, no cgo (so the
    # build needs no C compiler and net uses Go's own resolver on every machine).
    env = dict(os.environ)
    for name in ("GOFLAGS", "GOROOT", "GOOS", "GOARCH", "GOBIN", "GOWORK", "GOEXPERIMENT"):
        env.pop(name, None)
    env.update({
        "GOPATH": str(workdir / "gopath"),
        "GOCACHE": str(workdir / "gocache"),
        "GOMODCACHE": str(workdir / "gopath" / "pkg" / "mod"),
        "GOPROXY": "off",
        "GOSUMDB": "off",
        "GO111MODULE": "on",
        "GOWORK": "off",
        "GOTOOLCHAIN": "local",
        "CGO_ENABLED": "0",
    })
    return env


def build_reference(workdir: Path) -> Path:
    """Build reference/ into ``workdir``; GoReferenceError with the reason when it cannot."""
    go = shutil.which("go")
    if go is None:
        raise GoReferenceError(
            "`go` not found on PATH: the gotemplate tests compare against Go's text/template and "
            "need Go 1.19 (Debian package golang-go, listed in scripts/lib.sh)")
    env = _go_env(workdir)
    version = subprocess.run([go, "env", "GOVERSION"], env=env, capture_output=True, text=True,
                             check=False).stdout.strip()
    if not (version == GO_VERSION_PREFIX or version.startswith(GO_VERSION_PREFIX + ".")) \
            and not os.environ.get(ANY_GO_ENV):
        raise GoReferenceError(
            f"`go` is {version or 'unknown'} but the reference must be {GO_VERSION_PREFIX} (the Go "
            f"confd is built with; text/template changed later). Install golang-go 1.19 or set "
            f"{ANY_GO_ENV}=1 to use this Go anyway")
    binary = workdir / "gotemplate-reference"
    proc = subprocess.run([go, "build", "-o", str(binary), "."], cwd=REFERENCE_DIR, env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise GoReferenceError(f"building {REFERENCE_DIR} failed:\n{proc.stdout}{proc.stderr}")
    return binary


def run_reference(binary: Path, cases: Sequence[Mapping[str, Any]]) -> list[GoResult]:
    """Render every case in one run of the reference program."""
    payload = [{"name": c["name"], "template": c["template"], "keys": dict(c.get("keys") or {}),
                "env": dict(c.get("env") or {})} for c in cases]
    proc = subprocess.run([str(binary)], input=json.dumps(payload).encode(), capture_output=True,
                          check=False, timeout=300)
    if proc.returncode != 0:
        raise GoReferenceError(f"reference exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    results: list[GoResult] = json.loads(proc.stdout)
    if len(results) != len(cases):
        raise GoReferenceError(f"reference returned {len(results)} results for {len(cases)} cases")
    for result in results:
        result["output_bytes"] = base64.b64decode(result.pop("output_b64"))
        result["partial_bytes"] = base64.b64decode(result.pop("partial_b64", ""))
        if result["phase"] == "panic":
            raise GoReferenceError(f"reference fixture bug: {result['error']}")
    return results


@pytest.fixture(scope="session")
def go_reference_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        return build_reference(tmp_path_factory.mktemp("gotemplate-reference"))
    except GoReferenceError as exc:
        message = str(exc)
    pytest.fail(message, pytrace=False)  # outside the except: no chained traceback


@pytest.fixture(scope="session")
def go_render(go_reference_binary: Path) -> GoRender:
    def render(cases: Sequence[Mapping[str, Any]]) -> list[GoResult]:
        try:
            return run_reference(go_reference_binary, cases)
        except GoReferenceError as exc:
            message = str(exc)
        pytest.fail(message, pytrace=False)
    return render
