"""balancer.gofuncs: confd's template functions with confd's Go semantics (for gotemplate).

Expected values marked "recorded from Go 1.19" come from confd's own functions (template_funcs.go
and memkv store.go, copied into a throwaway Go program) run by Go 1.19.8 through text/template;
error texts are what follows ``error calling NAME: `` in Go's message.
"""
from __future__ import annotations

import inspect
import os
import re
from pathlib import Path
from typing import Any

import pytest

from balancer.errors import MissingKeyError
from balancer.funcs import KVPair
from balancer.gofuncs import GoList, GoMap, IntList, KVPairList, KVPairs, StringList, confd_functions
from balancer.gojson import json_syntax_error
from balancer.gosort import go_sort
from balancer.gostd import GoError, path_match_bytes
from balancer.gotime import GoInt64, GoMonth, GoTime, GoWeekday
from gotemplate.gofmt import sprintf
from gotemplate.gostrconv import go_bytes
from gotemplate.values import type_name

VALUES = {"/a": "1", "/s/b": "x", "/s/a": "yy", "/s/ccc": "z", "/d/e/f": "1", "/d/g": "2",
          "/ü/éb": "1", "/ü/€b": "2", "/ü/ab": "3"}
# 14 keys: more than sort.Sort's insertion-sort cut-off of 12, so pdqsort's order shows.
MANY = {"/ccc": "1", "/b": "2", "/a": "3", "/dd": "4", "/e": "5", "/ffff": "6", "/g": "7", "/hh": "8",
        "/i": "9", "/j": "10", "/k": "11", "/l": "12", "/m": "13", "/nn": "14"}
F = confd_functions(VALUES)


def call(name: str, *args: Any, values: dict[str, str] | None = None) -> Any:
    funcs = F if values is None else confd_functions(values)
    return funcs[name](*args)


def error_of(name: str, *args: Any, values: dict[str, str] | None = None) -> str:
    with pytest.raises(Exception) as info:
        call(name, *args, values=values)
    return str(info.value)


# --- the function set and its Go signatures --------------------------------------------------

# Each function's annotations, as text, against confd's Go signature.
SIGNATURES = {
    "get": "(key: str) -> KVPair", "getv": "(key: str, *default: str) -> str",
    "gets": "(pattern: str) -> list[KVPair]", "getvs": "(pattern: str) -> list[str]",
    "exists": "(key: str) -> bool", "ls": "(filePath: str) -> list[str]",
    "lsdir": "(filePath: str) -> list[str]", "backends": "(pattern: str) -> list[str]",
    "base": "(path: str) -> str", "dir": "(path: str) -> str",
    "split": "(s: str, sep: str) -> list[str]", "join": "(a: list[str], sep: str) -> str",
    "json": "(data: str) -> dict[str, Any]", "jsonArray": "(data: str) -> list[Any]",
    "map": "(*values: Any) -> dict[str, Any]", "getenv": "(key: str, *default: str) -> str",
    "toUpper": "(s: str) -> str", "toLower": "(s: str) -> str",
    "contains": "(s: str, substr: str) -> bool",
    "replace": "(s: str, old: str, new: str, n: int) -> str",
    "trimSuffix": "(s: str, suffix: str) -> str", "lookupIP": "(data: str) -> list[str]",
    "lookupIPV4": "(data: str) -> list[str]", "lookupIPV6": "(data: str) -> list[str]",
    "fileExists": "(fpath: str) -> bool", "base64Encode": "(data: str) -> str",
    "base64Decode": "(data: str) -> str", "parseBool": "(str: str) -> bool",
    "reverse": "(values: Any) -> Any", "sortByLength": "(values: list[str]) -> list[str]",
    "sortKVByLength": "(values: list[KVPair]) -> list[KVPair]",
    "add": "(a: int, b: int) -> int", "sub": "(a: int, b: int) -> int", "div": "(a: int, b: int) -> int",
    "mod": "(a: int, b: int) -> int", "mul": "(a: int, b: int) -> int",
    "seq": "(first: int, last: int) -> list[int]", "atoi": "(s: str) -> int", "datetime": "() -> GoTime",
}


def test_the_function_set_is_confds_plus_backends() -> None:
    assert set(F) == set(SIGNATURES)


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_annotations_state_the_go_signature(name: str) -> None:
    assert str(inspect.signature(F[name])).replace("'", "") == SIGNATURES[name]


# --- memkv: get getv exists gets getvs ls lsdir -------------------------------------------------


def test_get_getv_exists() -> None:
    assert call("get", "/a") == KVPair("/a", "1")
    assert call("getv", "/a") == "1"
    assert call("getv", "/a", "d") == "1"
    assert call("getv", "/x", "d", "e") == "d"  # recorded from Go 1.19
    assert call("getv", "/x", "") == ""
    assert (call("exists", "/a"), call("exists", "/x"), call("exists", "a")) == (True, False, False)


@pytest.mark.parametrize("name", ["get", "getv"])
def test_a_missing_key_is_memkvs_error(name: str) -> None:
    with pytest.raises(MissingKeyError, match="^key does not exist: /x$"):  # recorded from Go 1.19
        call(name, "/x")


def test_gets_is_sorted_by_key_and_typed_kvpairs() -> None:
    kvs = call("gets", "/s/*")
    assert kvs == [KVPair("/s/a", "yy"), KVPair("/s/b", "x"), KVPair("/s/ccc", "z")]
    assert type(kvs) is KVPairs and kvs.go_type == "memkv.KVPairs"
    assert call("getvs", "/s/*") == ["x", "yy", "z"] and type(call("getvs", "/s/*")) is StringList
    assert KVPair.go_type == "memkv.KVPair"


@pytest.mark.parametrize(("pattern", "keys"), [
    # recorded from Go 1.19
    ("/ü/*", ["/ü/ab", "/ü/éb", "/ü/€b"]),
    ("/ü/??", ["/ü/ab", "/ü/éb", "/ü/€b"]),   # ? reads one rune
    ("/ü/*??b", ["/ü/€b"]),                    # * skips bytes: ?? then eat €'s last two bytes
    ("/ü/[^a]*", ["/ü/éb", "/ü/€b"]),
    ("/s/[ab]", ["/s/a", "/s/b"]),
    ("/s/\\a", ["/s/a"]),
    ("/*", ["/a"]),
])
def test_gets_matches_like_path_match_on_bytes(pattern: str, keys: list[str]) -> None:
    assert [kv.Key for kv in call("gets", pattern)] == keys


@pytest.mark.parametrize("pattern", ["/s/[", "/s/[a-", "/s/\\", "[]", "/x/[^]"])
@pytest.mark.parametrize("name", ["gets", "getvs", "backends"])
def test_a_bad_pattern_is_an_error_when_there_are_keys(name: str, pattern: str) -> None:
    assert error_of(name, pattern) == "syntax error in pattern"  # recorded from Go 1.19
    assert call(name, pattern, values={}) == []  # memkv only notices while matching a key


def test_ls_and_lsdir_are_memkvs() -> None:
    assert call("ls", "/s") == ["a", "b", "ccc"] and type(call("ls", "/s")) is StringList
    # recorded from Go 1.19: {{ ls "/" }} {{ lsdir "/" }} {{ lsdir "/d" }} {{ ls "/d" }} {{ ls "/a" }}
    assert call("ls", "/") == ["a"]
    assert call("lsdir", "/") == []
    assert call("lsdir", "/d") == ["e"]
    assert call("ls", "/d") == ["e", "g"]
    assert call("ls", "/a") == ["a"]


def test_backends_keeps_the_valid_values_and_reports_the_rest() -> None:
    rejected: list[tuple[str, str, str]] = []
    values = {"/w/a": "10.0.0.2:80", "/w/b": "nonsense", "/w/c": "10.0.0.1:80"}
    funcs = confd_functions(values, on_reject=lambda *args: rejected.append(args))
    assert funcs["backends"]("/w/*") == ["10.0.0.1:80", "10.0.0.2:80"]
    assert [r[:2] for r in rejected] == [("/w/b", "nonsense")]


# --- reverse, sortByLength, sortKVByLength ------------------------------------------------------


def test_reverse_reverses_string_and_kvpair_slices_in_place() -> None:
    items = call("split", "a,b,c", ",")
    assert call("reverse", items) is items and items == ["c", "b", "a"]
    kvs = call("sortKVByLength", call("gets", "/s/*"))
    assert call("reverse", kvs) == [KVPair("/s/ccc", "z"), KVPair("/s/b", "x"), KVPair("/s/a", "yy")]
    plain = ["x", "y"]
    assert call("reverse", plain) is plain and plain == ["y", "x"]


@pytest.mark.parametrize("value", [
    # recorded from Go 1.19: confd's type switch knows only []string and []memkv.KVPair
    KVPairs([KVPair("/a", "1"), KVPair("/b", "2")]),    # {{ reverse (gets "/*") }}
    GoList(["a", "b"]),                                  # {{ reverse (jsonArray "[\"a\",\"b\"]") }}
    IntList([1, 2, 3]),                                  # {{ reverse (seq 1 3) }}
    "abc", 1, None, ("a", "b"),
])
def test_reverse_leaves_anything_else_alone(value: Any) -> None:
    before = list(value) if isinstance(value, list) else value
    assert call("reverse", value) is value
    assert (list(value) if isinstance(value, list) else value) == before


@pytest.mark.parametrize(("items", "expected"), [
    # recorded from Go 1.19: {{ sortByLength (split ITEMS ",") }}
    ("ccc,a,bb,b,aaa,c", ["a", "b", "c", "bb", "ccc", "aaa"]),
    ("é,ab,c", ["c", "é", "ab"]),  # byte lengths: é is 2
    ("m,l,k,j,i,h,g,f,e,d,c,b,a,nn,oo,pp,q,r",
     ["e", "k", "d", "c", "i", "h", "g", "f", "r", "l", "j", "b", "a", "m", "q", "pp", "oo", "nn"]),
    ("aa,b,cc,d,ee,f,gg,h,ii,j,kk,l,mm,n,oo,p,qq,r,ss,t,uu,v,ww,x,yy,z",
     ["v", "b", "z", "d", "x", "f", "n", "h", "t", "j", "r", "l", "p", "mm", "oo", "aa", "qq", "kk",
      "ss", "ii", "uu", "gg", "ww", "ee", "yy", "cc"]),
    ("", [""]),
])
def test_sort_by_length_sorts_in_place_as_go_sort_does(items: str, expected: list[str]) -> None:
    values = call("split", items, ",")
    assert call("sortByLength", values) is values
    assert values == expected


def test_sort_kv_by_length_as_go_sort_does() -> None:
    kvs = call("gets", "/*", values=MANY)
    result = call("sortKVByLength", kvs)
    # recorded from Go 1.19: {{ range sortKVByLength (gets "/*") }}{{ .Key }} {{ end }}
    expected = "/j /g /m /l /e /i /b /a /k /hh /dd /nn /ccc /ffff".split()
    assert [kv.Key for kv in result] == expected
    assert [kv.Key for kv in kvs] == expected, "the gets result is sorted in place"
    assert type(result) is KVPairList and result.go_type == "[]memkv.KVPair"
    plain = [KVPair("/bb", "1"), KVPair("/a", "2")]
    assert call("sortKVByLength", plain) is plain and plain[0].Key == "/a"


def test_go_sort_matches_pdqsort_on_larger_inputs() -> None:
    # recorded from Go 1.19: sort.Sort over 60 items whose lengths are i*7 % 5, keyed by length.
    items = [("x" * (i * 7 % 5), i) for i in range(60)]
    go_sort(items, lambda a, b: len(a[0]) < len(b[0]))
    assert [i for _, i in items] == GO_PDQ_60


GO_PDQ_60 = [40, 30, 55, 10, 20, 5, 50, 0, 35, 45, 15, 25, 38, 13, 58, 23, 8, 33, 18, 48, 53, 43, 28, 3, 31,
             36, 26, 1, 56, 51, 21, 6, 46, 11, 41, 16, 49, 24, 14, 39, 59, 34, 54, 4, 44, 9, 29, 19, 47, 7,
             37, 32, 52, 17, 42, 2, 22, 57, 27, 12]


# --- arithmetic, seq, atoi, parseBool ---------------------------------------------------------

MIN, MAX = -(2**63), 2**63 - 1


@pytest.mark.parametrize(("name", "a", "b", "expected"), [
    # recorded from Go 1.19
    ("add", 1, 2, 3), ("add", MAX, 1, MIN), ("sub", MIN, 1, MAX), ("mul", MAX, 3, 9223372036854775805),
    ("mul", -4, 5, -20), ("div", -7, 2, -3), ("mod", -7, 2, -1), ("div", 7, -2, -3), ("mod", 7, -2, 1),
    ("div", 7, 2, 3), ("mod", 7, 2, 1), ("div", MIN, -1, MIN), ("mod", MIN, -1, 0),
])
def test_arithmetic_is_go_int(name: str, a: int, b: int, expected: int) -> None:
    assert call(name, a, b) == expected


@pytest.mark.parametrize("name", ["div", "mod"])
def test_division_by_zero_is_the_runtime_panic(name: str) -> None:
    assert error_of(name, 1, 0) == "runtime error: integer divide by zero"  # recorded from Go 1.19


def test_seq() -> None:
    assert call("seq", 1, 3) == [1, 2, 3] and type(call("seq", 1, 3)) is IntList
    assert call("seq", -2, 0) == [-2, -1, 0]
    assert call("seq", 3, 1) == []  # recorded from Go 1.19: a nil []int, printed []
    # ... and by %#v as []int(nil) (recorded from Go 1.19); a non-empty result is not nil
    assert call("seq", 3, 1).go_nil is True and type(call("seq", 3, 1)) is IntList
    assert call("seq", 1, 1).go_nil is False
    assert sprintf("%#v %#v", call("seq", 3, 1), call("seq", 1, 2)) == "[]int(nil) []int{1, 2}"


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), ("+12", 12), ("-0", 0), ("-9223372036854775808", MIN), ("9223372036854775807", MAX),
    ("0000000000000000000000000000012", 12),
])
def test_atoi(text: str, expected: int) -> None:
    assert call("atoi", text) == expected


@pytest.mark.parametrize(("text", "message"), [
    # recorded from Go 1.19
    ("x", 'strconv.Atoi: parsing "x": invalid syntax'),
    ("", 'strconv.Atoi: parsing "": invalid syntax'),
    ("-", 'strconv.Atoi: parsing "-": invalid syntax'),
    ("+", 'strconv.Atoi: parsing "+": invalid syntax'),
    ("99999999999999999999x", 'strconv.Atoi: parsing "99999999999999999999x": value out of range'),
    ("9223372036854775808", 'strconv.Atoi: parsing "9223372036854775808": value out of range'),
    ("-9223372036854775809", 'strconv.Atoi: parsing "-9223372036854775809": value out of range'),
    ("18446744073709551616", 'strconv.Atoi: parsing "18446744073709551616": value out of range'),
    ("1_000", 'strconv.Atoi: parsing "1_000": invalid syntax'),
    (" 1", 'strconv.Atoi: parsing " 1": invalid syntax'),
    ("\n\x00é\u00ad", 'strconv.Atoi: parsing "\\n\\x00é\\u00ad": invalid syntax'),
    ("１", 'strconv.Atoi: parsing "１": invalid syntax'),
    ("0x10", 'strconv.Atoi: parsing "0x10": invalid syntax'),
])
def test_atoi_errors(text: str, message: str) -> None:
    assert error_of("atoi", text) == message


def test_parse_bool() -> None:
    trues = ["1", "t", "T", "TRUE", "true", "True"]
    falses = ["0", "f", "F", "FALSE", "false", "False"]
    assert [call("parseBool", s) for s in trues + falses] == [True] * 6 + [False] * 6
    # recorded from Go 1.19
    assert error_of("parseBool", "yes") == 'strconv.ParseBool: parsing "yes": invalid syntax'
    assert error_of("parseBool", "tRUE") == 'strconv.ParseBool: parsing "tRUE": invalid syntax'
    assert error_of("parseBool", "\t") == 'strconv.ParseBool: parsing "\\t": invalid syntax'
    assert error_of("parseBool", "é\x01") == 'strconv.ParseBool: parsing "é\\x01": invalid syntax'


# --- json, jsonArray ---------------------------------------------------------------------------


def test_json_values_are_go_interface_values() -> None:
    # recorded from Go 1.19: map[a:1 b:[1 x <nil> true]]
    value = call("json", '{"a": 1, "b": [1, "x", null, true]}')
    assert value == {"a": 1.0, "b": [1.0, "x", None, True]}
    assert type(value) is GoMap and type(value["b"]) is GoList and type(value["a"]) is float
    assert value.go_type == "map[string]interface {}" and value["b"].go_type == "[]interface {}"
    assert call("json", '{"a":1, "a":2}') == {"a": 2.0}
    assert call("json", '{"a": 1e-400, "b": -0}') == {"a": 0.0, "b": -0.0}
    nested = call("json", '{"a":{"b":[{}, []]}}')
    assert type(nested["a"]) is GoMap and type(nested["a"]["b"][0]) is GoMap
    assert call("jsonArray", '[1.5, "\\u00e9", {"k": "v"}]') == [1.5, "é", {"k": "v"}]


def test_json_null_is_an_empty_nil_map_or_slice() -> None:
    # recorded from Go 1.19: {{ json "null" }} -> map[], {{ jsonArray "null" }} -> []
    assert call("json", "null") == {} and type(call("json", "null")) is GoMap
    assert call("jsonArray", "null") == [] and type(call("jsonArray", "null")) is GoList
    # ... nil ones: %#v (recorded from Go 1.19) tells them from "{}" and "[]"
    assert sprintf("%#v %#v", call("json", " null\n"), call("jsonArray", "\tnull")) == \
        "map[string]interface {}(nil) []interface {}(nil)"
    assert sprintf("%#v %#v", call("json", "{}"), call("jsonArray", "[]")) == "map[string]interface {}{} []interface {}{}"
    assert sprintf("%#v", call("jsonArray", "[[], {}, null]")) == \
        "[]interface {}{[]interface {}{}, map[string]interface {}{}, interface {}(nil)}"


def test_json_strings_never_hold_invalid_utf8() -> None:
    # Go decodes a lone surrogate escape (or an invalid byte) as U+FFFD.
    assert call("jsonArray", '["\\ud800", "\\ud83d\\ude00", "\\udc00\\ud800x"]') == [
        "\ufffd", "\U0001F600", "\ufffd\ufffdx"]
    assert call("jsonArray", '["a\udcffb"]') == ["a\ufffdb"]  # the byte 0xff inside a string


@pytest.mark.parametrize(("name", "data", "message"), [
    # recorded from Go 1.19
    ("json", "x", "invalid character 'x' looking for beginning of value"),
    ("json", "", "unexpected end of JSON input"),
    ("json", " ", "unexpected end of JSON input"),
    ("json", "-", "invalid character ' ' in numeric literal"),
    ("json", '{"a": -}', "invalid character '}' in numeric literal"),
    ("json", "1.", "invalid character ' ' after decimal point in numeric literal"),
    ("json", "1e+", "invalid character ' ' in exponent of numeric literal"),
    ("json", "tr", "invalid character ' ' in literal true (expecting 'u')"),
    ("json", '{"a', "unexpected end of JSON input"),
    ("json", '{"a\\', "invalid character ' ' in string escape code"),
    ("json", '{"a\\u12x', "invalid character 'x' in \\u hexadecimal character escape"),
    ("json", "[1]", "json: cannot unmarshal array into Go value of type map[string]interface {}"),
    ("json", '"s"', "json: cannot unmarshal string into Go value of type map[string]interface {}"),
    ("json", "1", "json: cannot unmarshal number into Go value of type map[string]interface {}"),
    ("json", "true", "json: cannot unmarshal bool into Go value of type map[string]interface {}"),
    ("json", '{"a": 1e400}', "json: cannot unmarshal number 1e400 into Go value of type float64"),
    ("json", '{"a" 1}', "invalid character '1' after object key"),
    ("json", '{"a":1 "b"}', "invalid character '\"' after object key:value pair"),
    ("json", '{"a":1,}', "invalid character '}' looking for beginning of object key string"),
    ("json", "é", "invalid character 'Ã' looking for beginning of value"),
    ("json", "\ufeff{}", "invalid character 'ï' looking for beginning of value"),
    ("json", '{"a":tru}', "invalid character '}' in literal true (expecting 'e')"),
    ("json", '{"a":nulL}', "invalid character 'L' in literal null (expecting 'l')"),
    ("json", "{'a':1}", "invalid character '\\'' looking for beginning of object key string"),
    ("json", '{"a":"\\x"}', "invalid character 'x' in string escape code"),
    ("json", '{"a":"\t"}', "invalid character '\\t' in string literal"),
    ("json", '{"a":"\x7f\x00"}', "invalid character '\\x00' in string literal"),
    ("json", '{"a":1} x', "invalid character 'x' after top-level value"),
    ("json", '{"a":01}', "invalid character '1' after object key:value pair"),
    ("json", '{"a":1.e5}', "invalid character 'e' after decimal point in numeric literal"),
    ("json", "[" * 10001, "invalid character '[' exceeded max depth"),
    ("jsonArray", "{}", "json: cannot unmarshal object into Go value of type []interface {}"),
    ("jsonArray", "[1, 2", "unexpected end of JSON input"),
    ("jsonArray", "[1, 2,]", "invalid character ']' looking for beginning of value"),
    ("jsonArray", "[1 2]", "invalid character '2' after array element"),
    ("jsonArray", "01", "invalid character '1' after top-level value"),
    ("jsonArray", "[NaN]", "invalid character 'N' looking for beginning of value"),
    ("jsonArray", "[-Infinity]", "invalid character 'I' in numeric literal"),
    ("jsonArray", "[1e400, -1e999]", "json: cannot unmarshal number 1e400 into Go value of type float64"),
])
def test_json_errors_are_encoding_jsons(name: str, data: str, message: str) -> None:
    assert error_of(name, data) == message


def test_json_syntax_error_accepts_valid_json() -> None:
    for text in ['{"a": [1, -0.5e+3, true, false, null, "\\u00e9\\n"]}', " [] ", "0", '""']:
        assert json_syntax_error(text.encode()) is None


# --- strings, paths, base64, map, getenv, fileExists ---------------------------------------------


@pytest.mark.parametrize(("name", "args", "expected"), [
    # recorded from Go 1.19
    ("split", ("abc", ""), ["a", "b", "c"]), ("split", ("", ""), []), ("split", ("", ","), [""]),
    ("split", ("a,b,", ","), ["a", "b", ""]), ("split", ("héllo", ""), ["h", "é", "l", "l", "o"]),
    ("join", (["a", "b"], "-"), "a-b"), ("join", ([], "-"), ""),
    ("toUpper", ("abcß ŉ ﬁ ᾳ ǅ µ ı ſ é",), "ABCß ŉ ﬁ ᾼ Ǆ Μ I S É"),
    ("toLower", ("ABCİ Σ ǅ ẞ K",), "abci σ ǆ ß k"),
    ("contains", ("abc", "b"), True), ("contains", ("abc", ""), True), ("contains", ("", "a"), False),
    ("replace", ("aaaa", "a", "b", 2), "bbaa"), ("replace", ("aaaa", "a", "b", -1), "bbbb"),
    ("replace", ("aaaa", "a", "b", 0), "aaaa"), ("replace", ("abc", "", "-", -1), "-a-b-c-"),
    ("replace", ("abc", "", "-", 2), "-a-bc"), ("replace", ("héllo", "", "|", -1), "|h|é|l|l|o|"),
    ("trimSuffix", ("abc.conf", ".conf"), "abc"), ("trimSuffix", ("abc", "x"), "abc"),
    ("base", ("/a/b/",), "b"), ("base", ("",), "."), ("base", ("/",), "/"),
    ("dir", ("/a/b",), "/a"), ("dir", ("a",), "."), ("dir", ("",), "."), ("dir", ("/a/../b/",), "/b"),
    ("base64Encode", ("hello wörld",), "aGVsbG8gd8O2cmxk"), ("base64Encode", ("",), ""),
    ("base64Encode", ("\udcff",), "/w=="),  # the byte 0xff
    ("base64Decode", ("aGVsbG8gd8O2cmxk",), "hello wörld"), ("base64Decode", ("",), ""),
    ("base64Decode", ("aGVs\nbG8=",), "hello"), ("base64Decode", ("QR==",), "A"),
    ("base64Decode", ("QQ=\n=",), "A"), ("base64Decode", ("QUJD\r\n\r\nQQ=\r=\n",), "ABCA"),
    ("base64Decode", ("/w==",), "\udcff"),  # the byte 0xff, kept as Go keeps it
])
def test_string_functions(name: str, args: tuple[Any, ...], expected: Any) -> None:
    assert call(name, *args) == expected


@pytest.mark.parametrize(("name", "args", "expected"), [
    # recorded from Go 1.19 with printf "%q"; "\udcXX" stands for the invalid byte 0xXX
    ("toUpper", ("a\udcffb",), "A\ufffdB"), ("toLower", ("A\udcffB",), "a\ufffdb"),
    ("toUpper", ("é\udcff",), "É\ufffd"),
    ("toUpper", ("\u2c5f\ua7c1",), "\u2c5f\ua7c1"), ("toLower", ("\u2c2f",), "\u2c2f"),  # Unicode 14
    ("split", ("a\udcffé", ""), ["a", "\ufffd", "é"]),
    ("split", ("a\udcffé\udcff", ""), ["a", "\ufffd", "é", "\udcff"]),  # Go's explode keeps the last piece
    ("split", ("a\udcc3b", "\udcc3"), ["a", "b"]),
    ("split", ("aé", "\udcc3"), ["a", "\udca9"]),  # é is the bytes c3 a9
    ("contains", ("aé", "\udcc3"), True),
    ("replace", ("aé", "\udcc3", "X", -1), "aX\udca9"),
    ("trimSuffix", ("aé", "\udca9"), "a\udcc3"),
    ("replace", ("aé", "", "|", 3), "|a|é|"),
])
def test_string_functions_work_on_bytes(name: str, args: tuple[Any, ...], expected: Any) -> None:
    assert go_bytes_of(call(name, *args)) == go_bytes_of(expected)


def go_bytes_of(value: Any) -> Any:
    if isinstance(value, list):
        return [go_bytes(item) for item in value]
    return go_bytes(value) if isinstance(value, str) else value


def test_split_is_a_string_slice() -> None:
    assert type(call("split", "a,b", ",")) is StringList
    assert go_bytes(call("base64Decode", "/w==")) == b"\xff"


@pytest.mark.parametrize(("data", "offset"), [
    # recorded from Go 1.19
    ("QQ", 0), ("Q", 0), ("QQ=", 3), ("QQ==x", 4), ("QQ=x", 2), ("QUJD=", 4), ("=", 0), ("Q===", 1),
    ("QUI=QUI=", 4), ("QUJDRE*GSA==", 6), ("QUJD\nR", 5), ("é", 0), ("QQ== ", 4),
    ("QUJD\r\n\r\nQQ=\r=\nx", 14),
])
def test_base64_decode_errors(data: str, offset: int) -> None:
    assert error_of("base64Decode", data) == f"illegal base64 data at input byte {offset}"


def test_map() -> None:
    result = call("map", "a", 1, "b", "x", "a", 3)
    assert result == {"a": 3, "b": "x"} and type(result) is GoMap
    assert call("map") == {}
    # recorded from Go 1.19
    assert error_of("map", 1, 2) == "map keys must be strings"
    assert error_of("map", "a") == "invalid map call"
    assert error_of("map", None, 1) == "map keys must be strings"


def test_getenv_treats_empty_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOFUNCS_SET", "v")
    monkeypatch.setenv("GOFUNCS_EMPTY", "")
    monkeypatch.delenv("GOFUNCS_UNSET", raising=False)
    assert call("getenv", "GOFUNCS_SET", "d") == "v"
    assert call("getenv", "GOFUNCS_EMPTY", "d") == "d"
    assert call("getenv", "GOFUNCS_UNSET", "d", "e") == "d"
    assert call("getenv", "GOFUNCS_UNSET") == ""
    assert call("getenv", "A\x00B", "d") == "d"


def test_file_exists_is_false_only_for_not_exist(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    assert call("fileExists", str(tmp_path / "f")) is True
    assert call("fileExists", str(tmp_path / "missing")) is False
    assert call("fileExists", "") is False
    # recorded from Go 1.19: ENOTDIR and EINVAL (a NUL byte) are not "does not exist"
    assert call("fileExists", str(tmp_path / "f" / "x")) is True
    assert call("fileExists", "a\x00") is True


def test_lookup_ip() -> None:
    # recorded from Go 1.19 (IP literals need no resolver)
    assert call("lookupIP", "127.0.0.1") == ["127.0.0.1"]
    assert call("lookupIP", "::1") == ["::1"]
    assert call("lookupIPV6", "::1") == ["::1"] and call("lookupIPV4", "::1") == []
    assert call("lookupIP", "::ffff:1.2.3.4") == ["1.2.3.4"]
    assert call("lookupIP", "fe80::1%lo") == ["fe80::1"]
    assert call("lookupIP", "::1.2.3.4") == ["::102:304"]
    assert call("lookupIP", "") == [] and call("lookupIP", "a\x00") == []
    found = call("lookupIP", "localhost")
    assert "127.0.0.1" in found and found == sorted(found) and type(found) is StringList
    assert call("lookupIPV4", "localhost") == [ip for ip in found if "." in ip]
    # recorded from Go 1.19: nil on a failed lookup, and when no address of the family is found
    assert sprintf("%#v %#v %#v", call("lookupIP", "a\x00"), call("lookupIPV4", "::1"),
                   call("lookupIPV6", "127.0.0.1")) == "[]string(nil) []string(nil) []string(nil)"


# --- datetime ----------------------------------------------------------------------------------


def test_datetime_is_now_with_go_methods() -> None:
    now = call("datetime")
    assert isinstance(now, GoTime) and now.go_type == "time.Time"
    assert abs(now.Unix() - int(__import__("time").time())) <= 2
    assert isinstance(now.Month(), GoMonth) and isinstance(now.Weekday(), GoWeekday)
    # Time.String: "2006-01-02 15:04:05.999999999 -0700 MST m=+0.004025776" (recorded from Go 1.19)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d*[1-9])? [+-]\d{4} \S+ m=\+\d+\.\d{9}",
                        str(now)), str(now)
    assert now.Format("2006") == str(now.Year())
    assert "m=" not in str(now.UTC())
    # recorded from Go 1.19: Unix, UnixMilli, UnixMicro, UnixNano are int64; the others int
    unix = [now.Unix(), now.UnixMilli(), now.UnixMicro(), now.UnixNano()]
    assert [type_name(n) for n in unix] == ["int64"] * 4 and all(isinstance(n, int) for n in unix)
    assert sprintf("%T %T %v", now.Year(), now.Nanosecond(), GoInt64(-5)) == "int int -5"


# recorded from Go 1.19: time.Unix(1700000000, 120000000).In(time.FixedZone("EST", -5*3600)).Format(L)
EST_FORMATS = {
    "01/02 03:04:05PM '06 -0700": "11/14 05:13:20PM '23 -0500",
    "Mon Jan _2 15:04:05 2006": "Tue Nov 14 17:13:20 2023",
    "Mon Jan _2 15:04:05 MST 2006": "Tue Nov 14 17:13:20 EST 2023",
    "Monday, 02-Jan-06 15:04:05 MST": "Tuesday, 14-Nov-23 17:13:20 EST",
    "2006-01-02T15:04:05Z07:00": "2023-11-14T17:13:20-05:00",
    "2006-01-02T15:04:05.999999999Z07:00": "2023-11-14T17:13:20.12-05:00",
    "3:04PM": "5:13PM",
    "Jan _2 15:04:05.000000": "Nov 14 17:13:20.120000",
    "2006-01-02 15:04:05.999999999 -0700 MST": "2023-11-14 17:13:20.12 -0500 EST",
    "Monday January 2 _2 __2 002 06 3 03 4 5 pm PM": "Tuesday November 14 14 318 318 23 5 05 13 20 pm PM",
    "Z07 Z0700 Z07:00 Z070000 Z07:00:00 -07 -0700 -07:00 -070000 -07:00:00":
        "-05 -0500 -05:00 -050000 -05:00:00 -05 -0500 -05:00 -050000 -05:00:00",
    ".0 .00 .000000000000 ,999 .9 ,0 .99999999999": ".1 .12 .120000000 ,12 .1 ,1 .12",
    "Janx Jan. Mona Mon! MST _2006 2006 1 15 .01 .0a": "Janx Nov. Mona Tue! EST _2023 2023 11 17 .11 .1a",
    "Month Monthly": "Month Monthly",
    "": "",
}


@pytest.mark.parametrize(("layout", "expected"), sorted(EST_FORMATS.items()))
def test_time_format_is_gos_layout_language(layout: str, expected: str) -> None:
    t = GoTime(1700000000 * 10**9 + 120000000, -5 * 3600, "EST")
    assert t.Format(layout) == expected


def test_time_fields_and_string() -> None:
    # recorded from Go 1.19
    t = GoTime(1234567890 * 10**9, 2 * 3600 + 30 * 60 + 15, "")
    assert t.String() == "2009-02-14 02:01:45 +0230 +0230"
    assert t.Format("Z07:00:00") == "+02:30:15"
    t = GoTime(-1 * 10**9 + 500, 0, "UTC")
    assert t.String() == "1969-12-31 23:59:59.0000005 +0000 UTC"
    t = GoTime(1709164800 * 10**9 + 43200 * 10**9, 0, "UTC", mono=4_025_776)
    assert [t.Year(), t.Month(), t.Day(), t.Hour(), t.YearDay(), t.Weekday()] == [2024, 2, 29, 12, 60, 4]
    assert (str(t.Month()), str(t.Weekday())) == ("February", "Thursday")
    assert t.String() == "2024-02-29 12:00:00 +0000 UTC m=+0.004025776"
    assert GoTime(0, mono=-(2 * 10**9 + 5)).String() == "1970-01-01 00:00:00 +0000 UTC m=-2.000000005"
    assert t.UTC().String() == "2024-02-29 12:00:00 +0000 UTC"


# --- gostd internals that the functions above do not reach --------------------------------------


def test_path_match_bytes_edge_cases() -> None:
    assert path_match_bytes(b"a*", b"abc") and not path_match_bytes(b"a*", b"a/c")
    assert path_match_bytes("[é]".encode(), "é".encode())
    assert not path_match_bytes(b"a", b"b")
    with pytest.raises(GoError, match="syntax error in pattern"):
        path_match_bytes(b"a[", b"b")  # Go checks the rest of the pattern even after a mismatch
    with pytest.raises(GoError):
        path_match_bytes(b"[\xff]", b"x")


def test_getenv_reads_the_live_environment() -> None:
    assert call("getenv", "PATH") == os.environ.get("PATH", "")
