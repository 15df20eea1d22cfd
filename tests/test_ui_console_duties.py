"""The console's own duties while it runs, wired into the main window: the administrator's
备份与恢复 and 个人信息 pages, the automatic-backup status, and the scheduled purge of
personal data whose retention has passed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QSettings

from nxcommand import personal, session
from nxcommand.clock import FixedClock
from ui.app import make_app
from ui.main_window import MainWindow

from .conftest import NOW

OFFICER = session.Actor("duty", "值班员甲", frozenset({"值班员"}), account_id=9)


@pytest.fixture
def app():
    return make_app()


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _window(qtbot, db, settings, clock):
    win = MainWindow(db, settings, clock)
    qtbot.addWidget(win)
    return win


def test_admin_pages_for_backups_and_personal_data(app, qtbot, full_demo_db, settings, clock):
    win = _window(qtbot, full_demo_db, settings, clock)
    tabs = win.admin.tabs
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    assert titles[-2:] == ["备份与恢复", "个人信息"]
    assert win.backup_panel is None                      # built only when first shown
    win.show()
    win.rail.setCurrentRow(win.stack.indexOf(win.admin))
    win.admin.show_tab("备份与恢复")
    assert win.backup_panel is not None and win.backup_panel.isVisible()
    assert win.statusBar().findChild(type(win.autobackup.status_label()), "statusBackup") is not None
    win.close()


def test_no_admin_pages_for_an_officer(app, qtbot, full_demo_db, settings, clock):
    with session.acting(full_demo_db, OFFICER):
        win = _window(qtbot, full_demo_db, settings, clock)
        assert win.admin is None and win.backup_panel is None


def test_the_scheduled_purge_runs_when_retention_has_passed(app, qtbot, full_demo_db, settings):
    ended = [r for r in full_demo_db.execute(
        "SELECT DISTINCT p.response_id FROM response_people p JOIN responses r ON r.id = p.response_id "
        "WHERE r.ended_at IS NOT NULL").fetchall()]
    assert ended, "the demo has an ended response with a name list"
    with session.acting(full_demo_db, OFFICER):          # an officer is signed in at the desk
        early = _window(qtbot, full_demo_db, settings, FixedClock(NOW))
        early.purge_due()
        assert full_demo_db.execute("SELECT count(*) FROM personal_purges").fetchone()[0] == 0
        later = _window(qtbot, full_demo_db, settings,
                        FixedClock(NOW + timedelta(days=personal.retention_days(full_demo_db) + 1)))
        later.purge_due()
        assert "已按期清除" in later.statusBar().currentMessage()
        assert full_demo_db.execute("SELECT count(*) FROM personal_purges").fetchone()[0] == len(ended)
        assert session.current(full_demo_db) == OFFICER   # the purge acted as the system, then gave back
        names = {r[0] for r in full_demo_db.execute(
            "SELECT name FROM response_people WHERE response_id IN (%s)" % ",".join("?" * len(ended)),
            [r[0] for r in ended])}
        assert names == {"（已清除）"}
