"""Rendering a template resource from a snapshot with confd's functions, in Go's template language
(gotemplate) or Jinja2, whichever the template is written in (balancer.language)."""
from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, Callable, Mapping

import jinja2

import gotemplate
from balancer.errors import MissingKeyError, TemplateError
from balancer.funcs import make_globals
from balancer.gofuncs import confd_functions
from balancer.language import Language, decide, go_error_line
from balancer.resource import TemplateResource
from balancer.route_funcs import RoutingFunction
from balancer.store import Snapshot
from lbcommon.backends import check_backend
from lbcommon.routes import KeyLayout
from lbcommon.routing import Problem, RoutingTable
from lbcommon.routing_index import RoutingIndex

log = logging.getLogger(__name__)

_MAX_REPORTED = 10_000


def resource_values(resource: TemplateResource, values: Mapping[str, str]) -> Mapping[str, str]:
    """The keys a resource may see, with its prefix stripped as confd does.  When it sees
    every key of the snapshot as it is (no prefix: the usual case of one resource), that is
    the snapshot itself, not a copy (20,000 keys are a megabyte and milliseconds a render)."""
    prefixes = resource.etcd_prefixes
    if resource.prefix == "/" and all(key.startswith(prefixes) for key in values):
        return values
    return {resource.strip_prefix(key): value for key, value in values.items()
            if key.startswith(prefixes)}


def environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    """The Jinja2 environment templates render in (the tests use this one too): a missing
    key or name is an error, the text is written as it is (no escaping, no trimming)."""
    return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              autoescape=False, auto_reload=True)


class Renderer:
    def __init__(self, on_rejected: Callable[[str], None] | None = None,
                 on_report: Callable[[str, str], None] | None = None) -> None:
        self._environments: dict[Path, jinja2.Environment] = {}
        # (template, engine directive, resource file) -> ((mtime_ns, size), the decision or its error)
        self._languages: dict[tuple[Path, str | None, Path],
                              tuple[tuple[int, int], Language | TemplateError]] = {}
        self._reported: set[tuple[str, str, str, str]] = set()
        self._on_rejected = on_rejected or (lambda resource: None)
        self._on_report = on_report or (lambda resource, text: None)   # (resource, what was kept out and why)
        self.pools: dict[str, frozenset[str]] = {}   # resource -> distinct backend addresses in its last render
        self.routing: dict[str, RoutingTable] = {}   # resource -> routing() in its last render
        self._indexes: dict[tuple[str, KeyLayout], RoutingIndex] = {}   # kept from render to render

    @property
    def pool_sizes(self) -> dict[str, int]:
        """resource -> how many distinct backend addresses its last render had."""
        return {name: len(pool) for name, pool in self.pools.items()}

    def render(self, resource: TemplateResource, snapshot: Snapshot) -> str:
        values = resource_values(resource, snapshot.values)

        def on_reject(key: str, value: str, reason: str) -> None:
            self._reject(resource, key, value, reason)

        def on_problem(problem: Problem) -> None:
            self._reject(resource, problem.key, problem.value, problem.reason,
                         "routing conflict" if problem.conflict else "rejected routing value")

        language = self._language(resource)
        template = self._template(resource) if language.go is None else None
        functions = make_globals(values, on_reject) if language.go is None else confd_functions(values, on_reject)
        pool: set[str] = set()
        functions["backends"] = _noting(functions["backends"], pool.update)   # valid and normal already
        for name in _READ_FUNCTIONS:
            functions[name] = _noting(functions[name], lambda found: _note_addresses(found, pool))
        def index(layout: KeyLayout) -> RoutingIndex:
            found = self._indexes.get((resource.name, layout))
            if found is None:
                found = self._indexes[resource.name, layout] = RoutingIndex(layout)
            return found

        routing = RoutingFunction(values, on_problem, index)
        functions["routing"] = routing
        try:
            if language.go is not None:
                content = language.go.execute(None, functions)
            else:
                assert template is not None
                content = template.render(functions)
            pool.update(b.address for table in routing.tables.values() for service in table.services
                        for b in service.backends)
            self.pools[resource.name] = frozenset(pool)
            if routing.tables:
                self.routing[resource.name] = list(routing.tables.values())[-1]
            else:
                self.routing.pop(resource.name, None)
            return content
        except gotemplate.TemplateError as exc:
            error = MissingKeyError if _missing_key(exc) else TemplateError
            raise error(go_error_line(resource.src, exc)) from None
        except MissingKeyError as exc:
            raise MissingKeyError(f"{resource.src}: {exc}") from None
        except TemplateError as exc:
            raise TemplateError(f"{resource.src}: {exc}") from None
        except jinja2.TemplateError as exc:
            message = exc.message or type(exc).__name__
            raise TemplateError(f"{resource.src}{_line(exc, resource.src)}: {message}") from None
        except Exception as exc:  # noqa: BLE001 - a template can raise anything (bad filter args, ...)
            raise TemplateError(f"{resource.src}{_line(exc, resource.src)}: render failed: "
                                f"{type(exc).__name__}: {exc}") from None

    def compile(self, resource: TemplateResource) -> None:
        """Parse the template without rendering it (for --check-config)."""
        if self._language(resource).go is None:
            self._template(resource)

    def language(self, resource: TemplateResource) -> Language:
        """The language of the resource's template (balancer.language's rule), parsed."""
        return self._language(resource)

    def _language(self, resource: TemplateResource) -> Language:
        """Decided and parsed once per version of the file (path, mtime, size), as Jinja2's
        auto_reload does; a file that cannot be decided is an error until it changes."""
        src = resource.src
        try:
            info = src.stat()
        except OSError as exc:
            raise TemplateError(f"{src}: cannot load template: {exc}") from None
        version = (info.st_mtime_ns, info.st_size)
        key = (src, resource.engine, resource.path)
        cached = self._languages.get(key)
        if cached is not None and cached[0] == version:
            if isinstance(cached[1], TemplateError):
                raise TemplateError(str(cached[1]))
            return cached[1]
        try:
            text = src.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"{src}: cannot load template: {exc}") from None
        hint = f'set engine = "go" or engine = "jinja2" in [template] of {resource.path}'
        try:
            found = decide(src, text, self._environment(src.parent), resource.engine, hint)
        except TemplateError as exc:
            self._languages[key] = (version, exc)
            raise
        self._languages[key] = (version, found)
        log.info("%s: %s template (%s)", src, found.name, found.reason)
        return found

    def _environment(self, folder: Path) -> jinja2.Environment:
        env = self._environments.get(folder)
        if env is None:
            env = self._environments[folder] = environment(jinja2.FileSystemLoader(folder))
        return env

    def _template(self, resource: TemplateResource) -> jinja2.Template:
        env = self._environment(resource.src.parent)
        try:
            return env.get_template(resource.src.name)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{exc.filename or resource.src}:{exc.lineno}: template syntax error: "
                                f"{exc.message}") from None
        except (jinja2.TemplateError, OSError) as exc:
            raise TemplateError(f"{resource.src}: cannot load template: {exc}") from None

    def _reject(self, resource: TemplateResource, key: str, value: str, reason: str,
                what: str = "rejected backend value") -> None:
        """Log a value kept out of the render once (per resource, key, value and reason)."""
        if (resource.name, key, value, reason) in self._reported:
            return
        if len(self._reported) >= _MAX_REPORTED:
            self._reported.clear()
        self._reported.add((resource.name, key, value, reason))
        if what != "routing conflict":
            self._on_rejected(resource.name)
        shown = key if key.isprintable() else repr(key)   # one log line, whatever the key holds
        log.warning("%s: %s %r at key %s: %s", resource.name, what, value[:200], shown[:300], reason)
        self._on_report(resource.name, f"{what} {value[:200]!r} at key {shown[:300]}: {reason}")


# The functions a template reads backends with besides backends(): the pool is the distinct
# valid host:port values they all returned (so a confd-style `getvs` template reports its pool
# too), plus routing()'s.
_READ_FUNCTIONS = ("getvs", "gets", "getv", "get")


def _noting(func: Callable[..., Any], note: Callable[[Any], object]) -> Callable[..., Any]:
    """``func`` that also passes its result to ``note``, with ``func``'s signature
    (functools.update_wrapper): the Go engine reads the parameters' annotations as the Go
    signature."""
    def noted(*args: Any) -> Any:
        result = func(*args)
        note(result)
        return result
    return functools.update_wrapper(noted, func)


def _note_addresses(found: Any, pool: set[str]) -> None:
    for item in found if isinstance(found, list) else [found]:
        value = item if isinstance(item, str) else getattr(item, "value", getattr(item, "Value", ""))
        ok, address = check_backend(value if isinstance(value, str) else "")
        if ok:
            pool.add(address)


def _missing_key(exc: BaseException) -> bool:
    """A Go template error caused by a key that is not in etcd (getv, get without default)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, MissingKeyError):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _line(exc: BaseException, src: Path) -> str:
    """':N' for the template line that failed (Jinja2 maps its frames to template lines)."""
    lineno = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == str(src):
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return f":{lineno}" if lineno else ""
