"""Automatic backups while the console runs, and what the console needs to restore one.

The schedule lives in ``meta``: the interval in minutes and the thinning counts (``backup.KEEP``).
A backup is due when the interval has passed since the last one AND the database changed since
(the audit trail's head moved). ``run`` makes it with the online backup API and thins the
folder. The console's worker thread calls ``check_and_run`` on its own connection.

The backup folder is stored in the database, which is no help when that file is damaged; so
each backup and each change of folder is also remembered outside it, in a small JSON file
beside the database (``<name>-backup.json``). ``newest_good_for`` looks there, in the damaged
file's own setting if it can still be read, and in the default folder.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from . import backup, session
from .backup import BackupInfo
from .clock import TIMESTAMP_FORMAT, Clock
from .errors import ValidationError
from .org import meta, set_meta
from .store import StoreError, db_path, open_db, writing

ACTION = "备份恢复"
INTERVAL_KEY = "backup_interval_min"
DEFAULT_INTERVAL_MIN = 30
INTERVAL_RANGE = (5, 1440)
RETRY_MIN = 5                    # after a failure (USB disk pulled, disk full) try again this soon
RECHECK_MIN = 5                  # the database had not changed: look again this soon
KEEP_KEY = "backup_keep_"        # + recent_hours, recent_max, daily, weekly, monthly
# setting → (Chinese name, least, most)
KEEP_LIMITS: dict[str, tuple[str, int, int]] = {
    "recent_hours": ("全部保留的最近小时数", 1, 168),
    "recent_max": ("最近备份最多保留份数", 1, 500),
    "daily": ("按天保留的天数", 0, 366),
    "weekly": ("按周保留的周数", 0, 260),
    "monthly": ("按月保留的月数", 0, 240),
}
MEMORY_SUFFIX = "-backup.json"


@dataclass(frozen=True)
class Schedule:
    interval_min: int = DEFAULT_INTERVAL_MIN
    keep: dict[str, int] = field(default_factory=lambda: dict(backup.KEEP))


@dataclass(frozen=True)
class Made:
    """One backup made by ``run``: what it holds, what thinning removed, and the audit head
    the database had just before (for the next ``due``)."""
    info: BackupInfo
    removed: list[Path]
    head: tuple[int, str] | None
    thin_problem: str | None = None      # thinning failed; the backup itself is good
    interval_min: int = DEFAULT_INTERVAL_MIN


@dataclass(frozen=True)
class Checked:
    """``check_and_run`` found nothing to do: the database has not changed."""
    interval_min: int
    head: tuple[int, str] | None


# ---------------------------------------------------------------------------- settings


def _int(text: str | None, default: int, least: int, most: int) -> int:
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        return default
    return value if least <= value <= most else default


def schedule(db: Database) -> Schedule:
    """The schedule in ``meta``; a missing or unusable value is its default."""
    interval = _int(meta(db, INTERVAL_KEY), DEFAULT_INTERVAL_MIN, *INTERVAL_RANGE)
    keep = {key: _int(meta(db, KEEP_KEY + key), backup.KEEP[key], least, most)
            for key, (_name, least, most) in KEEP_LIMITS.items()}
    return Schedule(interval, keep)


def _checked(value, name: str, least: int, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValidationError(f"{name}应为 {least} 到 {most} 之间的整数", name)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(f"{name}应为 {least} 到 {most} 之间的整数", name) from None
    if not least <= number <= most:
        raise ValidationError(f"{name}应在 {least} 到 {most} 之间，这里是 {number}", name)
    return number


def set_schedule(db: Database, interval_min: int | None = None,
                 keep: dict[str, int] | None = None) -> Schedule:
    """Change the interval and/or the thinning counts (administrator only); all or nothing."""
    session.require(db, ACTION)
    values: dict[str, int] = {}
    if interval_min is not None:
        values[INTERVAL_KEY] = _checked(interval_min, "自动备份间隔（分钟）", *INTERVAL_RANGE)
    for key, value in (keep or {}).items():
        if key not in KEEP_LIMITS:
            raise ValidationError(f"未知的备份保留设置：{key}")
        values[KEEP_KEY + key] = _checked(value, *KEEP_LIMITS[key])
    with writing(db):
        for key, value in values.items():
            set_meta(db, key, str(value))
    return schedule(db)


def set_folder(db: Database, folder: Path | str) -> Path:
    """Set the backup folder (administrator only; checked by ``backup.set_backup_folder``)
    and remember it outside the database."""
    session.require(db, ACTION)
    path = backup.set_backup_folder(db, folder)
    remember(db_path(db), folder=path)
    return path


# ---------------------------------------------------------------------------- when and how


def head(db: Database) -> tuple[int, str] | None:
    """The audit trail's newest record; None when the database has no trail (unknown)."""
    from . import audit

    try:
        seq, digest = audit.head(db)
    except sqlite3.Error:
        return None
    return int(seq), str(digest)


def due(db: Database, now: datetime, last_backup_at: datetime | None,
        last_head: tuple[int, str] | None) -> bool:
    """A backup is due when the interval has passed since the last one and the database has
    changed since (an unknown last head counts as changed)."""
    interval = timedelta(minutes=schedule(db).interval_min)
    if last_backup_at is not None and now - last_backup_at < interval:
        return False
    return last_head is None or head(db) != tuple(last_head)


def _configured_folder(db: Database) -> Path | None:
    value = meta(db, backup.BACKUP_DIR_KEY)
    return Path(value) if value else None


def missing_folder(db: Database) -> str | None:
    """Why the backup folder the administrator set is not usable right now, or None."""
    configured = _configured_folder(db)
    if configured is None or configured.is_dir():
        return None
    return (f"找不到备份文件夹：{configured}（U 盘或移动硬盘可能已拔出，或网络共享未连接）。"
            "本次未备份，数据库未受影响")


def run(source: Database | Path | str, clock: Clock, reason: str = "自动") -> Made:
    """Back the database up into its backup folder now, then thin the folder.

    A folder the administrator set that is not there (a USB disk pulled, a share not
    connected) is refused rather than created again on the local disk; the default folder
    beside the database is created when needed. StoreError in Chinese on every failure.
    """
    own = not isinstance(source, Database)
    db = open_db(source, readonly=True) if own else source
    try:
        folder = backup.backup_folder(db)
        missing = missing_folder(db)
        if missing:
            raise StoreError(missing)
        plan = schedule(db)
        before = head(db)
        made = backup.make_backup(db, folder, clock, reason)
        path = db_path(db)
    finally:
        if own:
            db.close()
    info = next((i for i in backup.list_backups(folder) if i.path == made), None) \
        or backup.preview(made)
    removed, problem = [], None
    try:
        removed = backup.thin(folder, clock.now(), plan.keep)
    except StoreError as exc:
        problem = str(exc)
    remember(path, folder=folder, last_backup_at=info.taken_at, head=before)
    return Made(info, removed, before, problem, plan.interval_min)


def check_and_run(db: Database, clock: Clock, last_backup_at: datetime | None,
                  last_head: tuple[int, str] | None, *, force: bool = False,
                  reason: str = "自动") -> Made | Checked:
    """What the console's timer does: back up when ``due`` (or ``force``), else say why not.
    A later backup remembered beside the database (立即备份, another console) counts too."""
    path = db_path(db)
    remember(path, folder=backup.backup_folder(db))
    memory = recall(path)
    if memory.get("last_backup_at") and (last_backup_at is None
                                         or memory["last_backup_at"] > last_backup_at):
        last_backup_at, last_head = memory["last_backup_at"], memory.get("head")
    if force or due(db, clock.now(), last_backup_at, last_head):
        return run(db, clock, reason)
    return Checked(schedule(db).interval_min, head(db))


# ---------------------------------------------------------------------------- outside the database


def memory_file(database: Path | str) -> Path:
    path = Path(database).resolve()
    return path.with_name(path.name + MEMORY_SUFFIX)


def recall(database: Path | str) -> dict:
    """What was remembered for this database: ``folder`` (Path), ``last_backup_at``
    (datetime), ``head`` ((seq, hash)); missing keys when unknown or unreadable."""
    if str(database) in ("", ":memory:"):
        return {}
    try:
        data = json.loads(memory_file(database).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    found: dict = {}
    if isinstance(data.get("folder"), str) and data["folder"]:
        found["folder"] = Path(data["folder"])
    try:
        found["last_backup_at"] = datetime.strptime(data["last_backup_at"], TIMESTAMP_FORMAT)
    except (KeyError, TypeError, ValueError):
        pass
    value = data.get("head")
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int):
        found["head"] = (value[0], str(value[1]))
    return found


def remember(database: Path | str, *, folder: Path | None = None,
             last_backup_at: datetime | None = None, head: tuple[int, str] | None = None) -> None:
    """Best effort (a read-only folder only loses the memory, never a backup)."""
    if str(database) in ("", ":memory:"):
        return
    target = memory_file(database)
    data = {}
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        data = data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        pass
    update = {"folder": str(folder) if folder else None,
              "last_backup_at": last_backup_at.strftime(TIMESTAMP_FORMAT) if last_backup_at else None,
              "head": list(head) if head else None}
    new = {**data, **{k: v for k, v in update.items() if v is not None}}
    if new == data:
        return
    temp = None
    try:
        fd, name = tempfile.mkstemp(prefix="." + target.name, suffix=".tmp", dir=target.parent)
        temp = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(new, fh, ensure_ascii=False, indent=1)
        os.replace(temp, target)
    except OSError:
        if temp is not None:
            temp.unlink(missing_ok=True)


def _folder_in_damaged(database: Path) -> Path | None:
    """The backup folder setting of a damaged file, if that page can still be read."""
    try:
        conn = sqlite3.connect(f"file:{quote(str(database.resolve()))}?mode=ro&immutable=1", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?",
                               [backup.BACKUP_DIR_KEY]).fetchone()
        finally:
            conn.close()
    except (sqlite3.Error, OSError):
        return None
    return Path(row[0]) if row and isinstance(row[0], str) and row[0] else None


def folders_for(database: Path | str) -> list[Path]:
    """Where this database's backups may be: remembered, its own setting, the default."""
    database = Path(database)
    found = [recall(database).get("folder"), _folder_in_damaged(database),
             backup.default_backup_folder(database)]
    unique: list[Path] = []
    for folder in found:
        if folder is not None and folder not in unique:
            unique.append(folder)
    return unique


def newest_good_for(database: Path | str) -> BackupInfo | None:
    """The newest backup of this database that passes the full check, in any of its folders."""
    best: BackupInfo | None = None
    for folder in folders_for(database):
        path = backup.newest_good(folder)
        if path is not None:
            info = backup.preview(path)
            if best is None or info.taken_at > best.taken_at:
                best = info
    return best


DAMAGED_MARKS = ("已损坏", "不是 SQLite 数据库", "不完整", "数据库文件是空的")


def is_damaged(error: BaseException | str) -> bool:
    """Whether an open_db refusal means the file itself is damaged (a backup can help), not
    locked, read-only, missing, another program's or from a newer version."""
    return any(mark in str(error) for mark in DAMAGED_MARKS)


# ---------------------------------------------------------------------------- previews


@dataclass(frozen=True)
class Contents:
    """What a database or backup holds, for a preview and the restore confirmation."""
    counts: dict[str, int]
    newest_entry_at: str | None = None       # the newest duty-log entry's time
    newest_entry: str | None = None          # … and the start of its summary

    def text(self) -> str:
        parts = [f"{backup.COUNTED[k]} {self.counts[k]}" for k in backup.COUNTED if k in self.counts]
        return "，".join(parts) or "（无记录）"


def _contents(conn: sqlite3.Connection) -> Contents:
    counts = backup.table_counts(conn)
    row = None
    if "log_entries" in counts:
        row = conn.execute("SELECT logged_at, summary FROM log_entries "
                           "ORDER BY sort_key DESC LIMIT 1").fetchone()
    summary = None
    if row:
        summary = " ".join(str(row[1]).split())
        summary = summary if len(summary) <= 40 else summary[:40] + "…"
    return Contents(counts, row[0] if row else None, summary)


def contents_of(db: Database) -> Contents:
    return _contents(db.conn)


def backup_contents(path: Path | str) -> Contents | None:
    """What a backup file holds (read-only, unchanged); None when it cannot be read."""
    try:
        conn = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro&immutable=1",
                               uri=True)
        try:
            return _contents(conn)
        finally:
            conn.close()
    except (sqlite3.Error, OSError):
        return None


@dataclass(frozen=True)
class RestorePlan:
    backup: BackupInfo
    backup_contents: Contents
    current: Contents
    folder: Path          # where the current database is saved first (the backup's folder)


def plan_restore(db: Database, backup_path: Path | str) -> RestorePlan:
    """Check that this account may restore and that the backup is sound (full check); what
    the backup holds against the current database, for the confirmation."""
    session.require(db, ACTION)
    info = backup.preview(backup_path)
    if not info.ok:
        raise StoreError(f"该备份不能用于恢复：{info.problem}")
    held = backup_contents(info.path) or Contents(info.counts)
    return RestorePlan(info, held, contents_of(db), info.path.resolve().parent)
