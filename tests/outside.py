"""Another program's connection to a database, for tests that damage one on purpose.

A plain sqlite3 connection cannot write to an audited table (the audit triggers call SQL
functions only nxcommand registers). ``connect`` registers them, acting as "外部程序", for
tests whose subject is not the audit trail (a foreign-key fault, a ledger balance changed by
hand): such edits are then recorded in the chain like any other write. Tests of the audit
trail itself bypass it the way a tamperer would: ``drop_triggers``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from nxcommand import audit

ACTOR = "外部程序"


def connect(path: Path | str, **kwargs) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), **kwargs)
    audit.register(conn, lambda: ACTOR)
    return conn


def drop_triggers(conn: sqlite3.Connection) -> None:
    """What someone editing the file behind the console's back would do first: drop every
    trigger (the audit triggers and the append-only guards)."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
    for name in names:
        conn.execute(f'DROP TRIGGER "{name}"')
