from __future__ import annotations

import pytest

from lbcommon.retry import Backoff


def test_grows_caps_and_resets() -> None:
    b = Backoff(initial=0.25, maximum=2.0, jitter=0.0)
    assert [b.next_delay() for _ in range(6)] == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    b.reset()
    assert b.next_delay() == 0.25


def test_jitter_stays_within_bounds() -> None:
    low = Backoff(initial=1.0, jitter=0.2, rand=lambda: 0.0)
    high = Backoff(initial=1.0, jitter=0.2, rand=lambda: 1.0)
    assert low.next_delay() == pytest.approx(0.8) and high.next_delay() == pytest.approx(1.2)
