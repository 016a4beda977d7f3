"""PNG plots of benchmark results (matplotlib, the `bench` extra: `pip install -e '.[bench]'`):
latency distributions, and reloads over time while containers are replaced under load."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")                      # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

SIZE = (7.0, 3.6)                          # inches, at DPI: about 700 x 360 pixels
DPI = 100


def latency_plot(path: Path, series: Mapping[str, Sequence[float]], title: str) -> Path:
    """One ECDF per series (seconds in, milliseconds on the axis), p50 and p99 in the legend."""
    fig, ax = plt.subplots(figsize=SIZE, dpi=DPI)
    for label, values in series.items():
        ms = sorted(v * 1000 for v in values)
        if not ms:
            continue
        n = len(ms)
        p50, p99 = ms[min(n - 1, round(0.5 * (n - 1)))], ms[min(n - 1, round(0.99 * (n - 1)))]
        ax.step(ms, [(i + 1) / n for i in range(n)], where="post", label=f"{label}: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    ax.set_xscale("log")
    ax.set_xlabel("milliseconds (log scale)")
    ax.set_ylabel("fraction of events")
    ax.set_ylim(0, 1.02)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    ax.set_title(title, fontsize="medium")
    return _save(fig, path)


def reloads_plot(path: Path, reloads: Sequence[float], replacements: Sequence[float], duration: float,
                 title: str) -> Path:
    """Times (seconds from the start of the churn) of nginx reloads and of container
    replacements: both as cumulative counts, reloads also as ticks."""
    fig, ax = plt.subplots(figsize=SIZE, dpi=DPI)
    for label, times, style in (("nginx reloads", reloads, "-"), ("containers replaced", replacements, "--")):
        ordered = sorted(t for t in times if 0 <= t <= duration)
        ax.step([0.0, *ordered, duration], [0, *range(1, len(ordered) + 1), len(ordered)], where="post",
                linestyle=style, label=f"{label} ({len(ordered)})")
    ax.plot([t for t in reloads if 0 <= t <= duration], [0] * len([t for t in reloads if 0 <= t <= duration]),
            "|", markersize=12, color="C0")
    ax.set_xlim(0, duration)
    ax.set_xlabel("seconds into the churn")
    ax.set_ylabel("cumulative count")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    ax.set_title(title, fontsize="medium")
    return _save(fig, path)


def _save(fig: "plt.Figure", path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path
