"""deploy/grafana/container-lb.json: an importable dashboard whose every query names only
metrics the balancer and the sidekick really export (read from their own registries)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

from prometheus_client import CollectorRegistry

from balancer.metrics import BalancerMetrics
from sidekick.metrics import SidekickMetrics

DASHBOARD = Path(__file__).parents[1] / "deploy" / "grafana" / "container-lb.json"

# PromQL words that are not metric names: functions are recognised by their "(".
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
            "offset", "inf", "nan"}


def exported(registry: CollectorRegistry) -> set[str]:
    """Sample names a scrape can show: counters as _total, histograms as _bucket/_sum/_count."""
    names = set()
    for family in registry.collect():
        if family.type == "counter":
            names.add(family.name + "_total")
        elif family.type == "histogram":
            names |= {family.name + suffix for suffix in ("_bucket", "_sum", "_count")}
        else:
            names.add(family.name)
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names of a PromQL expression: what is left once strings, label matchers,
    ranges, groupings, functions and keywords are taken out."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word, after = match.group(), text[match.end():].lstrip()[:1]
        if after != "(" and word.lower() not in KEYWORDS and not word.startswith("$"):
            names.add(word)
    return names


def queries(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("expr"), str):
            yield node["expr"]
        for value in node.values():
            yield from queries(value)
    elif isinstance(node, list):
        for value in node:
            yield from queries(value)


def test_metric_names_parse() -> None:
    assert metric_names('histogram_quantile(0.99, sum by (le) (rate(balancer_render_duration_seconds_bucket'
                        '{job=~"$balancer_job"}[$__rate_interval])))') == {"balancer_render_duration_seconds_bucket"}
    assert metric_names("sum(rate(a_sum[5m])) / sum(rate(a_count[5m]))") == {"a_sum", "a_count"}


def test_every_query_names_exported_metrics_only() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    known = exported(BalancerMetrics().registry) | exported(SidekickMetrics().registry)
    exprs = list(queries(dashboard["panels"]))
    assert len(exprs) >= 15
    used = set()
    for expr in exprs:
        names = metric_names(expr)
        assert names, expr
        assert names <= known, f"{expr}: not exported: {sorted(names - known)}"
        used |= names
    # what the issue asks for: pool sizes, reloads and failures, latencies, keepalive failures, registrations
    for wanted in ("balancer_pool_size", "balancer_reloads_total", "balancer_checks_total",
                   "balancer_render_duration_seconds_bucket", "balancer_check_duration_seconds_bucket",
                   "balancer_reload_duration_seconds_bucket", "sidekick_lease_keepalive_failures_total",
                   "sidekick_registrations_total"):
        assert wanted in used, wanted


def test_importable_with_a_prometheus_datasource() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert [(i["type"], i["pluginId"]) for i in dashboard["__inputs"]] == [("datasource", "prometheus")]
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
    for panel in panels:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert all(t["datasource"]["uid"] == "${datasource}" for t in panel["targets"]), panel["title"]
    assert dashboard["uid"] and dashboard["title"] and "id" not in dashboard
