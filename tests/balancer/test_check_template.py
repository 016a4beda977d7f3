"""`balancer check-template FILE [--engine go|jinja2]`: the language and why, or the first error."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from balancer.cli import main

EXAMPLES = Path(__file__).parents[2] / "balancer" / "examples"
DATA = Path(__file__).parent / "data"


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check-template", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("path,language", [
    (EXAMPLES / "services" / "templates" / "services.tmpl", "Jinja2"),
    (EXAMPLES / "tutorial" / "templates" / "nginx.tmpl", "Jinja2"),
    (EXAMPLES / "services-go" / "templates" / "services.tmpl", "Go"),
    (DATA / "seed" / "nginx.tmpl", "Go"),
    (DATA / "go" / "tutorial.tmpl", "Go"),
])
def test_shipped_and_seed_templates(path: Path, language: str) -> None:
    status, output = check(str(path))
    assert status == 0, output
    assert output.startswith(f"{path}: {language} template (only {language} parses it; "), output
    assert output.count("\n") == 1


def test_plain_text(tmp_path: Path) -> None:
    (tmp_path / "t.tmpl").write_text("server { listen 80; }\n")
    assert check(str(tmp_path / "t.tmpl")) == (
        0, f"{tmp_path / 't.tmpl'}: Jinja2 template (plain text: no {{{{, {{% or {{#, the same bytes in either "
           "language)\n")


@pytest.mark.parametrize("text,engine,error", [
    ('a\n{{range getvs "/x/*"}}', None, ":2: unexpected EOF"),                   # neither: Go's error ...
    ('a\n{{range getvs "/x/*"}}', None, ":2: template syntax error: "),          # ... and Jinja2's
    ('a\nb\n{{if}}{{end}}', "go", ":3: missing value for if"),
    ("{% for x in %}\n", None, ":1: template syntax error: "),
    ("{% for x in %}\n", "jinja2", ":1: template syntax error: "),
    ('{{ "x" }}', None, ": ambiguous: both Go and Jinja2 parse this template, and they render it differently; "
                        "pass --engine go or --engine jinja2"),
])
def test_errors_name_file_and_line_and_exit_1(tmp_path: Path, text: str, engine: str | None, error: str) -> None:
    path = tmp_path / "bad.tmpl"
    path.write_text(text)
    status, output = check(str(path), *(["--engine", engine] if engine else []))
    assert status == 1 and str(path) + error in output and output.count("\n") == 1, output


def test_engine_forces_the_language(tmp_path: Path) -> None:
    path = tmp_path / "t.tmpl"
    path.write_text('{{ "x" }}')
    assert check(str(path), "--engine", "go") == (0, f'{path}: Go template (engine = "go")\n')
    assert check(str(path), "--engine", "jinja2") == (0, f'{path}: Jinja2 template (engine = "jinja2")\n')
    status, output = check(str(path), "--engine", "perl")
    assert status == 2 and "'perl' is not one of 'go', 'jinja2'" in output


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    status, output = check(str(tmp_path / "nope.tmpl"))
    assert status == 2 and "does not exist" in output


def test_as_a_command_errors_go_to_stderr(tmp_path: Path) -> None:
    path = tmp_path / "bad.tmpl"
    path.write_text('{{ nosuch "a" }}')
    res = subprocess.run([sys.executable, "-m", "balancer", "check-template", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and res.stdout == "" and res.stderr.startswith(f"{path}: neither a Go template ("), res
    ok = subprocess.run([sys.executable, "-m", "balancer", "check-template", str(DATA / "seed" / "nginx.tmpl")],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "Go template" in ok.stdout and ok.stderr == "", ok
