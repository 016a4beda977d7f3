from __future__ import annotations

import pytest

from balancer.debounce import Debouncer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_first_change_after_quiet_spell_is_due_at_once(clock: Clock) -> None:
    d = Debouncer(0.1, 1.0, clock)
    assert d.deadline() is None and not d.due()
    d.notify()
    assert d.due()
    assert d.deadline() == 100.0


def test_burst_after_a_fire_waits_for_quiet(clock: Clock) -> None:
    d = Debouncer(0.1, 1.0, clock)
    d.notify()
    d.fired()
    clock.now += 0.01
    d.notify()
    assert not d.due()
    assert d.deadline() == pytest.approx(100.11)
    clock.now += 0.05
    d.notify()                      # burst goes on: deadline moves
    assert d.deadline() == pytest.approx(100.16)
    clock.now = 100.16
    assert d.due()


def test_endless_burst_is_cut_by_the_limit(clock: Clock) -> None:
    d = Debouncer(0.1, 1.0, clock)
    d.notify()
    d.fired()
    start = clock.now
    fires = 0
    for _ in range(300):            # a change every 20 ms for 6 s
        clock.now += 0.02
        d.notify()
        if d.due():
            d.fired()
            fires += 1
    assert 5 <= fires <= 6          # once per `limit`, not per change
    assert clock.now - start == pytest.approx(6.0)


def test_burst_of_200_gives_two_fires(clock: Clock) -> None:
    d = Debouncer(0.1, 1.0, clock)
    fires = 0
    for _ in range(200):
        d.notify()
        if d.due():
            d.fired()
            fires += 1
        clock.now += 0.001
    clock.now += 0.2
    if d.due():
        d.fired()
        fires += 1
    assert fires == 2


def test_change_long_after_fire_is_immediate_again(clock: Clock) -> None:
    d = Debouncer(0.1, 1.0, clock)
    d.notify()
    d.fired()
    clock.now += 0.5
    d.notify()
    assert d.due()


@pytest.mark.parametrize("quiet,limit", [(-1, 1), (2, 1)])
def test_bad_settings_rejected(clock: Clock, quiet: float, limit: float) -> None:
    with pytest.raises(ValueError):
        Debouncer(quiet, limit, clock)
