"""The sidekick's main loop with fakes for Docker and etcd (pure logic, no daemons)."""
from __future__ import annotations

from lbcommon.etcd import Endpoint
from sidekick.config import Config, HealthConfig
from sidekick.container import Container
from sidekick.daemon import Sidekick
from sidekick.events import ProbeDone


class FakeRegistry:
    def __init__(self) -> None:
        self.desired: dict[str, str] = {}
        self.lease_id: int | None = 1

    @property
    def in_sync(self) -> bool:
        return True

    def set(self, key: str, value: str) -> bool:
        self.desired[key] = value
        return True

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
