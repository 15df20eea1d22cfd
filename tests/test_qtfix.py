"""The PySide6 6.12 / Python 3.11 None-refcount workaround is in force wherever ``ui`` is used."""

from __future__ import annotations

import subprocess
import sys


def test_null_returns_cannot_free_none():
    """200,000 null parent() calls (a few minutes of map use) leave None alive: the process
    exits normally instead of aborting with none_dealloc."""
    code = ("import ui\nfrom PySide6.QtCore import QObject\no = QObject()\n"
            "for _ in range(200000): o.parent()\nprint('alive')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "alive"
