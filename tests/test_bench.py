"""The performance suite runs: ``python -m bench --quick`` (small sizes, one run each) goes
through every measure and writes its table, so the bench cannot rot between the runs that
produce docs/PERFORMANCE.md. No timing is asserted here: figures come from the full run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_quick_bench_measures_everything(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NXCOMMAND_BENCH_CACHE=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path / "out")],
                          cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| measure | value | floor | ratio | target | met? |" in done.stdout
    results = json.loads((tmp_path / "out" / "latest.json").read_text(encoding="utf-8"))["results"]
    groups = {r["group"] for r in results}
    assert groups == {"start", "duty log", "ledger", "documents", "memory"}
    for r in results:
        assert r["value"] > 0 and r["floor"] and r["floor"] > 0, r
    searches = [r["measure"] for r in results if r["measure"].startswith("search ")]
    assert [s.split()[1] for s in searches[:4]] == ["1-character", "2-character", "3-character", "4-character"]
    assert (tmp_path / "out" / "latest.md").read_text(encoding="utf-8").count("\n|") == len(results) + 2
