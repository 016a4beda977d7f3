"""The balancer's exceptions: one root, one branch per stage.  Messages name the file, key or command."""
from __future__ import annotations


class BalancerError(Exception):
    """Root of every error the balancer reports."""


class ResourceError(BalancerError):
    """A template resource (TOML) that cannot be loaded."""


class TemplateError(BalancerError):
    """A template that fails to parse or render."""


class MissingKeyError(TemplateError):
    """A template asked for a key that is not in etcd and gave no default."""


class StoreError(BalancerError):
    """etcd cannot be reached or answered with an error."""


class InstallError(BalancerError):
    """The destination cannot be staged, written or restored."""


class CommandError(BalancerError):
    """check_cmd or reload_cmd failed or timed out."""


class ChildError(BalancerError):
    """The --exec command cannot be started."""
