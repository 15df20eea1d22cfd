"""Automatic backups (core): the schedule in meta, when one is due, run = backup + thinning,
the memory kept outside the database, and finding the newest good backup of a damaged file."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest

from nxcommand import backup, backup_schedule, contacts, org, session
from nxcommand.backup_schedule import Checked, Made
from nxcommand.clock import FixedClock
from nxcommand.errors import ValidationError
from nxcommand.permissions import PermissionDenied
from nxcommand.store import StoreError, open_db

from .conftest import NOW


def _add_contact(db, name="备份测试人"):
    org_id = org.organizations(db)[0]["id"]
    return contacts.add(db, contacts.ContactInput(name=name, org_id=org_id, mobile="13900001234"))


# ---------------------------------------------------------------------------- settings


def test_schedule_defaults_and_validated_changes(demo_db):
    assert backup_schedule.schedule(demo_db) == backup_schedule.Schedule(30, dict(backup.KEEP))
    changed = backup_schedule.set_schedule(demo_db, 15, {"daily": 10, "monthly": "24"})
    assert changed.interval_min == 15 and changed.keep["daily"] == 10 and changed.keep["monthly"] == 24
    assert backup_schedule.schedule(demo_db) == changed
    for interval, message in ((2, "应在 5 到 1440 之间"), ("半小时", "应为 5 到 1440 之间的整数"),
                              (True, "整数"), (1441, "这里是 1441")):
        with pytest.raises(ValidationError, match=message) as caught:
            backup_schedule.set_schedule(demo_db, interval, {"daily": 3})
        assert caught.value.field == "自动备份间隔（分钟）"
    with pytest.raises(ValidationError, match="按周保留的周数应在 0 到 260 之间"):
        backup_schedule.set_schedule(demo_db, 20, {"weekly": 999})
    with pytest.raises(ValidationError, match="未知的备份保留设置"):
        backup_schedule.set_schedule(demo_db, keep={"yearly": 3})
    assert backup_schedule.schedule(demo_db) == changed          # all or nothing


def test_garbage_in_meta_falls_back_to_defaults(demo_db):
    org.set_meta(demo_db, backup_schedule.INTERVAL_KEY, "x")
    org.set_meta(demo_db, backup_schedule.KEEP_KEY + "daily", "-4")
    plan = backup_schedule.schedule(demo_db)
    assert plan.interval_min == 30 and plan.keep["daily"] == backup.KEEP["daily"]


def test_settings_and_folder_need_the_backup_role(demo_db, tmp_path):
    officer = session.Actor("zhang", "张三", frozenset({"值班员"}))
    with session.acting(demo_db, officer):
        with pytest.raises(PermissionDenied, match="无权备份恢复"):
            backup_schedule.set_schedule(demo_db, 10)
        with pytest.raises(PermissionDenied, match="无权备份恢复"):
            backup_schedule.set_folder(demo_db, tmp_path / "u盘")
        with pytest.raises(PermissionDenied):
            backup_schedule.plan_restore(demo_db, tmp_path / "x.db")
    assert backup_schedule.schedule(demo_db).interval_min == 30
    assert not (tmp_path / "u盘").exists()


# ---------------------------------------------------------------------------- due


def test_due_needs_the_interval_and_a_change(demo_db):
    head = backup_schedule.head(demo_db)
    assert head is not None and head[0] > 0
    last = NOW - timedelta(minutes=10)
    assert not backup_schedule.due(demo_db, NOW, last, head)                       # too soon
    assert not backup_schedule.due(demo_db, NOW + timedelta(minutes=30), last, head)  # unchanged
    assert backup_schedule.due(demo_db, NOW, None, None)       # never backed up: due
    _add_contact(demo_db)
    assert not backup_schedule.due(demo_db, NOW, last, head)   # changed, but too soon
    assert backup_schedule.due(demo_db, NOW + timedelta(minutes=20), last, head)
    backup_schedule.set_schedule(demo_db, 60)
    assert not backup_schedule.due(demo_db, NOW + timedelta(minutes=20), last, head)
    assert backup_schedule.due(demo_db, NOW + timedelta(minutes=50), last, head)


def test_check_and_run_backs_up_only_a_changed_database(demo_path, tmp_path, clock):
    folder = tmp_path / "备份"
    db = open_db(demo_path)
    backup_schedule.set_folder(db, folder)
    first = backup_schedule.check_and_run(db, clock, None, None)
    assert isinstance(first, Made) and first.info.reason == "自动" and first.info.ok
    assert first.info.path.parent == folder and first.head == backup_schedule.head(db)
    clock.advance(minutes=45)
    quiet = backup_schedule.check_and_run(db, clock, first.info.taken_at, first.head)
    assert isinstance(quiet, Checked) and quiet.interval_min == 30
    _add_contact(db)
    soon = backup_schedule.check_and_run(db, FixedClock(NOW + timedelta(minutes=5)),
                                         first.info.taken_at, first.head)
    assert isinstance(soon, Checked)
    second = backup_schedule.check_and_run(db, clock, first.info.taken_at, first.head)
    assert isinstance(second, Made) and second.info.counts["people"] == first.info.counts["people"] + 1
    forced = backup_schedule.check_and_run(db, clock, second.info.taken_at, second.head,
                                           force=True, reason="手动")
    assert isinstance(forced, Made) and forced.info.reason == "手动"
    db.close()
    assert len(backup.list_backups(folder)) == 3


def test_run_thins_with_the_settings_keep_counts(demo_db, tmp_path, clock):
    folder = tmp_path / "bk"
    backup_schedule.set_folder(demo_db, folder)
    backup_schedule.set_schedule(demo_db, keep={"recent_hours": 1, "recent_max": 2, "daily": 0,
                                               "weekly": 0, "monthly": 0})
    made = [backup_schedule.run(demo_db, clock) for _ in range(3)]
    assert [m.removed for m in made] == [[], [], [made[0].info.path]]
    clock.advance(hours=5)
    last = backup_schedule.run(demo_db, clock)
    assert sorted(last.removed) == sorted([made[1].info.path, made[2].info.path])
    assert [i.path for i in backup.list_backups(folder)] == [last.info.path]


def test_a_pulled_usb_folder_is_refused_not_recreated(demo_db, tmp_path, clock):
    usb = tmp_path / "media" / "U盘"
    backup_schedule.set_folder(demo_db, usb / "值班备份")
    shutil.rmtree(usb)                                   # the disk is unplugged
    with pytest.raises(StoreError, match="找不到备份文件夹.*U 盘或移动硬盘可能已拔出"):
        backup_schedule.run(demo_db, clock)
    assert not usb.exists()
    (usb / "值班备份").mkdir(parents=True)              # plugged in again
    assert backup_schedule.run(demo_db, clock).info.ok


def test_the_default_folder_is_created_when_needed(demo_db, demo_path, clock):
    made = backup_schedule.run(demo_db, clock)
    assert made.info.path.parent == demo_path.parent / "backups"


def test_run_from_a_path_opens_read_only(demo_path, clock):
    made = backup_schedule.run(demo_path, clock, reason="手动")
    assert made.info.ok and made.info.reason == "手动"


# ---------------------------------------------------------------------------- memory outside


def test_folder_and_last_backup_are_remembered_beside_the_database(demo_db, demo_path, tmp_path,
                                                                   clock):
    memory = demo_path.with_name("demo.db-backup.json")
    folder = tmp_path / "共享" / "备份"
    backup_schedule.set_folder(demo_db, folder)
    assert json.loads(memory.read_text(encoding="utf-8")) == {"folder": str(folder)}
    made = backup_schedule.run(demo_db, clock)
    assert backup_schedule.recall(demo_path) == {
        "folder": folder, "last_backup_at": NOW, "head": made.head}
    memory.write_text("{broken", encoding="utf-8")
    assert backup_schedule.recall(demo_path) == {}
    backup_schedule.run(demo_db, clock)                 # rewritten whole
    assert backup_schedule.recall(demo_path)["folder"] == folder


def test_a_later_remembered_backup_counts_for_due(demo_db, clock):
    manual = backup_schedule.run(demo_db, clock, reason="手动")   # e.g. 立即备份
    clock.advance(minutes=40)
    outcome = backup_schedule.check_and_run(demo_db, clock, None, None)
    assert isinstance(outcome, Checked)                  # nothing changed since the manual one
    assert manual.info.ok


def _damage(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2: len(data) // 2 + 8192] = b"\x00" * 8192
    path.write_bytes(bytes(data))


def test_newest_good_for_a_damaged_database_looks_where_it_was_remembered(demo_path, tmp_path, clock):
    usb = tmp_path / "usb"
    db = open_db(demo_path)
    backup_schedule.set_folder(db, usb)
    older = backup_schedule.run(db, clock)
    clock.advance(hours=1)
    _add_contact(db)
    newer = backup_schedule.run(db, clock)
    clock.advance(hours=1)
    spoiled = backup_schedule.run(db, clock)
    db.close()
    _damage(spoiled.info.path)                 # the newest backup is damaged too
    _damage(demo_path)
    with pytest.raises(StoreError) as caught:
        open_db(demo_path)
    assert backup_schedule.is_damaged(caught.value)
    assert usb in backup_schedule.folders_for(demo_path)
    found = backup_schedule.newest_good_for(demo_path)
    assert found is not None and found.path == newer.info.path and found.ok
    assert found.counts["people"] == older.info.counts["people"] + 1
    # without the memory file, the damaged file's own setting is read if its page survived
    backup_schedule.memory_file(demo_path).unlink()
    assert backup_schedule.folders_for(demo_path) == [usb, demo_path.parent / "backups"]
    assert backup_schedule.newest_good_for(demo_path).path == newer.info.path
    shutil.copy(demo_path, tmp_path / "elsewhere.db")    # neither memory nor a readable setting:
    (tmp_path / "elsewhere.db").write_bytes(b"\0" * 4096)  # only the default folder is looked in
    assert backup_schedule.folders_for(tmp_path / "elsewhere.db") == [tmp_path / "backups"]
    assert backup_schedule.newest_good_for(tmp_path / "elsewhere.db") is None


@pytest.mark.parametrize("message, damaged", [
    ("数据库文件已损坏：/x.db", True), ("该文件不是 SQLite 数据库：/x.db", True),
    ("数据库文件不完整（可能被截断或复制中断）：/x.db", True),
    ("数据库正被其他程序占用（已锁定），请稍后重试或关闭占用它的程序：/x.db", False),
    ("数据库文件或其所在文件夹为只读，无法写入：/x.db", False),
    ("这是一个 SQLite 数据库，但不是 nxcommand 的数据库：/x.db", False),
    ("找不到数据库文件：/x.db", False),
])
def test_only_damage_offers_a_backup(message, damaged):
    assert backup_schedule.is_damaged(StoreError(message)) is damaged


# ---------------------------------------------------------------------------- previews


def test_contents_and_restore_plan(full_demo_db, tmp_path, clock):
    made = backup_schedule.run(full_demo_db, clock)
    held = backup_schedule.backup_contents(made.info.path)
    assert held.counts == made.info.counts and held.counts["log_entries"] > 0
    assert held.newest_entry_at is not None and held.newest_entry
    assert held.text().startswith("事件 ")
    _add_contact(full_demo_db)
    plan = backup_schedule.plan_restore(full_demo_db, made.info.path)
    assert plan.current.counts["people"] == held.counts["people"] + 1
    assert plan.folder == made.info.path.parent and plan.backup.ok
    _damage(made.info.path)
    with pytest.raises(StoreError, match="该备份不能用于恢复"):
        backup_schedule.plan_restore(full_demo_db, made.info.path)
