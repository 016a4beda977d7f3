"""The sidekick's main loop with fakes for Docker and etcd (pure logic, no daemons)."""
from __future__ import annotations

import json
from dataclasses import replace

from lbcommon.etcd import Endpoint
from sidekick.config import Config, HealthConfig
from sidekick.container import Container
from sidekick.daemon import Sidekick
from sidekick.events import ProbeDone


class FakeRegistry:
    def __init__(self) -> None:
        self.desired: dict[str, str] = {}
        self.lease_id: int | None = 1
        self.writes: list[list[str]] = []      # the keys of each write

    @property
    def in_sync(self) -> bool:
        return True

    def set(self, key: str, value: str) -> bool:
        return self.set_many({key: value})

    def set_many(self, items: dict[str, str]) -> bool:
        """As the Registry's: one write (one etcd transaction) of what changed."""
        changed = {k: v for k, v in items.items() if self.desired.get(k) != v}
        if changed:
            self.writes.append(sorted(changed))
            self.desired.update(changed)
        return bool(changed)

    def remove(self, key: str) -> bool:
        self.desired.pop(key, None)
        return True

    def refresh(self, lease_id: int) -> bool:
        return True


class FakeDocker:
    connected = True

    def __init__(self, containers: dict[str, Container]) -> None:
        self.containers = containers

    def inspect(self, cid: str) -> Container | None:
        return self.containers.get(cid)

    def states(self) -> dict[str, str]:
        return {cid: "running" for cid in self.containers}


def container(cid: str = "c" * 64) -> Container:
    return Container(id=cid, name="web.1", image="img", labels={"sidekick.service": "web"},
                     published={"80/tcp": (("127.0.0.1", "32768"),)}, exposed=("80/tcp",))


def sidekick(docker: FakeDocker, registry: FakeRegistry) -> Sidekick:
    config = Config(endpoints=(Endpoint("127.0.0.1", 2379),), host_ip="127.0.0.1",
                    health=HealthConfig(kind="http", rise=1, fall=1))
    sk = Sidekick(config, registry, docker_source=docker, clock=lambda: 0.0)  # type: ignore[arg-type]
    sk._start_probe = lambda tracked: setattr(tracked, "probing", True)       # type: ignore[method-assign]
    return sk


def test_a_probe_result_of_an_earlier_run_is_not_applied_to_the_new_one() -> None:
    """A container restarts while a probe of its previous run is in flight: that result (here a
    pass) must not register the new run, whose own check has not answered yet."""
    c = container()
    registry = FakeRegistry()
    sk = sidekick(FakeDocker({c.id: c}), registry)
    sk._track(c.id)
    earlier = sk.tracked[c.id].run
    sk._on_event({"Action": "die", "id": c.id})          # the restart: die, then start
    sk._on_event({"Action": "start", "id": c.id})
    assert sk.tracked[c.id].run != earlier
    sk._handle(ProbeDone(c.id, earlier, passed=True, detail="http 200"))
    assert not sk.tracked[c.id].registered and registry.desired == {}
    sk._handle(ProbeDone(c.id, sk.tracked[c.id].run, passed=True, detail="http 200"))
    assert sk.tracked[c.id].registered and registry.desired == {"/services/web/127.0.0.1:32768": "127.0.0.1:32768"}


def test_a_probe_result_for_a_dropped_container_is_ignored() -> None:
    c = container()
    registry = FakeRegistry()
    sk = sidekick(FakeDocker({c.id: c}), registry)
    sk._track(c.id)
    run = sk.tracked[c.id].run
    sk._on_event({"Action": "die", "id": c.id})
    sk._handle(ProbeDone(c.id, run, passed=True, detail="http 200"))
    assert c.id not in sk.tracked and registry.desired == {}


# -- route keys: written with the first health result, with the backend key when it passes --------

ROUTE_KEY = "/lb/routes/web/127.0.0.1:32768"
BACKEND_KEY = "/services/web/127.0.0.1:32768"


def routed(cid: str = "c" * 64) -> Container:
    return Container(id=cid, name="web.1", image="img", labels={"sidekick.service": "web",
                                                                "sidekick.hosts": "new.example.com"},
                     published={"80/tcp": (("127.0.0.1", "32768"),)}, exposed=("80/tcp",))


def test_a_passing_first_check_writes_the_route_and_backend_keys_in_one_write() -> None:
    """So that a balancer sees a new host name's server block and its first backend at one
    revision (not a 503 block first and the backend a --debounce-max later)."""
    c = routed()
    registry = FakeRegistry()
    sk = sidekick(FakeDocker({c.id: c}), registry)
    sk._track(c.id)
    assert registry.writes == []                         # nothing before the first result
    sk._handle(ProbeDone(c.id, sk.tracked[c.id].run, passed=True, detail="http 200"))
    assert registry.writes == [[ROUTE_KEY, BACKEND_KEY]]
    assert json.loads(registry.desired[ROUTE_KEY])["hosts"] == ["new.example.com"]


def test_a_failing_first_check_writes_the_route_key_alone_and_a_later_pass_the_backend_key() -> None:
    c = routed()
    registry = FakeRegistry()
    sk = sidekick(FakeDocker({c.id: c}), registry)
    sk._track(c.id)
    sk._handle(ProbeDone(c.id, sk.tracked[c.id].run, passed=False, detail="connection refused"))
    assert registry.writes[0] == [ROUTE_KEY] and BACKEND_KEY not in registry.desired
    sk.tracked[c.id].probing = True
    sk._handle(ProbeDone(c.id, sk.tracked[c.id].run, passed=True, detail="http 200"))
    assert [w for w in registry.writes if BACKEND_KEY in w] == [[BACKEND_KEY]]
    sk._on_event({"Action": "die", "id": c.id})
    assert ROUTE_KEY not in registry.desired and BACKEND_KEY not in registry.desired


def test_without_a_health_check_route_and_backend_keys_go_together_at_once() -> None:
    c = routed()
    registry = FakeRegistry()
    config = Config(endpoints=(Endpoint("127.0.0.1", 2379),), host_ip="127.0.0.1", health=HealthConfig(kind="none"))
    sk = Sidekick(config, registry, docker_source=FakeDocker({c.id: c}), clock=lambda: 0.0)  # type: ignore[arg-type]
    sk._track(c.id)
    assert registry.writes == [[ROUTE_KEY, BACKEND_KEY]]


def test_with_docker_health_the_route_key_goes_at_once_and_the_backend_key_when_healthy() -> None:
    """Docker's first health status comes an interval after the start: the host names are
    known (503) meanwhile."""
    c = replace(routed(), health="starting")
    docker = FakeDocker({c.id: c})
    registry = FakeRegistry()
    sk = sidekick(docker, registry)
    sk._track(c.id)
    assert registry.writes == [[ROUTE_KEY]]
    docker.containers[c.id] = replace(c, health="healthy")
    sk._on_event({"Action": "health_status: healthy", "id": c.id})
    assert registry.writes == [[ROUTE_KEY], [BACKEND_KEY]]


# -- networks: --network picks the address; connect/disconnect events re-evaluate -----------------

NETWORKED = Config(endpoints=(Endpoint("127.0.0.1", 2379),), host_ip="127.0.0.1", address_mode="container",
                   network="back", health=HealthConfig(kind="none"))
REPORTS = "/lb/not-registered/127.0.0.1/host-wide,network=back/"


def on_networks(**networks: str) -> Container:
    return Container(id="d" * 64, name="web.2", image="img", labels={"sidekick.service": "web"},
                     exposed=("80/tcp",), networks=networks)


def networked(docker: FakeDocker, registry: FakeRegistry) -> Sidekick:
    return Sidekick(NETWORKED, registry, docker_source=docker, clock=lambda: 0.0)  # type: ignore[arg-type]


def network_event(action: str, cid: str, network: str = "back") -> dict[str, object]:
    """As Docker sends it: the Actor is the network, the container an attribute."""
    return {"Type": "network", "Action": action,
            "Actor": {"ID": "n" * 64, "Attributes": {"container": cid, "name": network, "type": "bridge"}}}


def test_a_container_not_on_the_network_is_reported_once_and_listed_in_etcd(caplog) -> None:
    c = on_networks(front="172.18.0.2")
    registry = FakeRegistry()
    sk = networked(FakeDocker({c.id: c}), registry)
    sk._track(c.id)
    sk._track(c.id)                                               # asked again: no second line
    assert c.id not in sk.tracked
    lines = [r.getMessage() for r in caplog.records if "web.2" in r.getMessage()]
    assert lines == [f"container web.2 ({c.id[:12]}): not on network 'back' (it is on: front); not registered"]
    assert json.loads(registry.desired[REPORTS + c.id]) == {
        "container": "web.2", "id": c.id, "reason": f"container web.2 ({c.id[:12]}): not on network 'back' "
                                                    "(it is on: front)"}
    assert [k for k in registry.desired if k.startswith("/services/")] == []
    assert sk.metrics.registry.get_sample_value("sidekick_containers_not_registered") == 1


def test_connect_registers_and_disconnect_removes() -> None:
    c = on_networks(front="172.18.0.2")
    docker = FakeDocker({c.id: c})
    registry = FakeRegistry()
    sk = networked(docker, registry)
    sk._track(c.id)
    docker.containers[c.id] = on_networks(front="172.18.0.2", back="172.19.0.3")
    sk._on_event(network_event("connect", c.id))
    assert registry.desired == {"/services/web/172.19.0.3:80": "172.19.0.3:80"}   # and the report gone
    docker.containers[c.id] = on_networks(back="172.19.0.3")
    sk._on_event(network_event("disconnect", c.id, "front"))      # another network: same address
    assert registry.desired == {"/services/web/172.19.0.3:80": "172.19.0.3:80"}
    docker.containers[c.id] = on_networks()
    sk._on_event(network_event("disconnect", c.id))
    assert list(registry.desired) == [REPORTS + c.id] and c.id not in sk.tracked
    sk._on_event({"Action": "die", "id": c.id})                   # stopped: no report left either
    assert registry.desired == {}


def test_network_events_of_containers_not_known_are_not_inspected() -> None:
    """The connects before a `start` (and disconnects after a `die`): the start event decides."""
    c = on_networks(back="172.19.0.3")
    docker = FakeDocker({c.id: c})
    asked: list[str] = []
    docker.inspect = lambda cid: asked.append(cid) or docker.containers.get(cid)  # type: ignore[method-assign]
    sk = networked(docker, FakeRegistry())
    sk._on_event(network_event("connect", c.id))
    sk._on_event(network_event("create", c.id))
    assert asked == []
    sk._on_event({"Action": "start", "id": c.id})
    assert asked == [c.id] and c.id in sk.tracked


def test_a_network_event_does_not_bring_back_a_stopping_container() -> None:
    c = on_networks(back="172.19.0.3")
    docker = FakeDocker({c.id: c})
    registry = FakeRegistry()
    sk = networked(docker, registry)
    sk._track(c.id)
    assert registry.desired
    sk._on_event({"Action": "kill", "id": c.id, "Actor": {"Attributes": {"signal": "15"}}})
    sk._on_event(network_event("connect", c.id, "front"))
    assert registry.desired == {} and c.id not in sk.tracked


def test_a_deep_reconcile_asks_a_reported_container_again() -> None:
    """A connect missed while the event stream was down is caught by the reconcile after it."""
    c = on_networks(front="172.18.0.2")
    docker = FakeDocker({c.id: c})
    registry = FakeRegistry()
    sk = networked(docker, registry)
    sk.registry.reconcile = lambda prefixes: None                 # type: ignore[attr-defined]
    sk._reconcile()
    assert list(registry.desired) == [REPORTS + c.id]
    docker.containers[c.id] = on_networks(front="172.18.0.2", back="172.19.0.3")
    sk._reconcile()                                               # a plain reconcile: known
    assert list(registry.desired) == [REPORTS + c.id]
    sk._reconcile(deep=True)
    assert registry.desired == {"/services/web/172.19.0.3:80": "172.19.0.3:80"}
    del docker.containers[c.id]
    sk._reconcile()
    assert registry.desired == {}
