"""The sidekick: registers Docker containers in etcd under one lease it keeps alive."""
