"""The core never imports Qt: the CLI and headless runs depend on it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import workbench.core


def test_core_imports_no_qt() -> None:
    modules = [
        m.name for m in pkgutil.walk_packages(workbench.core.__path__, prefix="workbench.core.")
    ]
    assert len(modules) > 5
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', "
        "'qasync') or m.startswith('workbench.ui') or m.startswith('workbench.app'))\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "", f"core pulled in: {proc.stdout.strip()}"
