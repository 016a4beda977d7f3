"""Differential test: the Python engine (gotemplate + balancer.gofuncs) against Go itself.

Every case of cases.py and of the seeded generator (generate.py) is rendered once by the Go
reference (conftest.go_render: Go 1.19 text/template with confd's function map, checked
against the real confd, see reference/VERIFIED.md) and once by the Python engine:

* Go succeeds: the Python engine must succeed with the same bytes.
* Go fails: the Python engine must fail too, in the same phase (ParseError from
  Template.parse for Go's Parse errors, ExecError from execute for Execute errors), with the
  same message: exactly, or for cases marked ``"match": "prefix"`` only the
  ``template: NAME:LINE:`` part (the message names the case, its line, for exec errors also
  the column, so a wrong position fails even then).

Set GOTEMPLATE_GO_RESULTS=/path/file.json to keep Go's answers for inspection.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from sibling import load_sibling

_table = load_sibling(__file__, "cases")
_generate = load_sibling(__file__, "generate")
TABLE: list[dict[str, Any]] = _table.CASES
GENERATED: list[dict[str, Any]] = _generate.generate()
ALL = TABLE + GENERATED

CONFD_FUNCTIONS = [
    "get", "gets", "getv", "getvs", "exists", "ls", "lsdir", "base", "dir", "split", "join",
    "json", "jsonArray", "map", "getenv", "toUpper", "toLower", "contains", "replace",
    "trimSuffix", "lookupIP", "lookupIPV4", "lookupIPV6", "fileExists", "base64Encode",
    "base64Decode", "parseBool", "reverse", "sortByLength", "sortKVByLength", "add", "sub",
    "div", "mod", "mul", "seq", "atoi", "datetime", "backends",
]
BUILTINS = ["and", "or", "not", "len", "index", "slice", "print", "printf", "println", "eq",
            "ne", "lt", "le", "gt", "ge", "html", "js", "urlquery", "call"]


# --- the Python side ----------------------------------------------------------------------

def py_render(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Render one case with the Python engine the way the balancer will: a fresh function
    map over the case's keys, data nil, the case's environment. Returns
    ``{"output": str|None, "error": str|None, "phase": "parse"|"exec"|None}``."""
    try:
        from balancer.gofuncs import confd_functions
        from gotemplate import ExecError, ParseError, Template, TemplateError
    except ImportError as exc:
        pytest.fail(f"the Python engine is not importable yet: {exc!r}", pytrace=False)
    for name, value in (case.get("env") or {}).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    funcs = confd_functions(dict(case["keys"]))
    try:
        template = Template.parse(case["name"], case["template"], funcs)
    except TemplateError as exc:
        assert isinstance(exc, ParseError), f"Template.parse raised {type(exc).__name__}, not ParseError"
        return {"output": None, "error": str(exc), "phase": "parse"}
    try:
        output = template.execute(None)
    except TemplateError as exc:
        assert isinstance(exc, ExecError), f"execute raised {type(exc).__name__}, not ExecError"
        return {"output": None, "error": str(exc), "phase": "exec"}
    return {"output": output, "error": None, "phase": None}


def _as_bytes(output: str | bytes) -> bytes:
    # Go strings are bytes; the engine's str may carry undecodable bytes as surrogate escapes.
    if isinstance(output, bytes):
        return output
    return output.encode("utf-8", "surrogateescape")


def _error_prefix(name: str, message: str) -> str | None:
    match = re.match(r"template: " + re.escape(name) + r":\d+:", message)
    return match.group(0) if match else None


def _first_difference(a: bytes, b: bytes) -> str:
    index = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return (f"first difference at byte {index}: Go {a[max(0, index - 20):index + 40]!r}\n"
            f"{' ' * 31}Python {b[max(0, index - 20):index + 40]!r}")


# --- the Go side --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def go_results(go_render: Any) -> dict[str, dict[str, Any]]:
    results = go_render(ALL)
    dump = os.environ.get("GOTEMPLATE_GO_RESULTS")
    if dump:
        Path(dump).write_text(json.dumps(
            [{**case, "go_output": r["output_bytes"].decode("utf-8", "backslashreplace"),
              "go_error": r["error"], "go_phase": r["phase"]} for case, r in zip(ALL, results)],
            ensure_ascii=False, indent=1), encoding="utf-8")
    return {case["name"]: result for case, result in zip(ALL, results)}


# --- tests of the table and the reference (need only Go) ----------------------------------

def test_table_is_well_formed() -> None:
    names = [case["name"] for case in ALL]
    assert len(set(names)) == len(names), "case names must be unique (they name the template)"
    assert len(TABLE) >= 250
    for case in ALL:
        assert case.get("match", "exact") in ("exact", "prefix"), case["name"]
        for key in case["keys"]:
            # confd stores path.Join("/", key): keep keys in that form so both sides agree.
            assert key.startswith("/") and os.path.normpath(key) == key and "//" not in key, key


@pytest.mark.parametrize("name", CONFD_FUNCTIONS + BUILTINS)
def test_table_covers_function(name: str) -> None:
    used = re.compile(r"(?:\{\{-?\s*|[(|]\s*|\s)" + re.escape(name) + r"(?=[\s)}])")
    assert any(used.search(case["template"]) for case in TABLE), f"no case in cases.py uses {name}"


def test_reference_pinned(go_results: dict[str, dict[str, Any]]) -> None:
    """The reference still gives the answers confd gave (cases.PINNED)."""
    wrong = {}
    for name, (output, error) in _table.PINNED.items():
        got = go_results[name]
        if (got["error"], None if got["error"] else got["output_bytes"].decode("utf-8")) != (error, output):
            wrong[name] = (got["output"], got["error"])
    assert not wrong, wrong


def test_reference_backends_rule_matches_lbcommon(go_results: dict[str, dict[str, Any]]) -> None:
    """The Go re-implementation of backends() accepts and normalizes what lbcommon does."""
    from lbcommon.backends import valid_backends

    case = next(c for c in TABLE if c["name"] == "backends_08")
    expected = valid_backends(sorted(case["keys"].items()), lambda *_: None)
    assert go_results["backends_08"]["output"] == "".join(f"{b}\n" for b in expected)


def test_reference_renders_in_one_process(go_render: Any) -> None:
    results = go_render([{"name": "a", "template": "{{getv \"/k\"}}", "keys": {"/k": "v"}, "env": {}},
                         {"name": "b", "template": "{{getenv \"GT_X\"}}", "keys": {}, "env": {"GT_X": "x"}},
                         {"name": "c", "template": "{{getenv \"GT_X\" \"unset\"}}", "keys": {}, "env": {}}])
    assert [(r["output"], r["error"]) for r in results] == [("v", None), ("x", None), ("unset", None)]


# --- the differential test ----------------------------------------------------------------

@pytest.mark.parametrize("case", ALL, ids=[case["name"] for case in ALL])
def test_python_matches_go(case: dict[str, Any], go_results: dict[str, dict[str, Any]],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    go = go_results[case["name"]]
    py = py_render(case, monkeypatch)
    where = f"template {case['template']!r}"
    if go["error"] is None:
        assert py["error"] is None, (
            f"{where}\nGo rendered {go['output_bytes']!r}\nPython failed ({py['phase']}): {py['error']}")
        got = _as_bytes(py["output"])
        assert got == go["output_bytes"], (
            f"{where}\nGo     {go['output_bytes']!r}\nPython {got!r}\n"
            f"{_first_difference(go['output_bytes'], got)}")
        return
    assert py["error"] is not None, (
        f"{where}\nGo failed ({go['phase']}): {go['error']}\nPython rendered {py['output']!r}")
    assert py["phase"] == go["phase"], (
        f"{where}\nGo failed in {go['phase']}: {go['error']}\nPython failed in {py['phase']}: {py['error']}")
    prefix = _error_prefix(case["name"], go["error"])
    if case.get("match", "exact") == "prefix" and prefix is not None:
        assert py["error"].startswith(prefix), (
            f"{where}\nGo     {go['error']}\nPython {py['error']}\n(only {prefix!r} must match)")
    else:
        assert py["error"] == go["error"], f"{where}\nGo     {go['error']}\nPython {py['error']}"
