"""The project's apache image (images/apache) for the tests and benchmarks: built by
images/build, run with a name on its page and a short health-check interval.

    from procs.apache import APACHE_IMAGE, build_images, apache_run_args

Not re-exported by ``procs/__init__.py``: import it as ``procs.apache``.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .dockerd import DOCKER

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "images" / "build"
APACHE_IMAGE = "apache:latest"
BUILD_TIMEOUT = 900          # seconds; the first build (debootstrap of the base image) takes about a minute
# The image's HEALTHCHECK runs every 5 s, and the sidekick registers a container with a
# HEALTHCHECK only once Docker says `healthy`: the first check comes one interval after the
# start.  Tests that replace containers in a loop ask for a check every second.
HEALTH_INTERVAL = "1s"


class ImageBuildError(RuntimeError):
    pass


def build_images(*names: str, timeout: float = BUILD_TIMEOUT) -> str:
    """`bash images/build NAMES...` (all images without names); returns its log (stderr).
    Idempotent and quick once built (docker's layer cache); one build at a time on the machine
    (images/build takes a lock).  Raises ImageBuildError with the end of the log on failure."""
    try:
        res = subprocess.run(["bash", str(BUILD), *names], capture_output=True, text=True, timeout=timeout,
                             env={**os.environ, "DOCKER": DOCKER})
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr or ""
        raise ImageBuildError(f"images/build {' '.join(names)} did not finish within {timeout:.0f}s:\n"
                              f"{err[-8000:]}") from exc
    if res.returncode != 0:
        raise ImageBuildError(f"images/build {' '.join(names)} failed ({res.returncode}):\n"
                              f"{res.stderr[-8000:]}\n{res.stdout[-2000:]}")
    return res.stderr


def apache_run_args(name: str, health_interval: str = HEALTH_INTERVAL) -> list[str]:
    """`docker run` options for an apache container whose page says `name` (before the image)."""
    return ["-e", f"NAME={name}", "--health-interval", health_interval]
