"""The performance suite (issue 8): every measure against a floor from the same run.

    .venv/bin/python -m bench                  everything (~15 min the first time, when the
                                               1,000,000-entry and 100,000-movement databases
                                               are built into bench/.cache; ~5 min after)
    .venv/bin/python -m bench --quick          small sizes, one run each (~15 s; tests/test_bench.py)
    .venv/bin/python -m bench --only dutylog,memory

Prints the machine, then one table: measure, value, floor, ratio, target, met?. The same
table and the machine go to bench/results/latest.md (and .json). Measures:
- start:     cold start to the first painted main window / a bare PySide6 QMainWindow (≤ 1.5×)
- dutylog:   the 值班日志 panel with 1,000,000 entries: open, filters, searches of 1–4
             characters (each ≤ 50 ms; floor: the store's raw SQL)
- ledger:    stock, a line's history, verify, 入库/出库, a supply dispatch with 100,000
             movements (floor: raw SQL)
- reports:   every document kind and a long meeting brief / plain reportlab (≤ 2×)
- memory:    peak memory of the console on the 1,000,000-entry database with the log open
             (≤ 400 MB; floor: a bare PySide6 window)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime

from .common import RESULTS, Result, machine, table

ALL = ("start", "dutylog", "ledger", "reports", "memory")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_one(name: str, args) -> list[Result]:
    quick = args.quick
    if name == "start":
        from . import bench_startup
        return bench_startup.run(runs=args.runs, quick=quick)
    if name == "dutylog":
        from . import bench_dutylog
        return bench_dutylog.run(entries=args.entries or (3_000 if quick else 1_000_000),
                                 runs=1 if quick else 3, quick=quick, say=_say)
    if name == "ledger":
        from . import bench_ledger
        return bench_ledger.run(movements=args.movements or (2_000 if quick else 100_000),
                                runs=1 if quick else args.runs, say=_say)
    if name == "reports":
        from . import bench_reports
        return bench_reports.run(runs=1 if quick else args.runs, hours=2 if quick else args.hours,
                                 quick=quick, say=_say)
    if name == "memory":
        from . import bench_memory
        return bench_memory.run(entries=args.entries or (3_000 if quick else 1_000_000), quick=quick, say=_say)
    raise SystemExit(f"unknown measure {name!r}; choose from {', '.join(ALL)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="nxcommand performance suite")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each (checks that the bench works)")
    parser.add_argument("--only", default=",".join(ALL), help=f"comma-separated: {', '.join(ALL)}")
    parser.add_argument("--runs", type=int, default=7, help="repetitions per measure (default 7)")
    parser.add_argument("--entries", type=int, help="duty-log entries (default 1,000,000)")
    parser.add_argument("--movements", type=int, help="ledger movements (default 100,000)")
    parser.add_argument("--hours", type=int, default=26,
                        help="hours of activity for the long brief (default 26: about 30 pages)")
    parser.add_argument("--out", default=None, help="where to write the results (default bench/results)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    info = machine()
    _say("machine: " + "; ".join(f"{k} {v}" for k, v in info.items()))
    results: list[Result] = []
    started = time.perf_counter()
    for name in names:
        t = time.perf_counter()
        _say(f"[{name}] …")
        results += run_one(name, args)
        _say(f"[{name}] {time.perf_counter() - t:.0f} s")
    info["load after"] = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    text = table(results)
    print(text)
    missed = [r for r in results if not r.met]
    print(f"\n{len(results) - len(missed)} of {len(results)} targets met in {time.perf_counter() - started:.0f} s")
    out = RESULTS if args.out is None else __import__("pathlib").Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    mode = " (quick)" if args.quick else ""
    (out / "latest.md").write_text(
        f"# nxcommand bench{mode}, {stamp}\n\n" + "\n".join(f"- {k}: {v}" for k, v in info.items())
        + "\n\n" + text + "\n", encoding="utf-8")
    (out / "latest.json").write_text(json.dumps(
        {"when": stamp, "quick": args.quick, "machine": info, "results": [r.as_dict() for r in results]},
        ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
