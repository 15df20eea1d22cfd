"""Restoring a backup over the console's database (``nxcommand restore``): refuse anything
doubtful with the target untouched, back the current database up first, replace atomically.
The backups themselves, their checks and their folder are in ``backup``."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from sqlite_utils import Database

from .backup import (_TEMP_PREFIX, _folder_error, _fsync, _fsync_dir, backup_name, ensure_folder,
                     file_sha256, make_backup, preview)
from .clock import Clock
from .store import StoreError, environment_error

def restore(backup_path: Path | str, target_db_path: Path | str, clock: Clock) -> Path | None:
    """Replace the database at ``target_db_path`` by the backup; returns the safety copy.

    Refused, target untouched (StoreError in Chinese): a damaged, foreign or newer-schema
    backup; a target folder that cannot be written; a target another program has open or
    locked; a target that is another program's database or from a newer schema. Before the
    replacement the current database is backed up beside the backup (reason 恢复前); a
    damaged current database is kept as a plain copy named ``damaged-nxcommand-….db`` there.
    Returns that copy's path, or None when there was no current database.
    """
    backup_path, target = Path(backup_path), Path(target_db_path)
    info = preview(backup_path)
    if not info.ok:
        raise StoreError(f"该备份不能用于恢复：{info.problem}（{backup_path}）")
    folder = backup_path.resolve().parent
    if target.is_dir():
        raise StoreError(f"恢复目标是一个文件夹，不是数据库文件：{target}")
    target_dir = target.resolve().parent
    if not target_dir.is_dir():
        raise StoreError(f"恢复目标所在的文件夹不存在：{target_dir}")
    unwritable = _probe_writable(target_dir)
    if unwritable:
        raise StoreError(f"数据库所在文件夹只读或没有权限，无法恢复：{target_dir}"
                         f"（{unwritable}）")
    state = _target_state(target)
    replacement = _stage(backup_path, target_dir)
    conn = None
    try:
        if state == "sound":
            conn = _take_over(target)
            safety = make_backup(Database(conn, execute_plugins=False), folder, clock, "恢复前")
        elif state == "damaged":
            safety = _keep_damaged(target, folder, clock)
        else:
            safety = None
        try:
            os.replace(replacement, target)
        except OSError as exc:
            raise _folder_error(exc, target_dir, "无法替换数据库文件") from exc
        _fsync_dir(target_dir)
    except BaseException:
        replacement.unlink(missing_ok=True)
        if conn is not None:
            _give_back(conn)
            conn = None
        raise
    finally:
        if conn is not None:
            conn.close()
    for suffix in ("-wal", "-shm", "-journal"):   # they belonged to the replaced file
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return safety


def _probe_writable(folder: Path) -> str | None:
    try:
        fd, probe = tempfile.mkstemp(prefix=_TEMP_PREFIX + "probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _target_state(target: Path) -> str:
    """'absent', 'sound' or 'damaged'; refuses a locked, foreign or newer-schema target."""
    from .store import open_db

    if not target.exists() or target.stat().st_size == 0:
        return "absent"
    try:
        db = open_db(target, readonly=True, busy_timeout_ms=500)
    except StoreError as exc:
        text = str(exc)
        if "锁定" in text or "只读" in text or "权限" in text:
            raise StoreError(f"无法恢复：{text}") from exc
        if "不是 nxcommand" in text or "更新版本" in text:
            raise StoreError(f"恢复目标不是本程序可以覆盖的数据库，未做任何改动：{text}") from exc
        return "damaged"
    db.close()
    return "sound"


def _stage(backup_path: Path, target_dir: Path) -> Path:
    """The backup copied beside the target (it is a closed, checked file), fsynced."""
    fd, name = tempfile.mkstemp(prefix=_TEMP_PREFIX + "restore-", suffix=".db", dir=target_dir)
    os.close(fd)
    staged = Path(name)
    try:
        shutil.copyfile(backup_path, staged)
        _fsync(staged)
        if file_sha256(staged) != file_sha256(backup_path):
            raise StoreError(f"复制备份时出错（校验值不符），未做任何改动：{backup_path}")
    except BaseException as exc:
        staged.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _folder_error(exc, target_dir, "无法在数据库所在文件夹写入恢复文件") from exc
        raise
    return staged


def _take_over(target: Path) -> sqlite3.Connection:
    """A connection that alone holds the target: WAL folded back in, writers locked out.

    Leaving WAL mode needs every other connection closed, so a running console is detected
    here even while it is idle.
    """
    busy = StoreError(f"数据库正被其他程序使用（可能是正在运行的控制台），请先关闭后再恢复：{target}")
    try:
        conn = sqlite3.connect(target, timeout=0.5, isolation_level=None)
    except sqlite3.Error as exc:
        raise environment_error(exc, target) or exc from exc
    try:
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        if mode.lower() != "delete":
            raise busy
        # a read transaction: its SHARED lock keeps every writer out until we close, and
        # unlike a write transaction it lets the backup API read through this connection
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise busy from exc
        raise environment_error(exc, target) or exc from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _give_back(conn: sqlite3.Connection) -> None:
    """Undo ``_take_over`` after a failure: the target goes back to WAL as it was."""
    try:
        conn.execute("ROLLBACK")
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.Error:
        pass
    finally:
        conn.close()


def _keep_damaged(target: Path, folder: Path, clock: Clock) -> Path:
    """A damaged database is not live: keep it (and its -wal) as plain copies for experts."""
    ensure_folder(folder)
    copy = folder / f"damaged-{backup_name(clock.now())}"
    n = 2
    while copy.exists():
        copy = folder / f"damaged-{backup_name(clock.now(), n)}"
        n += 1
    try:
        shutil.copyfile(target, copy)
        for suffix in ("-wal", "-journal"):
            extra = Path(f"{target}{suffix}")
            if extra.exists():
                shutil.copyfile(extra, Path(f"{copy}{suffix}"))
        _fsync(copy)
    except OSError as exc:
        copy.unlink(missing_ok=True)
        for suffix in ("-wal", "-journal"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        raise _folder_error(exc, folder, "无法保存损坏的数据库副本，未做任何改动") from exc
    return copy
