"""Faults while the officer types: the database locked by another program, a database that
cannot be written (read-only, or a file made immutable), and a full disk. Each is produced
for real where this machine allows it. For every entry form the save is refused with a clear
Chinese message, the dialog stays open with what was typed, nothing is half-written, and the
same form saves once the fault is gone."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import ExitStack
from urllib.parse import quote

import pytest
from PySide6.QtWidgets import QMessageBox

from nxcommand import contacts
from nxcommand.store import open_db
from ui.app import make_app
from ui.contact_dialog import ContactDialog
from ui.forms import NOT_SAVED
from ui.intake_dialog import IntakeDialog
from ui.log_dialogs import LogEntryDialog

from .test_backup import tmpfs
from .test_ui_desk import fill_intake

TABLES = ("log_entries", "events", "people", "audit_log")


@pytest.fixture
def app(qapp):
    return make_app()


def snapshot(path):
    """Row counts and the newest audit record, read from outside the console."""
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=5)
    try:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        counts["audit_head"] = conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
        counts["people_versions"] = conn.execute("SELECT sum(version) FROM people").fetchone()[0]
        return counts
    finally:
        conn.close()


# ---------------------------------------------------------------------------- the faults


class Fault:
    """``db`` is the console's connection; ``start`` breaks, ``mend`` repairs (False when the
    same connection cannot write again: a read-only connection stays read-only)."""
    message = ""

    def __init__(self, path, tmp_path, stack: ExitStack) -> None:
        self.path, self.tmp_path, self.stack = path, tmp_path, stack
        self.db = open_db(path)
        stack.callback(self.db.close)

    def start(self) -> None:
        raise NotImplementedError

    def mend(self) -> bool:
        return True


class Locked(Fault):
    """Another program holds the write lock (BEGIN EXCLUSIVE) for longer than we wait."""
    message = "已锁定"

    def __init__(self, path, tmp_path, stack) -> None:
        self.path, self.stack = path, stack
        self.db = open_db(path, busy_timeout_ms=300)
        stack.callback(self.db.close)

    def start(self) -> None:
        self.other = sqlite3.connect(self.path, isolation_level=None, timeout=0.1)
        self.other.execute("BEGIN EXCLUSIVE")
        self.stack.callback(self.other.close)

    def mend(self) -> bool:
        self.other.execute("ROLLBACK")
        return True


class ReadOnly(Fault):
    """A database SQLite opened read-only (as it does for a file it may not write); made at
    the SQLite level with a mode=ro connection, since chmod binds nobody when tests run as
    root and an open file stays writable whatever its mode becomes."""
    message = "只读"

    def __init__(self, path, tmp_path, stack) -> None:
        self.path = path
        self.db = open_db(path, readonly=True)
        stack.callback(self.db.close)

    def start(self) -> None:
        pass

    def mend(self) -> bool:
        return False


class Immutable(Fault):
    """The database file and its WAL made unwritable under the open console (chattr +i, root
    on ext4): every write is refused by the kernel, as on a share turned read-only."""
    message = "磁盘出错"

    def start(self) -> None:
        if os.geteuid() != 0 or shutil.which("chattr") is None:
            pytest.skip("chattr +i needs root")
        self.files = [self.path, self.path.with_name(self.path.name + "-wal")]
        for n, file in enumerate(self.files):
            if subprocess.run(["chattr", "+i", str(file)], capture_output=True).returncode != 0:
                self._release(self.files[:n])
                pytest.skip("this file system has no immutable attribute")
        self.stack.callback(self._release, self.files)

    def _release(self, files) -> None:
        for file in files:
            subprocess.run(["chattr", "-i", str(file)], capture_output=True)

    def mend(self) -> bool:
        self._release(self.files)
        return True


class PagesFull(Fault):
    """SQLITE_FULL for real: the connection may not grow the file by one more page
    (PRAGMA max_page_count); only the duty log's long entry is sure to need one."""
    message = "磁盘空间已满"

    def start(self) -> None:
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages}")

    def mend(self) -> bool:
        self.db.execute("PRAGMA max_page_count = 1073741823")
        return True


class DiskFull(Fault):
    """The database on a small file system (tmpfs, root only) filled to the last block."""
    message = "磁盘空间已满"

    def __init__(self, path, tmp_path, stack) -> None:
        size = path.stat().st_size + 2 * 1048576
        folder = stack.enter_context(tmpfs(tmp_path / "small", size=f"{size // 1024}k"))
        moved = folder / path.name
        shutil.copy(path, moved)
        super().__init__(moved, tmp_path, stack)

    def start(self) -> None:
        self.filler = self.path.with_name("filler.bin")
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT)
        try:
            for chunk in (65536, 4096, 512, 1):          # to the very last byte
                try:
                    while True:
                        os.write(fd, b"\0" * chunk)
                except OSError:
                    pass
        finally:
            os.close(fd)

    def mend(self) -> bool:
        self.filler.unlink()
        return True


FAULTS = {"locked": Locked, "read_only": ReadOnly, "immutable": Immutable, "disk_full": DiskFull}


# ---------------------------------------------------------------------------- the forms


def log_form(db, clock, long=False):
    dialog = LogEntryDialog(db, clock)
    text = "乌迳镇新田村报告：村后山体出现裂缝，已组织 12 户群众转移。" * (40 if long else 1)
    dialog.source.setText("乌迳镇值班室 0751-3812345")
    dialog.summary.setPlainText(text)
    dialog.actions.setPlainText("已通知镇长赶赴现场")

    def kept(d):
        return (d.summary.toPlainText(), d.source.text(), d.actions.toPlainText()) == \
            (text, "乌迳镇值班室 0751-3812345", "已通知镇长赶赴现场")

    def saved(before, after):
        return after["log_entries"] == before["log_entries"] + 1
    return dialog, kept, saved


def intake_form(db, clock):
    dialog = IntakeDialog(db, "刘艳玲", clock)
    dialog.confirm_discard = lambda: QMessageBox.StandardButton.Yes    # for teardown's close()
    fill_intake(dialog)

    def kept(d):
        return d.cause.toPlainText() == "持续强降雨引发山体滑坡" and d.caller_unit.text() == "乌迳镇政府" \
            and d.town.currentText() == "乌迳镇" and d.figure_boxes["trapped"].value() == 2

    def saved(before, after):
        return after["events"] == before["events"] + 1
    return dialog, kept, saved


def contact_new_form(db, clock):
    dialog = ContactDialog(db, None, clock)
    dialog.name.setText("陈小兵")
    dialog.org.setCurrentIndex(dialog.org.findText("南雄市应急管理局"))
    dialog.mobile.setText("139 0000 7777")
    dialog.note.setPlainText("夜间值守，优先联系手机")

    def kept(d):
        return (d.name.text(), d.org.currentText(), d.mobile.text(), d.note.toPlainText()) == \
            ("陈小兵", "南雄市应急管理局", "139 0000 7777", "夜间值守，优先联系手机")

    def saved(before, after):
        return after["people"] == before["people"] + 1
    return dialog, kept, saved


def contact_edit_form(db, clock):
    person = contacts.get(db, contacts.search(db, contacts.Query())[0])
    dialog = ContactDialog(db, person, clock)
    dialog.post.setText("副局长（主持工作）")

    def kept(d):
        return d.post.text() == "副局长（主持工作）" and d.name.text() == person["name"]

    def saved(before, after):
        return after["people_versions"] == before["people_versions"] + 1 \
            and contacts.get(db, person["id"])["post"] == "副局长（主持工作）"
    return dialog, kept, saved


FORMS = {"duty_log": log_form, "intake": intake_form, "contact_new": contact_new_form,
         "contact_edit": contact_edit_form}


def _refused_then_saved(qtbot, fault, make_form, clock, **form_args):
    dialog, kept, saved = make_form(fault.db, clock, **form_args)
    qtbot.addWidget(dialog)
    dialog.show()
    before = snapshot(fault.path)
    fault.start()
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    message = dialog.error.text()
    assert dialog.error.isVisible() and fault.message in message and NOT_SAVED in message
    assert str(fault.path.name) in message                         # names the file at fault
    assert not any(c.isascii() and c.isalpha() for c in message.replace(str(fault.path), ""))
    assert kept(dialog)                                           # what was typed is there
    if not fault.mend():
        assert snapshot(fault.path) == before
        return
    assert snapshot(fault.path) == before                         # nothing half-written
    dialog.accept()                                               # the same form, once mended
    assert dialog.result() == dialog.DialogCode.Accepted and not dialog.isVisible()
    after = snapshot(fault.path)
    assert saved(before, after) and after["audit_head"] > before["audit_head"]
    assert fault.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("kind", FAULTS)
def test_a_fault_keeps_the_form_and_writes_nothing(app, qtbot, demo_path, tmp_path, clock, kind,
                                                   form):
    with ExitStack() as stack:
        fault = FAULTS[kind](demo_path, tmp_path, stack)
        _refused_then_saved(qtbot, fault, FORMS[form], clock)


def test_a_full_database_keeps_a_long_duty_log_entry(app, qtbot, demo_path, tmp_path, clock):
    with ExitStack() as stack:
        _refused_then_saved(qtbot, PagesFull(demo_path, tmp_path, stack), log_form, clock, long=True)
