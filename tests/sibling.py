"""Loading a helper module that sits beside a test file, for test folders that cannot be
packages (tests/gotemplate: an __init__.py there would shadow the gotemplate package, and pytest
runs with --import-mode=importlib)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_sibling(test_file: str, name: str) -> ModuleType:
    """`name`.py from `test_file`'s folder, loaded once per session."""
    folder = Path(test_file).resolve().parent
    key = f"_sibling_{folder.name}_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, folder / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]
