"""Crash safety: a writing console killed with SIGKILL at random moments loses nothing it
acknowledged, and the database it leaves passes ``nxcommand check`` (issue 7, Faults).

CI runs NXCOMMAND_CRASH_LOOPS=20 kills (the default); run it long with

    NXCOMMAND_CRASH_LOOPS=500 ./nx test -m crash
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nxcommand import audit, dutylog, store
from nxcommand.store import open_db

from . import crash_writer as writer

WRITER = Path(writer.__file__)
LOOPS = int(os.environ.get("NXCOMMAND_CRASH_LOOPS", "20"))

pytestmark = [pytest.mark.crash,
              pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")]


def run_and_kill(path: Path, rng: random.Random) -> list[str]:
    """Start the writer, let it write for 5–200 ms, SIGKILL it; its acknowledgement lines."""
    proc = subprocess.Popen([sys.executable, str(WRITER), str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        first = proc.stdout.readline()
        if first != "ready\n":
            proc.kill()
            pytest.fail(f"the writer did not start: {first!r}\n{proc.stderr.read()}")
        time.sleep(rng.uniform(0.005, 0.200))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, f"the writer stopped by itself:\n{err}"
    # A line is an acknowledgement only when whole (a kill may cut the last one short).
    return [line for line in out.splitlines(keepends=True) if line.endswith("\n")]


def check_audit_chain(db) -> None:
    """The audit trail survives every kill: the hash chain links record to record, every
    row of every table matches the image its last audit record holds, and each acknowledged
    write has its record (checked in the caller by row)."""
    assert audit.verify(db) == [], "the audit chain is broken after a kill"


class Acknowledged:
    """What the writer has acknowledged across all its runs."""

    def __init__(self) -> None:
        self.log: dict[int, int] = {}     # entry index -> entry id
        self.contact: tuple[int, int] | None = None   # (edit index, version) of the last edit
        self.kills = 0

    def take(self, lines: list[str]) -> int:
        for line in lines:
            what, index, value = line.split()
            if what == "log":
                assert int(index) not in self.log, f"entry {index} acknowledged twice"
                self.log[int(index)] = int(value)
            else:
                self.contact = (int(index), int(value))
        self.kills += 1
        return len(lines)


def verify(path: Path, acked: Acknowledged) -> None:
    """After a restart: every acknowledged write is there and unchanged, the database is
    sound, and the duty log's invariants hold."""
    db = open_db(path)          # the console starting again: WAL recovery happens here
    try:
        rows = {int(r["source"].split("#")[1]): r for r in db.query(
            "SELECT e.*, k.name AS kind FROM log_entries e JOIN log_kinds k ON k.id = e.kind_id "
            "WHERE e.recorded_by = ? ORDER BY e.id", [writer.RECORDER])}
        # every acknowledged entry is present, under its id, exactly as written
        for index, entry_id in acked.log.items():
            row = rows.get(index)
            assert row is not None, f"acknowledged entry {index} (#{entry_id}) is lost"
            want = writer.entry_for(index)
            assert row["id"] == entry_id
            assert (row["kind"], row["summary"], row["actions"], row["source"], row["reported_to"]) == (
                want.kind, want.summary, want.actions, want.source, want.reported_to), f"entry {index} changed"
            assert row["logged_at"] == want.logged_at.strftime(dutylog.MINUTE_FORMAT)
        # no gaps: the stream's entries are 0..n, in order, each once; beyond the acknowledged
        # ones at most one per kill (committed, killed before it could say so)
        indexes = list(rows)
        assert indexes == list(range(len(indexes))), "the duty log has a gap or an entry out of order"
        assert len(rows) - len(acked.log) <= acked.kills
        # the search index was written in the same transactions as the entries
        assert dutylog.count(db, dutylog.LogQuery(text="崩溃测试")) == len(rows)
        # the last acknowledged contact edit is there (or a later one that committed unacknowledged)
        if acked.contact is not None:
            index, version = acked.contact
            person = db.execute("SELECT note, version FROM people WHERE id = ?",
                                [writer.contact_id(db)]).fetchone()
            saved = int(person[0].removeprefix("崩溃测试备注 第").removesuffix("次修改"))
            assert (saved, person[1]) >= (index, version), f"acknowledged contact edit {index} is lost"
            assert (saved == index) == (person[1] == version)
        # the triggers still refuse edits and deletions
        if rows:
            some = next(iter(rows.values()))["id"]
            with pytest.raises(sqlite3.IntegrityError, match="值班日志记录不能修改"):
                db.execute("UPDATE log_entries SET summary = '改' WHERE id = ?", [some])
            with pytest.raises(sqlite3.IntegrityError, match="值班日志记录不能删除"):
                db.execute("DELETE FROM log_entries WHERE id = ?", [some])
        audited = {int(r[0]) for r in db.execute(
            "SELECT row_id FROM audit_log WHERE tbl = 'log_entries' AND op = 'INSERT'")}
        assert {row["id"] for row in rows.values()} <= audited, "an entry has no audit record"
        check_audit_chain(db)
    finally:
        db.close()
    assert store.check(path) == [], "nxcommand check finds the database unsound"


def test_sigkill_during_writes_loses_nothing_acknowledged(demo_path):
    seed = int(os.environ.get("NXCOMMAND_CRASH_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    acked = Acknowledged()
    started = time.monotonic()
    for loop in range(LOOPS):
        lines = run_and_kill(demo_path, rng)
        try:
            acked.take(lines)
            verify(demo_path, acked)
        except AssertionError as exc:
            raise AssertionError(f"kill {loop + 1} of {LOOPS} (NXCOMMAND_CRASH_SEED={seed}): {exc}") from exc
    per_loop = (time.monotonic() - started) / max(LOOPS, 1)
    print(f"\n{LOOPS} kills, {len(acked.log)} entries acknowledged, {per_loop * 1000:.0f} ms per kill")
    # the kills did land amid writing, not only before the first one
    assert LOOPS < 5 or len(acked.log) >= LOOPS
