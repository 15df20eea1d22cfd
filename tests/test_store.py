"""Opening the database: pragmas, migrations, and every bad file refused untouched."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager

import pytest

from nxcommand import contacts, store
from nxcommand.store import APPLICATION_ID, StoreError, latest_version, open_db

from . import outside
from .conftest import file_digest


def test_new_database_is_migrated_with_wal_and_foreign_keys(tmp_path):
    db = open_db(tmp_path / "new.db", create=True)
    conn = db.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == store.DEFAULT_BUSY_TIMEOUT_MS
    assert db["severity_grades"].count == 4
    db.close()
    # reopening applies nothing twice
    db = open_db(tmp_path / "new.db")
    assert db["role_tags"].count == 10
    db.close()


def test_foreign_keys_are_enforced(empty_db):
    with pytest.raises(sqlite3.IntegrityError):
        empty_db.execute("INSERT INTO admin_units (name, level, kind, parent_id) VALUES ('x', 'town', '镇', 999)")


def test_missing_file_is_not_created_unless_asked(tmp_path):
    with pytest.raises(StoreError, match="找不到数据库文件"):
        open_db(tmp_path / "nope.db")
    assert not (tmp_path / "nope.db").exists()


def _refused_untouched(path, match):
    before = file_digest(path)
    with pytest.raises(StoreError, match=match):
        open_db(path, create=True)
    assert file_digest(path) == before
    assert not os.path.exists(f"{path}-wal") or os.path.getsize(f"{path}-wal") == 0


def test_non_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("值班记录\n" * 100, encoding="utf-8")
    _refused_untouched(path, "不是 SQLite 数据库")


def test_other_applications_database_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.commit()
    conn.close()
    _refused_untouched(path, "不是 nxcommand 的数据库")


def test_newer_schema_is_refused(demo_path):
    conn = sqlite3.connect(demo_path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.commit()
    conn.close()
    _refused_untouched(demo_path, "更新版本")


def test_truncated_file_is_refused(demo_path):
    data = demo_path.read_bytes()
    demo_path.write_bytes(data[: len(data) // 2])
    _refused_untouched(demo_path, "不完整")


def test_damaged_pages_are_refused(demo_path):
    data = bytearray(demo_path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for offset in range(3 * page, len(data) - page, page * 5):  # scribble over b-tree pages
        data[offset:offset + 64] = b"\xff" * 64
    demo_path.write_bytes(bytes(data))
    _refused_untouched(demo_path, "损坏|不是 SQLite")


def test_locked_database_is_refused_with_a_clear_message(demo_path):
    holder = sqlite3.connect(demo_path)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="锁定"):
            open_db(demo_path, busy_timeout_ms=100)
    finally:
        holder.rollback()
        holder.close()


@contextmanager
def read_only_folder(tmp_path, source):
    """A folder holding a copy of ``source`` that the current user cannot write.

    Root ignores permission bits, so as root the folder is a tmpfs remounted read-only.
    """
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        shutil.copy(source, folder / "demo.db")
        (folder / "demo.db").chmod(0o444)
        folder.chmod(0o555)
        try:
            yield folder / "demo.db"
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("no way to make a read-only folder as root here (mount refused)")
    try:
        shutil.copy(source, folder / "demo.db")
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder / "demo.db"
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_read_only_database_is_refused(demo_template, tmp_path):
    with read_only_folder(tmp_path, demo_template) as path:
        _refused_untouched(path, "只读")


def test_full_disk_write_is_refused_and_nothing_is_written(demo_db):
    pages = demo_db.execute("PRAGMA page_count").fetchone()[0]
    demo_db.execute(f"PRAGMA max_page_count = {pages}")      # the disk is full from here on
    refused = None
    for n in range(500):  # fill the last free pages until a write is refused
        people = contacts.count(demo_db)
        roles = demo_db.execute("SELECT count(*) FROM person_roles").fetchone()[0]
        try:
            contacts.add(demo_db, contacts.ContactInput(
                name="测试" + "甲乙丙丁戊己庚辛"[n % 8] * 3, org_id=1, post="长" * 40,
                mobile=f"1370000{n:04d}", roles=["值班员", "网格员"], note="备注" * 240))
        except StoreError as exc:
            refused = exc
            break
    assert refused is not None and "磁盘空间已满" in str(refused)
    # the refused contact left nothing behind: neither the person nor their roles
    assert contacts.count(demo_db) == people
    assert demo_db.execute("SELECT count(*) FROM person_roles").fetchone()[0] == roles
    demo_db.execute(f"PRAGMA max_page_count = {pages * 100}")  # space again: writes work
    contacts.add(demo_db, contacts.ContactInput(name="测试乙", org_id=1, mobile="13700009999"))


def test_failed_migration_leaves_the_file_as_it_was(demo_path, tmp_path, monkeypatch):
    version = latest_version()
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    for step in store.migrations():
        shutil.copy(step.path, migrations)
    (migrations / f"{version + 1:04d}_broken.sql").write_text(
        "CREATE TABLE half_done (x);\nINSERT INTO no_such_table VALUES (1);\n", encoding="utf-8")
    monkeypatch.setattr(store, "migrations_dir", lambda: migrations)
    with pytest.raises(sqlite3.OperationalError):
        open_db(demo_path)
    conn = sqlite3.connect(demo_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchone()
    conn.close()


def test_check_reports_sound_and_broken_databases(demo_path):
    assert store.check(demo_path) == []
    conn = outside.connect(demo_path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE people SET org_id = 99999 WHERE id = 1")
    conn.commit()
    conn.close()
    problems = store.check(demo_path)
    assert len(problems) == 1 and "外键错误" in problems[0] and "people" in problems[0]


def test_check_never_writes(demo_path):
    conn = sqlite3.connect(demo_path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 5}")
    conn.commit()
    conn.close()
    before = file_digest(demo_path)
    problems = store.check(demo_path)
    assert problems and "更新版本" in problems[0]
    assert file_digest(demo_path) == before
