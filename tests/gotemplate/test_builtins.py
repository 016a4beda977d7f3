"""gotemplate.builtins against Go 1.19's text/template builtins.

Each expected value below was recorded from Go 1.19 by executing the template
``{{NAME .A0 .A1 ...}}`` on a map[string]interface{} holding the arguments, built as Go values
the way values.py maps them (MISSING is a key absent from the map, P/Q/S are Go structs). "ok"
rows hold what the template printed; "err" rows hold the error text after exec's
``error calling NAME: ``. Go names struct types main.P, ours P: "main." was removed. Go 1.19's
``slice`` rejects interface{}-typed indexes ("cannot index slice/array with type interface {}"),
so its indexes were written as template constants (ints, "strings", (index "\\x01" 0) for a
uint8, .Missing for nil).
"""
from __future__ import annotations

import dataclasses
import inspect
import math
from typing import Any

import pytest

from gotemplate.builtins import BUILTINS, BuiltinError, index, slice_
from gotemplate.gofmt import format_value
from gotemplate.values import MISSING, Byte
from gotyped import Int64, IntList, NilInts, NilMap

INF = math.inf
NAN = math.nan


@dataclasses.dataclass
class P:
    A: int
    B: str


@dataclasses.dataclass
class Q:
    X: Any
    Y: list[Any]


@dataclasses.dataclass
class S:
    N: str

    def String(self) -> str:
        return "S<" + self.N + ">"


# (builtin, args, "ok" or "err", printed result or error message) recorded from Go 1.19
CASES: list[tuple[str, tuple[Any, ...], str, str]] = [
    ('not', (True,), 'ok', 'false'),
    ('not', (False,), 'ok', 'true'),
    ('not', (0,), 'ok', 'true'),
    ('not', (1,), 'ok', 'false'),
    ('not', ('',), 'ok', 'true'),
    ('not', ('x',), 'ok', 'false'),
    ('not', (None,), 'ok', 'true'),
    ('not', ([],), 'ok', 'true'),
    ('not', ([0],), 'ok', 'false'),
    ('not', ({},), 'ok', 'true'),
    ('not', (0.0,), 'ok', 'true'),
    ('not', (P(0, ''),), 'ok', 'false'),
    ('not', (MISSING,), 'ok', 'true'),
    ('not', (Byte(0),), 'ok', 'true'),
    ('len', ('abc',), 'ok', '3'),
    ('len', ('héllo',), 'ok', '6'),
    ('len', ('',), 'ok', '0'),
    ('len', ([1, 2, 3],), 'ok', '3'),
    ('len', ({'a': 1, 'b': 2},), 'ok', '2'),
    ('len', ([],), 'ok', '0'),
    ('len', (3,), 'err', 'len of type int'),
    ('len', (None,), 'err', 'len of nil pointer'),
    ('len', (1.5,), 'err', 'len of type float64'),
    ('len', (True,), 'err', 'len of type bool'),
    ('len', (P(1, 'x'),), 'err', 'len of type P'),
    ('len', (MISSING,), 'err', 'reflect: call of reflect.Value.Type on zero Value'),
    ('len', ('日本',), 'ok', '6'),
    ('len', ([Byte(1)],), 'ok', '1'),
    ('index', ([1, 2, 3], 0), 'ok', '1'),
    ('index', ([1, 2, 3], 2), 'ok', '3'),
    ('index', ([1, 2, 3], 3), 'err', 'reflect: slice index out of range'),
    ('index', ([1, 2, 3], 5), 'err', 'index out of range: 5'),
    ('index', ([1, 2, 3], -1), 'err', 'index out of range: -1'),
    ('index', ([1, 2, 3], 'x'), 'err', 'cannot index slice/array with type string'),
    ('index', ([1, 2, 3], None), 'err', 'cannot index slice/array with nil'),
    ('index', ([1, 2, 3], 1.0), 'err', 'cannot index slice/array with type float64'),
    ('index', ([1, 2, 3], Byte(1)), 'ok', '2'),
    ('index', ([1, 2, 3], True), 'err', 'cannot index slice/array with type bool'),
    ('index', ([1, 2, 3],), 'ok', '[1 2 3]'),
    ('index', ('abc', 1), 'ok', '98'),
    ('index', ('héllo', 1), 'ok', '195'),
    ('index', ('héllo', 2), 'ok', '169'),
    ('index', ('abc', 3), 'err', 'reflect: string index out of range'),
    ('index', ('abc', 4), 'err', 'index out of range: 4'),
    ('index', ({'a': 1, 'b': 2}, 'a'), 'ok', '1'),
    ('index', ({'a': 1, 'b': 2}, 'z'), 'ok', '0'),
    ('index', ({'a': 1, 'b': 'x'}, 'z'), 'ok', '<no value>'),
    ('index', ({'a': 1, 'b': 'x'}, 'b'), 'ok', 'x'),
    ('index', ({'a': 1, 'b': 2}, 1), 'err', 'value has type int; should be string'),
    ('index', ({'a': 1, 'b': 2}, None), 'err', 'value is nil; should be of type string'),
    ('index', ({'s': 'x'}, 'q'), 'ok', ''),
    ('index', ({'f': 1.5}, 'q'), 'ok', '0'),
    ('index', ({'b': True}, 'q'), 'ok', 'false'),
    ('index', ({}, 'q'), 'ok', '<no value>'),
    ('index', ({}, 1), 'err', 'value has type int; should be string'),
    ('index', ({'l': [1]}, 'q'), 'ok', '[]'),
    ('index', ([[1, 2], [3, 4]], 1, 0), 'ok', '3'),
    ('index', ({'a': [1, {'b': 'c'}]}, 'a', 1, 'b'), 'ok', 'c'),
    ('index', ([None, 1], 0, 0), 'err', 'index of nil pointer'),
    ('index', (None, 0), 'err', 'index of untyped nil'),
    ('index', (MISSING, 0), 'err', 'index of untyped nil'),
    ('index', (None,), 'err', 'index of untyped nil'),
    ('index', (5, 0), 'err', "can't index item of type int"),
    ('index', (P(1, 'x'), 0), 'err', "can't index item of type P"),
    ('index', (True, 0), 'err', "can't index item of type bool"),
    ('index', (1.5, 0), 'err', "can't index item of type float64"),
    ('index', ({1: 'a', 2: 'b'}, 2), 'ok', 'b'),
    ('index', ({1: 'a'}, 'x'), 'err', 'value has type string; should be int'),
    ('index', ({1: 'a'}, Byte(1)), 'ok', 'a'),
    ('index', ([1, 2, 3], 9223372036854775807), 'err', 'index out of range: 9223372036854775807'),
    ('index', ([], 0), 'err', 'reflect: slice index out of range'),
    ('index', ('', 0), 'err', 'reflect: string index out of range'),
    ('index', ({'a': None}, 'a'), 'ok', '<no value>'),
    ('slice', ([1, 2, 3], 1), 'ok', '[2 3]'),
    ('slice', ([1, 2, 3], 1, 2), 'ok', '[2]'),
    ('slice', ([1, 2, 3], 0, 3), 'ok', '[1 2 3]'),
    ('slice', ([1, 2, 3], 1, 2, 3), 'ok', '[2]'),
    ('slice', ([1, 2, 3],), 'ok', '[1 2 3]'),
    ('slice', ([1, 2, 3], 3), 'ok', '[]'),
    ('slice', ([1, 2, 3], 4), 'err', 'index out of range: 4'),
    ('slice', ([1, 2, 3], 2, 1), 'err', 'invalid slice index: 2 > 1'),
    ('slice', ([1, 2, 3], 1, 3, 2), 'err', 'invalid slice index: 3 > 2'),
    ('slice', ([1, 2, 3], 1, 2, 3, 3), 'err', 'too many slice indexes: 4'),
    ('slice', ([1, 2, 3], -1), 'err', 'index out of range: -1'),
    ('slice', ([1, 2, 3], 'a'), 'err', 'cannot index slice/array with type string'),
    ('slice', ([1, 2, 3], None), 'err', 'cannot index slice/array with nil'),
    ('slice', ('hello', 1, 3), 'ok', 'el'),
    ('slice', ('hello',), 'ok', 'hello'),
    ('slice', ('hello', 5), 'ok', ''),
    ('slice', ('hello', 1, 2, 3), 'err', 'cannot 3-index slice a string'),
    ('slice', ('héllo', 1, 2), 'ok', '\udcc3'),
    ('slice', ('héllo', 0, 3), 'ok', 'hé'),
    ('slice', (None, 1), 'err', 'slice of untyped nil'),
    ('slice', ({'a': 1, 'b': 2}, 1), 'err', "can't slice item of type map[string]int"),
    ('slice', (5, 1), 'err', "can't slice item of type int"),
    ('slice', ('abc', 1, 6), 'err', 'index out of range: 6'),
    ('slice', ([], 0, 0), 'ok', '[]'),
    ('slice', (MISSING,), 'err', 'slice of untyped nil'),
    ('slice', ([1, 2, 3], 1, 1, 1), 'ok', '[]'),
    ('slice', ([1, 2, 3], Byte(1)), 'ok', '[2 3]'),
    ('eq', (1, 1), 'ok', 'true'),
    ('eq', (1, 2), 'ok', 'false'),
    ('eq', (1, 2, 3, 1), 'ok', 'true'),
    ('eq', (1, 2, 3), 'ok', 'false'),
    ('eq', ('a', 'a'), 'ok', 'true'),
    ('eq', ('a', 'b'), 'ok', 'false'),
    ('eq', (1.5, 1.5), 'ok', 'true'),
    ('eq', (True, True), 'ok', 'true'),
    ('eq', (True, False), 'ok', 'false'),
    ('eq', (1, 1.0), 'err', 'incompatible types for comparison'),
    ('eq', (1, '1'), 'err', 'incompatible types for comparison'),
    ('eq', ('a', 1), 'err', 'incompatible types for comparison'),
    ('eq', (1, True), 'err', 'incompatible types for comparison'),
    ('eq', (1,), 'err', 'missing argument for comparison'),
    ('eq', (1, None), 'ok', 'false'),
    ('eq', (None, 1), 'ok', 'false'),
    ('eq', (None, None), 'ok', 'true'),
    ('eq', (MISSING, None), 'ok', 'true'),
    ('eq', (MISSING, 1), 'ok', 'false'),
    ('eq', (Byte(1), 1), 'ok', 'true'),
    ('eq', (1, Byte(1)), 'ok', 'true'),
    ('eq', (-1, Byte(255)), 'ok', 'false'),
    ('eq', (Byte(97), Byte(97)), 'ok', 'true'),
    ('eq', ([1, 2, 3], [1, 2, 3]), 'err', 'non-comparable type [%!s(int=1) %!s(int=2) %!s(int=3)]: []int'),
    ('eq', ([1], [1]), 'err', 'non-comparable type [%!s(int=1)]: []int'),
    ('eq', ([1, 2, 3], None), 'ok', 'false'),
    ('eq', (None, [1, 2, 3]), 'ok', 'false'),
    ('eq', ([1, 2, 3], {'a': 1, 'b': 2}), 'err', 'non-comparable types [%!s(int=1) %!s(int=2) %!s(int=3)]: []int, map[string]int: map[a:1 b:2]'),
    ('eq', ({'a': 1, 'b': 2}, {'a': 1, 'b': 2}), 'err', 'non-comparable type map[a:%!s(int=1) b:%!s(int=2)]: map[string]int'),
    ('eq', (P(1, 'x'), P(1, 'x')), 'ok', 'true'),
    ('eq', (P(1, 'x'), P(2, 'x')), 'ok', 'false'),
    ('eq', (P(1, 'x'), None), 'ok', 'false'),
    ('eq', (P(1, 'x'), [1, 2, 3]), 'err', 'non-comparable types {%!s(int=1) x}: P, []int: [1 2 3]'),
    ('eq', ([1, 2, 3], P(1, 'x')), 'err', 'non-comparable types [%!s(int=1) %!s(int=2) %!s(int=3)]: []int, P: {1 x}'),
    ('eq', (Q(1, []), Q(1, [])), 'err', 'non-comparable type {%!s(int=1) []}: Q'),
    ('eq', (P(1, 'x'), Q(1, [])), 'err', 'non-comparable type {%!s(int=1) []}: Q'),
    ('eq', (Q(1, []), P(1, 'x')), 'ok', 'false'),
    ('eq', (1, 2, 'a'), 'err', 'incompatible types for comparison'),
    ('eq', (1, 1, 'a'), 'ok', 'true'),
    ('eq', (NAN, NAN), 'ok', 'false'),
    ('eq', (0.0, -0.0), 'ok', 'true'),
    ('eq', (1, [1, 2, 3]), 'err', 'incompatible types for comparison'),
    ('eq', ([1, 2, 3], 1), 'err', 'incompatible types for comparison'),
    ('eq', ('héllo', 'héllo'), 'ok', 'true'),
    ('eq', (['a'], ['a']), 'err', 'non-comparable type [a]: []string'),
    ('eq', ({'a': [1]}, {'a': [1]}), 'err', 'non-comparable type map[a:[%!s(int=1)]]: map[string][]int'),
    ('ne', (1, 2), 'ok', 'true'),
    ('ne', (1, 1), 'ok', 'false'),
    ('ne', ('a', 'b'), 'ok', 'true'),
    ('ne', (1, 'a'), 'err', 'incompatible types for comparison'),
    ('ne', (None, None), 'ok', 'false'),
    ('ne', ([1, 2, 3], [1, 2, 3]), 'err', 'non-comparable type [%!s(int=1) %!s(int=2) %!s(int=3)]: []int'),
    ('lt', (1, 2), 'ok', 'true'),
    ('lt', (2, 1), 'ok', 'false'),
    ('lt', (1, 1), 'ok', 'false'),
    ('lt', (1.5, 2.5), 'ok', 'true'),
    ('lt', ('a', 'b'), 'ok', 'true'),
    ('lt', ('b', 'a'), 'ok', 'false'),
    ('lt', (1, 1.5), 'err', 'incompatible types for comparison'),
    ('lt', (1.5, 1), 'err', 'incompatible types for comparison'),
    ('lt', (True, False), 'err', 'invalid type for comparison'),
    ('lt', (1, True), 'err', 'incompatible types for comparison'),
    ('lt', (None, 1), 'err', 'invalid type for comparison'),
    ('lt', (1, None), 'err', 'invalid type for comparison'),
    ('lt', ([1, 2, 3], 1), 'err', 'invalid type for comparison'),
    ('lt', (1, [1, 2, 3]), 'err', 'invalid type for comparison'),
    ('lt', (MISSING, 1), 'err', 'invalid type for comparison'),
    ('lt', (-1, Byte(1)), 'ok', 'true'),
    ('lt', (Byte(1), -1), 'ok', 'false'),
    ('lt', (Byte(1), 2), 'ok', 'true'),
    ('lt', (2, Byte(1)), 'ok', 'false'),
    ('lt', (Byte(1), Byte(2)), 'ok', 'true'),
    ('lt', ('a', 'é'), 'ok', 'true'),
    ('lt', ('Z', 'a'), 'ok', 'true'),
    ('lt', (NAN, 1.0), 'ok', 'false'),
    ('lt', (P(1, 'x'), P(1, 'x')), 'err', 'invalid type for comparison'),
    ('lt', ('ab', 'abc'), 'ok', 'true'),
    ('le', (1, 1), 'ok', 'true'),
    ('le', (1, 2), 'ok', 'true'),
    ('le', (2, 1), 'ok', 'false'),
    ('le', (1, 'a'), 'err', 'incompatible types for comparison'),
    ('le', (True, True), 'err', 'invalid type for comparison'),
    ('le', (NAN, NAN), 'ok', 'false'),
    ('gt', (2, 1), 'ok', 'true'),
    ('gt', (1, 2), 'ok', 'false'),
    ('gt', (1, 1), 'ok', 'false'),
    ('gt', (NAN, 1.0), 'ok', 'true'),
    ('gt', (1, 'a'), 'err', 'incompatible types for comparison'),
    ('gt', ('b', 'a'), 'ok', 'true'),
    ('ge', (1, 1), 'ok', 'true'),
    ('ge', (1, 2), 'ok', 'false'),
    ('ge', (2, 1), 'ok', 'true'),
    ('ge', (NAN, 1.0), 'ok', 'true'),
    ('ge', (None, None), 'err', 'invalid type for comparison'),
    ('ge', (1.0, 1), 'err', 'incompatible types for comparison'),
    ('html', ('<a href="x">\'&\'</a>',), 'ok', '&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;'),
    ('html', ('plain',), 'ok', 'plain'),
    ('html', ('nul\x00here',), 'ok', 'nul�here'),
    ('html', (1, 2), 'ok', '1 2'),
    ('html', (1, '<', 2), 'ok', '1&lt;2'),
    ('html', (None,), 'ok', '&lt;no value&gt;'),
    ('html', (MISSING,), 'ok', '&lt;no value&gt;'),
    ('html', ('a', None, 'b'), 'ok', 'a&lt;no value&gt;b'),
    ('html', (1, None, 2), 'ok', '1&lt;no value&gt;2'),
    ('html', (), 'ok', ''),
    ('html', ([1, '<'],), 'ok', '[1 &lt;]'),
    ('html', ('<', '>'), 'ok', '&lt;&gt;'),
    ('html', (P(1, '<'),), 'ok', '{1 &lt;}'),
    ('html', (S('<'),), 'ok', 'S&lt;&lt;&gt;'),
    ('js', ('a\'b"c\\d',), 'ok', 'a\\\'b\\"c\\\\d'),
    ('js', ('<script>&=',), 'ok', '\\u003Cscript\\u003E\\u0026\\u003D'),
    ('js', ('\x01\x1f\t\n\x7f',), 'ok', '\\u0001\\u001F\\u0009\\u000A\x7f'),
    ('js', ('héllo 日本',), 'ok', 'héllo 日本'),
    ('js', ('\u2028\xa0\u200b\ufeff',), 'ok', '\\u2028\\u00A0\\u200B\\uFEFF'),
    ('js', ('😀\U000e0001',), 'ok', '😀\\uE0001'),
    ('js', ('\udcff',), 'ok', '\udcff'),
    ('js', (1, 2), 'ok', '1 2'),
    ('js', (None,), 'ok', '\\u003Cno value\\u003E'),
    ('js', ('a', 'b'), 'ok', 'ab'),
    ('js', (1.5,), 'ok', '1.5'),
    ('js', ('؝',), 'ok', '\\u061D'),
    ('urlquery', ('a b&c=d/e?f',), 'ok', 'a+b%26c%3Dd%2Fe%3Ff'),
    ('urlquery', ('héllo',), 'ok', 'h%C3%A9llo'),
    ('urlquery', ("-_.~!*'()",), 'ok', '-_.~%21%2A%27%28%29'),
    ('urlquery', (1, 2), 'ok', '1+2'),
    ('urlquery', (None,), 'ok', '%3Cno+value%3E'),
    ('urlquery', ('\udcff',), 'ok', '%FF'),
    ('urlquery', ('',), 'ok', ''),
    ('urlquery', ('a+b%c',), 'ok', 'a%2Bb%25c'),
    ('print', (1, 2), 'ok', '1 2'),
    ('print', ('a', 'b'), 'ok', 'ab'),
    ('print', (1, 'a', 2), 'ok', '1a2'),
    ('print', (None,), 'ok', '<nil>'),
    ('print', (MISSING,), 'ok', '<nil>'),
    ('print', (), 'ok', ''),
    ('print', ([1, 2, 3], {'a': 1, 'b': 2}), 'ok', '[1 2 3] map[a:1 b:2]'),
    ('print', (1.5, 1e+21), 'ok', '1.5 1e+21'),
    ('print', (S('x'),), 'ok', 'S<x>'),
    ('println', (1, 'a'), 'ok', '1 a\n'),
    ('println', (), 'ok', '\n'),
    ('println', (None, MISSING), 'ok', '<nil> <nil>\n'),
    ('printf', ('%d-%s', 1, 'a'), 'ok', '1-a'),
    ('printf', ('%v', None), 'ok', '<nil>'),
    ('printf', ('%v', MISSING), 'ok', '<nil>'),
    ('printf', ('%d',), 'ok', '%!d(MISSING)'),
    ('printf', ('x', 1), 'ok', 'x%!(EXTRA int=1)'),
    ('printf', ('%5.2f', 3.14159), 'ok', ' 3.14'),
    ('printf', ('%q', [1, 2, 3]), 'ok', "['\\x01' '\\x02' '\\x03']"),
]


# complex128 values, nil slices and maps, int64 (Go: complex(r, i), []int(nil),
# map[string]interface{}(nil), int64(n)), recorded from Go 1.19 in the same way
CASES += [
    ('eq', (1j, 1j), 'ok', 'true'),
    ('eq', (1j, 2j), 'ok', 'false'),
    ('eq', (1+2j, 2j, 1+2j), 'ok', 'true'),
    ('eq', (0j, complex(0, -0.0)), 'ok', 'true'),
    ('eq', (1+0j, 1), 'err', 'incompatible types for comparison'),
    ('eq', (1.0, 1+0j), 'err', 'incompatible types for comparison'),
    ('eq', (1j, None), 'ok', 'false'),
    ('ne', (1j, 2j), 'ok', 'true'),
    ('ne', (1j, 1j), 'ok', 'false'),
    ('lt', (1j, 2j), 'err', 'invalid type for comparison'),
    ('lt', (1j, 1), 'err', 'incompatible types for comparison'),
    ('lt', (1.5, 1j), 'err', 'incompatible types for comparison'),
    ('le', (1j, 1j), 'err', 'invalid type for comparison'),
    ('gt', (2j, 1j), 'err', 'invalid type for comparison'),
    ('ge', (1j, 1j), 'err', 'invalid type for comparison'),
    ('not', (0j,), 'ok', 'true'),
    ('not', (complex(0, -0.0),), 'ok', 'true'),
    ('not', (1j,), 'ok', 'false'),
    ('len', (1j,), 'err', 'len of type complex128'),
    ('index', (1j, 0), 'err', "can't index item of type complex128"),
    ('index', ([1, 2], 1j), 'err', 'cannot index slice/array with type complex128'),
    ('index', ({'a': 1j}, 'a'), 'ok', '(0+1i)'),
    ('index', ({'a': 1j}, 'b'), 'ok', '(0+0i)'),
    ('print', (1j, 'a', 1+0j, 2), 'ok', '(0+1i)a(1+0i) 2'),
    ('html', (1j,), 'ok', '(0+1i)'),
    ('urlquery', (complex(-1, 1),), 'ok', '%28-1%2B1i%29'),
    ('eq', (NilInts(), None), 'ok', 'true'),
    ('eq', (None, NilInts()), 'ok', 'true'),
    ('eq', (NilInts(), NilInts()), 'ok', 'true'),
    ('eq', ([1], NilInts()), 'ok', 'false'),
    ('eq', (NilInts(), [1]), 'ok', 'false'),
    ('eq', (IntList([]), None), 'ok', 'false'),
    ('eq', (NilMap(), None), 'ok', 'true'),
    ('eq', (NilInts(), NilMap()), 'err', 'non-comparable types []: []int, map[string]interface {}: map[]'),
    ('ne', (NilInts(), None), 'ok', 'false'),
    ('len', (NilInts(),), 'ok', '0'),
    ('not', (NilInts(),), 'ok', 'true'),
    ('index', (NilMap(), 'a'), 'ok', '<no value>'),
    ('index', (NilInts(), 0), 'err', 'reflect: slice index out of range'),
    ('eq', (Int64(5), 5), 'ok', 'true'),
    ('eq', (Int64(5), Int64(5)), 'ok', 'true'),
    ('lt', (Int64(4), 5), 'ok', 'true'),
    ('lt', (Int64(4), 5.0), 'err', 'incompatible types for comparison'),
    ('index', ('abc', Int64(1)), 'ok', '98'),
    ('index', ({'a': 1}, Int64(1)), 'err', 'value has type int64; should be string'),
]


@pytest.mark.parametrize("name,args,outcome,expected", CASES)
def test_builtin(name: str, args: tuple[Any, ...], outcome: str, expected: str) -> None:
    if outcome == "ok":
        result = BUILTINS[name](*args)
        # Go's evalPipeline turns a nil interface{} result into the invalid value: <no value>
        assert format_value(MISSING if result is None else result) == expected
    else:
        with pytest.raises(BuiltinError) as info:
            BUILTINS[name](*args)
        assert str(info.value) == expected


def test_names() -> None:
    assert sorted(BUILTINS) == sorted(["not", "len", "index", "slice", "print", "printf", "println",
                                       "eq", "ne", "lt", "le", "gt", "ge", "html", "js", "urlquery"])


def _annotations(name: str) -> list[tuple[str, Any, Any]]:
    sig = inspect.signature(BUILTINS[name])
    return [(p.kind.name, p.annotation, sig.return_annotation) for p in sig.parameters.values()]


def test_signatures_follow_design() -> None:
    # Annotations are the Go signatures (DESIGN.md): reflect.Value is "Value", interface{} "Any".
    assert _annotations("index") == [("POSITIONAL_OR_KEYWORD", "Value", "Value"), ("VAR_POSITIONAL", "Value", "Value")]
    assert _annotations("eq") == [("POSITIONAL_OR_KEYWORD", "Value", "bool"), ("VAR_POSITIONAL", "Value", "bool")]
    assert [a for _, a, _ in _annotations("lt")] == ["Value", "Value"]
    assert _annotations("not") == [("POSITIONAL_OR_KEYWORD", "Value", "bool")]
    assert _annotations("len") == [("POSITIONAL_OR_KEYWORD", "Value", "int")]
    assert _annotations("printf") == [("POSITIONAL_OR_KEYWORD", "str", "str"), ("VAR_POSITIONAL", "Any", "str")]
    for name in ("print", "println", "html", "js", "urlquery"):
        assert _annotations(name) == [("VAR_POSITIONAL", "Any", "str")]


def test_result_types() -> None:
    assert index("abc", 1) == 98 and type(index("abc", 1)) is Byte
    assert slice_("héllo", 0, 2) == "h\udcc3"       # half of é: one invalid byte
    assert slice_([1, 2, 3], 1) == [2, 3]
    assert index({"a": 1}, "b") == 0                # map[string]int: the zero int
    assert index({"a": 1, "b": "x"}, "c") is None   # map[string]interface {}: nil
    assert BUILTINS["eq"](1, 1) is True
    nil = NilInts()
    assert slice_(nil) is nil and slice_(nil, 0, 0) is nil   # a nil slice sliced is nil (%#v: []int(nil))
    empty = slice_(IntList([1, 2]), 2)
    assert empty == [] and type(empty) is IntList and not getattr(empty, "go_nil", False)
    zero = index({"a": 1j}, "b")                              # map[string]complex128: the zero complex
    assert zero == 0 and type(zero) is complex
