"""For the gotemplate tests: Python values carrying Go types, marked as balancer/gotypes.py marks them (``go_type``,
``go_nil``), for the tables recorded from Go 1.19 with complex(r, i), []int(nil),
map[string]interface{}(nil) and int64(n) arguments."""
from __future__ import annotations

from typing import Any


class IntList(list[int]):
    go_type = "[]int"


class NilInts(IntList):
    """A nil []int (Go: ``[]int(nil)``)."""
    go_nil = True


class NilMap(dict[str, Any]):
    go_type = "map[string]interface {}"
    go_nil = True


class Int64(int):
    go_type = "int64"
