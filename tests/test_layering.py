"""The house rules: the core never imports Qt; ui and nxcommand are this project's packages."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_core_modules_import_without_qt():
    code = """
import importlib, pkgutil, sys
import nxcommand
names = [m.name for m in pkgutil.walk_packages(nxcommand.__path__, "nxcommand.")
         if not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph"))
print(len(names), ",".join(qt))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, qt = result.stdout.strip().split(" ", 1) if " " in result.stdout.strip() else (result.stdout.strip(), "")
    assert int(count) >= 10
    assert qt == "", f"the core imported Qt: {qt}"


def test_packages_resolve_to_this_project():
    code = "import ui, nxcommand; print(ui.__file__); print(nxcommand.__file__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd="/").stdout.split()
    assert Path(out[0]).resolve() == ROOT / "ui" / "__init__.py"
    assert Path(out[1]).resolve() == ROOT / "nxcommand" / "__init__.py"


def test_ui_holds_no_sql():
    sql = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|PRAGMA)\b"
                     r"|\b(db|conn|self\.db)\.(execute|executescript|query)\(")
    offenders = [f"{path.name}: {m.group(0)}" for path in (ROOT / "ui").glob("*.py")
                 for m in sql.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []
