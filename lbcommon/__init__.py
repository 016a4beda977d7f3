"""Pieces shared by the balancer and the sidekick: etcd endpoints, retry/backoff."""
