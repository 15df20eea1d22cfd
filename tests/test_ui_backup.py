"""Backups in the console, driven offscreen: the automatic backup worker, the 备份与恢复 panel,
restoring while the console runs, and a damaged database at start."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import zlib

import pytest
from PySide6.QtCore import Qt

from nxcommand import backup, backup_schedule, contacts, org
from nxcommand.clock import FixedClock
from nxcommand.store import StoreError, db_path, open_db
from ui import recovery
from ui.app import make_app
from ui import backup_panel
from ui.backup_panel import BackupPanel
from ui.backup_worker import AutoBackup

from .conftest import NOW
from .test_backup import tmpfs


@pytest.fixture
def app(qapp):
    return make_app()


def _add_contact(db, name):
    org_id = org.organizations(db)[0]["id"]
    mobile = f"139{zlib.crc32(name.encode()) % 10**8:08d}"
    return contacts.add(db, contacts.ContactInput(name=name, org_id=org_id, mobile=mobile))


def _names(path):
    db = open_db(path, readonly=True)
    try:
        return {r["name"] for r in db.query("SELECT name FROM people")}
    finally:
        db.close()


def _damage(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2: len(data) // 2 + 8192] = b"\x00" * 8192
    path.write_bytes(bytes(data))


# ---------------------------------------------------------------------------- automatic backups


def test_automatic_backup_runs_off_the_gui_thread_and_only_when_due(app, qtbot, demo_path,
                                                                    monkeypatch):
    threads = []
    real = backup.make_backup

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(backup, "make_backup", spy)
    clock = FixedClock(NOW)
    auto = AutoBackup(demo_path, clock=clock, tick_ms=60_000)
    label = auto.status_label()
    assert label.text() == "最近备份：尚无"
    with qtbot.waitSignal(auto.made, timeout=20_000) as made:
        auto.start()
    first = made.args[0].info
    assert first.path.parent == demo_path.parent / "backups" and first.path.exists()
    assert first.reason == "自动" and first.ok
    assert threads and threads[0] is not threading.main_thread()
    assert label.text() == "已自动备份 14:20" and str(first.path) in label.toolTip()
    assert backup_schedule.recall(demo_path)["last_backup_at"] == NOW

    clock.advance(minutes=10)
    assert auto.tick() is False                           # the interval has not passed
    clock.advance(minutes=25)
    with qtbot.waitSignal(auto.runner.checked, timeout=20_000):
        assert auto.tick() is True                        # passed, but nothing changed
    assert len(backup.list_backups(first.path.parent)) == 1
    db = open_db(demo_path)
    _add_contact(db, "新来的联系人")
    db.close()
    assert auto.tick() is False                           # looks again a few minutes later
    clock.advance(minutes=backup_schedule.RECHECK_MIN)
    with qtbot.waitSignal(auto.made, timeout=20_000) as again:
        assert auto.tick() is True
    assert again.args[0].info.counts["people"] == first.counts["people"] + 1
    assert len(backup.list_backups(first.path.parent)) == 2
    auto.stop()
    assert not auto.active


def test_a_pulled_usb_disk_shows_in_the_status_bar_and_is_retried(app, qtbot, demo_path, tmp_path):
    usb = tmp_path / "media" / "U盘"
    db = open_db(demo_path)
    backup_schedule.set_folder(db, usb / "值班备份")
    db.close()
    shutil.rmtree(usb)
    clock = FixedClock(NOW)
    auto = AutoBackup(demo_path, clock=clock)
    label = auto.status_label()
    with qtbot.waitSignal(auto.reported, timeout=20_000) as reported:
        auto.start()
    text, ok = reported.args
    assert not ok and "找不到备份文件夹" in text and "U 盘" in text and "5 分钟后重试" in text
    assert label.text() == "自动备份失败" and "U 盘" in label.toolTip()
    assert not usb.exists()                               # not recreated on the local disk
    clock.advance(minutes=2)
    assert auto.tick() is False
    (usb / "值班备份").mkdir(parents=True)                # plugged in again
    clock.advance(minutes=3)
    with qtbot.waitSignal(auto.made, timeout=20_000):
        assert auto.tick() is True
    assert label.text() == "已自动备份 14:25"
    assert len(backup.list_backups(usb / "值班备份")) == 1
    auto.stop()


@pytest.mark.parametrize("fault, message", [("read_only", "只读或没有权限"), ("full", "磁盘已满")])
def test_a_read_only_or_full_backup_folder_is_a_status_message(app, qtbot, demo_path, tmp_path,
                                                               fault, message):
    with tmpfs(tmp_path / "share", size="256k", read_only=fault == "read_only") as folder:
        db = open_db(demo_path)
        org.set_meta(db, backup.BACKUP_DIR_KEY, str(folder))    # as if set while it was writable
        db.close()
        auto = AutoBackup(demo_path, clock=FixedClock(NOW))
        with qtbot.waitSignal(auto.reported, timeout=20_000) as reported:
            auto.start()
        auto.stop()
        assert reported.args[1] is False and message in reported.args[0]
        assert [p.name for p in folder.iterdir()] == []


# ---------------------------------------------------------------------------- the panel


def test_panel_lists_backups_and_previews_what_one_holds(app, qtbot, full_demo_db, tmp_path, clock):
    folder = tmp_path / "备份"
    backup_schedule.set_folder(full_demo_db, folder)
    made = backup_schedule.run(full_demo_db, clock)
    clock.advance(hours=1)
    spoiled = backup_schedule.run(full_demo_db, clock, reason="手动")
    _damage(spoiled.info.path)
    panel = BackupPanel(full_demo_db, clock)
    qtbot.addWidget(panel)
    assert panel.folder.text() == str(folder)
    assert panel.model.rowCount() == 2
    qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)   # every file checked in a thread
    rows = [[panel.model.index(r, c).data() for c in range(5)] for r in range(2)]
    assert rows[1] == ["2026-07-01 14:20:00", "自动（定时）", backup_panel.size_text(made.info.size),
                       str(made.info.version), "完好"]
    assert rows[0][1] == "手动" and rows[0][4] == "已损坏"      # same size: only the full check sees it
    assert "校验值不符" in panel.model.index(0, 4).data(Qt.ItemDataRole.ToolTipRole)
    panel.view.selectRow(0)
    assert "已损坏" in panel.preview.text() and not panel.restore_button.isEnabled()
    panel.view.selectRow(1)
    counts = made.info.counts
    text = panel.preview.text()
    assert f"值班日志：{counts['log_entries']} 条" in text and f"联系人：{counts['people']} 人" in text
    assert f"事件：{counts['events']} 起" in text and f"应急响应：{counts['responses']} 次" in text
    assert "最新值班日志：20" in text and "完好" in text
    assert panel.restore_button.isEnabled()


def test_panel_changes_the_folder_and_the_schedule(app, qtbot, demo_db, tmp_path, monkeypatch):
    panel = BackupPanel(demo_db)
    qtbot.addWidget(panel)
    assert panel.interval.value() == 30
    monkeypatch.setattr(panel, "folder_dialog", lambda: str(tmp_path / "移动硬盘"))
    panel.choose_folder()
    assert panel.folder.text() == str(tmp_path / "移动硬盘")
    assert backup.backup_folder(demo_db) == tmp_path / "移动硬盘"
    assert backup_schedule.recall(db_path(demo_db))["folder"] == tmp_path / "移动硬盘"
    (tmp_path / "a-file").write_text("x")
    assert panel.set_folder(tmp_path / "a-file") is False
    assert "不是文件夹" in panel.message.text() and not panel.message.isHidden()
    assert backup.backup_folder(demo_db) == tmp_path / "移动硬盘"
    panel.interval.setValue(15)
    panel.keep["daily"].setValue(14)
    assert panel.store_settings()
    plan = backup_schedule.schedule(demo_db)
    assert plan.interval_min == 15 and plan.keep["daily"] == 14


def test_panel_backup_now_runs_in_the_worker(app, qtbot, demo_db, tmp_path, clock):
    panel = BackupPanel(demo_db, clock)
    qtbot.addWidget(panel)
    assert panel.model.rowCount() == 0 and not panel.restore_button.isEnabled()
    with qtbot.waitSignal(panel.runner.made, timeout=20_000):
        assert panel.start_backup()
    assert panel.model.rowCount() == 1
    assert panel.model.index(0, 1).data() == "手动"
    assert "已备份：nxcommand-20260701-142000.db" in panel.message.text()
    assert panel.backup_now.isEnabled()


def test_a_non_administrator_sees_the_panel_but_cannot_change_or_restore(app, qtbot, demo_db, clock):
    from nxcommand import session

    backup_schedule.run(demo_db, clock)
    session.sign_in(demo_db, session.Actor("zhang", "张三", frozenset({"值班员"})))
    panel = BackupPanel(demo_db, clock)
    qtbot.addWidget(panel)
    assert not panel.change_folder.isEnabled() and not panel.save_settings.isEnabled()
    assert not panel.restore_button.isEnabled()
    assert panel.request_restore() is False and "无权备份恢复" in panel.message.text()


# ---------------------------------------------------------------------------- restore


def test_restore_from_the_panel_brings_back_the_backup(app, qtbot, full_demo_db, tmp_path, clock,
                                                       monkeypatch):
    path = db_path(full_demo_db)
    made = backup_schedule.run(full_demo_db, clock)
    _add_contact(full_demo_db, "恢复后应消失")
    panel = BackupPanel(full_demo_db, clock)
    qtbot.addWidget(panel)
    asked = []
    monkeypatch.setattr(panel, "confirm", lambda title, text: asked.append(text) or True)
    told = []
    monkeypatch.setattr(recovery, "tell", lambda parent, title, text, problem=False:
                        told.append((title, text, problem)))

    class Window:                       # what the main window does on request_restart
        db = full_demo_db
        restarted = []

        def request_restart(self, action):
            self.db.close()
            self.restarted.append(action())

    recovery.connect_restore(panel, Window(), clock)
    with qtbot.waitSignal(panel.restore_requested) as requested:
        assert panel.request_restore()
    assert requested.args == [made.info.path]
    people = made.info.counts["people"]
    assert f"联系人 {people}" in asked[0] and f"联系人 {people + 1}" in asked[0]
    assert "恢复前" in asked[0] and "重新登录" in asked[0]
    assert Window.restarted == [True]
    assert told[0][0] == "已恢复" and not told[0][2]
    assert "恢复后应消失" not in _names(path)
    safety = [i for i in backup.list_backups(made.info.path.parent) if i.reason == "恢复前"]
    assert len(safety) == 1 and "恢复前的数据库已保存为" in told[0][1]
    assert "恢复后应消失" in _names(safety[0].path)


def test_a_cancelled_restore_changes_nothing(app, qtbot, demo_db, clock, monkeypatch):
    backup_schedule.run(demo_db, clock)
    panel = BackupPanel(demo_db, clock)
    qtbot.addWidget(panel)
    monkeypatch.setattr(panel, "confirm", lambda title, text: False)
    with qtbot.assertNotEmitted(panel.restore_requested):
        assert panel.request_restore() is False


def test_restore_in_console_refuses_while_the_database_is_still_open(app, demo_db, clock,
                                                                     monkeypatch):
    made = backup_schedule.run(demo_db, clock)
    _add_contact(demo_db, "仍在")
    told = []
    monkeypatch.setattr(recovery, "tell", lambda parent, title, text, problem=False:
                        told.append((title, text, problem)))
    assert recovery.restore_in_console(None, db_path(demo_db), made.info.path, clock) is False
    assert told[0][0] == "恢复未完成" and "正被其他程序使用" in told[0][1] and told[0][2]
    assert "当前数据库未做任何改动" in told[0][1]
    assert "仍在" in {r["name"] for r in demo_db.query("SELECT name FROM people")}


# ---------------------------------------------------------------------------- damaged at start


@pytest.fixture
def answers(monkeypatch):
    record = {"asked": [], "told": [], "answer": True}

    def ask(parent, title, text):
        record["asked"].append(text)
        return record["answer"]

    monkeypatch.setattr(recovery, "ask", ask)
    monkeypatch.setattr(recovery, "tell", lambda parent, title, text, problem=False:
                        record["told"].append((title, text, problem)))
    return record


def _damaged_with_backups(demo_path, tmp_path, clock):
    usb = tmp_path / "usb"
    db = open_db(demo_path)
    backup_schedule.set_folder(db, usb)
    backup_schedule.run(db, clock)
    clock.advance(hours=1)
    _add_contact(db, "在最新备份里")
    newest = backup_schedule.run(db, clock)
    clock.advance(hours=1)
    _add_contact(db, "备份之后录入")
    db.close()
    _damage(demo_path)
    return usb, newest


def test_a_damaged_database_at_start_offers_and_restores_the_newest_good_backup(
        app, demo_path, tmp_path, clock, answers):
    usb, newest = _damaged_with_backups(demo_path, tmp_path, clock)
    db = recovery.open_or_recover(demo_path, False, clock=clock)
    assert db is not None
    names = {r["name"] for r in db.query("SELECT name FROM people")}
    db.close()
    assert "在最新备份里" in names and "备份之后录入" not in names
    offer = answers["asked"][0]
    assert offer.startswith("数据库文件已损坏") and "是否从最新的完好备份恢复" in offer
    assert "备份时间 2026-07-01 15:20" in offer and f"联系人 {newest.info.counts['people']}" in offer
    assert "值班日志" in offer
    kept = list(usb.glob("damaged-nxcommand-*.db"))
    assert len(kept) == 1
    assert answers["told"][-1][0] == "已从备份恢复" and str(kept[0]) in answers["told"][-1][1]


def test_an_emptied_default_database_with_backups_is_damaged_not_new(app, demo_path, tmp_path, clock,
                                                                       answers):
    """A default database cut to 0 bytes by a failing disk is not a first start: when backups
    of it exist the console offers the newest rather than filling in the demo county."""
    _damaged_with_backups(demo_path, tmp_path, clock)
    demo_path.write_bytes(b"")
    db = recovery.open_or_recover(demo_path, True, clock=clock)
    assert db is not None
    names = {r["name"] for r in db.query("SELECT name FROM people")}
    db.close()
    assert answers["asked"] and "在最新备份里" in names


def test_declining_the_offer_leaves_the_damaged_file_and_says_why(app, demo_path, tmp_path, clock,
                                                                  answers):
    _damaged_with_backups(demo_path, tmp_path, clock)
    before = demo_path.read_bytes()
    answers["answer"] = False
    assert recovery.open_or_recover(demo_path, False, clock=clock) is None
    assert demo_path.read_bytes() == before
    title, text, problem = answers["told"][-1]
    assert title == "无法打开数据库" and "已损坏" in text and problem


def test_a_damaged_database_without_a_good_backup_just_says_so(app, demo_path, clock, answers):
    _damage(demo_path)
    assert recovery.open_or_recover(demo_path, False, clock=clock) is None
    assert answers["asked"] == []
    assert "没有找到完好的备份" in answers["told"][0][1]


def test_a_file_that_is_not_damaged_but_not_ours_is_only_a_message(app, tmp_path, clock, answers):
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert recovery.open_or_recover(foreign, False, clock=clock) is None
    assert answers["asked"] == []
    assert answers["told"] == [("无法打开数据库",
                                f"这是一个 SQLite 数据库，但不是 nxcommand 的数据库：{foreign}", True)]


def test_a_sound_database_opens_without_a_question(app, demo_path, clock, answers):
    db = recovery.open_or_recover(demo_path, False, clock=clock)
    assert db is not None and answers["asked"] == answers["told"] == []
    db.close()
    with pytest.raises(StoreError):
        open_db(demo_path.with_name("missing.db"))
