"""What every bench shares: the result row, timing, the cache folder, the machine.

A result is one line of the table ``python -m bench`` prints: the measure, its value, the
floor measured in the same run, their ratio, the target and whether it is met. Targets are
either a ratio to the floor (``≤ 2×``) or an absolute bound (``≤ 50 ms``, ``≤ 400 MB``).
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("NXCOMMAND_BENCH_CACHE", ROOT / "bench" / ".cache"))
RESULTS = ROOT / "bench" / "results"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Result:
    group: str             # 启动 / duty log / ledger / documents / memory
    measure: str
    value: float
    floor: float | None
    unit: str              # "ms", "s", "MB"
    target: float          # the bound
    target_kind: str       # "ratio": value / floor ≤ target; "abs": value ≤ target (in unit)
    detail: str = ""       # p95, hits, pages …
    note: str = ""         # what remains, when missed
    p95: float | None = None   # when given, the absolute target holds the 95th percentile

    @property
    def ratio(self) -> float | None:
        return self.value / self.floor if self.floor else None

    @property
    def met(self) -> bool:
        if self.target_kind == "ratio":
            return self.ratio is not None and self.ratio <= self.target
        return (self.p95 if self.p95 is not None else self.value) <= self.target

    @property
    def target_text(self) -> str:
        if self.target_kind == "ratio":
            return f"≤ {self.target:g}×"
        return f"{'p95 ' if self.p95 is not None else ''}≤ {self.target:g} {self.unit}"

    def as_dict(self) -> dict:
        return {"group": self.group, "measure": self.measure, "value": self.value, "floor": self.floor,
                "unit": self.unit, "ratio": self.ratio, "target": self.target_text, "met": self.met,
                "p95": self.p95, "detail": self.detail, "note": self.note}


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    return f"{value:.0f} {unit}"


def table(results: list[Result]) -> str:
    """The results as a Markdown table."""
    lines = ["| measure | value | floor | ratio | target | met? | detail |",
             "|---|---:|---:|---:|---|---|---|"]
    for r in results:
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "—"
        detail = "; ".join(x for x in (r.detail, r.note) if x)
        lines.append(f"| {r.measure} | {fmt(r.value, r.unit)} | {fmt(r.floor, r.unit)} | {ratio} | "
                     f"{r.target_text} | {'yes' if r.met else '**no**'} | {detail} |")
    return "\n".join(lines)


# ------------------------------------------------------------------ timing

def sample_ms(fn: Callable[[], object], runs: int, warm: int = 1) -> list[float]:
    """``runs`` wall-clock timings of ``fn`` in milliseconds, after ``warm`` untimed calls."""
    for _ in range(warm):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def paired_ms(subject: Callable[[], object], floor: Callable[[], object], runs: int,
              warm: int = 1) -> tuple[list[float], list[float]]:
    """Timings of ``subject`` and ``floor`` taken alternately, so a busy moment of the machine
    falls on both rather than on one."""
    for _ in range(warm):
        subject()
        floor()
    a, b = [], []
    for _ in range(runs):
        for fn, out in ((subject, a), (floor, b)):
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000)
    return a, b


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank): with fewer than 20 samples, the largest."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-95 * len(ordered) // 100) - 1))]


# ------------------------------------------------------------------ databases

DEMO_NOW = "2026-07-01 14:20"     # the demo county as of this moment (the benches' clock)


def demo_copy(dest: Path) -> Path:
    """A copy of the demo county loaded at DEMO_NOW (built once into the cache): loading it
    through the services takes seconds, copying the file a moment. Returns ``dest``."""
    import shutil
    from datetime import datetime

    source = CACHE / "demo-20260701.db"
    if not source.exists():
        from nxcommand import demo, session
        from nxcommand.clock import FixedClock
        from nxcommand.store import open_db

        CACHE.mkdir(parents=True, exist_ok=True)
        part = source.with_name(source.name + ".part")
        for stale in CACHE.glob(part.name + "*"):
            stale.unlink()
        db = open_db(part, create=True)
        session.sign_in(db, session.system("性能测试"))
        demo.load_demo(db, FixedClock(datetime.strptime(DEMO_NOW, "%Y-%m-%d %H:%M")))
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        part.rename(source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    for stale in dest.parent.glob(dest.name + "*"):
        stale.unlink()
    shutil.copyfile(source, dest)
    return dest


# ------------------------------------------------------------------ the machine

def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))} (Linux {platform.release()})"
    except OSError:
        pass
    return platform.platform()


def machine() -> dict[str, str]:
    import sqlite3

    import PySide6
    import reportlab
    from PySide6.QtCore import qVersion

    ram = _ram_gb()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "CPU": _cpu_model(), "cores": str(os.cpu_count()),
        "RAM": f"{ram:.1f} GB" if ram else "?", "OS": _os_name(),
        "Python": platform.python_version(), "Qt": f"{qVersion()} (PySide6 {PySide6.__version__})",
        "SQLite": sqlite3.sqlite_version, "reportlab": reportlab.Version,
        "load": " ".join(f"{x:.2f}" for x in load) if load else "?",
    }


# ------------------------------------------------------------------ subprocesses

@dataclass
class Child:
    seconds: float           # from before the process was started to the line it printed
    lines: list[str] = field(default_factory=list)

    @property
    def peak_mb(self) -> float | None:
        """The peak resident memory the child reported (bench/launch.py prints it)."""
        for line in self.lines:
            if line.startswith("peak "):
                value = float(line.split()[1])
                return value if value >= 0 else None
        return None


def child_env(**extra: str) -> dict[str, str]:
    """Offscreen Qt, settings and data folders inside the cache (never the user's)."""
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(CACHE / "config"),
               XDG_DATA_HOME=str(CACHE / "data"), PYTHONDONTWRITEBYTECODE="1")
    env.pop("NXCOMMAND_DB", None)
    env.update(extra)
    return env


def _clear_console_files() -> None:
    """What a console child leaves beside the cached databases: its automatic backup (begun
    at start, cut short when the child exits; the folder defaults to beside the database)
    and the note of it, and its data folder."""
    for folder in (CACHE / "data", CACHE / "backups"):
        shutil.rmtree(folder, ignore_errors=True)
    for note in CACHE.glob("*.db-backup.json"):
        note.unlink()


def run_child(args: list[str], until: str, env: dict[str, str] | None = None,
              timeout: float = 300) -> Child:
    """Start ``python args…``, time until it prints a line starting with ``until``, and wait
    for it to end (non-zero exit: RuntimeError with its stderr)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env or child_env(), cwd=str(ROOT), text=True, encoding="utf-8")
    lines, seconds = [], None
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if seconds is None and line.startswith(until):
            seconds = time.perf_counter() - start
    code = proc.wait(timeout)
    err = proc.stderr.read() if proc.stderr else ""
    _clear_console_files()
    if code != 0 or seconds is None:
        raise RuntimeError(f"{' '.join(args)} exited {code} without '{until}':\n{err[-3000:]}")
    return Child(seconds, lines)
