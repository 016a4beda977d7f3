"""The sidekick's exceptions: one root, one branch per area."""
from __future__ import annotations


class SidekickError(Exception):
    """Root of every error the sidekick reports."""


class NotRegistrable(SidekickError):
    """A selected container whose address cannot be worked out (e.g. port not published)."""


class DockerError(SidekickError):
    """The Docker daemon cannot be reached or answered with an error."""


class RegistryError(SidekickError):
    """etcd cannot be reached or refused a request."""


class LeaseLost(RegistryError):
    """Our lease expired or was revoked behind our back (etcd's LeaseNotFound)."""
