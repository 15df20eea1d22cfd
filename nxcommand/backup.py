"""Backups as a feature: online copies, thinning, a preview of each, and a safe restore.

A backup is made with SQLite's online backup API from an open connection (never a file copy
of a live database) into a temporary file in the backup folder. The copy is checked
(integrity, application id, schema version) before it is renamed to its final name
``nxcommand-YYYYMMDD-HHMMSS.db`` (``-2``, ``-3`` … when two fall in the same second). Beside
it a small sidecar ``nxcommand-YYYYMMDD-HHMMSS.json`` records what a preview shows without
opening the file: time, reason, schema version, counts, size and SHA-256.

Thinning follows Anki (``rslib/src/collection/backup.rs``): recent ones, then one a day, one a
week, one a month (``KEEP`` below). Only files whose names match the pattern are ever removed,
and never the newest backup.

Restore refuses a damaged, foreign or newer-schema backup, and a target another program has
open; it backs the current database up first (reason ``恢复前``) and replaces it atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from . import session
from .clock import TIMESTAMP_FORMAT, Clock
from .errors import UserError
from .store import APPLICATION_ID, SQLITE_MAGIC, StoreError, db_path, environment_error, latest_version

# How many backups thinning keeps. Settings may override these later (pass ``keep=``).
#   recent_hours / recent_max: every backup of the last 24 hours, at most the newest 48;
#   daily:   then, of the rest, the newest backup of each of the 7 most recent days not yet
#            represented;
#   weekly:  then one for each of 5 more ISO weeks;
#   monthly: then one for each of 12 more months.
# A day, week or month already represented by a kept backup gets no second one.
KEEP: dict[str, int] = {"recent_hours": 24, "recent_max": 48, "daily": 7, "weekly": 5, "monthly": 12}

# What a preview counts: table → the word shown to the user.
COUNTED: dict[str, str] = {"events": "事件", "log_entries": "值班日志", "responses": "应急响应",
                           "people": "联系人"}

BACKUP_TIMEOUT_S = 30            # a source locked longer than this is reported, not waited for
REASONS = ("自动", "手动", "恢复前")
BACKUP_DIR_KEY = "backup_dir"
NAME_RE = re.compile(r"nxcommand-(\d{8})-(\d{6})(?:-(\d{1,3}))?\.db")
SIDECAR_RE = re.compile(r"nxcommand-(\d{8})-(\d{6})(?:-(\d{1,3}))?\.json")
_TEMP_PREFIX = ".nxcommand-partial-"
_NAME_TIME = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    version: int | None
    counts: dict[str, int] = field(default_factory=dict)
    size: int = 0
    ok: bool = True
    problem: str | None = None      # why ``ok`` is False, in Chinese
    reason: str = ""                # 自动 / 手动 / 恢复前, from the sidecar

    def counts_text(self) -> str:
        return "，".join(f"{COUNTED[k]} {self.counts[k]}" for k in COUNTED if k in self.counts)


# ---------------------------------------------------------------------------- the folder


def default_backup_folder(database: Path | str) -> Path:
    """``backups`` beside the database (for the default database: in the user data dir)."""
    if str(database) in ("", ":memory:"):
        from .paths import default_db_path

        return default_db_path().parent / "backups"
    return Path(database).resolve().parent / "backups"


def backup_folder(db: Database) -> Path:
    """The backup folder setting (meta ``backup_dir``), or the default beside the database."""
    from .org import meta

    value = meta(db, BACKUP_DIR_KEY)
    return Path(value) if value else default_backup_folder(db_path(db))


def set_backup_folder(db: Database, folder: Path | str) -> Path:
    """Check the folder (exists or can be created, and can be written), then store it."""
    session.require(db, "备份恢复")
    from .org import set_meta
    from .text import has_control_chars

    text = str(folder).strip()
    if not text or has_control_chars(text):
        raise StoreError("请填写备份文件夹的路径")
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise StoreError(f"备份文件夹须写完整路径（例如 /media/usb/备份 或 D:\\值班备份），这里是：{text}")
    ensure_folder(path)
    set_meta(db, BACKUP_DIR_KEY, str(path))
    return path


def ensure_folder(folder: Path) -> Path:
    """Create the folder if needed and prove it can be written, or StoreError in Chinese."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"备份位置不是文件夹：{folder}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _folder_error(exc, folder, "无法创建备份文件夹") from exc
    try:  # os.access is unreliable on network shares and for root: really write a file
        fd, probe = tempfile.mkstemp(prefix=_TEMP_PREFIX + "probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _folder_error(exc, folder, "备份文件夹无法写入") from exc
    return folder


def _folder_error(exc: OSError, folder: Path, what: str) -> StoreError:
    if exc.errno == 28:
        return StoreError(f"{what}（磁盘已满）：{folder}")
    if exc.errno == 30 or isinstance(exc, PermissionError):
        return StoreError(f"{what}（文件夹只读或没有权限）：{folder}")
    return StoreError(f"{what}：{folder}（{exc.strerror or exc}）")


# ---------------------------------------------------------------------------- making one


def backup_name(moment: datetime, n: int = 1) -> str:
    return f"nxcommand-{moment.strftime(_NAME_TIME)}" + (f"-{n}" if n > 1 else "") + ".db"


def parse_name(name: str) -> datetime | None:
    m = NAME_RE.fullmatch(name)
    if not m:
        return None
    try:
        return datetime.strptime(f"{m.group(1)}-{m.group(2)}", _NAME_TIME)
    except ValueError:
        return None


def make_backup(db_or_path: Database | Path | str, folder: Path | str, clock: Clock,
                reason: str = "自动") -> Path:
    """Copy the database online into ``folder``; returns the checked backup's path.

    Any failure (folder missing and not creatable, read-only, full; a copy that fails its
    checks) is a StoreError in Chinese and leaves no partial file behind.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason: {reason}")
    folder = ensure_folder(Path(folder))
    if isinstance(db_or_path, Database):
        return _backup_from(db_or_path.conn, db_path(db_or_path), folder, clock, reason)
    from .store import open_db

    db = open_db(db_or_path, readonly=True)
    try:
        return _backup_from(db.conn, str(db_or_path), folder, clock, reason)
    finally:
        db.close()


def _backup_from(source: sqlite3.Connection, source_name: str, folder: Path, clock: Clock,
                 reason: str) -> Path:
    moment = clock.now()
    fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".db", dir=folder)
    os.close(fd)
    temp = Path(temp_name)
    try:
        dest = sqlite3.connect(temp)
        try:
            # one step: a consistent snapshot; in WAL mode writers go on meanwhile
            source.backup(dest, progress=_give_up_after(BACKUP_TIMEOUT_S))
            dest.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
            problem = _verify(dest)
            if problem:
                raise StoreError(f"备份副本未通过检查，已放弃：{problem}")
            counts = table_counts(dest)
            version = dest.execute("PRAGMA user_version").fetchone()[0]
        finally:
            dest.close()
        _fsync(temp)
        final = _free_name(folder, moment)
        os.rename(temp, final)             # never over an existing backup (checked just above)
        _fsync_dir(folder)
    except BaseException as exc:
        for leftover in (temp, Path(f"{temp}-journal")):   # a full disk can strand the journal
            leftover.unlink(missing_ok=True)
        if isinstance(exc, (sqlite3.Error, OSError)) and not isinstance(exc, UserError):
            mapped = _backup_error(exc, folder, source_name)
            if mapped is not None:
                raise mapped from exc
        raise
    _write_sidecar(final, moment, reason, version, counts)
    return final


def _give_up_after(seconds: float):
    """A backup progress callback: Python retries a locked source forever, we do not."""
    deadline = time.monotonic() + seconds

    def progress(_status: int, _remaining: int, _total: int) -> None:
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("database is locked")
    return progress


def _backup_error(exc: BaseException, folder: Path, source_name: str) -> StoreError | None:
    text = str(exc).lower()
    if "full" in text or getattr(exc, "errno", None) == 28:
        return StoreError(f"备份文件夹所在磁盘已满：{folder}。未生成备份，数据库未受影响")
    if "readonly" in text or "read-only" in text or getattr(exc, "errno", None) == 30 \
            or isinstance(exc, PermissionError):
        return StoreError(f"备份文件夹只读或没有权限，未生成备份：{folder}")
    if "locked" in text:
        return StoreError(f"数据库正被其他程序锁定，暂时无法备份，请稍后重试：{source_name}")
    if "i/o" in text:
        return StoreError(f"写入备份文件夹时磁盘出错，未生成备份：{folder}")
    return environment_error(exc, source_name)


def _free_name(folder: Path, moment: datetime) -> Path:
    for n in range(1, 1000):
        candidate = folder / backup_name(moment, n)
        if not candidate.exists():
            return candidate
    raise StoreError(f"同一秒内的备份过多：{folder}")


def _verify(conn: sqlite3.Connection) -> str | None:
    """What is wrong with an nxcommand database file, in Chinese, or None."""
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
    if integrity != ["ok"]:
        return "完整性检查未通过：" + "；".join(integrity)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID or version < 1:
        return "这不是 nxcommand 的数据库"
    if version > latest_version():
        return (f"由更新版本的 nxcommand 创建（架构版本 {version}，本程序最高支持 "
                f"{latest_version()}）")
    return None


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]   # noqa: S608 (fixed names)
            for t in COUNTED if t in tables}


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def _write_sidecar(path: Path, moment: datetime, reason: str, version: int,
                   counts: Mapping[str, int]) -> None:
    """Best effort: the backup is complete without it (a preview then opens the file)."""
    data = {"taken_at": moment.strftime(TIMESTAMP_FORMAT), "reason": reason, "version": version,
            "counts": dict(counts), "size": path.stat().st_size, "sha256": file_sha256(path)}
    target = _sidecar(path)
    temp = target.with_name(_TEMP_PREFIX + target.name)
    try:
        temp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temp, target)
    except OSError:
        temp.unlink(missing_ok=True)


def _read_sidecar(path: Path) -> dict | None:
    try:
        data = json.loads(_sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------- thinning


def _backups_in(folder: Path) -> list[tuple[datetime, Path]]:
    """(time, path) of every file named like a backup, newest first."""
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return []
    found = [(moment, p) for p in entries if (moment := parse_name(p.name)) and p.is_file()]
    return sorted(found, key=lambda item: (item[0], _suffix_number(item[1])), reverse=True)


def _suffix_number(path: Path) -> int:
    m = NAME_RE.fullmatch(path.name)
    return int(m.group(3) or 1) if m else 0


def to_keep(moments: list[datetime], now: datetime, keep: Mapping[str, int] | None = None
            ) -> set[int]:
    """Indices (into ``moments``, newest first) of the backups thinning keeps."""
    limits = {**KEEP, **(keep or {})}
    kept: set[int] = set()
    days: set = set()
    weeks: set = set()
    months: set = set()
    tally = {"recent": 0, "daily": 0, "weekly": 0, "monthly": 0}

    def mark(i: int, tier: str) -> None:
        kept.add(i)
        tally[tier] += 1
        days.add(moments[i].date())
        weeks.add(moments[i].isocalendar()[:2])
        months.add((moments[i].year, moments[i].month))

    recent_since = now - timedelta(hours=limits["recent_hours"])
    for i, moment in enumerate(moments):
        if moment >= recent_since and tally["recent"] < limits["recent_max"]:
            mark(i, "recent")
    for i, moment in enumerate(moments):
        if i in kept:       # the recent window's overflow falls through to the tiers below
            continue
        if moment.date() not in days and tally["daily"] < limits["daily"]:
            mark(i, "daily")
        elif moment.isocalendar()[:2] not in weeks and tally["weekly"] < limits["weekly"]:
            mark(i, "weekly")
        elif (moment.year, moment.month) not in months and tally["monthly"] < limits["monthly"]:
            mark(i, "monthly")
    if moments:
        kept.add(0)        # never the newest
    return kept


def thin(folder: Path | str, now: datetime, keep: Mapping[str, int] | None = None) -> list[Path]:
    """Remove the backups the ``KEEP`` rules no longer want; returns the removed files.

    Only files named ``nxcommand-YYYYMMDD-HHMMSS[-N].db`` (and their ``.json`` sidecars) are
    touched. Leftover temporary files of a backup interrupted over an hour ago go too.
    """
    folder = Path(folder)
    found = _backups_in(folder)
    kept = to_keep([moment for moment, _ in found], now, keep)
    removed = []
    for i, (_moment, path) in enumerate(found):
        if i in kept:
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise _folder_error(exc, folder, "无法删除过期备份") from exc
        _sidecar(path).unlink(missing_ok=True)
        removed.append(path)
    _remove_stale_temps(folder)
    return removed


def _remove_stale_temps(folder: Path) -> None:
    cutoff = time.time() - 3600
    for path in folder.glob(_TEMP_PREFIX + "*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


# ---------------------------------------------------------------------------- looking at them


def list_backups(folder: Path | str) -> list[BackupInfo]:
    """Every backup in ``folder``, newest first. Cheap: the sidecar, the header and the size;
    ``preview`` does the full check."""
    infos = []
    for moment, path in _backups_in(Path(folder)):
        side = _read_sidecar(path)
        if side is None:
            infos.append(preview(path))
            continue
        size = path.stat().st_size
        problem = None
        try:
            with path.open("rb") as fh:
                if not fh.read(16) == SQLITE_MAGIC:
                    problem = "不是 SQLite 数据库文件"
        except OSError as exc:
            problem = f"无法读取（{exc.strerror}）"
        if problem is None and size != side.get("size"):
            problem = f"文件大小与备份时记录的不符（{size} ≠ {side.get('size')} 字节），可能已损坏"
        infos.append(BackupInfo(path, moment, side.get("version"), dict(side.get("counts") or {}),
                                size, problem is None, problem, str(side.get("reason", ""))))
    return infos


def preview(path: Path | str) -> BackupInfo:
    """Open the backup read-only and say what it holds; a damaged one gives ok=False and why."""
    path = Path(path)
    moment = parse_name(path.name)
    side = _read_sidecar(path) if moment else None
    reason = str(side.get("reason", "")) if side else ""
    if moment is None:
        try:
            moment = datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
        except OSError:
            moment = datetime.min

    def bad(problem: str, version: int | None = None, size: int = 0) -> BackupInfo:
        return BackupInfo(path, moment, version, {}, size, False, problem, reason)

    if not path.is_file():
        return bad(f"找不到备份文件：{path}")
    size = path.stat().st_size
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        return bad(f"无法读取备份文件（{exc.strerror}）：{path}", size=size)
    if not header.startswith(SQLITE_MAGIC):
        return bad(f"不是 SQLite 数据库文件：{path}", size=size)
    if side and side.get("sha256") and side.get("size") == size and file_sha256(path) != side["sha256"]:
        return bad("备份文件与备份时记录的校验值不符（已被改动或损坏）", side.get("version"), size)
    if side and side.get("size") not in (None, size):
        return bad(f"文件大小与备份时记录的不符（{size} ≠ {side.get('size')} 字节），可能已损坏",
                   side.get("version"), size)
    version = None
    try:
        conn = sqlite3.connect(f"file:{_uri_path(path)}?mode=ro&immutable=1", uri=True)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            problem = _verify(conn)
            counts = {} if problem else table_counts(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        text = str(exc).lower()
        problem = "不是 SQLite 数据库文件" if "not a database" in text else f"备份文件已损坏（{exc}）"
        counts = {}
    if problem:
        return bad(problem, version, size)
    return BackupInfo(path, moment, version, counts, size, True, None, reason)


def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.resolve()))


def newest_good(folder: Path | str) -> Path | None:
    """The newest backup that passes the full check, for a damaged database at start."""
    for _moment, path in _backups_in(Path(folder)):
        if preview(path).ok:
            return path
    return None
