"""Packages that re-export their modules' names lazily (PEP 562), so that importing one light
module of a package (say, the export targets for the CLI's choices) does not load the heavy rest.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package``, which imports ``homes[name]`` (a submodule) on first
    use of ``name``.

    A re-exported name that is also a submodule's name (``render`` from ``render.py``) stays
    the re-exported object when that submodule is imported directly, as an eager ``__init__``
    left it: the import system's binding of the submodule onto the package is refused.
    """
    module = sys.modules[package]

    class LazyPackage(types.ModuleType):
        def __setattr__(self, name: str, value: Any) -> None:
            if name in homes and isinstance(value, types.ModuleType):
                return  # a submodule named like one of the names it exports
            super().__setattr__(name, value)

    module.__class__ = LazyPackage

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{home}"), name)
        vars(module)[name] = value
        return value

    return __getattr__
