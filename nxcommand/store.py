"""The one way to open the database: checks, pragmas, migrations, environment errors.

A file that is not ours, from a newer schema, truncated, damaged, locked or read-only is
refused with a message in Chinese and never modified. Migrations are the ordered
``db/migrations/NNNN_name.sql`` files, each applied in its own transaction and recorded in
``PRAGMA user_version``; there is no second schema file.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from . import audit
from .errors import UserError, ValidationError
from .paths import migrations_dir

APPLICATION_ID = 0x4E58434D  # "NXCM" in the SQLite header: tells our files from others
SQLITE_MAGIC = b"SQLite format 3\x00"
DEFAULT_BUSY_TIMEOUT_MS = 5000


class StoreError(UserError):
    """A problem with the database file or its surroundings, worded for the user."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def migrations() -> list[Migration]:
    """The migration files in order; their numbers must run 1, 2, 3 … without gaps."""
    found = []
    for path in sorted(migrations_dir().glob("*.sql")):
        m = re.fullmatch(r"(\d{4})_(\w+)\.sql", path.name)
        if not m:
            raise RuntimeError(f"migration file with a bad name: {path.name}")
        found.append(Migration(int(m.group(1)), m.group(2), path))
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("migration numbers must run 1, 2, 3 … without gaps")
    return found


def latest_version() -> int:
    return len(migrations())


# (substring of SQLite's message, Chinese explanation). Order matters: first match wins.
_ENVIRONMENT_ERRORS = [
    ("locked", "数据库正被其他程序占用（已锁定），请稍后重试或关闭占用它的程序：{path}"),
    ("readonly", "数据库文件或其所在文件夹为只读，无法写入：{path}"),
    ("read-only", "数据库文件或其所在文件夹为只读，无法写入：{path}"),
    ("disk is full", "磁盘空间已满，无法写入数据库：{path}。本次操作未保存任何内容"),
    ("not a database", "该文件不是 SQLite 数据库：{path}"),
    ("malformed", "数据库文件已损坏：{path}"),
    ("unable to open", "无法打开数据库文件（路径不存在或没有权限）：{path}"),
    ("disk i/o error", "读写数据库时磁盘出错：{path}"),
]


def environment_error(exc: BaseException, path: Path | str) -> StoreError | None:
    """The user-facing error for an environment failure, or None if ``exc`` is a bug."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        for needle, message in _ENVIRONMENT_ERRORS:
            if needle in text:
                return StoreError(message.format(path=path))
        return None
    if isinstance(exc, PermissionError):
        return StoreError(f"没有权限访问：{path}")
    if isinstance(exc, OSError) and exc.errno == 28:  # ENOSPC
        return StoreError(f"磁盘空间已满：{path}")
    return None


def db_path(db: Database) -> str:
    row = db.conn.execute("PRAGMA database_list").fetchone()
    return row[2] if row and row[2] else ":memory:"


@contextmanager
def writing(db: Database) -> Iterator[Database]:
    """One write transaction; environment failures become StoreError, nothing half-written."""
    try:
        with db.atomic():
            yield db
    except (sqlite3.Error, OSError) as exc:
        mapped = environment_error(exc, db_path(db))
        if mapped is None:
            raise
        raise mapped from exc


def update_versioned(db: Database, table: str, row_id: int, values: dict, expected_version: int | None,
                     stamp: str, what: str) -> None:
    """Save an edited row inside the caller's transaction and bump its version. An edit made
    meanwhile by someone else (the row's version is no longer ``expected_version``, read when
    the form opened) is refused, never overwritten; ``what`` names the record (队伍, 装备 …)."""
    sets = "".join(f"{column} = ?, " for column in values)
    cur = db.execute(f"UPDATE {table} SET {sets}updated_at = ?, version = version + 1 "
                     "WHERE id = ? AND (? IS NULL OR version = ?)",
                     [*values.values(), stamp, row_id, expected_version, expected_version])
    if cur.rowcount != 1:
        raise ValidationError(f"该{what}已被他人修改，请关闭后重新打开再编辑")


def _precheck(path: Path, create: bool, writable: bool) -> bool:
    """Look at the file before SQLite touches it. Returns True if it is new or empty."""
    if path.is_dir():
        raise StoreError(f"这是一个文件夹，不是数据库文件：{path}")
    if not path.exists():
        if not create:
            raise StoreError(f"找不到数据库文件：{path}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"无法创建数据库所在的文件夹：{path.parent}（{exc.strerror}）") from exc
        if not os.access(path.parent, os.W_OK):
            raise StoreError(f"文件夹为只读，无法新建数据库：{path.parent}")
        return True
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise StoreError(f"无法读取数据库文件：{path}（{exc.strerror}）") from exc
    # WAL needs to write the file and create -wal/-shm files beside it.
    if writable and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise StoreError(f"数据库文件或其所在文件夹为只读，无法写入：{path}")
    if size == 0:
        if not create:
            raise StoreError(f"数据库文件是空的：{path}")
        return True
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise StoreError(f"该文件不是 SQLite 数据库：{path}")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    size_is_valid = header[24:28] == header[92:96] and pages > 0
    if size_is_valid and size < pages * page_size:
        raise StoreError(f"数据库文件不完整（可能被截断或复制中断）：{path}")
    return False


def _connect(path: Path, readonly: bool, busy_timeout_ms: int) -> sqlite3.Connection:
    if readonly:
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        return sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms / 1000)
    return sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000)


def _check_identity(conn: sqlite3.Connection, path: Path, is_new: bool) -> int:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    latest = latest_version()
    if version == 0 and not is_new:
        has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if has_tables:
            raise StoreError(f"这是一个 SQLite 数据库，但不是 nxcommand 的数据库：{path}")
    if version > 0 and app_id != APPLICATION_ID:
        raise StoreError(f"这是一个 SQLite 数据库，但不是 nxcommand 的数据库：{path}")
    if version > latest:
        raise StoreError(
            f"该数据库由更新版本的 nxcommand 创建（架构版本 {version}，本程序最高支持 {latest}），"
            f"请升级程序后再打开：{path}"
        )
    return version


def _migrate(conn: sqlite3.Connection, current: int) -> None:
    for step in migrations():
        if step.version <= current:
            continue
        script = (
            "BEGIN IMMEDIATE;\n"
            f"{step.path.read_text(encoding='utf-8')}\n"
            f"PRAGMA application_id = {APPLICATION_ID};\n"
            f"PRAGMA user_version = {step.version};\n"
            "COMMIT;"
        )
        try:
            conn.executescript(script)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def open_db(
    path: Path | str,
    *,
    create: bool = False,
    readonly: bool = False,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
) -> Database:
    """Open (and if needed create and migrate) the database at ``path``.

    WAL journal, foreign keys on, a busy timeout, a quick integrity check of existing files.
    ``readonly`` opens without migrating or writing anything (for ``check`` and previews).
    Raises StoreError, in Chinese, for every problem with the file itself.
    """
    path = Path(path)
    is_new = _precheck(path, create and not readonly, writable=not readonly)
    try:
        conn = _connect(path, readonly, busy_timeout_ms)
    except sqlite3.Error as exc:
        raise environment_error(exc, path) or exc from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA foreign_keys = ON")
        # A row replaced by INSERT OR REPLACE is audited as deleted, not silently dropped.
        conn.execute("PRAGMA recursive_triggers = ON")
        audit.register(conn, lambda: audit.UPGRADE_ACTOR)
        version = _check_identity(conn, path, is_new)
        if not is_new:
            problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise StoreError(f"数据库文件已损坏：{path}\n" + "\n".join(problems))
        if not readonly:
            _migrate(conn, version)
            audit.install(conn)
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
    except (sqlite3.Error, OSError) as exc:
        conn.close()
        mapped = environment_error(exc, path)
        if mapped is None:
            raise
        raise mapped from exc
    except BaseException:
        conn.close()
        raise
    db = Database(conn, execute_plugins=False)
    audit.connect_functions(db)
    return db


def check(path: Path | str) -> list[str]:
    """Everything wrong with the database at ``path``, in Chinese; empty when sound.

    Reads only: schema version, full integrity check, foreign keys.
    """
    try:
        db = open_db(path, readonly=True)
    except StoreError as exc:
        return [str(exc)]
    problems = []
    try:
        conn = db.conn
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        latest = latest_version()
        if version < latest:
            problems.append(f"架构版本 {version} 低于本程序的 {latest}：用控制台打开一次即可自动升级")
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check(50)")]
        if integrity != ["ok"]:
            problems.extend(f"完整性检查：{line}" for line in integrity)
        for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check").fetchall()[:50]:
            problems.append(f"外键错误：表 {table} 第 {rowid} 行引用的 {parent} 记录不存在")
    except sqlite3.Error as exc:
        mapped = environment_error(exc, path)
        problems.append(str(mapped) if mapped else f"检查时出错：{exc}")
    finally:
        db.close()
    return problems
