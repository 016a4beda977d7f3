"""End to end on one host: Docker -> sidekick -> etcd -> balancer -> nginx -> containers."""
from __future__ import annotations

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

    started = time.monotonic()
    addresses["four"] = chain.run("four")
    wait_for(lambda: "four" in chain.served(6), timeout=2.0 + 1.0, interval=0.01)
    # `docker run` itself takes part of that time; the join after it is what we bound
    assert time.monotonic() - started < 3.0
    assert chain.served() == {"one", "three", "four"}


def test_rolling_replacements_under_load_lose_no_request(chain) -> None:
    live = ["r0", "r1", "r2"]
    for name in live:
        chain.run(name)
    wait_for(lambda: chain.served() == set(live), timeout=20)
    load = LoadLoop(chain.nginx.url + "/", threads=4, max_seconds=180).start()
    try:
        for i in range(3, 13):                     # 10 rolling replacements
            new = f"r{i}"
            chain.run(new)
            wait_for(lambda new=new: new in chain.served(6), timeout=20)
            old = live.pop(0)
            chain.stop(old)
            live.append(new)
            wait_for(lambda old=old: old not in chain.served(6), timeout=10)
    finally:
        load.stop()
    assert load.failed == [], f"{len(load.failed)} failed of {load.ok + len(load.failed)}: {load.failed[:5]}"
    assert load.ok > 500
    assert set(load.bodies) >= {f"r{i}" for i in range(13)} - {"r0", "r1", "r2"} | {"r12"}
    assert chain.served() == {"r10", "r11", "r12"}
