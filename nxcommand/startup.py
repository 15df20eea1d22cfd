"""Opening the console's database: the default one is created with the demo county."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from . import demo, org
from .clock import SYSTEM_CLOCK, Clock
from .store import StoreError, open_db


def open_console_db(path: Path, is_default: bool, clock: Clock = SYSTEM_CLOCK) -> Database:
    """Open the database for the console.

    The default database (in the user's data directory) is created and filled with the demo
    county on first start. A database named with --db or $NXCOMMAND_DB must already exist.
    """
    path = Path(path)
    if is_default and path.is_file() and path.stat().st_size == 0:
        # A default database emptied by a failing disk is not a first start when backups of
        # it exist: refuse it as damaged, so the console offers the newest good backup.
        from . import backup_schedule

        if backup_schedule.newest_good_for(path) is not None:
            raise StoreError(f"数据库文件是空的：{path}")
    db = open_db(path, create=is_default)
    try:
        if is_default and org.county(db) is None:
            demo.load_demo(db, clock)
    except BaseException:
        db.close()
        raise
    return db


def title_suffix(db: Database) -> str:
    """What the title bar adds after the product name."""
    name = org.meta(db, "county_name") or ""
    return f"{name}（演示数据）" if org.is_demo(db) else name
