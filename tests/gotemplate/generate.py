"""Seeded random templates for the differential test (test_against_go.py).

A small typed grammar: every expression is generated for a kind of value (string, int, bool,
list of strings, list of ints, KVPair, KVPairs, map, any), so most templates are valid and
exercise real combinations: nested if/else if/range/with/define/template/block, variables
declared and assigned in scopes, pipelines of confd and builtin functions over a fixed key
set, printf with random verbs and flags, and `{{-`/`-}}` trimming. A few templates are broken
on purpose (missing keys, bad arguments, division by zero, unknown functions, unclosed
actions) so the error paths are compared too. Nothing depends on time or the network.

    python tests/gotemplate/generate.py --count 500 --seed 1 > cases.json
    python tests/gotemplate/generate.py --go-out /tmp/go-results.json   # + Go's answers
"""
from __future__ import annotations

import argparse
import base64
import json
import random
import sys
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

_T = TypeVar("_T")

DEFAULT_SEED = 20240101
DEFAULT_COUNT = 500

KEYS: dict[str, str] = {
    "/app/name": "demo",
    "/app/port": "8080",
    "/app/debug": "true",
    "/app/empty": "",
    "/app/count": "3",
    "/app/csv": "b,a,ccc,dd",
    "/app/text": "Héllo <World> & \"friends\"",
    "/app/b64": "aGVsbG8=",
    "/app/cfg": ('{"name":"svc","port":8443,"ratio":0.25,"tags":["x","y","z"],'
                 '"nested":{"k":"v","n":2},"on":true,"nil":null}'),
    "/app/arr": '["p","q",1,2.5,false]',
    "/svc/web/a": "10.0.0.1:80",
    "/svc/web/b": "10.0.0.2:80",
    "/svc/web/c": "web-3.example:8080",
    "/svc/web/d": "not a backend",
    "/svc/db/primary": "db1:5432",
    "/svc/db/replica": "db2:5432",
    "/deep/x/y/z": "1",
    "/deep/x/w": "2",
    "/deep/v": "3",
}
ENV: dict[str, str | None] = {"GEN_A": "alpha", "GEN_EMPTY": "", "GEN_UNSET": None}

_EXISTING = sorted(KEYS)
_MISSING = ["/app/missing", "/nope", "/svc/web"]
_PATTERNS = ["/svc/web/*", "/svc/db/*", "/svc/*/*", "/app/*", "/deep/*", "/deep/*/*", "/none/*",
             "/svc/web/[ab]", "/svc/?b/*"]
_DIRS = ["/svc", "/svc/web", "/deep", "/deep/x", "/app", "/none", "/"]
_STRINGS = ["", "a", "abc", "héllo", "x,y,z", "a b", "Tab\tnew\nline", "quote\"d", "<&>", "🎉",
            "  pad  ", "MiXeD", "1,22,333", "/a/b/c", "a.tmpl"]
# (no lone "{": "{" + "{{" lexes as "{{" then "{", a parse error in every other template)
_TEXT = ["", " ", "\n", "\n\n", "  ", "\t", "text", "line\n", " a b ", "x=", ";", "{ }", "é", "}",
         "\n  indented\n", "upstream {\n", "}\n"]
_VERBS = ["%v", "%s", "%d", "%q", "%x", "%5v", "%-4v|", "%05d", "%.2f", "%6.1f", "%t", "%T",
          "%+v", "%#v", "%c", "%o", "%e", "%g", "%U", "%08.3f", "%x", "% d", "%+d", "%3.1s"]
_STR_FILTERS = ["toUpper", 'printf "[%s]"', "html", 'printf "%q"', "toLower"]
_ANY_FILTERS = ['printf "<%v>"', "print", 'printf "%T"', "println", 'printf "%v|%v" 1']
_FUNCS_BY_KIND = ["str", "int", "bool", "strs", "ints", "kv", "kvs", "map", "any"]


class _Gen:
    """One template: a random walk over the grammar with a scope of typed variables."""

    def __init__(self, rng: random.Random, index: int) -> None:
        self.rng = rng
        self.index = index
        self.scopes: list[list[tuple[str, str]]] = [[]]
        self.defines: list[tuple[str, str]] = []  # (name, body)
        self.define_kinds: dict[str, str] = {}
        self.nvars = 0
        self.in_range = 0
        self.dot = "nil"
        self.broken = False

    # -- helpers ---------------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[_T]) -> _T:
        return self.rng.choice(items)

    def quote(self, s: str) -> str:
        """A Go string literal for s: raw, plain, or with escapes (Go has no surrogate escapes)."""
        if self.chance(0.1) and "`" not in s:
            return "`" + s + "`"
        escape_all = self.chance(0.3)
        out = []
        for ch in s:
            code = ord(ch)
            if ch in "\\\"":
                out.append("\\" + ch)
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\t":
                out.append("\\t")
            elif code < 0x20 or code == 0x7F:
                out.append(f"\\x{code:02x}")
            elif code > 0x7F and escape_all:
                out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'

    def vars_of(self, kind: str) -> list[str]:
        return [name for scope in self.scopes for name, k in scope if k == kind]

    def new_var(self, kind: str) -> str:
        self.nvars += 1
        name = f"$v{self.nvars}"
        self.scopes[-1].append((name, kind))
        return name

    def maybe_paren(self, expr: str) -> str:
        return f"({expr})" if " " in expr or "|" in expr else expr

    def broken_expr(self) -> str:
        self.broken = True
        return self.pick([
            f"getv {self.quote(self.pick(_MISSING))}",
            f"get {self.quote(self.pick(_MISSING))}",
            "div 1 0", "mod 5 0",
            "atoi \"12x\"",
            "index (seq 1 2) 5",
            "add \"1\" 2",
            "json (getv \"/app/arr\")",
            "jsonArray (getv \"/app/csv\")",
            "undefinedFunction 1",
            "len 5",
            "slice \"abc\" 2 1",
            "parseBool \"yes\"",
            "base64Decode \"###\"",
            "map \"k\"",
            "eq 1 \"1\"",
            "lt true false",
            ".Missing.Field 1",
            "gets \"[\"",
            "index (json (getv \"/app/cfg\")) \"tags\" 7",
        ])

    # -- expressions by kind ---------------------------------------------------------------
    def expr(self, kind: str, depth: int = 0) -> str:
        if depth > 3:
            return self.leaf(kind)
        if self.chance(0.005):
            return self.broken_expr()
        variables = self.vars_of(kind)
        if variables and self.chance(0.25):
            return self.pick(variables)
        if self.dot == kind and kind != "nil" and self.chance(0.2):
            return "."
        maker: Callable[[int], str] = getattr(self, f"expr_{kind}")
        return maker(depth + 1)

    def leaf(self, kind: str) -> str:
        makers: dict[str, Callable[[], str]] = {
            "str": lambda: self.quote(self.pick(_STRINGS)),
            "int": lambda: str(self.rng.randint(-3, 12)),
            "bool": lambda: self.pick(["true", "false"]),
            "strs": lambda: f"getvs {self.quote(self.pick(_PATTERNS))}",
            "ints": lambda: f"seq {self.rng.randint(-1, 2)} {self.rng.randint(0, 4)}",
            "kv": lambda: f"get {self.quote(self.pick(_EXISTING))}",
            "kvs": lambda: f"gets {self.quote(self.pick(_PATTERNS))}",
            "map": lambda: "json (getv \"/app/cfg\")",
            "any": lambda: self.pick(["1", "2.5", "\"s\"", "true", "nil"]),
        }
        return makers[kind]()

    def arg(self, kind: str, depth: int) -> str:
        return self.maybe_paren(self.expr(kind, depth))

    def expr_str(self, depth: int) -> str:
        r = self.rng.randrange(24)
        if r == 0:
            return f"getv {self.quote(self.pick(_EXISTING))}"
        if r == 1:
            return f"getv {self.quote(self.pick(_MISSING + _EXISTING))} {self.quote(self.pick(_STRINGS))}"
        if r == 2:
            return f"{self.pick(['toUpper', 'toLower', 'base', 'dir', 'base64Encode', 'html', 'js', 'urlquery'])} {self.arg('str', depth)}"
        if r == 3:
            return f"join {self.arg('strs', depth)} {self.quote(self.pick([',', ' ', '', '-']))}"
        if r == 4:
            return self.printf(depth)
        if r == 5:
            args = " ".join(self.arg(self.pick(_FUNCS_BY_KIND[:6]), depth) for _ in range(self.rng.randint(0, 3)))
            return f"{self.pick(['print', 'println'])} {args}".rstrip()
        if r == 6:
            return f"replace {self.arg('str', depth)} {self.quote(self.pick(['a', '', ',', 'l']))} {self.quote(self.pick(['_', 'XY', '']))} {self.rng.randint(-1, 2)}"
        if r == 7:
            return f"trimSuffix {self.arg('str', depth)} {self.quote(self.pick(['c', 'tmpl', '', ' ']))}"
        if r == 8 and self.dot == "kv":
            return self.pick([".Key", ".Value"])
        if r == 9:
            base = self.maybe_paren(self.expr("kv", depth))
            return f"{'' if base == '.' else base}.{self.pick(['Key', 'Value'])}"
        if r == 10:
            return f"getenv {self.quote(self.pick(list(ENV)))}" + (f" {self.quote('dflt')}" if self.chance(0.5) else "")
        if r == 11:
            return "base64Decode (getv \"/app/b64\")"
        if r == 12:
            s = self.pick(["abcdef", "héllo", "xyz"])
            i = self.rng.randint(0, 2)
            return f"slice {self.quote(s)} {i} {i + self.rng.randint(0, 1)}"
        if r == 13:
            return f"index (split (getv \"/app/csv\") \",\") {self.rng.randint(0, 3)}"
        if r == 14:
            return f"{self.maybe_paren(self.expr('str', depth))} | {self.pick(_STR_FILTERS)}"
        if r == 15:
            return f"index (json (getv \"/app/cfg\")) {self.quote(self.pick(['name', 'tags', 'missing', 'nested']))}" \
                   if self.chance(0.5) else f"(json (getv \"/app/cfg\")).{self.pick(['name', 'nested.k', 'missing'])}"
        if r == 16:
            return f"or {self.arg('str', depth)} {self.arg('str', depth)}"
        if r == 17:
            return f"and {self.arg('str', depth)} {self.arg('str', depth)}"
        if r == 18:
            return f"printf \"%v\" {self.arg(self.pick(_FUNCS_BY_KIND), depth)}"
        if r == 19:
            return f"{self.pick(['base', 'dir'])} {self.quote(self.pick(_EXISTING + ['', '/', 'a//b/']))}"
        return self.quote(self.pick(_STRINGS))

    def expr_int(self, depth: int) -> str:
        r = self.rng.randrange(12)
        if r == 0:
            return f"len {self.arg(self.pick(['str', 'strs', 'kvs', 'ints', 'map']), depth)}"
        if r in (1, 2):
            op = self.pick(["add", "sub", "mul", "div", "mod"])
            right = str(self.rng.randint(1, 5)) if op in ("div", "mod") else self.arg("int", depth)
            return f"{op} {self.arg('int', depth)} {right}"
        if r == 3:
            return f"atoi {self.quote(self.pick(['7', '-3', '+2', '0042']))}"
        if r == 4:
            return "atoi (getv \"/app/count\")"
        if r == 5:
            return f"index (seq 0 5) {self.rng.randint(0, 5)}"
        if r == 6:
            return f"{self.arg('int', depth)} | add {self.rng.randint(0, 3)}"
        if r == 7:
            return self.pick(["0x10", "'a'", "1_000", "0o7", "-0", "1e2"]) if self.chance(0.5) else "len \"héllo\""
        return str(self.rng.randint(-5, 20))

    def expr_bool(self, depth: int) -> str:
        r = self.rng.randrange(12)
        if r == 0:
            k = self.pick(["int", "str"])
            return f"{self.pick(['eq', 'ne', 'lt', 'le', 'gt', 'ge'])} {self.arg(k, depth)} {self.arg(k, depth)}"
        if r == 1:
            return f"eq {self.arg('str', depth)} {self.arg('str', depth)} {self.arg('str', depth)}"
        if r == 2:
            return f"not {self.arg(self.pick(_FUNCS_BY_KIND), depth)}"
        if r == 3:
            return f"{self.pick(['and', 'or'])} {self.arg('bool', depth)} {self.arg('bool', depth)}"
        if r == 4:
            return f"exists {self.quote(self.pick(_EXISTING + _MISSING))}"
        if r == 5:
            return f"contains {self.arg('str', depth)} {self.quote(self.pick(['a', '', 'é', 'zz']))}"
        if r == 6:
            return f"parseBool {self.quote(self.pick(['true', 'F', '1', '0', 'TRUE']))}"
        if r == 7:
            return "parseBool (getv \"/app/debug\")"
        if r == 8:
            return f"fileExists {self.quote(self.pick(['/', '/no/such/file']))}"
        if r == 9:
            return "(json (getv \"/app/cfg\")).on"
        return self.pick(["true", "false"])

    def expr_strs(self, depth: int) -> str:
        r = self.rng.randrange(9)
        if r == 0:
            return f"split {self.arg('str', depth)} {self.quote(self.pick([',', '', ' ', 'l']))}"
        if r == 1:
            return f"{self.pick(['ls', 'lsdir'])} {self.quote(self.pick(_DIRS))}"
        if r == 2:
            return "sortByLength (split (getv \"/app/csv\") \",\")"
        if r == 3:
            return f"reverse ({self.leaf('strs')})"
        if r == 4:
            return f"backends {self.quote(self.pick(_PATTERNS))}"
        if r == 5:
            return f"lookupIPV4 {self.quote(self.pick(['127.0.0.1', '10.1.2.3', '']))}"
        if r == 6:
            return f"slice ({self.leaf('strs')}) 0"
        return self.leaf("strs")

    def expr_ints(self, depth: int) -> str:
        return f"seq {self.arg('int', depth) if self.chance(0.3) else self.rng.randint(-1, 2)} {self.rng.randint(0, 5)}"

    def expr_kv(self, depth: int) -> str:
        if self.chance(0.3):
            return f"index (gets \"/svc/web/*\") {self.rng.randint(0, 3)}"
        return self.leaf("kv")

    def expr_kvs(self, depth: int) -> str:
        if self.chance(0.3):
            return f"sortKVByLength ({self.leaf('kvs')})"
        if self.chance(0.2):
            return f"reverse ({self.leaf('kvs')})"
        return self.leaf("kvs")

    def expr_map(self, depth: int) -> str:
        if self.chance(0.4):
            return f"map {self.quote('a')} {self.arg(self.pick(_FUNCS_BY_KIND[:5]), depth)} {self.quote('b')} {self.arg('str', depth)}"
        if self.chance(0.3):
            return "(json (getv \"/app/cfg\")).nested"
        return "json (getv \"/app/cfg\")"

    def expr_any(self, depth: int) -> str:
        r = self.rng.randrange(5)
        if r == 0:
            return f"index (jsonArray (getv \"/app/arr\")) {self.rng.randint(0, 4)}"
        if r == 1:
            return f"(json (getv \"/app/cfg\")).{self.pick(['port', 'ratio', 'tags', 'nested', 'nil', 'on', 'missing'])}"
        if r == 2:
            return "jsonArray (getv \"/app/arr\")"
        return self.expr(self.pick(_FUNCS_BY_KIND[:-1]), depth)

    def expr_nil(self, depth: int) -> str:
        return "."

    def printf(self, depth: int) -> str:
        n = self.rng.randint(1, 3)
        verbs = [self.pick(_VERBS) for _ in range(n)]
        sep = self.pick([" ", "|", ", ", ""])
        args = [self.arg(self.pick(_FUNCS_BY_KIND), depth) for _ in range(n + (1 if self.chance(0.05) else 0))]
        return f"printf {self.quote(sep.join(verbs))} {' '.join(args)}"

    # -- statements ------------------------------------------------------------------------
    def action(self, body: str) -> str:
        left = "{{- " if self.chance(0.2) else "{{"
        right = " -}}" if self.chance(0.2) else "}}"
        if left == "{{" and self.chance(0.3):
            left = "{{ "
        if right == "}}" and self.chance(0.3):
            right = " }}"
        return f"{left}{body}{right}"

    def block(self, depth: int, size: int) -> str:
        parts = []
        for _ in range(size):
            parts.append(self.statement(depth))
        return "".join(parts)

    def scoped(self, fn: Callable[[], str]) -> str:
        self.scopes.append([])
        try:
            return fn()
        finally:
            self.scopes.pop()

    def with_dot(self, kind: str, fn: Callable[[], str]) -> str:
        saved, self.dot = self.dot, kind
        try:
            return self.scoped(fn)
        finally:
            self.dot = saved

    def statement(self, depth: int) -> str:
        r = self.rng.randrange(100)
        sub = max(1, 3 - depth)
        if r < 18 or depth > 3:
            return self.pick(_TEXT)
        if r < 40:
            kind = self.pick(_FUNCS_BY_KIND)
            return self.action(self.expr(kind))
        if r < 44:  # a comment must touch its delimiters ("{{/*" or "{{- /*")
            left = "{{- " if self.chance(0.3) else "{{"
            right = " -}}" if self.chance(0.3) else "}}"
            return f"{left}/* {self.pick(['c', 'comment', 'x y'])} */{right}"
        if r < 52:
            kind = self.pick(_FUNCS_BY_KIND[:6])
            value = self.expr(kind)
            existing = self.vars_of(kind)
            if existing and self.chance(0.4):
                return self.action(f"{self.pick(existing)} = {value}")
            return self.action(f"{self.new_var(kind)} := {value}")
        if r < 62:
            out = self.action(f"if {self.expr(self.pick(['bool', 'bool', 'str', 'int', 'strs', 'any']))}")
            out += self.scoped(lambda: self.block(depth + 1, sub))
            for _ in range(self.rng.randint(0, 2)):
                out += self.action(f"else if {self.expr('bool')}") + self.scoped(lambda: self.block(depth + 1, sub))
            if self.chance(0.5):
                out += self.action("else") + self.scoped(lambda: self.block(depth + 1, sub))
            return out + self.action("end")
        if r < 74:
            return self.range_statement(depth, sub)
        if r < 80:
            kind = self.pick(["str", "kv", "map", "strs", "int", "any"])
            out = self.action(f"with {self.expr(kind)}")
            out += self.with_dot(kind, lambda: self.block(depth + 1, sub))
            if self.chance(0.4):
                out += self.action("else") + self.scoped(lambda: self.block(depth + 1, sub))
            return out + self.action("end")
        if r < 86:
            return self.template_call(depth)
        if r < 90:
            kind = self.pick(["str", "int", "kv"])
            self.nvars += 1
            name = f"b{self.index}_{self.nvars}"
            out = self.action(f"block {self.quote(name)} {self.expr(kind)}")
            saved_scopes, saved_range = self.scopes, self.in_range
            self.scopes, self.in_range = [[]], 0
            try:
                out += self.with_dot(kind, lambda: self.block(depth + 1, sub))
            finally:
                self.scopes, self.in_range = saved_scopes, saved_range
            return out + self.action("end")
        if r < 95 and self.in_range:
            return self.action(f"if {self.expr('bool')}") + self.action(self.pick(["break", "continue"])) + self.action("end")
        if r < 98:
            return self.action(f"{self.maybe_paren(self.expr(self.pick(_FUNCS_BY_KIND)))} | {self.pick(_ANY_FILTERS)}")
        return self.action(self.expr("str"))

    def range_statement(self, depth: int, sub: int) -> str:
        kind, elem = self.pick([("strs", "str"), ("kvs", "kv"), ("ints", "int"), ("map", "any"),
                                ("strs", "str")])
        source = self.expr(kind)

        def body() -> str:
            decl = ""
            r = self.rng.randrange(3)
            if r == 1:
                decl = f"{self.new_var(elem)} := "
            elif r == 2:
                key_kind = "str" if kind == "map" else "int"
                first = self.new_var(key_kind)
                decl = f"{first}, {self.new_var(elem)} := "
            self.in_range += 1
            try:
                inner = self.block(depth + 1, sub)
            finally:
                self.in_range -= 1
            return self.action(f"range {decl}{source}") + inner

        out = self.with_dot(elem, body)
        if self.chance(0.35):
            out += self.action("else") + self.scoped(lambda: self.block(depth + 1, sub))
        return out + self.action("end")

    def template_call(self, depth: int) -> str:
        if not self.defines or self.chance(0.4):
            kind = self.pick(["str", "int", "kv", "strs", "map", "nil"])
            self.nvars += 1
            name = f"t{self.index}_{self.nvars}"
            saved_scopes, saved_range = self.scopes, self.in_range
            self.scopes, self.in_range = [[]], 0
            try:
                body = self.with_dot(kind, lambda: self.block(depth + 1, 2))
            finally:
                self.scopes, self.in_range = saved_scopes, saved_range
            self.defines.append((name, body))
            self.define_kinds[name] = kind
        name, _ = self.pick(self.defines)
        kind = self.define_kinds[name]
        arg = "" if kind == "nil" else " " + self.expr(kind)
        return self.action(f"template {self.quote(name)}{arg}")

    def template(self) -> str:
        text = self.block(0, self.rng.randint(2, 6))
        defines = "".join(
            self.action(f"define {self.quote(name)}") + body + self.action("end")
            for name, body in self.defines)
        # defines may come before or after their use
        text = defines + text if self.chance(0.5) else text + defines
        if self.chance(0.01):
            self.broken = True
            text += "{{ getv \"/app/name\" "  # unclosed action
        return text


def generate(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``count`` cases (dicts as in cases.py), the same for the same seed."""
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        gen = _Gen(rng, index)
        cases.append({"name": f"gen_{index:04d}", "template": gen.template(), "keys": KEYS,
                      "env": ENV, "match": "exact"})
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--go-out", type=Path, help="also render cases.py + these with the Go "
                        "reference and write cases and results to this JSON file")
    args = parser.parse_args()
    cases = generate(args.count, args.seed)
    if args.go_out is None:
        json.dump(cases, sys.stdout, ensure_ascii=False, indent=1)
        return 0
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))      # tests/, as the suite has it
    from sibling import load_sibling

    conftest, table = load_sibling(__file__, "conftest"), load_sibling(__file__, "cases")
    everything = list(table.CASES) + cases
    with tempfile.TemporaryDirectory() as tmp:
        results = conftest.run_reference(conftest.build_reference(Path(tmp)), everything)
    out = [{**case, "go_output": r["output_bytes"].decode("utf-8", "backslashreplace"),
            "go_output_b64": base64.b64encode(r["output_bytes"]).decode("ascii"),
            "go_error": r["error"], "go_phase": r["phase"]} for case, r in zip(everything, results)]
    args.go_out.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    errors = sum(1 for r in results if r["error"])
    print(f"{len(everything)} cases ({len(table.CASES)} table + {len(cases)} generated), "
          f"{errors} Go errors -> {args.go_out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
