"""The core never imports Qt: every anicurate.core module loads in a fresh interpreter without."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import anicurate.core


def _raise(name: str) -> None:
    raise ImportError(f"cannot import {name}")


def core_modules() -> list[str]:
    walk = pkgutil.walk_packages(anicurate.core.__path__, "anicurate.core.", onerror=_raise)
    return sorted(m.name for m in walk)


def test_core_has_modules_to_check() -> None:
    names = core_modules()
    assert "anicurate.core.media.writer" in names
    assert "anicurate.core.doctor" in names


def test_no_core_module_loads_qt() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = ('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in qt)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in Qt modules: {out.stdout.strip()}"


def test_cli_import_and_info_do_not_load_qt() -> None:
    # The terminal commands must work on a machine whose Qt cannot start (no display libraries).
    code = "import sys, anicurate.cli; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
