"""sidekick.registry against a real etcd: keys written together share one revision and the lease."""
from __future__ import annotations

import pytest

from lbcommon.etcd import Endpoint, connect
from procs import EtcdServer
from sidekick.registry import Registry

pytestmark = pytest.mark.integration


def test_set_many_writes_its_keys_in_one_revision_under_the_lease(etcd: EtcdServer) -> None:
    client = connect((Endpoint("127.0.0.1", etcd.port),), timeout=5.0)
    try:
        registry = Registry(client, ttl=10)
        assert registry.set_many({"/t/routes/web/10.0.0.1:80": '{"hosts":["a.example"]}',
                                  "/t/services/web/10.0.0.1:80": "10.0.0.1:80"})
        metas = {meta.key.decode(): meta for _value, meta in client.get_prefix("/t/")}
        assert sorted(metas) == ["/t/routes/web/10.0.0.1:80", "/t/services/web/10.0.0.1:80"]
        assert len({m.mod_revision for m in metas.values()}) == 1
        assert {m.lease_id for m in metas.values()} == {registry.lease_id}
        assert registry.in_sync
        # nothing changed: nothing written; one changed: that one alone
        assert not registry.set_many({"/t/services/web/10.0.0.1:80": "10.0.0.1:80"})
        assert registry.set_many({"/t/services/web/10.0.0.1:80": "10.0.0.1:80",
                                  "/t/routes/web/10.0.0.1:80": '{"hosts":["b.example"]}'})
        after = {meta.key.decode(): meta.mod_revision for _value, meta in client.get_prefix("/t/")}
        assert after["/t/services/web/10.0.0.1:80"] == metas["/t/services/web/10.0.0.1:80"].mod_revision
        assert after["/t/routes/web/10.0.0.1:80"] > metas["/t/routes/web/10.0.0.1:80"].mod_revision
        registry.revoke()
        assert list(client.get_prefix("/t/")) == []
    finally:
        client.close()
