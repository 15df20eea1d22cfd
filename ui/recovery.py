"""Recovery in the console: a damaged database at start, and restoring a backup while running.

``open_or_recover`` opens the console's database; when the file is damaged it offers the
newest good backup (looked for where the backups were remembered to be, since the damaged
file's own setting may be unreadable) and restores it, keeping the damaged file aside.

``restore_in_console`` replaces the database by a backup once the caller has CLOSED its
connection (the main window's restart: ``window.request_restart(action)``); ``connect_restore``
wires the backup panel's ``restore_requested`` to that.

The questions and messages go through ``ask`` and ``tell`` so tests can answer them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget
from sqlite_utils import Database

from nxcommand import backup_schedule, restore
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError
from nxcommand.startup import open_console_db


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.button(QMessageBox.StandardButton.Yes).setText("恢复")
    box.button(QMessageBox.StandardButton.No).setText("不恢复")
    box.setDefaultButton(QMessageBox.StandardButton.Yes)
    return box.exec() == QMessageBox.StandardButton.Yes


def tell(parent: QWidget | None, title: str, text: str, problem: bool = False) -> None:
    if problem:
        QMessageBox.critical(parent, title, text)
    else:
        QMessageBox.information(parent, title, text)


def _when(info) -> str:
    return f"{info.taken_at:%Y-%m-%d %H:%M}"


def _offer_text(error: str, info, held) -> str:
    newest = f"，最新一条值班日志 {held.newest_entry_at}" if held and held.newest_entry_at else ""
    counts = held.text() if held else info.counts_text()
    return (f"数据库文件已损坏，无法打开。\n{error}\n\n"
            f"是否从最新的完好备份恢复？\n备份时间 {_when(info)}，含 {counts}{newest}。\n"
            f"备份文件：{info.path}\n\n"
            "损坏的文件会原样保存在备份文件夹中，不会删除。"
            "备份时间之后录入的内容不在备份中，恢复后请按纸质记录补录。")


def open_or_recover(path: Path, is_default: bool, parent: QWidget | None = None,
                    clock: Clock = SYSTEM_CLOCK) -> Database | None:
    """The console's database, restored from the newest good backup if the user agrees when
    the file is damaged; None (the reason shown) when it cannot be opened."""
    path = Path(path)
    try:
        return open_console_db(path, is_default, clock)
    except UserError as exc:
        error = str(exc)
    print(f"nxcommand：{error}", file=sys.stderr)
    if not backup_schedule.is_damaged(error):
        tell(parent, "无法打开数据库", error, problem=True)
        return None
    info = backup_schedule.newest_good_for(path)
    if info is None:
        where = "、".join(str(f) for f in backup_schedule.folders_for(path))
        tell(parent, "数据库已损坏", f"{error}\n\n在备份文件夹中没有找到完好的备份：{where}。\n"
             "可用“nxcommand restore 备份文件”从其他位置的备份恢复。", problem=True)
        return None
    held = backup_schedule.backup_contents(info.path)
    if not ask(parent, "数据库已损坏", _offer_text(error, info, held)):
        tell(parent, "无法打开数据库", f"{error}\n\n未恢复。可稍后用“nxcommand restore”从备份恢复。",
             problem=True)
        return None
    try:
        kept = restore.restore(info.path, path, clock)
        db = open_console_db(path, is_default, clock)
    except UserError as exc:
        tell(parent, "恢复未完成", f"{exc}\n\n数据库未能恢复。", problem=True)
        return None
    kept_text = f"损坏的数据库已保存为：{kept}\n" if kept else ""
    tell(parent, "已从备份恢复",
         f"已用 {_when(info)} 的备份恢复数据库。\n{kept_text}"
         f"备份时间之后录入的内容不在其中，请核对并补录。")
    return db


def restore_in_console(parent: QWidget | None, db_path: Path | str, backup_path: Path | str,
                       clock: Clock = SYSTEM_CLOCK) -> bool:
    """Replace the database by the backup; the caller has closed every connection to it.
    Says what happened; True when the database was replaced (reopen it then)."""
    try:
        kept = restore.restore(backup_path, db_path, clock)
    except UserError as exc:
        tell(parent, "恢复未完成", f"{exc}\n\n当前数据库未做任何改动。", problem=True)
        return False
    kept_text = f"恢复前的数据库已保存为：{kept}\n（需要时可再从它恢复。）" if kept else ""
    tell(parent, "已恢复", f"已用备份 {Path(backup_path).name} 恢复数据库。\n{kept_text}")
    return True


def connect_restore(panel, window, clock: Clock = SYSTEM_CLOCK) -> None:
    """Wire the backup panel's ``restore_requested(Path)`` to the main window's restart: the
    window closes, the database is closed, the backup restored, and the database reopened."""
    from nxcommand.store import db_path

    def requested(backup_path: Path) -> None:
        target = db_path(window.db)
        window.request_restart(lambda: restore_in_console(None, target, backup_path, clock))

    panel.restore_requested.connect(requested)
