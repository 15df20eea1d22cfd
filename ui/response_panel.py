"""应急响应 (四个一): a selector of responses (live first; drills marked 演练 and only listed
when asked), the header (level badge in the level's colour, time since start, plan, event,
decider), the level actions 启动响应… / 提级… / 降级… / 解除响应…, and five tabs —
一个指挥中心 (CommandBoard), 一个前方指挥部 (FIELD), 一套工作机制 (MechanismTab), 一个窗口发布 (PUB),
人员信息 (PersonalTab: name lists and their purge).
Partners' tabs are imported lazily; until one exists its tab stays empty."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from nxcommand import contacts, response, roster, session
from nxcommand.clock import SYSTEM_CLOCK, Clock, parse_minute

from .command_board import CommandBoard
from .forward_hq_tab import ForwardHQTab
from .guard import guard, note
from .mechanism_tab import MechanismTab
from .personal_tab import PersonalTab
from .release_tab import ReleaseTab
from .response_dialogs import LevelChangeDialog, OpenResponseDialog

TAB_TITLES = ("一个指挥中心", "一个前方指挥部", "一套工作机制", "一个窗口发布", "人员信息")


def text_on(color_hex: str) -> str:
    """Black on the light (yellow) badge, white on the others."""
    r, g, b = (int(color_hex[i:i + 2], 16) for i in (1, 3, 5))
    return "#1f2d3d" if 0.299 * r + 0.587 * g + 0.114 * b > 160 else "#ffffff"


def choice_text(r: dict) -> str:
    drill = "【演练】" if r["is_drill"] else ""
    state = "响应中" if r["live"] else f"已解除 {r['ended_at'][5:]}"
    return f"{drill}{r['roman']}·{state}　{r['plan_short']}　{r['event'] or r['warning']}"


class ResponsePanel(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        # Replaceable in tests.
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.confirm: Callable[[str, str], bool] = (
            lambda title, text: QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes)
        self.recorder = self._default_recorder()

        self.selector = QComboBox(objectName="responseSelector")
        self.selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.selector.setMinimumContentsLength(16)
        self.drills = QCheckBox("含演练", objectName="drillFilter")
        self.badge = QLabel(objectName="levelBadge")
        self.badge.setMinimumWidth(96)
        self.badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)   # never cut "Ⅲ级响应"
        self.title = QLabel(objectName="responseTitle")
        self.title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)   # long titles elide
        self.facts = QLabel(objectName="responseFacts", wordWrap=True)
        self.facts.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.actions: dict[str, QPushButton] = {}
        for text, slot in (("启动响应…", self.open_response), ("提级…", lambda: self.change("提级")),
                           ("降级…", lambda: self.change("降级")), ("解除响应…", lambda: self.change("解除"))):
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.actions[text] = button
        self.actions["启动响应…"].setObjectName("primaryButton")
        guard(self.actions["启动响应…"], db, "启动响应")
        self.can_change = session.allowed(db, "调整响应级别")
        for text in ("提级…", "降级…", "解除响应…"):
            note(self.actions[text], self.can_change, "调整响应级别")
        # 打印情况汇报: the main window opens the 简报 panel on this response's brief
        self.open_report: Callable[[str, str], None] | None = None
        self.print_brief = QPushButton("打印情况汇报…", objectName="printBrief")
        self.print_brief.clicked.connect(
            lambda: self.open_report and self.current_id() and self.open_report("brief", str(self.current_id())))

        officer = lambda: self.recorder
        self.board = CommandBoard(db, clock, self.notify, officer)
        self.mechanism = MechanismTab(db, clock, self.notify, officer)
        self.tabs = QTabWidget(objectName="responseTabs")
        self.forward_hq = ForwardHQTab(db, clock, self.notify)
        self.release = ReleaseTab(db, clock, self.notify)
        self.personal = PersonalTab(db, clock, self.notify)
        self.tab_widgets: dict[str, QWidget] = dict(zip(TAB_TITLES, (self.board, self.forward_hq, self.mechanism,
                                                                     self.release, self.personal)))
        for title, widget in self.tab_widgets.items():
            # each tab scrolls rather than widening the window on a small screen
            scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
            scroll.setWidget(widget)
            self.tabs.addTab(scroll, title)

        top = QHBoxLayout()
        top.addWidget(QLabel("应急响应"))
        top.addWidget(self.selector, 1)
        top.addWidget(self.drills)
        header = QHBoxLayout()
        header.addWidget(self.badge)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.facts)
        header.addLayout(text, 1)
        for button in self.actions.values():
            header.addWidget(button)
        header.addWidget(self.print_brief)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)

        self.selector.currentIndexChanged.connect(self._selected)
        self.drills.toggled.connect(lambda _on: self.reload())
        self._timer = QTimer(self, interval=30_000, timeout=self._header)
        self._timer.start()
        self.reload()

    def _default_recorder(self) -> str:
        shift = roster.current_shift(self.db, self.clock.now())
        if shift and shift.officers:
            return shift.officers[0].name
        officers = contacts.with_role(self.db, "值班员")
        return officers[0]["name"] if officers else "值班员"

    def stop(self) -> None:
        self._timer.stop()
        self.board.stop()

    # -- data
    def current_id(self) -> int | None:
        return self.selector.currentData()

    def reload(self, select: int | None = None) -> None:
        keep = select if select is not None else self.current_id()
        self.rows = response.list_responses(self.db, include_drills=self.drills.isChecked())
        self.selector.blockSignals(True)
        self.selector.clear()
        for r in self.rows:
            self.selector.addItem(choice_text(r), r["id"])
        index = self.selector.findData(keep) if keep is not None else -1
        self.selector.setCurrentIndex(index if index >= 0 else (0 if self.rows else -1))
        self.selector.blockSignals(False)
        self._selected()

    def _selected(self) -> None:
        rid = self.current_id()
        for widget in self.tab_widgets.values():
            if widget is not None:
                widget.set_response(rid)
        self._header()

    def _header(self) -> None:
        rid = self.current_id()
        r = response.get_response(self.db, rid) if rid is not None else None
        live = bool(r and r["live"])
        may = live and self.can_change
        self.actions["提级…"].setEnabled(may and r["level"] > 1)
        self.actions["降级…"].setEnabled(may and r["level"] < 4)
        self.actions["解除响应…"].setEnabled(may)
        self.print_brief.setEnabled(r is not None)
        if r is None:
            self.badge.setText("无响应")
            self.badge.setStyleSheet("background: #d5dbe3; color: #5b6675; padding: 8px 12px; font-weight: bold;"
                                     " border-radius: 4px;")
            self.title.setText("当前没有应急响应")
            self.facts.setText("选择事件后点击“启动响应…”，按预案启动相应级别的应急响应。")
            return
        colour = r["color_hex"] if live else "#8a8f98"
        self.badge.setText(("演练 " if r["is_drill"] else "") + r["roman"] + "响应")
        self.badge.setStyleSheet(f"background: {colour}; color: {text_on(colour)}; padding: 8px 12px;"
                                 " font-size: 15pt; font-weight: bold; border-radius: 4px;")
        self.title.setText(f"《{r['plan']}》　{r['event'] or r['warning']}")
        now = self.clock.now()
        start = parse_minute(r["started_at"], "启动时间")
        if live:
            state = f"响应中，已持续 {response.since_text(now - start)}"
        else:
            state = f"已于 {r['ended_at']} 解除（{r['ender']}决定），历时 " \
                    f"{response.since_text(parse_minute(r['ended_at'], '解除时间') - start)}"
        until = f"　预计期限：{r['expected_until']}" if r["expected_until"] else ""
        self.facts.setText(f"{state}　启动：{r['started_at']}（{r['decider']}决定）{until}　"
                           f"响应事项：{r['matter']}")

    def _after(self, dialog: QDialog, done: str) -> None:
        if self.run_dialog(dialog):
            self.reload(select=dialog.saved_id)
            self.notify(done)

    # -- actions
    def open_response(self) -> None:
        rid = self.current_id()
        event = None
        if rid is not None:
            r = response.get_response(self.db, rid)
            event = None if r["live"] else r["event_id"]
        self._after(OpenResponseDialog(self.db, self.clock, self.recorder, event, self), "应急响应已启动")

    def open_from_warning(self, warning_id: int) -> None:
        """据此启动预案: the open dialog citing the warning (an event is optional)."""
        self._after(OpenResponseDialog(self.db, self.clock, self.recorder, None, self, warning_id=warning_id),
                    "应急响应已启动（据预警）")

    def change(self, kind: str) -> None:
        rid = self.current_id()
        if rid is None:
            return
        self._after(LevelChangeDialog(self.db, self.clock, self.recorder, rid, kind, self),
                    {"提级": "响应级别已提升", "降级": "响应级别已降低", "解除": "应急响应已解除"}[kind])
