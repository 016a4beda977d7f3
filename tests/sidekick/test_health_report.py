"""sidekick.health_report: the report key of a tracked container whose health check fails, with a
fake registry and clock (pure logic, no etcd)."""
from __future__ import annotations

import json

from lbcommon.recent import Event, EventLog
from sidekick.container import Container
from sidekick.health_report import HealthReports, ProbeResult, service_of
from fakeclock import Clock

PREFIX = "/lb/not-registered/192.0.2.10/host-a/"
CID = "c" * 64
ADDRESS = "127.0.0.1:32768"


class FakeRegistry:
    """Registry.set/remove: True when written now; `ok = False` makes every write fail."""

    def __init__(self) -> None:
        self.ok = True
        self.calls: list[tuple[str, ...]] = []
        self.desired: dict[str, str] = {}

    def set(self, key: str, value: str) -> bool:
        self.calls.append(("set", key, value))
        self.desired[key] = value
        return self.ok

    def remove(self, key: str) -> bool:
        self.calls.append(("remove", key))
        self.desired.pop(key, None)
        return self.ok




class Retries:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


class Setup:
    def __init__(self) -> None:
        self.registry = FakeRegistry()
        self.clock = Clock(1000.0)
        self.retries = Retries()
        self.events = EventLog(clock=self.clock)
        self.reports = HealthReports(self.registry, PREFIX, self.retries, self.events,  # type: ignore[arg-type]
                                     clock=self.clock)

    def fail(self, detail: str, container: Container | None = None, registered: bool = False) -> None:
        self.reports.result(container or web(), "web", ADDRESS, False, detail, registered)

    def pass_(self, detail: str = "http 200", container: Container | None = None, registered: bool = False) -> None:
        self.reports.result(container or web(), "web", ADDRESS, True, detail, registered)


def web(cid: str = CID, name: str = "web.1") -> Container:
    return Container(id=cid, name=name, image="img", labels={"sidekick.service": "web"})


def reason(detail: str, name: str = "web.1") -> str:
    return f"container {name} (cccccccccccc): health check failing: {detail}"


def report_value(detail: str) -> str:
    return json.dumps({"container": "web.1", "id": CID, "reason": reason(detail), "service": "web",
                       "address": ADDRESS}, separators=(",", ":"))


# -- a failing result ---------------------------------------------------------------------------

def test_a_failing_result_writes_one_report_key() -> None:
    s = Setup()
    s.fail("http 500")
    assert s.registry.calls == [("set", PREFIX + CID, report_value("http 500"))]
    assert json.loads(s.registry.desired[PREFIX + CID]) == {
        "container": "web.1", "id": CID, "reason": "container web.1 (cccccccccccc): health check failing: http 500",
        "service": "web", "address": ADDRESS}
    assert s.retries.count == 0


def test_a_failing_result_is_one_event() -> None:
    s = Setup()
    s.fail("http 500")
    assert s.events.events() == [Event(1000.0, "health check failed",
                                       f"{reason('http 500')} (web {ADDRESS})", ok=False)]


def test_the_report_reason_is_the_one_status_reads_for_health() -> None:
    """lbcommon.reports.HEALTH_REASON is how a health report's reason starts, after the container."""
    s = Setup()
    s.fail("timed out")
    assert json.loads(s.registry.desired[PREFIX + CID])["reason"].startswith("container web.1 (cccccccccccc): "
                                                                             "health check failing: ")


def test_the_same_failing_reason_again_writes_nothing_new() -> None:
    s = Setup()
    s.fail("http 500")
    s.clock.now = 1005.0
    s.fail("http 500")
    s.fail("http 500")
    assert s.registry.calls == [("set", PREFIX + CID, report_value("http 500"))]
    assert len(s.events.events()) == 1 and s.retries.count == 0


def test_a_different_reason_rewrites_the_report() -> None:
    s = Setup()
    s.fail("http 500")
    s.clock.now = 1005.0
    s.fail("connection refused")
    assert s.registry.calls == [("set", PREFIX + CID, report_value("http 500")),
                                ("set", PREFIX + CID, report_value("connection refused"))]
    assert [(e.time, e.text) for e in s.events.events()] == [
        (1000.0, f"{reason('http 500')} (web {ADDRESS})"), (1005.0, f"{reason('connection refused')} (web {ADDRESS})")]


def test_going_back_to_an_earlier_reason_rewrites_again() -> None:
    s = Setup()
    s.fail("http 500")
    s.fail("http 503")
    s.fail("http 500")
    assert [call[2] for call in s.registry.calls] == [report_value("http 500"), report_value("http 503"),
                                                       report_value("http 500")]


def test_each_container_has_its_own_report_key() -> None:
    s = Setup()
    other = web("d" * 64, "web.2")
    s.fail("http 500")
    s.fail("http 500", container=other)
    assert sorted(s.registry.desired) == [PREFIX + CID, PREFIX + "d" * 64]
    assert json.loads(s.registry.desired[PREFIX + "d" * 64])["reason"] == \
        "container web.2 (dddddddddddd): health check failing: http 500"
    s.pass_(container=other)
    assert sorted(s.registry.desired) == [PREFIX + CID]


# -- clearing -------------------------------------------------------------------------------------

def test_a_passing_result_clears_the_report() -> None:
    s = Setup()
    s.fail("http 500")
    s.pass_()
    assert s.registry.calls[1:] == [("remove", PREFIX + CID)]
    assert s.registry.desired == {} and s.retries.count == 0


def test_a_failing_result_of_a_registered_container_clears_the_report() -> None:
    """Still registered (fewer failures than --fall): it is in the pool, nothing to explain."""
    s = Setup()
    s.fail("http 500")
    s.fail("http 503", registered=True)
    assert s.registry.calls == [("set", PREFIX + CID, report_value("http 500")), ("remove", PREFIX + CID)]
    assert len(s.events.events()) == 1


def test_a_registered_failing_container_with_no_report_writes_nothing() -> None:
    s = Setup()
    s.fail("http 500", registered=True)
    assert s.registry.calls == [] and s.events.events() == []


def test_a_passing_result_without_a_report_removes_nothing() -> None:
    s = Setup()
    s.pass_()
    s.pass_(registered=True)
    assert s.registry.calls == [] and s.events.events() == [] and s.retries.count == 0


def test_clearing_twice_removes_once() -> None:
    s = Setup()
    s.fail("http 500")
    s.pass_()
    s.pass_()
    assert s.registry.calls.count(("remove", PREFIX + CID)) == 1


def test_after_a_clear_the_same_reason_is_written_again() -> None:
    s = Setup()
    s.fail("http 500")
    s.pass_()
    s.fail("http 500")
    assert s.registry.calls == [("set", PREFIX + CID, report_value("http 500")), ("remove", PREFIX + CID),
                                ("set", PREFIX + CID, report_value("http 500"))]
    assert len(s.events.events()) == 2


def test_forget_clears_the_report_and_the_last_result() -> None:
    s = Setup()
    s.fail("http 500")
    s.reports.forget(CID)
    assert s.registry.calls[1:] == [("remove", PREFIX + CID)]
    assert s.reports.last == {}


def test_forget_of_an_unreported_container_removes_nothing() -> None:
    s = Setup()
    s.pass_()
    s.reports.forget(CID)
    s.reports.forget("never-seen")
    assert s.registry.calls == [] and s.reports.last == {}


# -- failed writes ----------------------------------------------------------------------------------

def test_a_failed_write_asks_for_a_retry() -> None:
    s = Setup()
    s.registry.ok = False
    s.fail("http 500")
    assert s.retries.count == 1
    assert s.registry.calls == [("set", PREFIX + CID, report_value("http 500"))]
    assert len(s.events.events()) == 1          # the event is not lost with the write


def test_a_failed_write_is_left_to_the_registry_not_repeated() -> None:
    """The registry keeps what it could not write and the retry flushes it: the same reason
    again is no new write and no new retry."""
    s = Setup()
    s.registry.ok = False
    s.fail("http 500")
    s.fail("http 500")
    assert s.retries.count == 1 and len(s.registry.calls) == 1


def test_a_failed_remove_asks_for_a_retry() -> None:
    s = Setup()
    s.fail("http 500")
    s.registry.ok = False
    s.pass_()
    assert s.retries.count == 1
    assert s.registry.calls[1:] == [("remove", PREFIX + CID)]


def test_a_failed_remove_by_forget_asks_for_a_retry() -> None:
    s = Setup()
    s.fail("http 500")
    s.registry.ok = False
    s.reports.forget(CID)
    assert s.retries.count == 1


# -- the last result --------------------------------------------------------------------------------

def test_every_result_is_kept_as_the_last_one_with_its_time() -> None:
    s = Setup()
    s.fail("http 500")
    assert s.reports.last == {CID: ProbeResult(False, "http 500", 1000.0)}
    s.clock.now = 1010.0
    s.fail("http 500")                                   # no new report, a new last result
    assert s.reports.last == {CID: ProbeResult(False, "http 500", 1010.0)}
    s.clock.now = 1020.0
    s.pass_("http 200", registered=True)
    assert s.reports.last == {CID: ProbeResult(True, "http 200", 1020.0)}


def test_a_probe_result_as_json() -> None:
    assert ProbeResult(False, "http 500", 12.5).to_json() == {"passed": False, "detail": "http 500", "time": 12.5}


# -- service_of -----------------------------------------------------------------------------------------

def test_service_of_a_backend_key() -> None:
    assert service_of("/services/web/10.0.0.5:80") == "web"
    assert service_of("/services/web/[2001:db8::5]:80") == "web"
    assert service_of("/prod/services/api/10.0.0.5:80/") == "api"
