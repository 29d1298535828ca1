"""Lazy package faces: ``from chainrule_gui.core.graph import ChainGraph`` without importing
every module of the package (or SymPy) when the package itself is imported."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any


def lazy_exports(package: str, table: Mapping[str, str]) -> tuple[Callable[[str], object], list[str]]:
    """A module ``__getattr__`` that imports ``package.<module>`` on first use of a name the
    ``table`` maps to that module, and the sorted ``__all__``."""

    def __getattr__(name: str) -> object:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__, sorted(table)


class LazyModule:
    """A stand-in for the module ``name``, imported when one of its attributes is first read:
    a module that only *names* NumPy or SymPy functions (the primitive registry, read by the
    parser as the editor starts) does not pay for importing them."""

    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:  # a module's attribute: as typed as ModuleType's
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)
