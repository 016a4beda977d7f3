"""The Go types of confd's function results (balancer/gofuncs.py): slices and maps that know
their Go type name (``go_type``, which gotemplate reads for ``%T`` and messages), and Go's nil
slice and nil map (``go_nil``: empty for good, printed ``[]int(nil)`` by ``%#v``)."""
from __future__ import annotations

from typing import Any, ClassVar, Self

__all__ = ["GoList", "GoMap", "IntList", "KVPairList", "KVPairs", "StringList"]


class GoList(list[Any]):
    """A Go slice whose element type is known; ``go_type`` is Go's name for its type."""

    go_type: ClassVar[str] = "[]interface {}"
    go_nil = False      # a nil slice (var s []int): see values.is_nil_collection

    @classmethod
    def nil(cls) -> Self:
        """The nil slice of this type."""
        empty = cls()
        empty.go_nil = True
        return empty


class StringList(GoList):
    go_type: ClassVar[str] = "[]string"


class IntList(GoList):
    go_type: ClassVar[str] = "[]int"


class KVPairList(GoList):
    go_type: ClassVar[str] = "[]memkv.KVPair"


class KVPairs(GoList):
    """memkv.KVPairs, what ``gets`` returns: a named type, so not ``[]memkv.KVPair`` to
    ``reverse``'s type switch (but assignable to ``sortKVByLength``'s parameter)."""

    go_type: ClassVar[str] = "memkv.KVPairs"
    go_underlying: ClassVar[str] = "[]memkv.KVPair"


class GoMap(dict[str, Any]):
    go_type: ClassVar[str] = "map[string]interface {}"
    go_nil = False      # a nil map (json "null"): %#v prints map[string]interface {}(nil)
