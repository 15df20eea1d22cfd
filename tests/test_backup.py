"""Backups: online copies while writing, thinning, previews, restore and its refusals, the CLI."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from nxcommand import backup, contacts, org, restore
from nxcommand.backup import BackupInfo, StoreError
from nxcommand.clock import FixedClock
from nxcommand.store import APPLICATION_ID, latest_version, open_db

from . import outside
from .conftest import NOW, file_digest
from .test_cli import nx


def _rows(path, table):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
    finally:
        conn.close()


@contextmanager
def tmpfs(folder, size="16m", read_only=False):
    """A folder on its own small file system (root only: tmpfs), optionally read-only."""
    folder.mkdir(exist_ok=True)
    if os.geteuid() != 0:
        if not read_only:
            pytest.skip("a small file system needs root (tmpfs)")
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("no way to mount a tmpfs here")
    try:
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


# ---------------------------------------------------------------------------- making one


def test_backup_is_a_checked_self_contained_copy_with_a_preview(full_demo_db, tmp_path, clock):
    folder = tmp_path / "备份"
    made = backup.make_backup(full_demo_db, folder, clock)
    assert made.name == "nxcommand-20260701-142000.db"
    assert sorted(p.name for p in folder.iterdir()) == [made.name, "nxcommand-20260701-142000.json"]
    conn = sqlite3.connect(made)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
    info = backup.preview(made)
    live = {t: full_demo_db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in backup.COUNTED}
    assert info.ok and info.problem is None and info.reason == "自动"
    assert info.version == latest_version() and info.counts == live
    assert info.counts["people"] == 252 and info.counts["events"] >= 3
    assert info.taken_at == NOW and info.size == made.stat().st_size
    assert backup.list_backups(folder) == [info]
    # the same second again: a second name, never over the first
    again = backup.make_backup(full_demo_db, folder, clock, reason="手动")
    assert again.name == "nxcommand-20260701-142000-2.db"
    assert [i.path for i in backup.list_backups(folder)] == [again, made]


def test_backup_taken_while_another_connection_writes_is_consistent(demo_path, tmp_path):
    """A thread commits pairs of rows as fast as it can; every backup holds whole pairs
    in an unbroken run and passes the full integrity check."""
    stop = threading.Event()
    committed = []

    def writer():
        conn = outside.connect(demo_path, timeout=5, isolation_level=None)
        n = 0
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO meta (key, value) VALUES (?, 'a'), (?, 'b')",
                         [f"stress-{n:06d}-a", f"stress-{n:06d}-b"])
            conn.execute("COMMIT")
            n += 1
            committed.append(n)
        conn.close()

    db = open_db(demo_path)
    thread = threading.Thread(target=writer)
    thread.start()
    clock = FixedClock(NOW)
    made = []
    try:
        while len(committed) < 50:
            time.sleep(0.01)
        for _ in range(8):
            made.append(backup.make_backup(db, tmp_path / "bk", clock))
            clock.advance(minutes=10)
            time.sleep(0.02)
    finally:
        stop.set()
        thread.join()
        db.close()
    seen = []
    for path in made:
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        keys = [r[0] for r in conn.execute("SELECT key FROM meta WHERE key LIKE 'stress-%' ORDER BY key")]
        conn.close()
        pairs = len(keys) // 2
        assert keys == [f"stress-{n:06d}-{s}" for n in range(pairs) for s in "ab"]
        seen.append(pairs)
        assert backup.preview(path).ok
    assert seen == sorted(seen) and seen[-1] > seen[0] > 0   # the writer really ran meanwhile


def test_backup_of_a_path_opens_it_read_only_and_refuses_a_damaged_one(demo_path, tmp_path, clock):
    before = file_digest(demo_path)
    made = backup.make_backup(demo_path, tmp_path / "bk", clock)
    assert backup.preview(made).ok and file_digest(demo_path) == before
    data = bytearray(demo_path.read_bytes())
    data[len(data) // 2: len(data) // 2 + 4096] = b"\xff" * 4096
    demo_path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="损坏"):
        backup.make_backup(demo_path, tmp_path / "bk2", clock)
    assert not any((tmp_path / "bk2").iterdir())


def _no_partial(folder):
    return [p.name for p in folder.iterdir()] == []


def test_backup_to_a_read_only_folder_is_refused_and_leaves_nothing(demo_db, tmp_path, clock):
    with tmpfs(tmp_path / "ro", read_only=True) as folder:
        with pytest.raises(StoreError, match="只读或没有权限"):
            backup.make_backup(demo_db, folder, clock)
        assert _no_partial(folder)


def test_backup_to_a_full_disk_is_refused_and_leaves_nothing(demo_db, tmp_path, clock):
    with tmpfs(tmp_path / "small", size="256k") as folder:
        with pytest.raises(StoreError, match="磁盘已满"):
            backup.make_backup(demo_db, folder, clock)
        assert _no_partial(folder)


def test_backup_to_a_folder_that_cannot_exist_is_refused(demo_db, tmp_path, clock):
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(StoreError, match="无法创建备份文件夹"):
        backup.make_backup(demo_db, tmp_path / "a-file" / "bk", clock)
    with pytest.raises(StoreError, match="不是文件夹"):
        backup.make_backup(demo_db, tmp_path / "a-file", clock)


# ---------------------------------------------------------------------------- thinning


def test_thinning_keeps_recent_daily_weekly_monthly_over_fourteen_months(tmp_path):
    """Backups at 03:00 and 15:00 every day from 2025-05-01, hourly in the last 30 hours,
    and every 15 minutes in the last 20 hours; now is 2026-07-01 14:20 (a Wednesday)."""
    now = NOW
    moments = set()
    day = datetime(2025, 5, 1)
    while day < now:
        moments.update({day.replace(hour=3), day.replace(hour=15)})
        day += timedelta(days=1)
    moments.update(now - timedelta(hours=h) for h in range(1, 31))
    moments.update(now - timedelta(minutes=15 * q) for q in range(1, 81))
    moments = {m for m in moments if m < now}
    for m in moments:
        (tmp_path / backup.backup_name(m)).write_bytes(b"")
        (tmp_path / backup.backup_name(m)).with_suffix(".json").write_text("{}")
    strangers = ["notes.txt", "county.db", "nxcommand-2025-bad.db", "nxcommand-20250101-030000.db.bak",
                 "NXCOMMAND-20250501-030000.db", "damaged-nxcommand-20250601-030000.db"]
    for name in strangers:
        (tmp_path / name).write_text("keep me")

    removed = backup.thin(tmp_path, now)

    left = sorted(m for p in tmp_path.iterdir() if (m := backup.parse_name(p.name)))
    recent = sorted(m for m in moments if m >= now - timedelta(hours=24))[-48:]
    d = datetime
    assert recent[0] == d(2026, 7, 1, 2, 35)              # 47 quarter hours and today's 03:00
    daily = [d(2026, 6, 30, 23, 50), d(2026, 6, 29, 15), d(2026, 6, 28, 15), d(2026, 6, 27, 15), d(2026, 6, 26, 15),
             d(2026, 6, 25, 15), d(2026, 6, 24, 15)]
    weekly = [d(2026, 6, 21, 15), d(2026, 6, 14, 15), d(2026, 6, 7, 15), d(2026, 5, 31, 15),
              d(2026, 5, 24, 15)]
    monthly = [d(2026, 4, 30, 15), d(2026, 3, 31, 15), d(2026, 2, 28, 15), d(2026, 1, 31, 15),
               d(2025, 12, 31, 15), d(2025, 11, 30, 15), d(2025, 10, 31, 15), d(2025, 9, 30, 15),
               d(2025, 8, 31, 15), d(2025, 7, 31, 15), d(2025, 6, 30, 15), d(2025, 5, 31, 15)]
    # the recent window's overflow (01:00 back to yesterday 14:20) gives 6-30 its daily one;
    # 6-23 falls in a week and a month already represented
    assert left == sorted(recent + daily + weekly + monthly)
    assert len(removed) == len(moments) - len(left)
    assert all(not p.exists() and not p.with_suffix(".json").exists() for p in removed)
    for m in left:
        assert (tmp_path / backup.backup_name(m)).with_suffix(".json").exists()
    for name in strangers:
        assert (tmp_path / name).read_text() == "keep me"
    assert backup.thin(tmp_path, now) == []               # thinning again changes nothing


def test_thinning_never_removes_the_newest(tmp_path):
    nothing = {"recent_hours": 0, "recent_max": 0, "daily": 0, "weekly": 0, "monthly": 0}
    names = [backup.backup_name(datetime(2020, 1, d, 8)) for d in (1, 2, 3)]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    removed = backup.thin(tmp_path, NOW, keep=nothing)
    assert sorted(p.name for p in removed) == names[:2]
    assert [p.name for p in tmp_path.iterdir()] == [names[2]]
    assert backup.thin(tmp_path / "nowhere", NOW) == []


def test_thinning_removes_stale_partial_files_only(tmp_path):
    stale = tmp_path / ".nxcommand-partial-abc.db"
    fresh = tmp_path / ".nxcommand-partial-def.db"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    backup.thin(tmp_path, NOW)
    assert not stale.exists() and fresh.exists()


# ---------------------------------------------------------------------------- previews


def _damage(path):
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for offset in range(3 * page, len(data) - page, page * 5):
        data[offset:offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


def test_preview_and_newest_good_see_damage(full_demo_db, tmp_path, clock):
    folder = tmp_path / "bk"
    older = backup.make_backup(full_demo_db, folder, clock)
    clock.advance(hours=1)
    newer = backup.make_backup(full_demo_db, folder, clock)
    assert backup.newest_good(folder) == newer
    _damage(newer)
    info = backup.preview(newer)
    assert not info.ok and "校验值不符" in info.problem
    newer.with_suffix(".json").unlink()                   # without the sidecar: the real check
    info = backup.preview(newer)
    assert not info.ok and ("损坏" in info.problem or "完整性" in info.problem)
    assert [i.ok for i in backup.list_backups(folder)] == [False, True]
    assert backup.newest_good(folder) == older
    older.write_bytes(older.read_bytes()[:8192])          # truncated: size differs from sidecar
    assert not backup.list_backups(folder)[1].ok
    assert backup.newest_good(folder) is None
    assert backup.newest_good(tmp_path / "empty") is None


def test_preview_names_foreign_and_newer_files(tmp_path):
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.commit()
    conn.close()
    assert "不是 nxcommand" in backup.preview(foreign).problem
    text = tmp_path / "nxcommand-20260701-142000.db"
    text.write_text("值班" * 100, encoding="utf-8")
    assert "不是 SQLite" in backup.preview(text).problem
    assert "找不到" in backup.preview(tmp_path / "none.db").problem


# ---------------------------------------------------------------------------- restore


def _newer_schema(path):
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.commit()
    conn.close()


def test_restore_round_trip_backs_the_current_database_up_first(full_demo_db, full_demo_template,
                                                                   tmp_path, clock):
    target = tmp_path / "full.db"
    folder = tmp_path / "bk"
    made = backup.make_backup(full_demo_db, folder, clock)
    contacts.add(full_demo_db, contacts.ContactInput(name="恢复后应消失", org_id=1, mobile="13700001234"))
    after_backup = contacts.count(full_demo_db)
    full_demo_db.close()
    clock.advance(minutes=5)

    safety = restore.restore(made, target, clock)

    assert safety.name == "nxcommand-20260701-142500.db"
    assert backup.preview(safety).reason == "恢复前" and backup.preview(safety).counts["people"] == after_backup
    assert file_digest(target) == file_digest(made)
    assert not any(os.path.exists(f"{target}{s}") for s in ("-wal", "-shm", "-journal"))
    assert not list(tmp_path.glob(".nxcommand-partial-*"))
    for table in ("people", "events", "log_entries", "responses", "meta", "depot_stock"):
        assert _rows(target, table) == _rows(made, table)
    db = open_db(target)                                  # the console opens it as usual
    assert contacts.count(db) == after_backup - 1
    assert not db.execute("SELECT 1 FROM people WHERE name = '恢复后应消失'").fetchone()
    db.close()
    # and the safety copy brings the change back
    restore.restore(safety, target, clock)
    db = open_db(target)
    assert db.execute("SELECT 1 FROM people WHERE name = '恢复后应消失'").fetchone()
    db.close()


def test_restore_over_a_damaged_database_keeps_a_copy_of_it(full_demo_db, tmp_path, clock):
    target = tmp_path / "full.db"
    made = backup.make_backup(full_demo_db, tmp_path / "bk", clock)
    full_demo_db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    full_demo_db.close()
    _damage(target)
    damaged = file_digest(target)
    Path(f"{target}-wal").write_bytes(b"stale wal from the damaged file")
    kept = restore.restore(made, target, clock)
    assert kept.name == "damaged-nxcommand-20260701-142000.db" and file_digest(kept) == damaged
    assert Path(f"{kept}-wal").read_bytes() == b"stale wal from the damaged file"
    assert not Path(f"{target}-wal").exists()
    assert backup.parse_name(kept.name) is None           # thinning will never touch it
    assert file_digest(target) == file_digest(made)
    assert open_db(target).close() is None


def test_restore_into_a_new_place(full_demo_db, tmp_path, clock):
    made = backup.make_backup(full_demo_db, tmp_path / "bk", clock)
    assert restore.restore(made, tmp_path / "new.db", clock) is None
    assert file_digest(tmp_path / "new.db") == file_digest(made)


@pytest.mark.parametrize("spoil, message", [
    ("damaged", "校验值不符|损坏|完整性"),
    ("foreign", "不是 nxcommand"),
    ("newer", "更新版本"),
    ("text", "不是 SQLite"),
])
def test_restore_refuses_a_bad_backup_and_changes_nothing(full_demo_db, tmp_path, clock, spoil, message):
    target = tmp_path / "full.db"
    made = backup.make_backup(full_demo_db, tmp_path / "bk", clock)
    full_demo_db.close()
    if spoil == "damaged":
        _damage(made)
    elif spoil == "foreign":
        made.unlink()
        made.with_suffix(".json").unlink()
        conn = sqlite3.connect(made)
        conn.execute("CREATE TABLE bookmarks (url TEXT)")
        conn.commit()
        conn.close()
    elif spoil == "newer":
        made.with_suffix(".json").unlink()
        _newer_schema(made)
    else:
        made.write_text("这不是数据库", encoding="utf-8")
    files = sorted(p.name for p in tmp_path.rglob("*"))
    before = file_digest(target)
    with pytest.raises(StoreError, match=message):
        restore.restore(made, target, clock)
    assert file_digest(target) == before
    assert sorted(p.name for p in tmp_path.rglob("*")) == files   # no safety copy, no temp


@pytest.mark.parametrize("spoil, message", [("foreign", "不是 nxcommand"), ("newer", "更新版本")])
def test_restore_will_not_overwrite_a_foreign_or_newer_target(full_demo_db, tmp_path, clock,
                                                              spoil, message):
    made = backup.make_backup(full_demo_db, tmp_path / "bk", clock)
    full_demo_db.close()
    target = tmp_path / "target.db"
    if spoil == "foreign":
        conn = sqlite3.connect(target)
        conn.execute("CREATE TABLE bookmarks (url TEXT)")
        conn.commit()
        conn.close()
    else:
        shutil.copy(made, target)
        _newer_schema(target)
    before = file_digest(target)
    with pytest.raises(StoreError, match=message):
        restore.restore(made, target, clock)
    assert file_digest(target) == before


def test_restore_into_a_read_only_folder_is_refused(full_demo_db, full_demo_template, tmp_path, clock):
    made = backup.make_backup(full_demo_db, tmp_path / "bk", clock)
    full_demo_db.close()
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:
        with tmpfs(folder):
            shutil.copy(full_demo_template, folder / "full.db")
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
            before = file_digest(folder / "full.db")
            with pytest.raises(StoreError, match="只读"):
                restore.restore(made, folder / "full.db", clock)
            assert file_digest(folder / "full.db") == before
            assert sorted(p.name for p in folder.iterdir()) == ["full.db"]
    else:
        shutil.copy(full_demo_template, folder / "full.db")
        folder.chmod(0o555)
        try:
            before = file_digest(folder / "full.db")
            with pytest.raises(StoreError, match="只读"):
                restore.restore(made, folder / "full.db", clock)
            assert file_digest(folder / "full.db") == before
        finally:
            folder.chmod(0o755)
    assert len(backup.list_backups(tmp_path / "bk")) == 1      # no safety copy was made


HOLDER = """
import sqlite3, sys, time
sys.path.insert(0, {root!r})
from nxcommand.store import open_db
db = open_db({path!r})
db.execute("SELECT count(*) FROM people").fetchone()
if {exclusive}:
    db.conn.execute("PRAGMA journal_mode = DELETE")
    db.conn.isolation_level = None
    db.conn.execute("BEGIN EXCLUSIVE")
print("holding", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("exclusive", [False, True], ids=["console-open", "exclusive-lock"])
def test_restore_while_another_process_holds_the_database_is_refused(full_demo_db, tmp_path, clock,
                                                                      exclusive):
    target = tmp_path / "full.db"
    made = backup.make_backup(full_demo_db, tmp_path / "bk", clock)
    full_demo_db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    full_demo_db.close()
    root = str(Path(__file__).resolve().parent.parent)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER.format(root=root, path=str(target),
                                                                    exclusive=exclusive)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        before = file_digest(target)
        with pytest.raises(StoreError, match="占用|其他程序使用|锁定"):
            restore.restore(made, target, clock)
        assert file_digest(target) == before
        assert not list(tmp_path.glob(".nxcommand-partial-*"))
    finally:
        holder.kill()
        holder.wait()
    restore.restore(made, target, clock)                   # once it is closed, it works
    assert file_digest(target) == file_digest(made)


# ---------------------------------------------------------------------------- the setting


def test_backup_folder_setting_defaults_beside_the_database_and_is_validated(demo_db, demo_path, tmp_path):
    assert backup.backup_folder(demo_db) == demo_path.parent / "backups"
    chosen = tmp_path / "U盘" / "值班备份"
    assert backup.set_backup_folder(demo_db, chosen) == chosen and chosen.is_dir()
    assert backup.backup_folder(demo_db) == chosen and org.meta(demo_db, "backup_dir") == str(chosen)
    (tmp_path / "plain").write_text("x")
    for bad, message in [("", "请填写"), ("backups", "完整路径"), ("/tmp/a\x07b", "请填写"),
                         (tmp_path / "plain", "不是文件夹"), (tmp_path / "plain" / "sub", "无法创建")]:
        with pytest.raises(StoreError, match=message):
            backup.set_backup_folder(demo_db, bad)
        assert backup.backup_folder(demo_db) == chosen
    with tmpfs(tmp_path / "ro", read_only=True) as folder:
        with pytest.raises(StoreError, match="无法写入"):
            backup.set_backup_folder(demo_db, folder)
    assert backup.backup_folder(demo_db) == chosen


def test_keep_rules_are_documented_numbers():
    assert backup.KEEP == {"recent_hours": 24, "recent_max": 48, "daily": 7, "weekly": 5, "monthly": 12}
    assert isinstance(backup.preview.__doc__, str) and BackupInfo.__name__ == "BackupInfo"


# ---------------------------------------------------------------------------- the command line


def test_cli_backup_list_and_restore(demo_path, tmp_path):
    folder = tmp_path / "bk"
    result = nx("backup", "--db", demo_path, "--to", folder)
    assert result.returncode == 0, result.stderr
    assert "已备份" in result.stdout and "联系人 252" in result.stdout and "保留 1 份" in result.stdout
    made = backup.list_backups(folder)[0]
    assert made.ok and made.reason == "手动"
    listing = nx("backup", "--list", "--db", demo_path, "--to", folder)
    assert listing.returncode == 0 and made.path.name in listing.stdout and "共 1 份" in listing.stdout

    db = open_db(demo_path)
    contacts.add(db, contacts.ContactInput(name="命令行新增", org_id=1, mobile="13700004321"))
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = file_digest(demo_path)
    refused = nx("restore", made.path, "--db", demo_path)            # no terminal, no --yes
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert "联系人 252" in refused.stdout and "联系人 253" in refused.stdout   # backup vs current
    assert file_digest(demo_path) == before

    done = nx("restore", made.path, "--db", demo_path, "--yes")
    assert done.returncode == 0, done.stderr
    assert "已恢复" in done.stdout and "恢复前的数据库已保存为" in done.stdout
    assert file_digest(demo_path) == file_digest(made.path)
    assert [i.reason for i in backup.list_backups(folder)] in (["恢复前", "手动"],)


def test_cli_backup_uses_the_folder_setting_and_thins(demo_path, tmp_path):
    folder = tmp_path / "设置的文件夹"
    db = open_db(demo_path)
    backup.set_backup_folder(db, folder)
    db.close()
    # nine days of 2020: today's backup is a recent one, the seven newest of those days stay
    # as daily ones, 1/1 and 1/2 share an ISO week (and the month) with kept ones and go
    for day in range(1, 10):
        (folder / f"nxcommand-202001{day:02d}-080000.db").write_bytes(b"")
    result = nx("backup", "--db", demo_path)
    assert result.returncode == 0, result.stderr
    assert str(folder) in result.stdout and "删除 2 份" in result.stdout
    gone = [f"nxcommand-202001{day:02d}-080000.db" for day in (1, 2)]
    assert all(f"已删除：{name}" in result.stdout for name in gone)
    assert sorted(p.name for p in folder.glob("nxcommand-2020*")) == [
        f"nxcommand-202001{day:02d}-080000.db" for day in range(3, 10)]


def test_cli_refusals(demo_path, tmp_path):
    bad = tmp_path / "nxcommand-20260701-142000.db"
    bad.write_text("不是数据库", encoding="utf-8")
    before = file_digest(demo_path)
    result = nx("restore", bad, "--db", demo_path, "--yes")
    assert result.returncode == 1 and "不能用于恢复" in result.stderr and "不是 SQLite" in result.stderr
    assert file_digest(demo_path) == before
    result = nx("backup", "--db", tmp_path / "none.db")
    assert result.returncode == 1 and "找不到数据库文件" in result.stderr
    (tmp_path / "plain").write_text("x")
    result = nx("backup", "--db", demo_path, "--to", tmp_path / "plain")
    assert result.returncode == 1 and "不是文件夹" in result.stderr
    result = nx("restore", "--db", demo_path)
    assert result.returncode == 2 and "缺少必需的参数" in result.stderr


def test_preview_runs_the_full_integrity_check(full_demo_db, tmp_path, clock):
    """An index that no longer matches its table reads fine and counts fine: only the
    integrity check sees it, and the backup is refused."""
    made = backup.make_backup(full_demo_db, tmp_path / "bk", clock)
    made.with_suffix(".json").unlink()
    conn = sqlite3.connect(made)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX admin_units_parent ON admin_units(name)' "
                 "WHERE name = 'admin_units_parent'")
    conn.commit()
    conn.close()
    info = backup.preview(made)
    assert not info.ok and "完整性检查未通过" in info.problem
    before = file_digest(tmp_path / "full.db")
    full_demo_db.close()
    with pytest.raises(StoreError, match="完整性"):
        restore.restore(made, tmp_path / "full.db", clock)
    assert file_digest(tmp_path / "full.db") == before


@pytest.mark.parametrize("answer, code", [("n", 1), ("y", 0)])
def test_cli_restore_asks_on_a_terminal(demo_path, tmp_path, answer, code):
    made = backup.make_backup(demo_path, tmp_path / "bk", FixedClock(NOW))
    db = open_db(demo_path)
    contacts.add(db, contacts.ContactInput(name="终端确认", org_id=1, mobile="13700005678"))
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = file_digest(demo_path)
    main, child = os.openpty()                            # stdin is a terminal
    try:
        os.write(main, f"{answer}\n".encode())             # typed ahead; the terminal holds it
        run = subprocess.run([sys.executable, "-m", "nxcommand", "restore", str(made),
                              "--db", str(demo_path)],
                             stdin=child, capture_output=True, text=True, timeout=60)
    finally:
        os.close(child)
        os.close(main)
    assert run.returncode == code, run.stderr
    if answer == "n":
        assert "已取消" in run.stdout and file_digest(demo_path) == before
    else:
        assert "已恢复" in run.stdout and file_digest(demo_path) == file_digest(made)
