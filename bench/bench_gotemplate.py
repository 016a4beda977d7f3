#!/usr/bin/env python3
"""Render cost of Go templates (gotemplate, confd's language) against the same templates in
Jinja2, in-process (no etcd, no nginx: Renderer.render on a snapshot, what the balancer runs
for every sync).

    python bench/bench_gotemplate.py [--quick] [--keys N] [--renders N] [--profile]

Two pairs of templates that render the same bytes (checked before timing):

1. the seed's confd template (tests/balancer/data/seed/nginx.tmpl: ``range getvs``, one
   ``server`` line per key) and the same in Jinja2, over N backend keys under /services/apache/;
2. the shipped services example, Go (balancer/examples/services-go) and Jinja2
   (balancer/examples/services), over N/10 services x 10 backends: N backend keys and N route
   keys (host names, paths, weights; a tenth of the hosts with a TLS certificate).

Each render is timed alone (perf_counter around Renderer.render), Go and Jinja2 alternating,
after warm-up renders; p50 / p99 / mean per render.  Target: Go within 2x of Jinja2.  When
Go misses it (or with --profile), the Go renders run again under cProfile and the top
functions are printed.
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Row, cpu_model, ensure_venv, pct, report_text

ensure_venv(__file__, ("jinja2", "gotemplate"), "tests/balancer/test_services_go.py")

from balancer.render import Renderer  # noqa: E402
from balancer.resource import TemplateResource  # noqa: E402
from balancer.store import Snapshot  # noqa: E402
from lbcommon.routes import Route  # noqa: E402

SEED_GO = ROOT / "tests" / "balancer" / "data" / "seed" / "nginx.tmpl"
SERVICES_JINJA2 = ROOT / "balancer" / "examples" / "services" / "templates" / "services.tmpl"
SERVICES_GO = ROOT / "balancer" / "examples" / "services-go" / "templates" / "services.tmpl"
TARGET_RATIO = 2.0

# The seed's template in Jinja2: the same bytes as the Go one.
SEED_JINJA2 = """upstream apache_pool {
{% for server in getvs("/services/apache/*") %}
    server {{ server }};
{% endfor %}
}

server {
    listen 80 default_server;
    listen [::]:80 default_server ipv6only=on;

    access_log /var/log/nginx/access.log upstreamlog;

    location / {
        proxy_pass http://apache_pool;
        proxy_redirect off;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
}
"""


def address(i: int) -> str:
    return f"10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1}:80"


def seed_keys(n: int) -> dict[str, str]:
    return {f"/services/apache/{address(i)}": address(i) for i in range(n)}


def services_keys(n: int) -> dict[str, str]:
    """n backend keys and n route keys: service i//10 has host h<s/2>.bench.test, even services
    at /, odd ones under /s<s>/ (as bench_routing.py)."""
    keys: dict[str, str] = {}
    for i in range(n):
        service = i // 10
        route = Route((f"h{service // 2}.bench.test",), "/" if service % 2 == 0 else f"/s{service}/", 1 + i % 3)
        keys[f"/services/s{service}/{address(i)}"] = address(i)
        keys[f"/lb/routes/s{service}/{address(i)}"] = route.to_value()
    return keys


def resource(src: Path, keys: tuple[str, ...]) -> TemplateResource:
    return TemplateResource(path=src.with_suffix(".toml"), src=src, dest=src.with_suffix(".out"), keys=keys,
                            prefix="/")


def time_renders(pairs: dict[str, tuple[Renderer, TemplateResource]], values: dict[str, str], renders: int,
                 warmup: int) -> dict[str, list[float]]:
    """ms per render for each engine, the engines alternating."""
    times: dict[str, list[float]] = {engine: [] for engine in pairs}
    for n in range(warmup + renders):
        for engine, (renderer, res) in pairs.items():
            gc.collect()
            t0 = time.perf_counter()
            renderer.render(res, Snapshot(n, values))
            elapsed = (time.perf_counter() - t0) * 1000
            if n >= warmup:
                times[engine].append(elapsed)
    return times


def profile_go(renderer: Renderer, res: TemplateResource, values: dict[str, str], renders: int, top: int) -> None:
    import cProfile
    import pstats
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(renders):
        renderer.render(res, Snapshot(n, values))
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"\ncProfile of {renders} Go renders of {res.src} (top {top} by own time, then cumulative):")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 keys, 10 renders")
    ap.add_argument("--keys", type=int, default=None, help="backend keys (default 10,000)")
    ap.add_argument("--renders", type=int, default=None, help="timed renders per engine (default 30)")
    ap.add_argument("--profile", action="store_true", help="profile the Go renders even within the target")
    args = ap.parse_args()
    n_keys = args.keys or (1000 if args.quick else 10_000)
    renders = args.renders or (10 if args.quick else 30)

    work = Path(tempfile.mkdtemp(prefix="bench-gotemplate-"))
    certs = work / "certs"
    certs.mkdir()
    for host in range(0, n_keys // 20, 10):                      # a tenth of the hosts: TLS
        (certs / f"h{host}.bench.test.crt").write_text("x")
        (certs / f"h{host}.bench.test.key").write_text("x")
    os.environ.update({"BALANCER_LISTEN": "127.0.0.1:8080", "BALANCER_CERTS": str(certs)})
    seed_jinja2 = work / "seed-jinja2.tmpl"
    seed_jinja2.write_text(SEED_JINJA2)

    cases = [
        ("seed template (confd's `range getvs`)", seed_keys(n_keys), f"{n_keys:,} backend keys",
         resource(SEED_GO, ("/services/apache",)), resource(seed_jinja2, ("/services/apache",))),
        ("services example", services_keys(n_keys), f"{n_keys:,} backend + {n_keys:,} route keys",
         resource(SERVICES_GO, ("/services", "/lb")), resource(SERVICES_JINJA2, ("/services", "/lb"))),
    ]
    facts = (f"machine: nproc={os.cpu_count()}, python {platform.python_version()}, {platform.system()} "
             f"{platform.release()}, cpu: {cpu_model()}")
    print(facts, flush=True)
    rows: list[Row] = []
    extra: list[str] = []
    slow: list[tuple[Renderer, TemplateResource, dict[str, str]]] = []
    for label, values, what, go, jinja in cases:
        go_renderer, jinja_renderer = Renderer(), Renderer()
        assert go_renderer.language(go).engine == "go" and jinja_renderer.language(jinja).engine == "jinja2"
        out = go_renderer.render(go, Snapshot(0, values))
        if out != jinja_renderer.render(jinja, Snapshot(0, values)):
            print(f"{label}: the Go and Jinja2 templates render different bytes", file=sys.stderr)
            return 1
        print(f"{label}, {what}: {len(out) / 1e6:.2f} MB out, {renders} renders each ...", flush=True)
        times = time_renders({"go": (go_renderer, go), "jinja2": (jinja_renderer, jinja)}, values, renders, 2)
        for engine, name in (("go", "Go"), ("jinja2", "Jinja2")):
            t = times[engine]
            rows.append((f"{label}, {what}: {name}, p50 / p99 / mean",
                         f"{pct(t, 50):.1f} / {pct(t, 99):.1f} / {sum(t) / len(t):.1f} ms", "", None))
        ratio = pct(times["go"], 50) / pct(times["jinja2"], 50)
        rows.append((f"{label}: Go / Jinja2 (p50)", f"{ratio:.2f}x", f"<= {TARGET_RATIO:g}x", ratio <= TARGET_RATIO))
        if ratio > TARGET_RATIO or args.profile:
            slow.append((go_renderer, go, values))
        extra.append(f"{label}: {len(out):,} bytes rendered, {len(values):,} keys")
    print()
    print(report_text(facts, f"mode: {'quick' if args.quick else 'full'} ({renders} timed renders per engine, "
                             "2 warm-up; Renderer.render, the balancer's whole render)", rows, extra))
    for renderer, res, values in slow:
        profile_go(renderer, res, values, max(3, renders // 3), 25)
    import shutil
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
