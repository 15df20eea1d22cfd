"""Cold start: process start to the first painted main window, against a bare PySide6 window.

    .venv/bin/python -m bench --only startup [--runs 7]

Both are fresh processes (``bench/launch.py``), offscreen, timed by this process from just
before the child is started to the moment it prints that its window has painted; the figure
is the median of ``runs`` starts, taken alternately (console, bare, console, …). The
console runs on the demo database in the bench cache (built once); the sign-in dialog is
bypassed by signing the system actor in, as ui/app does after a successful login.
"""

from __future__ import annotations

from pathlib import Path

from .common import CACHE, Result, child_env, demo_copy, median, run_child

HERE = Path(__file__).resolve().parent
TARGET = 1.5


def demo_db(folder: Path = CACHE) -> Path:
    """The demo county in a database of its own (built once, kept in the cache)."""
    path = folder / "demo.db"
    if path.exists():
        return path
    from nxcommand import demo, session
    from nxcommand.store import open_db

    folder.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    for stale in folder.glob("demo.part*"):
        stale.unlink()
    db = open_db(part, create=True)
    session.sign_in(db, session.system("性能测试"))
    demo.load_demo(db)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    part.rename(path)
    return path


def start_times(db: Path, runs: int, warm: bool = True) -> tuple[list[float], list[float], float | None]:
    """(console seconds, bare seconds, the console's peak memory in MB) for ``runs`` starts."""
    launcher = str(HERE / "launch.py")
    env = child_env()
    console, bare, rss = [], [], None
    if warm:                                # the OS file cache warmed, as on a desk in use
        run_child([launcher, "console", str(db)], "painted", env)
        run_child([launcher, "bare"], "painted", env)
    for _ in range(runs):
        child = run_child([launcher, "console", str(db)], "painted", env)
        console.append(child.seconds)
        rss = child.peak_mb
        bare.append(run_child([launcher, "bare"], "painted", env).seconds)
    return console, bare, rss


def run(runs: int = 7, quick: bool = False) -> list[Result]:
    db = demo_copy(CACHE / "demo-quick.db") if quick else demo_db()
    console, bare, _rss = start_times(db, 1 if quick else runs, warm=not quick)
    return [Result("start", "cold start to the first painted main window (demo database)",
                   median(console), median(bare), "s", TARGET, "ratio",
                   detail=f"median of {len(console)} starts; slowest {max(console):.2f} s; "
                          f"floor: a bare QMainWindow")]
