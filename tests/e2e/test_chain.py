"""End to end on one host: Docker -> sidekick -> etcd -> balancer -> nginx -> containers."""
from __future__ import annotations

import statistics
import time

from procs import LoadLoop, wait_for


def test_every_container_answers_and_the_pool_follows_docker(chain) -> None:
    addresses = {name: chain.run(name) for name in ("one", "two", "three")}
    wait_for(lambda: chain.served() == {"one", "two", "three"}, timeout=20)
    assert chain.keys() == set(addresses.values())

    chain.stop("two")
    stopped = time.monotonic()
    wait_for(lambda: addresses["two"] not in chain.pool_file(), timeout=2.0, interval=0.01)
    assert chain.served() == {"one", "three"}
    assert time.monotonic() - stopped < 2.0

    addresses["four"] = chain.run("four")
    started = time.monotonic()                     # `docker run` has returned: the join is ours
    wait_for(lambda: "four" in chain.served(6), timeout=2.0, interval=0.01)
    assert time.monotonic() - started < 2.0
    assert chain.served() == {"one", "three", "four"}


CHURN_SECONDS = 60.0
BASELINE_SECONDS = 10.0


def p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else latencies[0]


def test_churn_under_load_for_a_minute_loses_no_request(chain, timing) -> None:
    """4 client threads through nginx for 60 s while containers are replaced continuously
    (start new, wait until nginx serves it, stop old): not one failed request.  Throughput and
    p99 are compared with the same client straight at one backend (figures in the summary)."""
    live = ["c0", "c1", "c2"]
    addresses = {name: chain.run(name) for name in live}
    wait_for(lambda: chain.served() == set(live), timeout=20)

    direct = LoadLoop(f"http://{addresses['c0']}/", threads=4, max_seconds=BASELINE_SECONDS + 30).start()
    time.sleep(BASELINE_SECONDS)
    direct.stop()
    assert direct.failed == [], direct.failed[:5]

    load = LoadLoop(chain.nginx.url + "/", threads=4, max_seconds=CHURN_SECONDS + 120).start()
    started = time.monotonic()
    replaced = 0
    try:
        while time.monotonic() - started < CHURN_SECONDS:
            new = f"c{len(live) + replaced}"
            addresses[new] = chain.run(new)
            wait_for(lambda new=new: new in chain.served(6), timeout=20)
            old = live.pop(0)
            chain.stop(old)
            live.append(new)
            wait_for(lambda old=old: old not in chain.served(6), timeout=10)
            replaced += 1
    finally:
        load.stop()
    elapsed = time.monotonic() - started
    total = load.ok + len(load.failed)
    assert load.failed == [], f"{len(load.failed)} failed of {total}: {load.failed[:5]}"
    assert elapsed >= CHURN_SECONDS and replaced >= 10
    assert set(load.bodies) >= set(live)            # the newest containers answered through nginx
    assert chain.served() == set(live)
    assert chain.keys() == {addresses[name] for name in live}

    timing("churn: containers replaced", replaced, "in %.0f s" % elapsed)
    timing("churn: requests through nginx, 0 failed", load.ok, "requests")
    timing("churn: through nginx", load.ok / elapsed, "req/s")
    timing("churn: through nginx, p99", p99(load.latencies) * 1000, "ms")
    timing("direct to one backend", direct.ok / BASELINE_SECONDS, "req/s")
    timing("direct to one backend, p99", p99(direct.latencies) * 1000, "ms")
