"""A console that only writes, for tests/test_crash.py (run as a subprocess, then SIGKILLed).

    python tests/crash_writer.py DB_PATH

Opens the database the console's way (``nxcommand.store.open_db``), prints ``ready``, then
writes a stream of real entries through the services until killed: duty-log entries with
``dutylog.append`` and, every few entries, an edit of one contact with ``contacts.update``
(``expected_version`` as the form would pass it). Each line on stdout acknowledges one write
and is printed and flushed only after the service returned, that is after COMMIT:

    log INDEX ID            the duty-log entry number INDEX is entry #ID
    contact INDEX VERSION   the contact's edit number INDEX left it at version VERSION

What entry INDEX holds is a pure function of INDEX (``entry_for``, ``note_for``), so the test
can tell an entry that is present and unchanged from one that was damaged. After a restart
the writer carries on after the last entry the database holds, as an officer would: an entry
committed but killed before its acknowledgement is still the duty log's, not typed again.
The writer signs in as an officer (值班员), as the console would.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nxcommand import contacts, dutylog, session  # noqa: E402
from nxcommand.clock import FixedClock  # noqa: E402
from nxcommand.store import open_db  # noqa: E402

RECORDER = "崩溃测试员"
SOURCE = "崩溃测试#{}"
BASE = datetime(2026, 7, 1, 0, 0)
KINDS = ("来电", "来文", "处置", "报告", "备忘", "其他")
CONTACT_EVERY = 7
CONTACT_NOTE = "崩溃测试备注 第{}次修改"
# The officer signed in on this console (the services check the permission matrix).
OFFICER = session.Actor("crash.officer", RECORDER, frozenset({"值班员"}))


def entry_for(index: int) -> dutylog.LogInput:
    """Duty-log entry number ``index``: one minute after the previous, of varied size (up to
    the form's 2,000 characters), so a kill lands in small and large transactions alike."""
    rng = random.Random(index)
    at = BASE + timedelta(minutes=index)
    summary = f"崩溃测试 第{index}条：" + "山火蔓延防汛转移道路抢通"[index % 6:] * rng.randint(1, 150)
    actions = "已通知镇街值班室核实，" * rng.randint(0, 180)
    reported = rng.random() < 0.5
    return dutylog.LogInput(
        logged_at=at, kind=KINDS[index % len(KINDS)], summary=summary[:2000],
        recorded_by=RECORDER, source=SOURCE.format(index), actions=actions[:2000],
        reported_to="带班领导" if reported else "",
        reported_at=at + timedelta(minutes=1) if reported else "")


def note_for(index: int) -> str:
    return CONTACT_NOTE.format(index)


def contact_id(db) -> int:
    """The contact the stream edits: the first active one (the demo county has 252)."""
    return db.execute("SELECT min(id) FROM people WHERE active = 1").fetchone()[0]


def next_index(db) -> int:
    row = db.execute("SELECT source FROM log_entries WHERE recorded_by = ? ORDER BY id DESC LIMIT 1",
                     [RECORDER]).fetchone()
    return int(row[0].split("#")[1]) + 1 if row else 0


def main(path: str) -> None:
    db = open_db(path)
    session.sign_in(db, OFFICER)
    person = contact_id(db)
    index = next_index(db)
    print("ready", flush=True)
    while True:
        data = entry_for(index)
        entry_id = dutylog.append(db, data, FixedClock(BASE + timedelta(minutes=index + 2)))
        print(f"log {index} {entry_id}", flush=True)
        if index % CONTACT_EVERY == 0:
            row = contacts.get(db, person)
            form = contacts.ContactInput(
                name=row["name"], org_id=row["org_id"], post=row["post"], mobile=row["mobile"] or "",
                office_phone=row["office_phone"] or "", roles=row["role_list"], note=note_for(index))
            contacts.update(db, person, form, expected_version=row["version"])
            print(f"contact {index} {row['version'] + 1}", flush=True)
        index += 1


if __name__ == "__main__":
    main(sys.argv[1])
