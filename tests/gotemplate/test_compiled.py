"""Compiled templates (gotemplate.compile, what Template.execute runs) against the interpreter
(gotemplate.exec.execute, the reference the compiler mirrors): the same output, or the same
error message, for

* every case of cases.py and of the generated set test_against_go.py compares with Go, plus
  more generated templates (other seeds: this comparison needs no Go);
* corner cases of the compiler: data with methods and go_fields, maps and lists of
  interface{}, error positions after and/or, break in an else, variable scopes, constants of
  every kind for every parameter type, the quick paths of printf/eq/ne/field access.

Each template is compiled twice: as Template.execute compiles it (the main template's code
outside loops compact) and with every quick path inline (as in loops), so both kinds of code
are compared on every case.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

import pytest
from sibling import load_sibling

from gotemplate import Template, TemplateError
from gotemplate.builtins import BUILTINS
from gotemplate.codegen_expr import printf_plan
from gotemplate.compile import Compiled
from gotemplate.compile_rt import fast_eq, fast_ne
from gotemplate.exec import execute as interpret
from gotemplate.gofmt import sprintf
from gotemplate.values import Byte

_generate = load_sibling(__file__, "generate")
TABLE: list[dict[str, Any]] = load_sibling(__file__, "cases").CASES + _generate.generate()
MORE: list[dict[str, Any]] = [dict(case, name=f"{case['name']}_s{seed}")
                              for seed in (1, 2) for case in _generate.generate(100, seed)]


def _outcome(run: Callable[[], str]) -> tuple[str, str]:
    try:
        return "output", run()
    except TemplateError as exc:
        return type(exc).__name__, str(exc)


def _compare(name: str, text: str, data: Any, make_funcs: Callable[[], dict[str, Any]]) -> Compiled | None:
    """Assert the three ways of running agree; the Compiled of Template.execute's kind."""
    try:
        template = Template.parse(name, text, make_funcs())
    except TemplateError:
        return None
    expected = _outcome(lambda: interpret(template.trees, name, data, make_funcs()))
    compact, inline = Compiled(template.trees, name), Compiled(template.trees)
    for compiled in (compact, inline):
        got = _outcome(lambda: compiled.execute(name, data, make_funcs()))
        assert got == expected, f"template {text!r}\ninterpreter {expected}\ncompiled    {got}"
        assert _outcome(lambda: compiled.execute(name, data, make_funcs())) == expected   # run again
    return compact


def _confd_case(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Compiled | None:
    from balancer.gofuncs import confd_functions
    for name, value in (case.get("env") or {}).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return _compare(case["name"], case["template"], None, lambda: confd_functions(dict(case["keys"])))


@pytest.mark.parametrize("case", TABLE + MORE, ids=[case["name"] for case in TABLE + MORE])
def test_cases(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = _confd_case(case, monkeypatch)
    if compiled is not None:        # and it was compiled, not left to the interpreter
        assert all(program is not None for program in compiled.programs.values()), case["template"]


# --- corner cases -------------------------------------------------------------------------

@dataclass
class Item:
    name: str
    count: int = 0
    tags: list[str] = field(default_factory=list)
    child: Item | None = None

    def Greet(self, who: str) -> str:
        return f"hi {who} from {self.name}"

    def Boom(self) -> str:
        raise ValueError("boom")

    def Twice(self, n: int) -> int:
        return 2 * n

    def Self(self) -> Item:
        return self


class Fielded:
    go_type: ClassVar[str] = "pkg.Fielded"
    go_fields: ClassVar[tuple[str, ...]] = ("A",)

    def __init__(self) -> None:
        self.A = 1
        self.B = 2

    def M(self) -> int:
        return 3


def _fail() -> str:
    raise RuntimeError("failed")


def _add(a: int, b: int) -> int:
    return a + b


def _cat(*parts: str) -> str:
    return "".join(parts)


def _length(items: list[str]) -> int:
    return len(items)


def _keys(mapping: dict[str, Any]) -> int:
    return len(mapping)


def _half(x: float) -> float:
    return x / 2


def _yes(b: bool) -> bool:
    return b


def _opt(a: str, b: str = "d") -> str:
    return a + b


def _funcs() -> dict[str, Any]:
    return {"id": lambda x: x, "nilf": lambda: None, "fail": _fail, "add": _add, "cat": _cat,
            "length": _length, "keys": _keys, "half": _half, "yes": _yes, "opt": _opt}


DATA: dict[str, Any] = {
    "s": "str", "u": "héllo", "i": 42, "big": 1 << 70, "neg": -3, "f": 1.5, "t": True, "none": None,
    "empty": [], "emptymap": {}, "strs": ["a", "b", "c"], "ints": [3, 1, 2], "one": [0],
    "mixed": [1, "a", None, {"k": "v"}], "map": {"b": 2, "a": 1}, "nums": {2: "two", 1: "one"},
    "anymap": {"x": {"y": "z"}, "n": None, "l": [1]}, "item": Item("it", 2, ["t"], Item("kid")),
    "items": [Item("a", 1), Item("b", 2, child=Item("c"))], "fielded": Fielded(), "fn": lambda: "called",
    "byte": Byte(65), "objs": [Fielded(), Fielded()],
}

CORNER = [
    # printing
    "{{.s}}{{.i}}{{.big}}{{.neg}}{{.f}}{{.t}}{{.none}}{{.missing}}{{.empty}}{{.map}}{{.item}}{{.byte}}",
    "{{.fn}}", "{{.item.Boom}}", "{{$}}", "{{.}}", "{{nilf}}", "{{$n := nilf}}{{printf \"%T\" $n}}{{$n}}",
    # fields and methods
    '{{.item.Greet "x"}}', "{{.item.Greet}}", "{{.item.Twice 3}}", '{{.item.Twice "x"}}', "{{3 | .item.Twice}}",
    "{{.item.Self.Self.name}}", "{{.item.child.name}}", "{{.item.child.child.name}}", "{{.item.nope}}",
    "{{.item._private}}", "{{.fielded.A}}", "{{.fielded.B}}", "{{.fielded.M}}", "{{.s.x}}", "{{.strs.x}}",
    "{{.i.x}}", "{{.missing.x.y}}", "{{.anymap.x.y}}{{.anymap.x.nope}}", "{{.anymap.l.x}}",
    "{{.anymap.n.y}}", "{{.map.a.b}}", "{{$x := .anymap}}{{$x.x.y}}{{$x.n.y}}", "{{(.item).name}}",
    "{{(id .item).Self.name}}", "{{$.item.name}}", '{{.s | .item.Greet}}', '{{.item.Greet "a" | printf "%s!"}}',
    "{{.item.name 1}}", "{{.map.a 1}}", "{{1 | .map.a}}", "{{.item.Self 1}}", "{{(1).x}}", "{{(.i).x}}",
    "{{range .objs}}{{.A}}{{.M}}{{end}}{{range .objs}}{{.B}}{{end}}", "{{range .items}}{{.child.name}}{{end}}",
    "{{range .items}}{{.Greet .name}}{{end}}", "{{range .mixed}}{{.k}}{{end}}", "{{range .anymap}}{{.y}}{{end}}",
    "{{range .strs}}{{.x}}{{end}}", "{{with .anymap.x}}{{.y.z}}{{end}}",
    # range
    "{{range $k, $v := .map}}{{$k}}={{$v}};{{end}}", "{{range $i, $e := .strs}}{{$i}}{{$e}}{{end}}",
    "{{range $e := .strs}}{{$e}}{{.}}{{end}}", "{{range .nums}}{{.}}{{end}}{{range $k, $v := .nums}}{{$k}}{{end}}",
    "{{range .empty}}x{{else}}empty{{end}}", "{{range $x := .empty}}{{else}}{{$x}}{{end}}",
    "{{range $i, $x := .emptymap}}{{else}}{{$i}}{{$x}}{{end}}", "{{range .none}}x{{else}}e{{end}}",
    "{{range .missing}}x{{else}}e{{end}}", "{{range .s}}{{end}}", "{{range .i}}{{end}}", "{{range nilf}}x{{end}}",
    "{{range .ints}}{{if eq . 1}}{{continue}}{{end}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}",
    "{{range .ints}}{{range .empty}}{{else}}{{break}}{{end}}x{{end}}",
    "{{range .ints}}{{range .empty}}{{else}}{{if true}}{{continue}}{{end}}y{{end}}x{{end}}",
    "{{range .ints}}{{range .empty}}{{else}}{{range .strs}}{{break}}{{end}}c{{break}}d{{end}}x{{end}}",
    "{{range .empty}}{{else}}a{{break}}b{{end}}c",
    "{{range .ints}}{{range .strs}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}{{.}}{{end}}",
    "{{$x := 0}}{{range $x = .ints}}{{$x}}{{end}}{{$x}}", "{{$a := 0}}{{$b := 0}}{{range $a, $b = .strs}}{{end}}{{$a}}{{$b}}",
    "{{range $i, $v = seq 1 2}}{{end}}",
    # variables and scopes
    "{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", "{{$x := 1}}{{range .ints}}{{$x = .}}{{end}}{{$x}}",
    "{{with $y := .s}}{{$y}}{{.}}{{end}}", "{{$x := .item}}{{with $x}}{{$x = 5}}{{.name}}{{$x}}{{end}}",
    "{{$x := .strs}}{{range $x}}{{$x = 1}}{{.}}{{end}}{{$x}}", "{{if true}}{{$z := 1}}{{else}}{{$z}}{{end}}",
    "{{if false}}{{$z := 1}}{{else}}{{$z}}{{end}}", "{{range .one}}{{$v := .}}{{end}}",
    "{{range .ints}}{{$v := .}}{{$v}}{{end}}", "{{$x := 1}}{{$x := $x}}{{$x}}", "{{with $e := .empty}}{{else}}{{$e}}{{end}}",
    '{{print ($x := 1)}}{{$x}}', '{{and 0 ($x := 1)}}{{$x}}', "{{template \"T\" $y := 2}}{{$y}}{{define \"T\"}}{{.}}{{end}}",
    # and / or and the node errors are reported at
    "{{and 1 0 2}}{{or 0 \"\" \"x\"}}{{or 0 \"\"}}{{and 1}}", "{{.none | and 1}}{{0 | or 0}}", "{{and .item.Boom 1}}",
    "{{or 0 .item.Boom}}", "{{or 1 .item.Boom}}", '{{and 1 .missing | printf "%v"}}', "{{and (eq 1 1) .nope.x}}",
    "{{(and 1 .s).x}}", "{{(or 1 .s).x}}", "{{(and 0 .s).x}}", "{{range and 1 .s}}{{end}}", "{{range or 1 .s}}{{end}}",
    "{{and 1 .s | add 1}}", "{{and 1 .s | length}}", "{{(and 1 (or 0 .i)).x}}", "{{.s | and}}",
    # functions: arity, parameter types, constants
    "{{add .s 1}}", '{{add (id "x") 1}}', "{{add 1 2 3}}", "{{cat}}{{cat \"a\" \"b\"}}", '{{opt "a"}}{{opt "a" "b"}}',
    "{{opt}}", '{{opt "a" "b" "c"}}', "{{add 1.5 1}}", "{{half 1}}{{half 1.5}}{{half .i}}{{half .f}}", "{{yes 1}}",
    "{{yes .t}}{{yes .none}}{{yes .missing}}", '{{length "x"}}', "{{length nil}}{{keys nil}}{{keys .map}}",
    "{{length .strs}}{{length .ints}}{{length .none}}", "{{add nil 1}}", "{{id nil}}", "{{nil}}",
    "{{id 18446744073709551615}}", "{{18446744073709551615}}", "{{id 1e3}} {{id 0x10}} {{id 'a'}} {{id 1i}} {{1.5}}",
    "{{id .}}", "{{add . 1}}", "{{fail}}", "{{fail 1}}", "{{id}}", '{{"x" | printf "%s-%s" "y"}}', "{{.s | len}}",
    '{{nilf | printf "%v"}}', '{{.none | printf "%v"}}', "{{.i | add 1}}", "{{.s | add 1}}", '{{"x" | id}}',
    "{{1 | id | add 2}}", "{{id | id}}", "{{nilf | id}}", "{{(id 1) 2}}", "{{$x := 1}}{{$x 2}}", "{{.i | $}}",
    # builtins and their quick paths
    "{{call .fn}}", "{{call .item.Twice 2}}", "{{call .none}}", "{{call .s}}", "{{call id 1}}", "{{call .fn 1}}",
    '{{index .map "a"}} {{len .strs}} {{slice .s 1 2}} {{index .strs 5}}',
    '{{eq .s "str"}}{{ne .i 42}}{{eq .s "héllo"}}{{eq .u "héllo"}}{{ne .u "hello"}}{{eq .byte 65}}{{eq .t true}}',
    "{{eq .i 42.0}}", "{{ne .none 1}}", "{{eq .none .missing}}", "{{eq .strs .strs}}", "{{eq .i}}",
    "{{eq .i 1 42}}", "{{ne .big .big}}{{eq .neg -3}}", "{{ne .s 1}}",
    '{{printf "%s:%d" .s .i}}', '{{printf "%d" .s}}', '{{printf "%v %v" .i .s}}', '{{printf "%v|%d" .big .big}}',
    '{{printf "%d" .byte}}{{printf "%v" .byte}}', '{{printf "%s" .none}}', '{{printf "%s" .missing}}',
    '{{printf "%d %d" 1}}', '{{printf "%%d %s" "x"}}', '{{printf "%s"}}', '{{printf "100%%"}}', '{{printf ""}}',
    '{{printf "%s %s" "a" "b" "c"}}', '{{printf "%5s" "x"}}', '{{printf "%d" .t}}', '{{printf "%v" .f}}',
    '{{printf "%s" .u}}{{printf "%v" .item}}', '{{printf "%d" -9223372036854775808}}', "{{printf .s}}",
    '{{printf "%" 1}}', '{{printf "%s%"  "a"}}',
    # control flow
    "{{if .none}}a{{else if .empty}}b{{else if .s}}c{{end}}", "{{with .none}}x{{else}}y{{end}}",
    "{{with .item}}{{.name}}{{.count}}{{end}}", "{{with .mixed}}{{range .}}{{.}}{{end}}{{end}}",
    "{{with .fielded}}{{.B}}{{end}}", "{{if .item}}{{.item.name}}{{end}}{{if .emptymap}}x{{end}}",
    "{{with 1}}{{.}}{{end}}{{with \"s\"}}{{.}}{{end}}{{with $x := 0}}{{else}}{{$x}}{{end}}",
    # templates
    '{{define "T"}}[{{.}}|{{$}}]{{end}}{{template "T" .s}}{{template "T"}}{{range .strs}}{{template "T" .}}{{end}}',
    '{{template "nope"}}', '{{block "B" .i}}{{.}}{{end}}', '{{define "T"}}{{.x.y}}{{end}}{{template "T" .s}}',
    '{{define "r"}}{{template "r" .}}{{end}}{{template "r" 1}}',
    '{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}{{template "a" .}}{{end}}{{template "a"}}',
    '{{define "T"}}{{range .}}{{.}}{{break}}{{end}}{{end}}{{range .one}}{{template "T" $.strs}}{{end}}',
    '{{define "T"}}{{$}}{{end}}{{$x := 1}}{{range .strs}}{{template "T" $x}}{{$x = .}}{{end}}',
]


@pytest.mark.parametrize("text", CORNER)
def test_corner_case(text: str) -> None:
    _compare("corner", text, DATA, _funcs)


def test_nil_data_and_other_entry_points() -> None:
    _compare("nil", "{{.}}{{$}}{{.x}}{{with .}}x{{end}}", None, _funcs)
    template = Template.parse("main", '{{define "sub"}}<{{.}}>{{end}}main', {})
    assert Template("sub", template.trees, {}).execute("x") == "<x>"
    with pytest.raises(TemplateError, match='no template "other"'):
        Template("other", template.trees, {}).execute()


def test_functions_change_between_executions() -> None:
    """A program per set of signatures: a function replaced by one of another signature, a
    builtin overridden, a function taken away (exec error only when called)."""
    template = Template.parse("f", '{{if .}}{{id 1}}{{else}}{{printf "%d" 2}}{{end}}', {"id": lambda x: x})

    def typed(x: str) -> str:
        return x

    assert template.execute(True, {"id": lambda x: x}) == "1"
    with pytest.raises(TemplateError, match="expected string; found 1"):
        template.execute(True, {"id": typed})
    assert template.execute(False, {"printf": lambda *a: "mine"}) == "mine"
    assert template.execute(False, {}) == "2"
    with pytest.raises(TemplateError, match='"id" is not a defined function'):
        template.execute(True, {})
    assert template.execute(True, {"id": lambda x: x}) == "1"


def test_deep_nesting_falls_back_to_the_interpreter() -> None:
    """Deeper than Python's compiler allows (20 nested loops): the interpreter runs it."""
    depth = 25
    text = "{{range .}}" * depth + "x" + "{{end}}" * depth
    data: Any = ["y"]
    for _ in range(depth - 1):
        data = [data]
    template = Template.parse("deep", text, {})
    assert template.execute(data) == interpret(template.trees, "deep", data, {}) == "x"


# --- the quick paths against what they stand for -----------------------------------------

_VALUES: list[Any] = ["", "a", "héllo", "h\udcffx", 0, -1, 7, 1 << 63, -(1 << 63), (1 << 63) - 1, 1.5, True,
                      None, Byte(3), [1], {"a": 1}, Item("i")]


@pytest.mark.parametrize("fmt", ["%s", "%d", "%v", "%s:%d", "[%v|%v]", "100%% %s", "%s%s%s", "x"])
def test_printf_plan_matches_sprintf(fmt: str) -> None:
    from gotemplate.codegen_expr import ExprCompiler
    import itertools
    n_args = fmt.replace("%%", "").count("%")
    plan = printf_plan(fmt, n_args)
    assert plan is not None
    compiler = ExprCompiler({"printf": ("builtin", None)}, {"printf": 0})
    atoms = [f"a{i}" for i in range(n_args)]
    quick = compiler.quick_printf([compiler.const(fmt), *atoms], [_string_node(fmt)] + [_string_node("")] * n_args)
    assert quick is not None
    for args in itertools.product(_VALUES, repeat=n_args):
        scope = dict(zip(atoms, args))
        if eval(quick + " else None", {}, scope) is not None:     # noqa: S307 - our generated code
            assert eval(quick + " else None", {}, scope) == sprintf(fmt, *args), (fmt, args)


def _string_node(text: str) -> Any:
    from gotemplate import nodes as n
    return n.StringNode(0, quoted=repr(text), text=text)


def test_fast_eq_ne_match_the_builtins() -> None:
    for a in _VALUES:
        for b in _VALUES:
            for quick, builtin in ((fast_eq, BUILTINS["eq"]), (fast_ne, BUILTINS["ne"])):
                assert _outcome_of(lambda: quick(builtin, a, b)) == _outcome_of(lambda: builtin(a, b)), (a, b)


def _outcome_of(run: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "value", run()
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__, str(exc)
