"""Peak memory of the console on the 1,000,000-entry duty-log database.

    .venv/bin/python -m bench --only memory

A fresh process (``bench/launch.py console DB --log``) opens the console on the database
the duty-log bench builds, paints the main window, opens the 值班日志 panel, loads five more
pages as if scrolled and paints again; the peak resident memory it reports itself (Linux:
VmHWM; ``wait4``'s ru_maxrss would count the bench's own memory the child was forked with)
is the value. The floor is the same figure for a bare PySide6 QMainWindow. Target: 400 MB.
"""

from __future__ import annotations

from pathlib import Path

from . import bench_dutylog
from .bench_startup import demo_db
from .common import Result, child_env, run_child

HERE = Path(__file__).resolve().parent
TARGET_MB = 400.0


def run(entries: int = 1_000_000, quick: bool = False, say=print) -> list[Result]:
    path, _steps = bench_dutylog.ensure(entries, say=say)
    launcher = str(HERE / "launch.py")
    env = child_env()
    bare = run_child([launcher, "bare"], "painted", env)
    results = []
    cases = [(f"console with the duty log open, {entries:,} entries", path)]
    if not quick:
        cases.append(("console on the demo database", demo_db()))
    for label, db in cases:
        child = run_child([launcher, "console", str(db), "--log"], "log", env)
        shown = next(line for line in child.lines if line.startswith("log ")).split()
        results.append(Result("memory", f"peak memory: {label}", child.peak_mb or 0.0, bare.peak_mb, "MB",
                              TARGET_MB, "abs", detail=f"{int(shown[2]):,} of {int(shown[1]):,} entries loaded; "
                                                       f"floor: a bare QMainWindow"))
    return results
