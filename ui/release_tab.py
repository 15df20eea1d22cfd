"""The 一个窗口发布 tab of the response container: the spokesperson and releasing unit, the
release clocks, the releases with their state, and the selected release's text, versions
(with the change from the version before) and review trail (三审). Actions follow the
release's state; publishing an unreviewed release is refused with the service's message."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QDialog, QFrame, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QMessageBox, QPlainTextEdit, QPushButton, QSplitter, QTabWidget,
                               QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import releases
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError
from nxcommand.timeline import Deadline

from .desk_models import DictTableModel
from .forms import record_table
from .public_dialogs import PublishDialog, ReleaseDialog, ReviewDialog, WindowDialog, current_officer

STATE_COLOURS = {"草稿": "#6b7685", "审核中": "#0b5cad", "已退回": "#b00020", "已通过": "#1b7a3a",
                 "已发布": "#14314f"}


def span(delta_minutes: int) -> str:
    hours, minutes = divmod(abs(delta_minutes), 60)
    return f"{hours}小时{minutes:02d}分" if hours else f"{minutes}分钟"


def clock_text(d: Deadline, now: datetime) -> tuple[str, str]:
    """The clock's line and its colour."""
    due = d.due.strftime("%m-%d %H:%M")
    if d.done_at is not None:
        late = d.done_at > d.due
        return (f"{d.label}：{d.done_at:%m-%d %H:%M} 已完成" + ("（超时）" if late else "（按时）"),
                "#b00020" if late else "#1b7a3a")
    left = int((d.due - now).total_seconds() // 60)
    if left < 0:
        return f"{d.label}：时限 {due}，已超时 {span(left)}", "#ffffff"
    return f"{d.label}：时限 {due}，剩余 {span(left)}", "#0b3d91" if left > 60 else "#a0461b"


class ReleaseModel(DictTableModel):
    STATE = 1

    def __init__(self, parent=None) -> None:
        super().__init__([
            (lambda r: ("【演练】" if r["drill"] else "") + r["title"], "标题"),
            (lambda r: r["state"] + (f"（待{r['next_stage']}）" if r["next_stage"] else ""), "状态"),
            (lambda r: f"第{r['number']}版", "版本"), (lambda r: r["published_at"] or "", "发布时间"),
            (lambda r: "、".join(r["channels"]), "渠道")], parent)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and index.column() == self.STATE and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(STATE_COLOURS.get(self.rows[index.row()]["state"], "#000000")))
        return super().data(index, role)


class TrailModel(DictTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__([("at", "时间"), ("step", "环节"), ("result", "结果"), ("by", "人员"),
                          (lambda s: f"第{s['number']}版", "版本"), ("comment", "意见")], parent)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole and self.rows[index.row()]["result"] == "退回":
            return QBrush(QColor("#b00020"))
        return super().data(index, role)


class ReleaseTab(QWidget):
    """Shows one response's release window; ``set_response(id | None)`` switches it."""

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.warn: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(self, title, text)
        self.response_id: int | None = None

        self.window_label = QLabel(objectName="windowLabel", wordWrap=True)
        self.window_label.setStyleSheet("font-size: 15px; color: #14314f;")
        self.window_button = QPushButton("指定发言人…", objectName="windowButton")
        self.window_button.clicked.connect(self.change_window)
        head = QHBoxLayout()
        head.addWidget(self.window_label, 1)
        head.addWidget(self.window_button)
        self.clock_row = QHBoxLayout()
        self.clock_labels: list[QLabel] = []

        self.release_model = ReleaseModel(self)
        self.release_view = record_table(self.release_model, "releaseTable")
        header = self.release_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.release_view.selectionModel().currentRowChanged.connect(lambda *_: self.show_selected())

        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for key, text, slot in (
                ("new", "新建稿件", self.new_release), ("edit", "编辑", self.edit_release),
                ("submit", "送审", self.submit), ("初审", "初审通过", lambda: self.review("初审", True)),
                ("复审", "复审通过", lambda: self.review("复审", True)),
                ("终审", "终审通过", lambda: self.review("终审", True)),
                ("return", "退回", lambda: self.review(None, False)), ("publish", "发布…", self.publish)):
            button = QPushButton(text, objectName="primaryButton" if key == "publish" else f"release_{key}")
            button.clicked.connect(slot)
            self.buttons[key] = button
            actions.addWidget(button)
        actions.addStretch(1)
        list_box = QGroupBox("稿件")
        list_layout = QVBoxLayout(list_box)
        list_layout.addWidget(self.release_view, 1)
        list_layout.addLayout(actions)

        self.text_view = QPlainTextEdit(objectName="releaseText", readOnly=True)
        self.version_model = DictTableModel([(lambda v: f"第{v['number']}版", "版本"), ("edited_at", "时间"),
                                             ("edited_by", "修改人"), ("note", "说明")], self)
        self.version_view = record_table(self.version_model, "versionTable")
        self.version_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.version_view.horizontalHeader().setStretchLastSection(True)
        self.version_view.selectionModel().currentRowChanged.connect(lambda *_: self.show_version())
        self.diff_view = QPlainTextEdit(objectName="versionDiff", readOnly=True)
        self.diff_view.setMaximumHeight(120)
        self.trail_model = TrailModel(self)
        self.trail_view = record_table(self.trail_model, "trailTable")
        self.trail_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.trail_view.horizontalHeader().setStretchLastSection(True)
        self.trail_view.setWordWrap(True)
        versions = QWidget()
        versions_layout = QVBoxLayout(versions)
        versions_layout.setContentsMargins(0, 0, 0, 0)
        versions_layout.addWidget(self.version_view, 1)
        versions_layout.addWidget(QLabel("与上一版相比："))
        versions_layout.addWidget(self.diff_view)
        self.detail_tabs = QTabWidget(objectName="releaseDetail")
        self.detail_tabs.addTab(self.text_view, "正文")
        self.detail_tabs.addTab(self.trail_view, "审核记录（三审）")
        self.detail_tabs.addTab(versions, "版本")
        self.detail_title = QLabel(objectName="releaseTitleLabel", wordWrap=True)
        self.detail_title.setStyleSheet("font-size: 16px; font-weight: bold; color: #0b1f33;")
        detail_box = QGroupBox("所选稿件")
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.detail_tabs, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(list_box)
        split.addWidget(detail_box)
        split.setSizes([620, 560])
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(self.clock_row)
        layout.addWidget(split, 1)
        self.set_response(None)

    # ------------------------------------------------------------ data

    def set_response(self, response_id: int | None) -> None:
        self.response_id = response_id
        self.refresh()

    def refresh(self, keep: int | None = None) -> None:
        keep = keep if keep is not None else (self.selected() or {}).get("id")
        rid = self.response_id
        self.window_button.setEnabled(rid is not None)
        self.buttons["new"].setEnabled(rid is not None)
        if rid is None:
            self.window_label.setText("请选择一个应急响应")
            self.release_model.set_rows([])
        else:
            window = releases.window(self.db, rid)
            self.window_label.setText(
                f"新闻发言人：<b>{window['spokesperson']}</b>（{window['spokesperson_post']}）　"
                f"发布单位：<b>{window['org']}</b>" if window else
                "<span style='color:#b00020'>尚未指定新闻发言人和发布单位（一个窗口发布）</span>")
            self.window_button.setText("更换发言人…" if window else "指定发言人…")
            self.release_model.set_rows(releases.list_for(self.db, rid))
        self._show_clocks()
        rows = self.release_model.rows
        index = next((i for i, r in enumerate(rows) if r["id"] == keep), 0 if rows else -1)
        if index >= 0:
            self.release_view.selectRow(index)
        self.show_selected()

    def _show_clocks(self) -> None:
        for label in self.clock_labels:
            label.setParent(None)
            label.deleteLater()
        self.clock_labels = []
        if self.response_id is None:
            return
        now = self.clock.now()
        found = releases.deadlines(self.db, self.response_id, now)
        if not found:
            found_text = [("发布时限：本事件级别不适用首发/发布会时限（可在时限规则中配置）", "#6b7685")]
        else:
            found_text = [clock_text(d, now) for d in found]
        for (text, colour), d in zip(found_text, found or [None]):
            label = QLabel(text, objectName="releaseClock")
            overdue = d is not None and d.overdue(now)
            label.setStyleSheet(f"color: {colour}; padding: 3px 8px; border-radius: 4px;"
                                + (" background: #c62828; font-weight: bold;" if overdue else
                                   " background: #eef2f7;"))
            label.setProperty("overdue", overdue)
            self.clock_row.addWidget(label)
            self.clock_labels.append(label)
        spacer = QLabel()
        spacer.setFrameShape(QFrame.Shape.NoFrame)
        self.clock_row.addWidget(spacer, 1)
        self.clock_labels.append(spacer)

    def selected(self) -> dict | None:
        index = self.release_view.currentIndex()
        return self.release_model.row(index.row()) if index.isValid() else None

    def show_selected(self) -> None:
        r = self.selected()
        state = r["state"] if r else None
        stage = r["next_stage"] if r else None
        self.buttons["edit"].setEnabled(r is not None and state != releases.PUBLISHED)
        self.buttons["submit"].setEnabled(state == releases.DRAFT)
        for s in releases.STAGES:
            self.buttons[s].setEnabled(stage == s)
        self.buttons["return"].setEnabled(stage is not None)
        self.buttons["publish"].setEnabled(r is not None and state != releases.PUBLISHED)
        if r is None:
            self.detail_title.setText("")
            self.text_view.setPlainText("")
            self.version_model.set_rows([])
            self.trail_model.set_rows([])
            self.diff_view.setPlainText("")
            return
        self.detail_title.setText(("【演练】" if r["drill"] else "") + r["title"])
        self.text_view.setPlainText(r["body"])
        self.version_model.set_rows(list(reversed(releases.versions(self.db, r["id"]))))
        self.trail_model.set_rows(releases.trail(self.db, r["id"]))
        self.version_view.selectRow(0)
        self.show_version()

    def show_version(self) -> None:
        r = self.selected()
        index = self.version_view.currentIndex()
        v = self.version_model.row(index.row()) if index.isValid() else None
        if r is None or v is None:
            self.diff_view.setPlainText("")
            return
        if v["number"] == 1:
            self.diff_view.setPlainText("初稿")
            return
        self.diff_view.setPlainText("\n".join(releases.diff(self.db, r["id"], v["number"] - 1, v["number"])))

    # ------------------------------------------------------------ actions

    def _recorder(self) -> str:
        return current_officer(self.db, self.clock)

    def _run(self, dialog: QDialog, done: str, keep: int | None = None) -> bool:
        if self.run_dialog(dialog):
            self.refresh(keep if keep is not None else dialog.saved_id)
            self.notify(done)
            return True
        return False

    def change_window(self) -> None:
        if self.response_id is not None:
            self._run(WindowDialog(self.db, self.clock, self._recorder(), self.response_id, self),
                      "已记录新闻发言人和发布单位")

    def new_release(self) -> None:
        if self.response_id is not None:
            self._run(ReleaseDialog(self.db, self.clock, self._recorder(), self.response_id, parent=self),
                      "稿件已保存为草稿")

    def edit_release(self) -> None:
        r = self.selected()
        if r:
            self._run(ReleaseDialog(self.db, self.clock, self._recorder(), r["response_id"], r["id"], self),
                      "已保存新版本" + ("，须重新送审" if r["state"] != releases.DRAFT else ""))

    def submit(self) -> None:
        r = self.selected()
        if not r:
            return
        try:
            releases.submit(self.db, r["id"], self._recorder(), clock=self.clock)
        except UserError as exc:
            self.warn("不能送审", str(exc))
            return
        self.refresh(r["id"])
        self.notify("已送审，等待初审")

    def review(self, stage: str | None, passed: bool) -> None:
        r = self.selected()
        if not r or not r["next_stage"]:
            return
        stage = stage or r["next_stage"]
        self._run(ReviewDialog(self.db, self.clock, self._recorder(), r["id"], stage, passed, self),
                  f"{stage}{'通过' if passed else '退回'}", keep=r["id"])

    def publish(self) -> None:
        r = self.selected()
        if not r:
            return
        blocker = releases.publish_blocker(self.db, r["id"])
        if blocker:
            self.warn("不能发布", blocker)
            return
        self._run(PublishDialog(self.db, self.clock, self._recorder(), r["id"], self), "稿件已发布",
                  keep=r["id"])
