"""lbcommon.status_view: what both status pages and both `status --json` show of etcd, from a
hand-built EtcdView (pure logic: no etcd)."""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, Mapping

import pytest

from lbcommon.reports import Refusal
from lbcommon.routes import KeyLayout, Route
from lbcommon.routing import Service
from lbcommon.routing_index import build_table
from lbcommon.status_view import (EtcdView, TableCache, ViewReader, health_reports, lease_hosts, maintenance, members,
                                  not_routed, read_view, route_keys, services_json, status_core, view_refusals)
import routingkeys
from routingkeys import keys

LAYOUT = KeyLayout()
WEB = Route(("web.example.com",), "/", 1)
LEASE = 0x1A2B                     # the sidekick on 192.0.2.10 (identity host-a)
OTHER_LEASE = 0x3C4D               # the sidekick on 192.0.2.20 (identity host-b)
OWNER = "/lb/sidekicks/192.0.2.10/host-a"
REPORTS = "/lb/not-registered/192.0.2.10/host-a/"


def backend(service: str, address: str, route: Route | None = WEB) -> dict[str, str]:
    """A backend key and (unless route is None) its route key, routed for web.example.com."""
    return routingkeys.backend(service, address, route)


def under(lease: int, values: Mapping[str, str]) -> dict[str, int]:
    """Every key of `values` attached to `lease`."""
    return {key: lease for key in values}


def health_report(service: str, address: str, reason: str, cid: str = "c" * 64) -> dict[str, str]:
    value = json.dumps({"container": "web.1", "id": cid, "reason": reason, "service": service, "address": address})
    return {REPORTS + cid: value}


def service_members(view: EtcdView, name: str, layout: KeyLayout = LAYOUT) -> list[dict[str, Any]]:
    service = build_table(view.values, layout).service(name)
    assert service is not None, f"no service {name}"
    return members(view, layout, service, lease_hosts(view, layout), health_reports(view, layout),
                   route_keys(view, layout).get(name, {}))


def member_view(view: EtcdView, name: str, address: str) -> dict[str, Any]:
    found = [m for m in service_members(view, name) if m["address"] == address]
    assert len(found) == 1, found
    return found[0]


# -- EtcdView.lease_ttl and lease_hosts ---------------------------------------------------------

def test_lease_ttl_is_the_hex_lease_and_the_seconds_left() -> None:
    view = EtcdView({"/a": "1", "/b": "2", "/c": "3", "/d": "4"},
                    leases={"/a": LEASE, "/b": 0, "/c": OTHER_LEASE}, ttls={LEASE: 17, OTHER_LEASE: -1})
    assert view.lease_ttl("/a") == ("1a2b", 17)
    assert view.lease_ttl("/b") == (None, None)          # lease 0: none
    assert view.lease_ttl("/c") == ("3c4d", -1)          # the lease is gone
    assert view.lease_ttl("/d") == (None, None)          # not in the leases at all


def test_lease_ttl_of_a_lease_that_was_not_looked_up_is_unknown() -> None:
    view = EtcdView({"/a": "1"}, leases={"/a": LEASE}, ttls={})
    assert view.lease_ttl("/a") == ("1a2b", None)


def test_lease_hosts_maps_each_owner_keys_lease_to_host_and_identity() -> None:
    values = {OWNER: "pid 1", "/lb/sidekicks/192.0.2.20/host-b": "pid 2",
              "/lb/sidekicks/192.0.2.30/no-lease": "pid 3", "/lb/routes/web/10.0.0.1:80": WEB.to_value()}
    view = EtcdView(values, leases={OWNER: LEASE, "/lb/sidekicks/192.0.2.20/host-b": OTHER_LEASE,
                                    "/lb/routes/web/10.0.0.1:80": 0x99})
    assert lease_hosts(view, LAYOUT) == {LEASE: "192.0.2.10/host-a", OTHER_LEASE: "192.0.2.20/host-b"}


def test_lease_hosts_follows_the_lb_prefix_of_the_layout() -> None:
    layout = KeyLayout(lb="balancer/prod")
    view = EtcdView({"/balancer/prod/sidekicks/192.0.2.10/host-a": "pid 1", OWNER: "pid 2"},
                    leases={"/balancer/prod/sidekicks/192.0.2.10/host-a": LEASE, OWNER: OTHER_LEASE})
    assert lease_hosts(view, layout) == {LEASE: "192.0.2.10/host-a"}


# -- health_reports -----------------------------------------------------------------------------

def test_health_reports_are_keyed_by_service_and_address() -> None:
    view = EtcdView(keys(health_report("web", "10.0.0.1:80", "container web.1: health check failing: http 500"),
                         health_report("api", "10.0.0.2:80", "container api.1: health check failing: refused",
                                       cid="d" * 64)))
    assert health_reports(view, LAYOUT) == {
        ("web", "10.0.0.1:80"): "container web.1: health check failing: http 500",
        ("api", "10.0.0.2:80"): "container api.1: health check failing: refused",
    }


@pytest.mark.parametrize("value", [
    "not json",
    "[1, 2]",
    '"a string"',
    "null",
    "42",
    '{"container": "web.1", "id": "x", "reason": "bad label sidekick.port"}',          # a label refusal
    '{"container": "web.1", "reason": "r", "service": "web"}',                           # no address
    '{"container": "web.1", "service": "web", "address": "10.0.0.9:80"}',               # no reason
])
def test_a_malformed_health_report_is_ignored(value: str) -> None:
    view = EtcdView(keys({REPORTS + "e" * 64: value},
                         health_report("web", "10.0.0.1:80", "container web.1: health check failing: http 500")))
    assert health_reports(view, LAYOUT) == {("web", "10.0.0.1:80"): "container web.1: health check failing: http 500"}


def test_health_reports_outside_the_reports_prefix_are_not_read() -> None:
    value = json.dumps({"container": "web.1", "id": "x", "reason": "r", "service": "web", "address": "10.0.0.1:80"})
    view = EtcdView({"/lb/elsewhere/x": value, "/services/web/x": value})
    assert health_reports(view, LAYOUT) == {}


# -- members ------------------------------------------------------------------------------------

def test_a_routed_backend_has_its_weight_lease_ttl_and_sidekick_host() -> None:
    mine = keys(backend("web", "10.0.0.1:80", Route(("web.example.com",), "/", 3)), {OWNER: "pid 1"})
    view = EtcdView(mine, leases=under(LEASE, mine), ttls={LEASE: 17})
    assert service_members(view, "web") == [{
        "address": "10.0.0.1:80", "weight": 3, "state": "routed", "key": "/services/web/10.0.0.1:80",
        "lease": "1a2b", "ttl": 17, "host": "192.0.2.10/host-a", "health": "passing",
        "drained": False, "drained_since": None,
    }]


def test_a_backend_under_no_owner_lease_is_shown_on_its_address_host() -> None:
    view = EtcdView(keys(backend("web", "10.0.0.1:80"), backend("web", "[2001:db8::5]:8080"), {OWNER: "pid 1"}),
                    leases={"/services/web/10.0.0.1:80": OTHER_LEASE, OWNER: LEASE}, ttls={OTHER_LEASE: 5})
    first, second = service_members(view, "web")
    assert (first["address"], first["host"], first["lease"], first["ttl"]) == ("10.0.0.1:80", "10.0.0.1", "3c4d", 5)
    assert (second["address"], second["host"], second["lease"], second["ttl"]) == \
        ("[2001:db8::5]:8080", "2001:db8::5", None, None)


def test_a_drained_backend_says_since_when() -> None:
    view = EtcdView(keys(backend("web", "10.0.0.1:80"), backend("web", "10.0.0.2:80"),
                         {"/lb/drain/web/10.0.0.2:80": "2026-01-02T03:04:05Z"}))
    assert [(m["address"], m["state"], m["drained"], m["drained_since"]) for m in service_members(view, "web")] == [
        ("10.0.0.1:80", "routed", False, None),
        ("10.0.0.2:80", "drained", True, "2026-01-02T03:04:05Z"),
    ]
    drained = member_view(view, "web", "10.0.0.2:80")
    assert (drained["key"], drained["health"], drained["weight"]) == ("/services/web/10.0.0.2:80", "passing", 1)


def test_a_route_key_without_backend_key_is_an_unhealthy_member_not_checked_yet() -> None:
    mine = {"/lb/routes/web/10.0.0.2:80": Route(("web.example.com",), "/", 4).to_value(), OWNER: "pid 1"}
    view = EtcdView(keys(backend("web", "10.0.0.1:80"), mine), leases=under(LEASE, mine), ttls={LEASE: 9})
    assert member_view(view, "web", "10.0.0.2:80") == {
        "address": "10.0.0.2:80", "weight": 4, "state": "unhealthy", "key": "/lb/routes/web/10.0.0.2:80",
        "lease": "1a2b", "ttl": 9, "host": "192.0.2.10/host-a", "health": "health check not passed yet",
        "drained": False, "drained_since": None,
    }


def test_an_unhealthy_member_takes_its_reason_from_the_health_report() -> None:
    view = EtcdView(keys({"/lb/routes/web/10.0.0.2:80": WEB.to_value()},
                         health_report("web", "10.0.0.2:80", "container web.2: health check failing: http 503"),
                         health_report("api", "10.0.0.3:80", "another service's report", cid="d" * 64)))
    assert service_members(view, "web") == [{
        "address": "10.0.0.2:80", "weight": 1, "state": "unhealthy", "key": "/lb/routes/web/10.0.0.2:80",
        "lease": None, "ttl": None, "host": "10.0.0.2", "health": "container web.2: health check failing: http 503",
        "drained": False, "drained_since": None,
    }]


def test_a_report_for_another_address_does_not_explain_an_unhealthy_member() -> None:
    view = EtcdView(keys({"/lb/routes/web/10.0.0.2:80": WEB.to_value()},
                         health_report("web", "10.0.0.9:80", "container web.9: health check failing: http 500")))
    assert member_view(view, "web", "10.0.0.2:80")["health"] == "health check not passed yet"


def test_an_unhealthy_member_can_be_drained_too() -> None:
    view = EtcdView({"/lb/routes/web/10.0.0.2:80": WEB.to_value(), "/lb/drain/web/10.0.0.2:80": "yesterday"})
    m = member_view(view, "web", "10.0.0.2:80")
    assert (m["state"], m["drained"], m["drained_since"]) == ("unhealthy", True, "yesterday")


@pytest.mark.parametrize("value", [
    "not json",
    '{"hosts": ["web.example.com"], "weight": 0}',           # weight out of range
    '{"hosts": ["web.example.com"], "weight": "5"}',         # not an integer
    '{"hosts": ["web.example.com"], "colour": "red"}',       # unknown field
])
def test_a_malformed_route_value_counts_as_weight_1(value: str) -> None:
    """The service exists through another backend; the bad route key is a routing problem, and
    its member is shown with the default weight."""
    view = EtcdView(keys(backend("web", "10.0.0.1:80", Route(("web.example.com",), "/", 7)),
                         {"/lb/routes/web/10.0.0.2:80": value}))
    assert [(m["address"], m["state"], m["weight"]) for m in service_members(view, "web")] == [
        ("10.0.0.1:80", "routed", 7), ("10.0.0.2:80", "unhealthy", 1)]
    assert [p.key for p in build_table(view.values).problems] == ["/lb/routes/web/10.0.0.2:80"]


def test_route_keys_of_another_service_are_not_members() -> None:
    view = EtcdView(keys(backend("web", "10.0.0.1:80"), {"/lb/routes/webshop/10.0.0.5:80": WEB.to_value(),
                                                         "/lb/routes/api/10.0.0.6:80": WEB.to_value()}))
    assert [m["address"] for m in service_members(view, "web")] == ["10.0.0.1:80"]


def test_a_conflicting_backend_is_a_member_in_state_conflict() -> None:
    other = Route(("other.example.com",), "/", 2)
    view = EtcdView(keys(backend("web", "10.0.0.1:80"), backend("web", "10.0.0.2:80"),
                         backend("web", "10.0.0.3:80", other)))
    assert [(m["address"], m["state"], m["weight"], m["health"]) for m in service_members(view, "web")] == [
        ("10.0.0.1:80", "routed", 1, "passing"),
        ("10.0.0.2:80", "routed", 1, "passing"),
        ("10.0.0.3:80", "conflict", 2, "passing"),
    ]


def test_members_are_sorted_by_address_whatever_their_state() -> None:
    view = EtcdView(keys(backend("web", "10.0.0.3:80"), backend("web", "10.0.0.1:80"),
                         {"/lb/routes/web/10.0.0.2:80": WEB.to_value(), "/lb/drain/web/10.0.0.3:80": "x"}))
    assert [(m["address"], m["state"]) for m in service_members(view, "web")] == [
        ("10.0.0.1:80", "routed"), ("10.0.0.2:80", "unhealthy"), ("10.0.0.3:80", "drained")]


def test_members_can_be_given_a_service_and_its_route_keys_directly() -> None:
    """The sidekick's status builds its table for one service; members only needs the service
    and the route keys it is given (not those of the view)."""
    view = EtcdView({"/lb/routes/web/10.0.0.2:80": WEB.to_value()})
    service = Service("web", ("web.example.com",))
    routes = {"10.0.0.3:80": ("/lb/routes/web/10.0.0.3:80", Route(("web.example.com",), "/", 6).to_value())}
    assert [(m["address"], m["state"], m["weight"], m["key"], m["host"], m["health"])
            for m in members(view, LAYOUT, service, {}, {("web", "10.0.0.3:80"): "failing"}, routes)] == [
        ("10.0.0.3:80", "unhealthy", 6, "/lb/routes/web/10.0.0.3:80", "10.0.0.3", "failing")]
    assert members(view, LAYOUT, service, {}, {}, {}) == []


# -- route_keys ---------------------------------------------------------------------------------

def test_route_keys_groups_route_keys_by_service_and_address() -> None:
    view = EtcdView(keys(backend("web", "10.0.0.1:80"), backend("web", "10.0.0.2:80", Route(("a.example.com",))),
                         backend("api", "10.0.0.3:80"),
                         {"/lb/routes/broken": "x", "/lb/routes/web/": "x", "/lb/drain/web/10.0.0.1:80": "x",
                          "/lb/routes/web/10.0.0.9:80/deeper": "x"}))
    assert route_keys(view, LAYOUT) == {
        "web": {"10.0.0.1:80": ("/lb/routes/web/10.0.0.1:80", WEB.to_value()),
                "10.0.0.2:80": ("/lb/routes/web/10.0.0.2:80", Route(("a.example.com",)).to_value())},
        "api": {"10.0.0.3:80": ("/lb/routes/api/10.0.0.3:80", WEB.to_value())},
    }


def test_a_route_key_with_an_unnormalised_address_is_not_a_second_member() -> None:
    view = EtcdView({"/services/web/[::1]:80": "[::1]:80", "/lb/routes/web/[0:0::1]:80": WEB.to_value()})
    assert [(m["address"], m["state"]) for m in service_members(view, "web")] == [("[::1]:80", "routed")]


# -- services_json ------------------------------------------------------------------------------

def test_services_json_is_the_routing_report_plus_members() -> None:
    mine = keys(backend("web", "10.0.0.1:80", Route(("web.example.com",), "/", 3)), {OWNER: "pid 1"})
    view = EtcdView(keys(mine, backend("web", "10.0.0.2:80"), {"/lb/drain/web/10.0.0.2:80": "since noon"}),
                    leases=under(LEASE, mine), ttls={LEASE: 30})
    assert services_json(view, LAYOUT, build_table(view.values)) == [{
        "name": "web", "upstream": "svc_web", "hosts": ["web.example.com"], "path": "/", "state": "ok",
        "maintenance": False, "backends": [{"address": "10.0.0.1:80", "weight": 3}],
        "drained": ["10.0.0.2:80"], "conflicting": [],
        "members": [
            {"address": "10.0.0.1:80", "weight": 3, "state": "routed", "key": "/services/web/10.0.0.1:80",
             "lease": "1a2b", "ttl": 30, "host": "192.0.2.10/host-a", "health": "passing",
             "drained": False, "drained_since": None},
            {"address": "10.0.0.2:80", "weight": 1, "state": "drained", "key": "/services/web/10.0.0.2:80",
             "lease": None, "ttl": None, "host": "10.0.0.2", "health": "passing",
             "drained": True, "drained_since": "since noon"},
        ],
    }]


def test_services_json_lists_every_service_in_name_order() -> None:
    view = EtcdView(keys(backend("web", "10.0.0.1:80"), backend("api", "10.0.0.2:80", None)))
    found = services_json(view, LAYOUT, build_table(view.values))
    assert [(s["name"], s["state"], [m["address"] for m in s["members"]]) for s in found] == [
        ("api", "unrouted (no sidekick.hosts)", ["10.0.0.2:80"]), ("web", "ok", ["10.0.0.1:80"])]


def test_services_json_of_an_empty_table_is_empty() -> None:
    assert services_json(EtcdView({}), LAYOUT, build_table({})) == []


# -- maintenance --------------------------------------------------------------------------------

def test_maintenance_lists_each_service_and_since_when_in_key_order() -> None:
    view = EtcdView({"/lb/maintenance/web": "2026-01-02T03:04:05Z", "/lb/maintenance/api": "on",
                     "/lb/drain/web/10.0.0.1:80": "x", "/services/web/10.0.0.1:80": "10.0.0.1:80"})
    assert maintenance(view, LAYOUT) == [{"service": "api", "since": "on"},
                                         {"service": "web", "since": "2026-01-02T03:04:05Z"}]


def test_no_maintenance_key_no_maintenance() -> None:
    assert maintenance(EtcdView(backend("web", "10.0.0.1:80")), LAYOUT) == []


# -- not_routed ---------------------------------------------------------------------------------

def not_routed_of(view: EtcdView, refused: list[Refusal] | None = None) -> list[dict[str, Any]]:
    return not_routed(services_json(view, LAYOUT, build_table(view.values)), refused or [])


def test_a_drained_backend_is_not_routed_because_drained() -> None:
    mine = keys(backend("web", "10.0.0.2:80"), {OWNER: "pid 1"})
    view = EtcdView(keys(backend("web", "10.0.0.1:80"), mine, {"/lb/drain/web/10.0.0.2:80": "2026-01-02"}),
                    leases=under(LEASE, mine))
    assert not_routed_of(view) == [{"container": None, "id": None, "sidekick": "192.0.2.10/host-a",
                                    "service": "web", "address": "10.0.0.2:80",
                                    "reason": "drained (since 2026-01-02)"}]


def test_a_conflicting_backend_is_not_routed_because_of_the_conflict() -> None:
    view = EtcdView(keys(backend("web", "10.0.0.1:80"), backend("web", "10.0.0.2:80"),
                         backend("web", "10.0.0.3:80", Route(("other.example.com",)))))
    assert not_routed_of(view) == [{"container": None, "id": None, "sidekick": "10.0.0.3", "service": "web",
                                    "address": "10.0.0.3:80",
                                    "reason": "claims other hosts or path than service web (a routing conflict)"}]


def test_every_backend_of_a_service_in_maintenance_is_not_routed_but_not_the_unhealthy_ones() -> None:
    view = EtcdView(keys(backend("web", "10.0.0.1:80"), backend("web", "10.0.0.2:80"),
                         {"/lb/drain/web/10.0.0.2:80": "2026-01-02", "/lb/routes/web/10.0.0.3:80": WEB.to_value(),
                          "/lb/maintenance/web": "on"},
                         backend("api", "10.0.0.4:80", Route(("api.example.com",)))))
    assert [(m["address"], m["reason"]) for m in not_routed_of(view)] == [
        ("10.0.0.1:80", "service web is in maintenance"),
        ("10.0.0.2:80", "service web is in maintenance"),      # maintenance says more than drained
    ]


def test_routed_and_unhealthy_backends_are_not_in_not_routed() -> None:
    view = EtcdView(keys(backend("web", "10.0.0.1:80"), {"/lb/routes/web/10.0.0.2:80": WEB.to_value()}))
    assert not_routed_of(view) == []


def test_refusals_come_first_without_service_or_address() -> None:
    refused = [Refusal("web.1", "c" * 64, "bad label sidekick.port", "192.0.2.10/host-a")]
    view = EtcdView(keys(backend("web", "10.0.0.1:80"), backend("web", "10.0.0.2:80"),
                         {"/lb/drain/web/10.0.0.2:80": "noon"}))
    assert not_routed_of(view, refused) == [
        {"container": "web.1", "id": "c" * 64, "reason": "bad label sidekick.port", "sidekick": "192.0.2.10/host-a",
         "service": None, "address": None},
        {"container": None, "id": None, "sidekick": "10.0.0.2", "service": "web", "address": "10.0.0.2:80",
         "reason": "drained (since noon)"},
    ]


def test_not_routed_of_refusals_alone() -> None:
    """The sidekick's document when etcd could not be read: no services, only local refusals."""
    assert not_routed([], [Refusal("web.1", "abc", "no port")]) == [
        {"container": "web.1", "id": "abc", "reason": "no port", "sidekick": None, "service": None, "address": None}]


# -- view_refusals and status_core --------------------------------------------------------------

def test_view_refusals_are_the_sidekicks_reports_health_reports_included() -> None:
    label = json.dumps({"container": "api.1", "id": "d" * 64, "reason": "bad label sidekick.weight"})
    view = EtcdView(keys({REPORTS + "d" * 64: label, REPORTS + "f" * 64: "garbage"},
                         health_report("web", "10.0.0.2:80", "container web.1: health check failing: http 500")))
    assert sorted(view_refusals(view, LAYOUT), key=lambda r: r.container) == [
        Refusal("api.1", "d" * 64, "bad label sidekick.weight", "192.0.2.10/host-a"),
        Refusal("web.1", "c" * 64, "container web.1: health check failing: http 500", "192.0.2.10/host-a"),
    ]


def test_status_core_puts_the_parts_together() -> None:
    mine = keys(backend("web", "10.0.0.1:80"), {OWNER: "pid 1"})
    values = keys(mine, backend("shop", "10.0.0.5:80", WEB), {"/lb/maintenance/shop": "since monday"})
    view = EtcdView(values, leases=under(LEASE, mine), ttls={LEASE: 12}, revision=4711)
    refused = [Refusal("db.1", "abc", "bad label sidekick.service", "192.0.2.10/host-a")]
    core = status_core(view, LAYOUT, build_table(values), refused)
    assert set(core) == {"revision", "services", "problems", "maintenance", "not_registered", "not_routed"}
    assert core["revision"] == 4711
    assert core["services"] == services_json(view, LAYOUT, build_table(values))
    assert [s["name"] for s in core["services"]] == ["shop", "web"]
    assert core["problems"] == [{
        "key": "/lb/routes/web/10.0.0.1:80", "value": WEB.to_value(), "conflict": True,
        "reason": "host web.example.com path /: claimed by services shop and web; shop gets it "
                  "(the name that sorts first)"}]
    assert core["maintenance"] == [{"service": "shop", "since": "since monday"}]
    assert core["not_registered"] == [{"container": "db.1", "id": "abc", "reason": "bad label sidekick.service",
                                       "sidekick": "192.0.2.10/host-a"}]
    assert core["not_routed"] == [
        {"container": "db.1", "id": "abc", "reason": "bad label sidekick.service", "sidekick": "192.0.2.10/host-a",
         "service": None, "address": None},
        {"container": None, "id": None, "sidekick": "10.0.0.5", "service": "shop", "address": "10.0.0.5:80",
         "reason": "service shop is in maintenance"},
    ]


def test_status_core_takes_refusals_from_a_generator_once() -> None:
    refused = (r for r in [Refusal("db.1", "abc", "no port")])
    core = status_core(EtcdView({}), LAYOUT, build_table({}), refused)
    assert core["not_registered"] == [{"container": "db.1", "id": "abc", "reason": "no port", "sidekick": None}]
    assert [r["container"] for r in core["not_routed"]] == ["db.1"]


def test_status_core_with_a_custom_layout() -> None:
    layout = KeyLayout("/svc", "/balancer")
    values = {"/svc/web/10.0.0.1:80": "10.0.0.1:80", "/balancer/drain/web/10.0.0.1:80": "noon",
              "/balancer/maintenance/api": "on", "/balancer/sidekicks/192.0.2.10/host-a": "pid 1",
              "/services/web/10.0.0.9:80": "10.0.0.9:80"}          # the default layout's: not ours
    view = EtcdView(values, leases={"/svc/web/10.0.0.1:80": LEASE, "/balancer/sidekicks/192.0.2.10/host-a": LEASE})
    core = status_core(view, layout, build_table(values, layout), view_refusals(view, layout))
    assert [(m["address"], m["state"], m["host"], m["drained_since"])
            for s in core["services"] for m in s["members"]] == [("10.0.0.1:80", "drained", "192.0.2.10/host-a", "noon")]
    assert core["maintenance"] == [{"service": "api", "since": "on"}]
    assert [r["reason"] for r in core["not_routed"]] == ["drained (since noon)"]


# -- read_view, with a fake client ---------------------------------------------------------------

class FakeClient:
    """The two calls read_view makes, answered from a dict of key -> (value, lease)."""

    def __init__(self, data: Mapping[str, tuple[str, int]], revisions: Mapping[str, int],
                 ttls: Mapping[int, int]) -> None:
        self.data, self.revisions, self.ttls = data, revisions, ttls
        self.reads: list[tuple[str, int | None]] = []          # (prefix, the revision asked for)
        self.lease_lookups: list[int] = []

    def get_prefix_response(self, prefix: str, revision: int | None = None) -> SimpleNamespace:
        self.reads.append((prefix, revision))
        kvs = [SimpleNamespace(key=key.encode(), value=value.encode(), lease=lease)
               for key, (value, lease) in sorted(self.data.items()) if key.startswith(prefix)]
        return SimpleNamespace(header=SimpleNamespace(revision=self.revisions[prefix]), kvs=kvs)

    def get_lease_info(self, lease: int) -> SimpleNamespace:
        self.lease_lookups.append(lease)
        return SimpleNamespace(TTL=self.ttls[lease], grantedTTL=30)


def test_read_view_reads_both_prefixes_at_the_first_revision_and_looks_each_lease_up_once() -> None:
    client = FakeClient({"/services/web/10.0.0.1:80": ("10.0.0.1:80", LEASE),
                         "/lb/routes/web/10.0.0.1:80": (WEB.to_value(), LEASE),
                         "/lb/drain/web/10.0.0.1:80": ("noon", 0),
                         OWNER: ("pid 1", OTHER_LEASE),
                         "/elsewhere/x": ("y", 0)},
                        revisions={"/services/": 10, "/lb/": 12}, ttls={LEASE: 20, OTHER_LEASE: -1})
    view = read_view(client, LAYOUT, RuntimeError)
    assert view == EtcdView(
        values={"/services/web/10.0.0.1:80": "10.0.0.1:80", "/lb/routes/web/10.0.0.1:80": WEB.to_value(),
                "/lb/drain/web/10.0.0.1:80": "noon", OWNER: "pid 1"},
        leases={"/services/web/10.0.0.1:80": LEASE, "/lb/routes/web/10.0.0.1:80": LEASE,
                "/lb/drain/web/10.0.0.1:80": 0, OWNER: OTHER_LEASE},
        ttls={LEASE: 20, OTHER_LEASE: -1}, revision=10, granted={LEASE: 30, OTHER_LEASE: 30})
    assert client.reads == [("/services/", None), ("/lb/", 10)]
    assert client.lease_lookups == [LEASE, OTHER_LEASE]


def test_read_view_keeps_undecodable_bytes_visible() -> None:
    client = FakeClient({}, revisions={"/services/": 3, "/lb/": 3}, ttls={})
    client.get_prefix_response = lambda prefix, revision=None: SimpleNamespace(   # type: ignore[method-assign]
        header=SimpleNamespace(revision=3),
        kvs=[SimpleNamespace(key=b"/services/web/x", value=b"\xff", lease=0)] if prefix == "/services/" else [])
    view = read_view(client, LAYOUT, RuntimeError)
    assert view == EtcdView({"/services/web/x": "\\xff"}, {"/services/web/x": 0}, {}, 3)


def test_read_view_uses_the_layouts_prefixes() -> None:
    client = FakeClient({"/svc/web/10.0.0.1:80": ("10.0.0.1:80", 0), "/services/web/10.0.0.2:80": ("x", 0),
                         "/balancer/maintenance/web": ("on", 0)},
                        revisions={"/svc/": 5, "/balancer/": 5}, ttls={})
    view = read_view(client, KeyLayout("svc", "balancer"), RuntimeError)
    assert view.values == {"/svc/web/10.0.0.1:80": "10.0.0.1:80", "/balancer/maintenance/web": "on"}
    assert client.reads == [("/svc/", None), ("/balancer/", 5)] and client.lease_lookups == []


# -- TableCache ---------------------------------------------------------------------------------

def test_table_cache_builds_the_table_of_a_view() -> None:
    view = EtcdView(keys(backend("web", "10.0.0.1:80")), revision=7)
    assert TableCache(LAYOUT).table(view) == build_table(view.values)


def test_table_cache_reuses_the_table_while_the_revision_stays() -> None:
    cache = TableCache(LAYOUT)
    first = cache.table(EtcdView(keys(backend("web", "10.0.0.1:80")), revision=7))
    again = cache.table(EtcdView(keys(backend("web", "10.0.0.1:80"), backend("web", "10.0.0.2:80")), revision=7))
    assert again is first and [b.address for b in again.services[0].backends] == ["10.0.0.1:80"]


def test_table_cache_builds_again_when_the_revision_moves() -> None:
    cache = TableCache(LAYOUT)
    cache.table(EtcdView(keys(backend("web", "10.0.0.1:80")), revision=7))
    moved = cache.table(EtcdView(keys(backend("web", "10.0.0.1:80"), backend("web", "10.0.0.2:80")), revision=8))
    assert [b.address for b in moved.services[0].backends] == ["10.0.0.1:80", "10.0.0.2:80"]


def test_table_cache_always_builds_at_revision_0() -> None:
    """Revision 0: a view not read from etcd (hand-built); nothing to compare."""
    cache = TableCache(LAYOUT)
    cache.table(EtcdView(keys(backend("web", "10.0.0.1:80"))))
    second = cache.table(EtcdView(keys(backend("api", "10.0.0.2:80"))))
    assert [s.name for s in second.services] == ["api"]


def test_table_cache_uses_its_layout() -> None:
    cache = TableCache(KeyLayout("svc", "balancer"))
    table = cache.table(EtcdView({"/svc/web/10.0.0.1:80": "10.0.0.1:80", "/services/api/10.0.0.2:80": "x"},
                                 revision=3))
    assert [s.name for s in table.services] == ["web"]


def test_view_reader_connects_once_and_says_why_a_read_failed() -> None:
    client = FakeClient({"/services/web/10.0.0.1:80": ("10.0.0.1:80", 0)},
                        revisions={"/services/": 7, "/lb/": 7}, ttls={})
    made: list[FakeClient] = []
    reader = ViewReader(lambda: made.append(client) or client, LAYOUT, RuntimeError)
    view, error = reader.read()
    assert error is None and view is not None and view.values == {"/services/web/10.0.0.1:80": "10.0.0.1:80"}

    def unreachable(prefix: str, revision: int | None = None) -> SimpleNamespace:
        raise RuntimeError("get /services/: etcd unreachable")

    client.get_prefix_response = unreachable  # type: ignore[method-assign]
    assert reader.read() == (None, "get /services/: etcd unreachable")
    assert made == [client]
