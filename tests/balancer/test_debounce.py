from __future__ import annotations

import pytest

from balancer.debounce import Debouncer
from fakeclock import Clock




@pytest.fixture
def clock() -> Clock:
    return Clock()


def run(d: Debouncer, clock: Clock, changes: list[float], settle: float = 5.0, step: float = 0.001) -> list[float]:
    """Feed changes at the given offsets; return when it fired (offsets from the start)."""
    start, fires, pending = clock.now, [], sorted(changes)
    while pending or d.pending:
        if pending and clock.now - start >= pending[0] - 1e-9:
            pending.pop(0)
            d.notify()
        if d.due():
            d.fired()
            fires.append(round(clock.now - start, 3))
        clock.now += step
        if clock.now - start > max(changes) + settle:
            break
    return fires


def test_first_change_after_a_quiet_spell_goes_at_once(clock: Clock) -> None:
    d = Debouncer(0.1, 1.0, clock)
    assert d.deadline() is None and not d.due()
    d.notify()
    assert d.due() and d.deadline() == 100.0


def test_isolated_changes_each_go_at_once(clock: Clock) -> None:
    d = Debouncer(0.1, 1.0, clock)
    assert run(d, clock, [0.0, 1.5, 3.0, 4.5]) == [0.0, 1.5, 3.0, 4.5]


def test_burst_of_200_gives_two_fires(clock: Clock) -> None:
    d = Debouncer(0.1, 1.0, clock)
    fires = run(d, clock, [i * 0.001 for i in range(200)])
    assert fires == [0.0, 1.0]


def test_a_burst_long_after_a_fire_is_coalesced_by_quiet(clock: Clock) -> None:
    d = Debouncer(0.1, 1.0, clock)
    fires = run(d, clock, [0.0, 2.0, 2.02, 2.05, 2.3])
    assert fires == [0.0, 2.0, 3.0]        # 2.02..2.3 wait out the 1 s since the fire at 2.0


def test_paced_changes_fire_about_once_per_limit(clock: Clock) -> None:
    d = Debouncer(0.1, 1.0, clock)
    fires = run(d, clock, [i * 0.15 for i in range(20)])      # one change every 150 ms for 3 s
    assert len(fires) == 4 and fires[:2] == [0.0, 1.0]
    assert all(1.0 <= b - a <= 1.06 for a, b in zip(fires, fires[1:], strict=False))


def test_endless_stream_fires_once_per_limit(clock: Clock) -> None:
    d = Debouncer(0.1, 1.0, clock)
    fires = run(d, clock, [i * 0.02 for i in range(300)], settle=2.0)
    assert len(fires) == 7
    assert all(1.0 <= b - a <= 1.03 for a, b in zip(fires, fires[1:], strict=False))


def test_quiet_ends_a_burst_before_the_limit_when_the_last_fire_is_old(clock: Clock) -> None:
    d = Debouncer(0.3, 1.0, clock)
    fires = run(d, clock, [0.0, 5.0, 5.1, 5.2, 6.3, 6.35])
    assert fires == [0.0, 5.0, 6.0, 7.0]


@pytest.mark.parametrize("quiet,limit", [(-1, 1), (2, 1)])
def test_bad_settings_rejected(clock: Clock, quiet: float, limit: float) -> None:
    with pytest.raises(ValueError):
        Debouncer(quiet, limit, clock)


def test_a_render_that_changed_nothing_does_not_hold_back_the_next(clock: Clock) -> None:
    d = Debouncer(0.1, 1.0, clock)
    d.notify()
    d.fired(acted=False)                 # e.g. the periodic resync: nothing written
    clock.now += 0.2
    d.notify()
    assert d.due()                       # goes at once


def test_a_lead_lets_the_rest_of_one_revision_join_the_first_change(clock: Clock) -> None:
    """Changes 0 and 3 ms apart (one etcd revision over two watches): one fire, 10 ms after the
    first; without the lead the second change waited out the limit."""
    assert run(Debouncer(0.1, 1.0, clock, lead=0.01), clock, [0.0, 0.003]) == [0.01]
    assert run(Debouncer(0.1, 1.0, clock), clock, [10.0, 10.003]) == [10.0, 11.0]


def test_a_lead_delays_only_the_first_change_after_a_quiet_spell(clock: Clock) -> None:
    assert run(Debouncer(0.1, 1.0, clock, lead=0.01), clock, [0.0, 0.5]) == [0.01, 1.01]


@pytest.mark.parametrize("lead", [-0.01, 0.2])
def test_a_lead_outside_zero_to_quiet_is_refused(clock: Clock, lead: float) -> None:
    with pytest.raises(ValueError, match="lead"):
        Debouncer(0.1, 1.0, clock, lead=lead)
