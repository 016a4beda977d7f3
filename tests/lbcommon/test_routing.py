"""lbcommon.routing: the routing table from etcd keys, and its conflict rules."""
from __future__ import annotations

from lbcommon.routes import KeyLayout, Route
from lbcommon.routing_index import build_table
from routingkeys import backend, keys


WEB = Route(("web.example.com",), "/", 1)


def test_services_hosts_paths_and_weights() -> None:
    table = build_table(keys(
        backend("web", "10.0.0.1:80", Route(("web.example.com", "www.example.com"), "/", 3)),
        backend("web", "10.0.0.2:80", Route(("web.example.com", "www.example.com"), "/", 1)),
        backend("api", "10.0.0.3:8080", Route(("web.example.com",), "/api/", 1)),
        backend("shop", "10.0.0.4:80", Route(("shop.example.com",))),
    ))
    assert table.problems == ()
    web = table.service("web")
    assert web is not None and web.hosts == ("web.example.com", "www.example.com") and web.path == "/"
    assert [(b.address, b.weight) for b in web.backends] == [("10.0.0.1:80", 3), ("10.0.0.2:80", 1)]
    assert web.upstream == "svc_web"
    assert [(v.name, [(loc.path, loc.service.name) for loc in v.locations]) for v in table.vhosts] == [
        ("shop.example.com", [("/", "shop")]),
        ("web.example.com", [("/", "web"), ("/api/", "api")]),
        ("www.example.com", [("/", "web")]),
    ]
    assert table.pool_size == 4


def test_tutorial_keys_alone_make_unrouted_services() -> None:
    table = build_table(keys(backend("apache", "10.0.0.1:8081"), backend("apache", "10.0.0.2:8081")))
    apache = table.service("apache")
    assert apache is not None and not apache.routed and len(apache.backends) == 2
    assert table.vhosts == () and table.problems == ()


def test_a_host_stays_known_while_its_service_has_no_backend() -> None:
    """Route keys of containers that are tracked but unhealthy keep the host: 503, not 404."""
    table = build_table({"/lb/routes/web/10.0.0.1:80": WEB.to_value()})
    web = table.service("web")
    assert web is not None and web.backends == () and web.hosts == ("web.example.com",)
    assert [v.name for v in table.vhosts] == ["web.example.com"]


def test_drain_and_maintenance() -> None:
    table = build_table(keys(
        backend("web", "10.0.0.1:80", WEB), backend("web", "10.0.0.2:80", WEB),
        {"/lb/drain/web/10.0.0.2:80": "2026-12-01T10:00:00Z", "/lb/maintenance/api": "on",
         "/lb/drain/web/10.0.0.9:80": "no such backend"},
        backend("api", "10.0.0.3:80", Route(("api.example.com",))),
    ))
    web, api = table.service("web"), table.service("api")
    assert web is not None and api is not None
    assert [b.address for b in web.backends] == ["10.0.0.1:80"]
    assert [b.address for b in web.drained] == ["10.0.0.2:80"]
    assert api.maintenance and [b.address for b in api.backends] == ["10.0.0.3:80"]   # untouched
    assert not web.maintenance and table.problems == ()


def test_drain_address_is_normalised_like_the_backend() -> None:
    table = build_table(keys(backend("web", "[::1]:80", WEB), {"/lb/drain/web/[0:0::1]:080": "x"}))
    web = table.service("web")
    assert web is not None and web.backends == () and [b.address for b in web.drained] == ["[::1]:80"]


def test_containers_of_one_service_disagree_the_majority_wins() -> None:
    other = Route(("old.example.com",), "/", 1)
    table = build_table(keys(
        backend("web", "10.0.0.1:80", WEB), backend("web", "10.0.0.2:80", WEB),
        backend("web", "10.0.0.3:80", other),
    ))
    web = table.service("web")
    assert web is not None and web.hosts == ("web.example.com",)
    assert [b.address for b in web.backends] == ["10.0.0.1:80", "10.0.0.2:80"]
    assert [b.address for b in web.conflicting] == ["10.0.0.3:80"]
    [problem] = table.problems
    assert problem.conflict and problem.key == "/lb/routes/web/10.0.0.3:80"
    assert "old.example.com" in problem.reason and "2 of 3 claims" in problem.reason
    assert [v.name for v in table.vhosts] == ["web.example.com"]


def test_a_tie_goes_to_the_claim_that_sorts_first_whatever_the_order() -> None:
    a, b = Route(("a.example.com",), "/"), Route(("b.example.com",), "/")
    first = build_table(keys(backend("web", "10.0.0.1:80", b), backend("web", "10.0.0.2:80", a)))
    second = build_table(keys(backend("web", "10.0.0.2:80", a), backend("web", "10.0.0.1:80", b)))
    assert first == second
    web = first.service("web")
    assert web is not None and web.hosts == ("a.example.com",)
    assert [b.address for b in web.backends] == ["10.0.0.2:80"]


def test_weight_differences_are_not_a_conflict() -> None:
    table = build_table(keys(backend("web", "10.0.0.1:80", Route(WEB.hosts, "/", 5)),
                             backend("web", "10.0.0.2:80", WEB)))
    assert table.problems == ()


def test_two_services_claim_one_host_and_path_the_first_name_wins() -> None:
    table = build_table(keys(
        backend("zeta", "10.0.0.1:80", Route(("web.example.com", "zeta.example.com"), "/")),
        backend("alpha", "10.0.0.2:80", Route(("web.example.com",), "/")),
    ))
    assert [(v.name, [loc.service.name for loc in v.locations]) for v in table.vhosts] == [
        ("web.example.com", ["alpha"]), ("zeta.example.com", ["zeta"])]
    [problem] = table.conflicts
    assert problem.key == "/lb/routes/zeta/10.0.0.1:80" and "alpha gets it" in problem.reason
    zeta = table.service("zeta")
    assert zeta is not None and len(zeta.backends) == 1        # keeps its pool and its other host


def test_values_that_are_not_what_they_should_be_are_problems_not_routes() -> None:
    table = build_table({
        "/services/web/10.0.0.1:80": "10.0.0.1:80; } server { listen 9999; }",
        "/services/web/10.0.0.2:80": "10.0.0.2:80",
        "/services/bad name/10.0.0.3:80": "10.0.0.3:80",
        "/lb/routes/web/10.0.0.2:80": '{"hosts":["web.example.com"],"path":"/a b"}',
        "/lb/routes/web/not-an-address": WEB.to_value(),
        "/lb/maintenance/bad name": "on",
        "/services/web": "a directory key",
        "/services/web/10.0.0.2:80/extra": "deeper",
    })
    web = table.service("web")
    assert web is not None and [b.address for b in web.backends] == ["10.0.0.2:80"] and not web.routed
    assert table.vhosts == ()
    reasons = sorted(p.reason.split(":")[0] for p in table.problems)
    assert len(table.problems) == 5 and not any(p.conflict for p in table.problems), reasons


def test_other_prefixes() -> None:
    layout = KeyLayout("/prod/services", "/prod/lb")
    table = build_table({"/prod/services/web/10.0.0.1:80": "10.0.0.1:80",
                         "/prod/lb/routes/web/10.0.0.1:80": WEB.to_value(),
                         "/lb/maintenance/web": "on"}, layout)
    web = table.service("web")
    assert web is not None and web.routed and not web.maintenance


def test_an_index_updated_change_by_change_equals_a_fresh_build() -> None:
    """RoutingIndex re-parses only changed keys: after every random change its table must be
    the one built from scratch (services, hosts, conflicts, drains, problems)."""
    import random

    from lbcommon.routing_index import RoutingIndex

    rng = random.Random(20261201)
    routes = [WEB, Route(("web.example.com",), "/api/"), Route(("shop.example.com",), "/", 3),
              Route(("other.example.com",))]
    services, addresses = ["web", "api", "shop", "zeta"], [f"10.0.0.{i}:80" for i in range(1, 7)]
    keys: list[tuple[str, list[str]]] = []
    for service in services:
        for address in addresses:
            keys.append((f"/services/{service}/{address}", [address, "garbage value", f"10.0.9.9:{rng.randint(1, 9)}"]))
            keys.append((f"/lb/routes/{service}/{address}", [r.to_value() for r in routes] + ["{not json"]))
            keys.append((f"/lb/drain/{service}/{address}", ["2026-12-01T00:00:00Z"]))
        keys.append((f"/lb/maintenance/{service}", ["on"]))
    keys.append(("/services/bad name/10.0.0.1:80", ["10.0.0.1:80"]))
    index, values = RoutingIndex(), {}
    for _step in range(600):
        key, choices = rng.choice(keys)
        if key in values and rng.random() < 0.4:
            del values[key]
        else:
            values[key] = rng.choice(choices)
        snapshot = dict(values)
        assert index.update(snapshot) == build_table(snapshot)
