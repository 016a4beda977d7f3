"""balancer.activity: what the balancer did lately per resource, and its recent events, with an
injected clock (pure logic: no nginx, no commands run)."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

import balancer.activity as activity_module
from balancer.activity import MAX_POOL_EVENTS, Activity
from balancer.commands import CommandResult
from balancer.errors import CommandError
from fakeclock import Clock

NOTHING_YET = {"render": None, "check": None, "reload": None, "last_error": None, "in_sync": None}




@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def activity(clock: Clock) -> Activity:
    return Activity(clock)


@pytest.fixture
def monotonic(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The readings command_runner takes of time.monotonic (its durations), in order."""
    readings: list[float] = []
    monkeypatch.setattr(activity_module, "time", SimpleNamespace(monotonic=lambda: readings.pop(0)))
    return readings


def events(activity: Activity) -> list[tuple[str, str, bool]]:
    """The recent events, oldest first, without their times (test_events_carry_the_injected_clocks_time)."""
    return [(e.kind, e.text, e.ok) for e in activity.events.events()]


# -- steps and syncs --------------------------------------------------------------------------------

def test_a_resource_with_no_activity_yet(activity: Activity) -> None:
    assert activity.resource("app") == NOTHING_YET
    assert activity.rejected("app") == 0


def test_a_step_records_its_outcome_time_and_duration(activity: Activity, clock: Clock) -> None:
    activity.step("app", "render", 0.25)
    assert activity.resource("app") == {**NOTHING_YET, "render": {"outcome": "ok", "time": 100.0, "seconds": 0.25}}


def test_a_failed_step_is_the_last_error(activity: Activity, clock: Clock) -> None:
    clock.now = 150.0
    activity.step("app", "check", 1.5, "check_cmd `nginx -t` exited with status 1: bad")
    assert activity.resource("app") == {
        **NOTHING_YET, "check": {"outcome": "error", "time": 150.0, "seconds": 1.5},
        "last_error": {"time": 150.0, "text": "check_cmd `nginx -t` exited with status 1: bad"}}


def test_a_later_success_replaces_the_step_but_keeps_the_last_error(activity: Activity, clock: Clock) -> None:
    activity.step("app", "render", 0.5, "template error")
    clock.now = 200.0
    activity.step("app", "render", 0.1)
    assert activity.resource("app")["render"] == {"outcome": "ok", "time": 200.0, "seconds": 0.1}
    assert activity.resource("app")["last_error"] == {"time": 100.0, "text": "template error"}


def test_each_step_is_kept_apart(activity: Activity, clock: Clock) -> None:
    activity.step("app", "render", 0.1)
    clock.now = 101.0
    activity.step("app", "check", 0.2)
    clock.now = 102.0
    activity.step("app", "reload", 0.3)
    found = activity.resource("app")
    assert [found[step] for step in ("render", "check", "reload")] == [
        {"outcome": "ok", "time": 100.0, "seconds": 0.1},
        {"outcome": "ok", "time": 101.0, "seconds": 0.2},
        {"outcome": "ok", "time": 102.0, "seconds": 0.3},
    ]


def test_resources_are_kept_apart(activity: Activity) -> None:
    activity.step("app", "render", 0.1, "broken")
    activity.sync_done("app", "broken")
    activity.on_report("app", "bad value")
    assert activity.resource("other") == NOTHING_YET
    assert activity.rejected("other") == 0


def test_sync_done_says_whether_the_resource_is_in_sync(activity: Activity, clock: Clock) -> None:
    activity.sync_done("app")
    assert activity.resource("app") == {**NOTHING_YET, "in_sync": True}
    clock.now = 120.0
    activity.sync_done("app", "reload_cmd failed; previous file put back")
    assert activity.resource("app") == {**NOTHING_YET, "in_sync": False, "last_error": {
        "time": 120.0, "text": "reload_cmd failed; previous file put back"}}
    clock.now = 130.0
    activity.sync_done("app")
    assert activity.resource("app")["in_sync"] is True
    assert activity.resource("app")["last_error"] == {"time": 120.0, "text": "reload_cmd failed; previous file put back"}


def test_the_last_error_is_the_latest_of_steps_and_syncs(activity: Activity, clock: Clock) -> None:
    activity.sync_done("app", "first")
    clock.now = 110.0
    activity.step("app", "check", 0.2, "second")
    assert activity.resource("app")["last_error"] == {"time": 110.0, "text": "second"}


# -- rejected values --------------------------------------------------------------------------------

def test_each_report_counts_a_rejected_value_and_is_an_event(activity: Activity) -> None:
    activity.on_report("app", "/services/web/x: not a backend address")
    activity.on_report("app", "/lb/routes/web/y: not a route")
    activity.on_report("other", "z")
    assert activity.rejected("app") == 2 and activity.rejected("other") == 1
    assert events(activity) == [
        ("rejected value", "app: /services/web/x: not a backend address", False),
        ("rejected value", "app: /lb/routes/web/y: not a route", False),
        ("rejected value", "other: z", False),
    ]


def test_the_rejected_count_is_not_in_the_resource_json(activity: Activity) -> None:
    activity.on_report("app", "bad")
    assert activity.resource("app") == NOTHING_YET


# -- pool changes -----------------------------------------------------------------------------------

def test_the_first_render_is_one_event_with_the_pool_size(activity: Activity) -> None:
    activity.pool("app", [("web", "10.0.0.1:80"), ("web", "10.0.0.2:80"), ("api", "10.0.0.3:80")])
    assert events(activity) == [("pool", "app: first render, 3 backends", True)]


def test_a_first_render_of_an_empty_pool(activity: Activity) -> None:
    activity.pool("app", [])
    assert events(activity) == [("pool", "app: first render, 0 backends", True)]


def test_joins_and_leaves_since_the_last_render_are_events(activity: Activity) -> None:
    activity.pool("app", [("web", "10.0.0.1:80"), ("web", "10.0.0.2:80")])
    activity.pool("app", [("web", "10.0.0.2:80"), ("web", "10.0.0.4:80"), ("api", "10.0.0.3:80")])
    assert events(activity)[1:] == [
        ("joined", "app: service api: 10.0.0.3:80 joined", True),
        ("joined", "app: service web: 10.0.0.4:80 joined", True),
        ("left", "app: service web: 10.0.0.1:80 left", True),
    ]


def test_the_same_pool_again_is_no_event(activity: Activity) -> None:
    activity.pool("app", [("web", "10.0.0.1:80")])
    activity.pool("app", [("web", "10.0.0.1:80"), ("web", "10.0.0.1:80")])
    activity.pool("app", iter([("web", "10.0.0.1:80")]))
    assert len(events(activity)) == 1


def test_a_member_without_service_is_named_by_its_address_alone(activity: Activity) -> None:
    activity.pool("app", [])
    activity.pool("app", [("", "10.0.0.1:80")])
    activity.pool("app", [])
    assert events(activity)[1:] == [("joined", "app: 10.0.0.1:80 joined", True),
                                    ("left", "app: 10.0.0.1:80 left", True)]


def test_pools_of_resources_are_kept_apart(activity: Activity) -> None:
    activity.pool("app", [("web", "10.0.0.1:80")])
    activity.pool("other", [("web", "10.0.0.1:80")])
    assert events(activity) == [("pool", "app: first render, 1 backends", True),
                                ("pool", "other: first render, 1 backends", True)]


def test_up_to_max_pool_events_changes_are_one_event_each(activity: Activity) -> None:
    activity.pool("app", [])
    activity.pool("app", [("web", f"10.0.0.{i}:80") for i in range(10, 10 + MAX_POOL_EVENTS)])
    assert MAX_POOL_EVENTS == 20
    assert len(events(activity)) == 1 + MAX_POOL_EVENTS
    assert events(activity)[1] == ("joined", "app: service web: 10.0.0.10:80 joined", True)


def test_more_changes_than_max_pool_events_are_one_summary(activity: Activity) -> None:
    before = [("web", f"10.0.0.{i}:80") for i in range(1, 6)]
    activity.pool("app", before)
    activity.pool("app", [("web", f"10.0.1.{i}:80") for i in range(1, 18)])       # 17 joined, 5 left
    assert events(activity)[1:] == [("pool", "app: 17 joined, 5 left", True)]


def test_after_a_summary_changes_are_counted_from_the_summarised_pool(activity: Activity) -> None:
    activity.pool("app", [])
    activity.pool("app", [("web", f"10.0.1.{i}:80") for i in range(1, 30)])
    activity.pool("app", [("web", f"10.0.1.{i}:80") for i in range(2, 30)])
    assert events(activity)[1:] == [("pool", "app: 29 joined, 0 left", True),
                                    ("left", "app: service web: 10.0.1.1:80 left", True)]


# -- command_runner ---------------------------------------------------------------------------------

class FakeRun:
    def __init__(self, result: CommandResult | None = None, error: Exception | None = None) -> None:
        self.result, self.error = result, error
        self.calls: list[tuple[str, str, float]] = []

    def __call__(self, what: str, command: str, timeout: float) -> CommandResult:
        self.calls.append((what, command, timeout))
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def test_a_check_is_recorded_with_its_duration_and_no_event(activity: Activity, monotonic: list[float]) -> None:
    monotonic.extend([10.0, 10.75])
    run = FakeRun(CommandResult("syntax is ok", 0.7))
    result = activity.command_runner(run)("app: check_cmd", "nginx -t -c x", 30.0)
    assert result is run.result and run.calls == [("app: check_cmd", "nginx -t -c x", 30.0)]
    assert activity.resource("app") == {**NOTHING_YET, "check": {"outcome": "ok", "time": 100.0, "seconds": 0.75}}
    assert events(activity) == []


def test_a_reload_is_recorded_and_is_an_event(activity: Activity, clock: Clock, monotonic: list[float]) -> None:
    monotonic.extend([20.0, 20.5])
    clock.now = 300.0
    activity.command_runner(FakeRun(CommandResult("", 0.0123)))("app: reload_cmd", "nginx -s reload", 10.0)
    assert activity.resource("app") == {**NOTHING_YET, "reload": {"outcome": "ok", "time": 300.0, "seconds": 0.5}}
    assert events(activity) == [("reload", "app: `nginx -s reload` ok in 12 ms", True)]


def test_a_failed_check_is_recorded_reraised_and_an_event(activity: Activity, clock: Clock,
                                                          monotonic: list[float]) -> None:
    monotonic.extend([5.0, 7.0])
    clock.now = 400.0
    error = CommandError("app: check_cmd `nginx -t` exited with status 1: unknown directive")
    with pytest.raises(CommandError) as raised:
        activity.command_runner(FakeRun(error=error))("app: check_cmd", "nginx -t", 30.0)
    assert raised.value is error
    assert activity.resource("app") == {
        **NOTHING_YET, "check": {"outcome": "error", "time": 400.0, "seconds": 2.0},
        "last_error": {"time": 400.0, "text": "app: check_cmd `nginx -t` exited with status 1: unknown directive"}}
    assert events(activity) == [("check failed", "app: check_cmd `nginx -t` exited with status 1: unknown directive",
                                 False)]


def test_a_failed_reload_is_recorded_and_an_event(activity: Activity, monotonic: list[float]) -> None:
    monotonic.extend([0.0, 10.0])
    error = CommandError("app: reload_cmd `nginx -s reload` timed out after 10s and was killed")
    with pytest.raises(CommandError):
        activity.command_runner(FakeRun(error=error))("app: reload_cmd", "nginx -s reload", 10.0)
    assert activity.resource("app")["reload"] == {"outcome": "error", "time": 100.0, "seconds": 10.0}
    assert events(activity) == [("reload failed", str(error), False)]


def test_the_resource_name_is_what_comes_before_the_last_separator(activity: Activity,
                                                                   monotonic: list[float]) -> None:
    monotonic.extend([0.0, 1.0])
    activity.command_runner(FakeRun(CommandResult("", 0.0)))("conf.d/a: b.toml: check_cmd", "true", 1.0)
    assert activity.resource("conf.d/a: b.toml")["check"] == {"outcome": "ok", "time": 100.0, "seconds": 1.0}


def test_an_error_other_than_a_command_error_is_not_recorded(activity: Activity, monotonic: list[float]) -> None:
    monotonic.extend([0.0])
    with pytest.raises(RuntimeError, match="bug"):
        activity.command_runner(FakeRun(error=RuntimeError("bug")))("app: check_cmd", "true", 1.0)
    assert activity.resource("app") == NOTHING_YET and events(activity) == []


# -- events ---------------------------------------------------------------------------------------------

def test_events_as_json_are_newest_first(activity: Activity) -> None:
    activity.on_report("app", "first")
    activity.pool("app", [])
    found: list[dict[str, Any]] = activity.events.to_json()
    assert [(e["kind"], e["text"], e["ok"]) for e in found] == [
        ("pool", "app: first render, 0 backends", True), ("rejected value", "app: first", False)]


def test_events_carry_the_injected_clocks_time(activity: Activity, clock: Clock) -> None:
    activity.on_report("app", "first")
    clock.now = 160.0
    activity.on_report("app", "second")
    assert [(e.time, e.text) for e in activity.events.events()] == [(100.0, "app: first"), (160.0, "app: second")]


def test_a_sync_failing_with_an_empty_error_text_still_records_it(activity: Activity) -> None:
    activity.sync_done("app", error="")
    assert activity.resource("app")["in_sync"] is False
    assert activity.resource("app")["last_error"] == {"time": 100.0, "text": ""}
