"""Two consoles on one database file (the officer's and the leader's on one desk computer):
both write at once without losing an entry or showing "database is locked", and an edit made
meanwhile in the other console is refused, not overwritten (issue 7, Faults).

Each console is a real process running this file as a script (``console`` below), talking to
the test over stdin/stdout; it prints a line only after the service returned.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

from nxcommand import contacts, dutylog, session  # noqa: E402
from nxcommand.clock import FixedClock  # noqa: E402
from nxcommand.errors import UserError  # noqa: E402
from nxcommand.store import open_db, writing  # noqa: E402

BASE = datetime(2026, 7, 1, 0, 0)
CONFLICT = "该联系人已被他人修改，请关闭后重新打开再编辑"


# ------------------------------------------------------------------ the console processes

def _form(row: dict, note: str) -> contacts.ContactInput:
    return contacts.ContactInput(name=row["name"], org_id=row["org_id"], post=row["post"],
                                 mobile=row["mobile"] or "", office_phone=row["office_phone"] or "",
                                 roles=row["role_list"], note=note)


def console(mode: str, path: str, *args: str) -> None:
    """One console, an officer (值班员) signed in. Every failure is printed as
    ``error TYPE: MESSAGE`` and ends it."""
    db = open_db(path)
    session.sign_in(db, session.Actor(f"officer.{mode}", f"{mode}值班员", frozenset({"值班员"})))
    try:
        print("ready", flush=True)
        if mode == "append":              # append for SECONDS after the test says go
            who, seconds = args[0], float(args[1])
            sys.stdin.readline()
            deadline, index = time.monotonic() + seconds, 0
            while time.monotonic() < deadline:
                at = BASE + timedelta(minutes=index)    # both consoles share every minute
                entry_id = dutylog.append(db, dutylog.LogInput(
                    logged_at=at, kind="来电", summary=f"{who}记录的第{index}条来电", source=f"{who}#{index}",
                    recorded_by=who), FixedClock(at))
                print(f"log {index} {entry_id}", flush=True)
                index += 1
        elif mode == "hold":              # a long write (an import): the write lock for SECONDS
            with writing(db):
                db.execute("UPDATE meta SET value = value WHERE key = 'county_name'")
                print("holding", flush=True)
                time.sleep(float(args[0]))
            print("released", flush=True)
        elif mode == "edit":              # open the edit form, wait, then save
            person = int(args[0])
            row = contacts.get(db, person)
            print(f"read {row['version']}", flush=True)
            note = sys.stdin.readline().strip()
            try:
                contacts.update(db, person, _form(row, note), expected_version=row["version"])
            except UserError as exc:
                print(f"refused {type(exc).__name__} {exc}", flush=True)
            else:
                print("saved", flush=True)
    except Exception as exc:  # noqa: BLE001 - the test reads it
        print(f"error {type(exc).__name__}: {exc}", flush=True)
        raise SystemExit(1) from None
    finally:
        db.close()


# ------------------------------------------------------------------ the tests

def start(*args) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, __file__, *map(str, args)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    assert proc.stdout.readline() == "ready\n", proc.communicate(timeout=30)
    return proc


def say(proc: subprocess.Popen, line: str = "go") -> None:
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def finish(proc: subprocess.Popen) -> list[str]:
    out, err = proc.communicate(timeout=60)
    lines = out.splitlines()
    errors = [line for line in lines if line.startswith("error")]
    assert not errors and proc.returncode == 0, f"{errors} {err}"
    assert "Traceback" not in err and "locked" not in err, err
    return lines


def test_two_consoles_append_at_once_and_nothing_is_lost(demo_path):
    officer = start("append", demo_path, "值班员甲", 2.5)
    leader = start("append", demo_path, "带班领导乙", 2.5)
    say(officer)
    say(leader)
    acked = {who: [line.split() for line in finish(proc)] for who, proc in
             (("值班员甲", officer), ("带班领导乙", leader))}
    db = open_db(demo_path)
    try:
        for who, lines in acked.items():
            assert len(lines) >= 20, f"{who} wrote only {len(lines)} entries"   # they did overlap
            stored = {r[0]: r[1] for r in db.execute(
                "SELECT id, source FROM log_entries WHERE recorded_by = ?", [who])}
            assert stored == {int(entry_id): f"{who}#{index}" for _, index, entry_id in lines}
            assert dutylog.count(db, dutylog.LogQuery(text=f"{who}记录")) == len(lines)
        # the two consoles shared every minute: each minute's places are distinct and in order
        shared = db.execute(
            "SELECT count(*) FROM (SELECT logged_at FROM log_entries WHERE recorded_by IN (?, ?) "
            "GROUP BY logged_at HAVING count(*) = 2)", list(acked)).fetchone()[0]
        assert shared >= 20
        print("\n2.5 s, two consoles: " + ", ".join(f"{w} {len(l)}" for w, l in acked.items())
              + f" entries, {shared} minutes shared")
    finally:
        db.close()


def test_a_long_write_in_the_other_console_is_waited_for_not_reported_as_locked(demo_path):
    leader = start("hold", demo_path, 1.5)
    assert leader.stdout.readline() == "holding\n"
    officer = start("append", demo_path, "值班员甲", 0.1)
    began = time.monotonic()
    say(officer)
    lines = finish(officer)
    assert lines and lines[0].startswith("log 0 ")
    assert time.monotonic() - began > 0.5          # it did wait for the lock
    assert finish(leader) == ["released"]


def test_a_conflicting_edit_is_refused_and_the_other_change_stays(demo_path):
    db = open_db(demo_path)
    person = db.execute("SELECT min(id) FROM people WHERE active = 1").fetchone()[0]
    db.close()
    officer = start("edit", demo_path, person)               # A opens the form: version v
    version = int(officer.stdout.readline().split()[1])
    leader = start("edit", demo_path, person)                # B opens it too, and saves first
    assert leader.stdout.readline() == f"read {version}\n"
    say(leader, "带班领导改的备注")
    assert finish(leader) == ["saved"]
    say(officer, "值班员改的备注")                               # A saves with expected_version=v
    assert finish(officer) == [f"refused ValidationError {CONFLICT}"]
    db = open_db(demo_path)
    try:
        row = contacts.get(db, person)
        assert (row["note"], row["version"]) == ("带班领导改的备注", version + 1)
    finally:
        db.close()


if __name__ == "__main__":
    console(*sys.argv[1:])
