"""The main window: navigation rail, panels, status bar; geometry remembered."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QMainWindow, QMenu, QStackedWidget, QToolButton, QWidget)
from sqlite_utils import Database

from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand import accounts, personal, response, roster, session
from nxcommand.errors import UserError
from nxcommand.permissions import ROLES
from nxcommand.org import is_demo
from nxcommand.startup import title_suffix
from nxcommand.store import db_path

from .backup_worker import AutoBackup
from .desk_models import countdown
from .desk_panel import DeskPanel, shift_text

WEEKDAYS = "一二三四五六日"
PURGE_CHECK_MS = 3600_000       # personal data due for purging is looked for every hour
APP_TITLE = "nxcommand 应急指挥值班台"
ADMIN_TITLE = "系统管理"

# The rail's entries after 值班台, each built the first time it is chosen (or asked for):
# title -> (module, class). The window builds only 值班台 before it first paints.
PANELS = {
    "接报与事件": ("events_panel", "EventsPanel"),
    "预警": ("warnings_panel", "WarningsPanel"),
    "应急响应": ("response_panel", "ResponsePanel"),
    "通讯录": ("directory", "DirectoryPanel"),
    "值班表": ("roster_panel", "RosterPanel"),
    "值班日志": ("log_panel", "DutyLogPanel"),
    "资源": ("resources_panel", "ResourcesPanel"),
    "预案": ("plans_panel", "PlansPanel"),
    "简报": ("report_panel", "ReportPanel"),
}

# Why the window closed; ui/app.run() acts on it.
QUIT, SIGN_OUT, SWITCH_USER, RESTART = "quit", "sign_out", "switch_user", "restart"


def actor_text(actor: session.Actor | None) -> str:
    """"张三（值班员、带班领导）" for the status bar (its tooltip says 当前用户)."""
    if actor is None:
        return "未登录"
    roles = "、".join(r for r in ROLES if r in actor.roles)
    return f"{actor.display_name}（{roles}）" if roles else actor.display_name


class PanelStack(QStackedWidget):
    """The panels' pages, a placeholder standing for each panel not built yet. ``widget(i)``
    called from Python builds the panel at ``i`` first, so code asking for a page gets the
    real panel."""

    def __init__(self, build: Callable[[int], QWidget]) -> None:
        super().__init__()
        self._build = build

    def widget(self, index: int) -> QWidget | None:
        if 0 <= index < self.count():
            self._build(index)
        return super().widget(index)


def _panel(title: str) -> property:
    return property(lambda self: self.panel(title), doc=f"The {title} panel (built on first access).")


class MainWindow(QMainWindow):
    closed = Signal()

    events = _panel("接报与事件")
    warnings = _panel("预警")
    response = _panel("应急响应")
    directory = _panel("通讯录")
    roster = _panel("值班表")
    log = _panel("值班日志")
    resources = _panel("资源")
    plans = _panel("预案")
    reports = _panel("简报")

    def __init__(self, db: Database, settings: QSettings, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__()
        self.db, self.settings, self.clock = db, settings, clock
        self.outcome = QUIT
        self.restart_action: Callable[[], None] | None = None
        # Replaceable in tests: run a dialog (True when accepted).
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        suffix = title_suffix(db)
        self.setWindowTitle(f"{APP_TITLE} — {suffix}" if suffix else APP_TITLE)

        self.rail = QListWidget(objectName="navRail")
        self.rail.setFixedWidth(120)
        self.stack = PanelStack(self._build_at)
        self._titles: list[str] = []
        self._built: dict[str, QWidget] = {}
        self.desk = DeskPanel(db, clock, notify=self.notify)
        self._add_panel("值班台", self.desk)
        for title in PANELS:
            self._add_panel(title)
        self.backup_panel = None
        if session.allowed(db, "管理账户"):
            self._add_panel(ADMIN_TITLE)
        # Automatic backups and the scheduled purge start with start_background() (ui/app.run),
        # not here, so that building a window never starts threads or writes by itself.
        self.autobackup = AutoBackup(db_path(db), self, clock=clock)
        self.autobackup.reported.connect(lambda text, ok: ok or self.statusBar().showMessage(text, 15000))
        self._purge_timer = QTimer(self, interval=PURGE_CHECK_MS, timeout=self.purge_due)
        self.rail.currentRowChanged.connect(self._show_row)
        self.rail.setCurrentRow(0)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.rail)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._tick()
        self._timer = QTimer(self, interval=1000, timeout=self._tick)
        self._timer.start()
        self._restore_geometry()

    def _build_backup_panel(self) -> QWidget:
        from . import recovery
        from .backup_panel import BackupPanel

        self.backup_panel = BackupPanel(self.db, self.clock, notify=self.notify)
        recovery.connect_restore(self.backup_panel, self, self.clock)
        return self.backup_panel

    def start_background(self) -> None:
        """The console's own duties while it runs: automatic backups, and purging personal
        data whose retention has passed (at once, then every hour)."""
        self.autobackup.start()
        self.purge_due()
        self._purge_timer.start()

    def purge_due(self) -> None:
        """Purge the personal data of responses ended longer ago than the retention
        (突发事件应对法 第八十五条); a failure (disk full, locked) is shown and retried."""
        try:
            done = personal.purge_due(self.db, self.clock)
        except UserError as exc:
            self.statusBar().showMessage(f"个人信息定期清除未完成：{exc}（稍后重试）", 15000)
            return
        if done:
            self.notify(f"已按期清除 {sum(r.rows for r in done)} 人的个人信息（{len(done)} 个已结束的响应）")

    def _add_panel(self, title: str, panel: QWidget | None = None) -> None:
        """A rail entry and its page: ``panel``, or a placeholder until the panel is needed."""
        item = QListWidgetItem(title)
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rail.addItem(item)
        self._titles.append(title)
        if panel is not None:
            self._built[title] = panel
        self.stack.addWidget(panel or QWidget())

    # ---- panels built when first needed --------------------------------------------------------

    def built_panels(self) -> list[str]:
        """The titles of the panels built so far, in rail order (值班台 from the start)."""
        return [title for title in self._titles if title in self._built]

    @property
    def admin(self):
        """The 系统管理 panel, or None when the signed-in account may not manage accounts."""
        return self.panel(ADMIN_TITLE) if ADMIN_TITLE in self._titles else None

    def panel(self, title: str) -> QWidget:
        """The panel of the rail entry ``title``, built (in place of its placeholder) first."""
        built = self._built.get(title)
        if built is not None:
            return built
        index = self._titles.index(title)
        built = self._built[title] = self._make_panel(title)
        placeholder = QStackedWidget.widget(self.stack, index)
        self.stack.insertWidget(index, built)      # hidden until it becomes the current page
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        return built

    def _build_at(self, index: int) -> QWidget:
        return self.panel(self._titles[index])

    def _show_row(self, row: int) -> None:
        if row >= 0:
            self._build_at(row)
        self.stack.setCurrentIndex(row)
        current = self.stack.currentWidget()
        if current is not None and self.isVisible() and current.isHidden():
            current.show()      # added to a parent already shown: not shown by itself

    def _make_panel(self, title: str) -> QWidget:
        if title == ADMIN_TITLE:
            return self._build_admin()
        module, name = PANELS[title]
        panel = getattr(importlib.import_module(f"{__package__}.{module}"), name)(
            self.db, self.clock, notify=self.notify)
        if title == "预警":
            panel.start_response = self.start_response_from_warning
        elif title == "应急响应":
            panel.open_report = panel.mechanism.open_report = self.open_report
        elif title == "通讯录":
            panel.restore_state(self.settings)
        return panel

    def _build_admin(self) -> QWidget:
        from .admin_panel import AdminPanel
        from .personal_tab import PersonalSettingsWidget

        admin = AdminPanel(self.db, self.clock, notify=self.notify)
        admin.add_lazy_tab(self._build_backup_panel, "备份与恢复")
        admin.add_tab(PersonalSettingsWidget(self.db, self.clock, self.notify), "个人信息")
        return admin

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        actor = session.current(self.db)
        self.user_button = QToolButton(objectName="statusUser", autoRaise=True)
        self.user_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.user_button.setText(actor_text(actor))
        self.user_button.setToolTip(f"当前用户：{actor.label if actor else '未登录'}（点击：修改密码、切换用户、注销）")
        self.user_button.setMaximumWidth(260)
        menu = QMenu(self.user_button)
        self.password_action = menu.addAction("修改密码…", self.change_password)
        self.password_action.setEnabled(actor is not None and actor.account_id is not None)
        self.switch_action = menu.addAction("切换用户…", self.switch_user)
        self.sign_out_action = menu.addAction("注销", self.sign_out)
        self.user_button.setMenu(menu)
        bar.addPermanentWidget(self.user_button)
        # The roster and the reporting clocks arrive with the watch desk; until then the bar
        # says plainly that there is no such data rather than showing invented figures.
        self.shift_label = QLabel(objectName="statusShift")
        self._shift_minute = None
        self.deadline_label = QLabel(objectName="statusDeadline")
        self.response_label = QLabel(objectName="statusResponse")
        name = Path(db_path(self.db)).name
        # Kept short: the deadline and the shift beside it must show whole on a desk screen.
        self.db_label = QLabel(name + ("（演示）" if is_demo(self.db) else ""))
        self.db_label.setToolTip("数据库：" + db_path(self.db) + ("（演示数据）" if is_demo(self.db) else ""))
        self.clock_label = QLabel(objectName="statusClock")
        bar.addPermanentWidget(self.autobackup.status_label())
        for widget in (self.response_label, self.shift_label, self.deadline_label, self.db_label, self.clock_label):
            bar.addPermanentWidget(widget)

    def _tick(self) -> None:
        now = self.clock.now()
        self.clock_label.setText(now.strftime("%Y-%m-%d %H:%M:%S") + f" 星期{WEEKDAYS[now.weekday()]}")
        if now.replace(second=0) != self._shift_minute:  # the roster changes by the minute at most
            self._shift_minute = now.replace(second=0)
            shift = roster.current_shift(self.db, now)
            self.shift_label.setText(shift_text(shift, phones=False))
            self.shift_label.setToolTip(shift_text(shift) if shift else "请在“值班表”中排班")
        self._show_response(now)
        pending = self.desk.deadline_model.rows       # the desk keeps the list fresh
        if pending:
            due = pending[0]
            self.deadline_label.setText(f"下一报送时限：{due.name} {due.due_at:%H:%M}（{countdown(due.remaining(now))}）")
            self.deadline_label.setToolTip(due.event_title)
            self.deadline_label.setProperty("overdue", due.remaining(now).total_seconds() < 0)
        else:
            self.deadline_label.setText("下一报送时限：无")
            self.deadline_label.setToolTip("当前没有需要报送的信息")
            self.deadline_label.setProperty("overdue", False)
        self.deadline_label.style().unpolish(self.deadline_label)
        self.deadline_label.style().polish(self.deadline_label)

    def _show_response(self, now) -> None:
        """The open response level, colour-coded, or nothing when there is none (drills never show)."""
        live = response.live_summary(self.db, now)
        if live is None:
            self.response_label.hide()
            return
        more = f"（另有 {live['count'] - 1} 个）" if live["count"] > 1 else ""
        from .response_panel import text_on

        self.response_label.setText(f" 应急响应 {live['roman']}·{live['plan']} 已 {live['since_text']}{more} ")
        self.response_label.setToolTip(live["event"] or "")
        self.response_label.setStyleSheet(
            f"background: {live['color_hex']}; color: {text_on(live['color_hex'])}; font-weight: bold;"
            "border-radius: 3px; padding: 1px 6px;")
        self.response_label.show()

    def start_response_from_warning(self, warning_id: int) -> None:
        self.rail.setCurrentRow(self.stack.indexOf(self.response))      # builds it when needed
        self.response.open_from_warning(warning_id)

    def open_report(self, kind: str, item_key: str) -> None:
        """Show the 简报 panel building ``kind`` for ``item_key`` (打印情况汇报, 打印会商纪要 …)."""
        self.rail.setCurrentRow(self.stack.indexOf(self.reports))
        self.reports.show_for(kind, item_key)

    # ---- the signed-in account ----------------------------------------------------------------

    def change_password(self) -> None:
        from .login_dialog import ChangePasswordDialog

        actor = session.current(self.db)
        if actor is None or actor.account_id is None:
            return
        dialog = ChangePasswordDialog(self.db, accounts.get(self.db, actor.account_id), self.clock,
                                      parent=self)
        if self.run_dialog(dialog):
            self.notify("密码已修改，下次登录请使用新密码")

    def switch_user(self) -> None:
        """Close the window and ask for another login (cancelling it returns to this user)."""
        self._finish(SWITCH_USER)

    def sign_out(self) -> None:
        """Sign out and show the login dialog for the next officer."""
        self._finish(SIGN_OUT)

    def request_restart(self, action: Callable[[], None] | None = None) -> None:
        """Close the window; run() then closes the database, runs ``action`` (e.g. replacing
        the file with a backup), reopens the database and asks for a login again."""
        self.restart_action = action
        self._finish(RESTART)

    @property
    def restart_requested(self) -> bool:
        return self.outcome == RESTART

    def _finish(self, outcome: str) -> None:
        self.outcome = outcome
        self.close()

    def notify(self, message: str) -> None:
        self.statusBar().showMessage(message, 5000)

    def _restore_geometry(self) -> None:
        geometry = self.settings.value("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        splitter = self.settings.value("desk/splitter")
        if splitter is not None:
            self.desk.splitter.restoreState(splitter)

    def save_state(self) -> None:
        self.settings.setValue("main/geometry", self.saveGeometry())
        if "通讯录" in self._built:      # never built: its saved state is left as it was
            self._built["通讯录"].save_state(self.settings)
        self.settings.setValue("desk/splitter", self.desk.splitter.saveState())
        self.settings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.save_state()
        self._timer.stop()
        self._purge_timer.stop()
        self.autobackup.stop()
        if self.backup_panel is not None:
            self.backup_panel.stop()
        self.desk.stop()
        for title in ("应急响应", "简报"):        # only the panels built: none is built to close it
            if title in self._built:
                self._built[title].stop()
        super().closeEvent(event)
        self.closed.emit()
