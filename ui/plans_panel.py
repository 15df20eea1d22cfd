"""预案: the plan library. Left, the plans with filters and the deadline strip (备案, 演练,
评估); right, the selected plan's facts, its response levels Ⅳ→Ⅰ (start criteria, who may
start each, the checklist the level adds) and its working-group template."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QFrame, QGridLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QScrollArea, QSplitter, QTableView, QVBoxLayout,
                               QWidget)
from sqlite_utils import Database

from nxcommand import plan_checks, plans, refdata, session
from nxcommand.alerts import Alert
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError

from .desk_models import OVERDUE, SOON, DictTableModel
from .forms import record_table
from .guard import guard, note
from .plan_dialogs import (
    GroupDialog,
    LevelDialog,
    PlanDialog,
    RecordDateDialog,
    subtype_items,
)

SEARCH_DELAY_MS = 150
FACTS = (("文号", "doc_number"), ("类型", "kind"), ("灾种", "subtype"), ("指挥机构", "body"),
         ("牵头单位", "lead_org_name"), ("批准机关", "approver"), ("印发日期", "issued_on"),
         ("备案日期", "filed_on"), ("最近演练", "last_drill_on"), ("最近评估", "last_evaluation_on"),
         ("状态", "status"))


def due_text(alert: Alert) -> str:
    if alert.days_left is None:
        return ""
    if alert.days_left < 0:
        return f"逾期 {-alert.days_left} 天"
    return "今天到期" if alert.days_left == 0 else f"还剩 {alert.days_left} 天"


class AlertModel(DictTableModel):
    """Plan deadlines; overdue rows red, the rest orange."""

    def __init__(self, parent=None) -> None:
        super().__init__([(lambda a: a.kind[2:], "事项"), (lambda a: a.subject, "预案"),
                          (lambda a: a.due.isoformat() if a.due else "", "期限"), (due_text, "剩余")], parent)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(OVERDUE if self.rows[index.row()].overdue else SOON)
        if index.isValid() and role == Qt.ItemDataRole.ToolTipRole:
            return self.rows[index.row()].message
        return super().data(index, role)


def _table(model, name: str, stretch: int = 0, fit: tuple[int, ...] = ()) -> QTableView:
    """A record table whose ``stretch`` column takes the spare width and ``fit`` columns
    size to their contents."""
    view = record_table(model, name)
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    for column in fit:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return view


def _buttons(*pairs: tuple[str, Callable]) -> tuple[QHBoxLayout, list[QPushButton]]:
    row, made = QHBoxLayout(), []
    row.addStretch(1)
    for text, slot in pairs:
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
        made.append(button)
    return row, made


class PlansPanel(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.can_edit = session.allowed(db, "编辑预案")
        self.notify = notify or (lambda message: None)
        # Replaceable in tests: run a dialog (True when accepted), ask a yes/no question.
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.confirm: Callable[[str, str], bool] = self._confirm
        self.warn: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(self, title, text)
        self.current: dict | None = None
        self.level_no = 4
        self.colours = {r["id"]: r for r in refdata.levels(db, "response_levels")}

        # -- left: filters, plan list, deadline strip
        self.kind_filter = QComboBox(objectName="kindFilter")
        self.kind_filter.addItem("全部类型", None)
        for kind in plans.KINDS:
            self.kind_filter.addItem(kind, kind)
        self.hazard_filter = QComboBox(objectName="hazardFilter")
        self.hazard_filter.addItem("全部灾种", None)
        for name, sid in subtype_items(db):
            self.hazard_filter.addItem(name, sid)
        self.status_filter = QComboBox(objectName="statusFilter")
        self.status_filter.addItem("全部状态", None)
        for status in plans.STATUSES:
            self.status_filter.addItem(status, status)
        self.search = QLineEdit(objectName="planSearch", clearButtonEnabled=True)
        self.search.setPlaceholderText("搜索预案名称、文号、单位…")
        self.plan_model = DictTableModel([("name", "预案名称"), ("kind", "类型"), ("subtype", "灾种"),
                                          ("status", "状态")], self)
        self.plan_view = _table(self.plan_model, "planTable", 0, (1, 2, 3))
        self.count_label = QLabel()
        self.alert_model = AlertModel(self)
        self.alert_view = _table(self.alert_model, "planAlerts", 1, (0, 2, 3))
        self.alert_view.clicked.connect(self._alert_clicked)
        self.alert_view.activated.connect(self._alert_clicked)

        filters = QGridLayout()
        filters.addWidget(self.kind_filter, 0, 0)
        filters.addWidget(self.hazard_filter, 0, 1)
        filters.addWidget(self.status_filter, 0, 2)
        filters.addWidget(self.search, 1, 0, 1, 3)
        add_row, self.add_buttons = _buttons(("新增预案", self.add_plan))
        add_row.insertWidget(0, self.count_label)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.plan_view, 3)
        left_layout.addLayout(add_row)
        alert_box = QGroupBox("期限提醒（备案、演练、评估）")
        QVBoxLayout(alert_box).addWidget(self.alert_view)
        left_layout.addWidget(alert_box, 2)

        # -- right: facts, levels, groups
        self.title = QLabel(objectName="planTitle", wordWrap=True)
        self.title.setStyleSheet("font-size: 17px; font-weight: bold;")
        self.fact_labels: dict[str, QLabel] = {}
        facts = QGridLayout()
        for i, (label, key) in enumerate(FACTS):
            value = QLabel(objectName=f"fact_{key}", wordWrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fact_labels[key] = value
            facts.addWidget(QLabel(label + "："), i // 3, (i % 3) * 2)
            facts.addWidget(value, i // 3, (i % 3) * 2 + 1)
        for column in (1, 3, 5):
            facts.setColumnStretch(column, 1)
        self.note = QLabel(wordWrap=True, objectName="planNote")
        fact_buttons, self.plan_buttons = _buttons(
            ("编辑预案", self.edit_plan), ("记录备案", lambda: self.record("filed_on")),
            ("记录演练", lambda: self.record("last_drill_on")),
            ("记录评估", lambda: self.record("last_evaluation_on")))

        self.level_buttons: dict[int, QPushButton] = {}
        self.level_group = QButtonGroup(self)
        level_row = QHBoxLayout()
        level_row.addWidget(QLabel("响应级别："))
        for no in (4, 3, 2, 1):
            button = QPushButton(plans.ROMAN[no], objectName=f"level{no}", checkable=True)
            button.setMinimumWidth(64)
            self.level_group.addButton(button, no)
            self.level_buttons[no] = button
            level_row.addWidget(button)
        level_row.addStretch(1)
        self.level_group.idClicked.connect(self.show_level)
        self.criteria = QLabel(objectName="levelCriteria", wordWrap=True)
        self.criteria.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.deciders = QLabel(objectName="levelDeciders", wordWrap=True)
        self.escalation = QLabel(objectName="levelEscalation", wordWrap=True)
        self.action_model = DictTableModel([
            ("seq", "序号"), ("action", "处置事项"), ("owner", "责任方"),
            (lambda a: f"{a['due_minutes']}分钟内" if a["due_minutes"] else "", "时限")], self)
        self.action_view = _table(self.action_model, "actionTable", 1, (0, 2, 3))
        level_buttons, self.level_edit_buttons = _buttons(
            ("编辑本级响应", self.edit_level), ("删除本级响应", self.remove_level))
        for button in self.plan_buttons + self.level_edit_buttons:
            note(button, self.can_edit, "编辑预案")
        level_box = QGroupBox("响应级别与处置清单")
        lv = QVBoxLayout(level_box)
        lv.addLayout(level_row)
        for widget in (self.criteria, self.deciders, self.escalation):
            lv.addWidget(widget)
        lv.addWidget(self.action_view, 1)
        lv.addLayout(level_buttons)

        self.group_model = DictTableModel([("name", "工作组"), ("lead_org", "牵头单位"),
                                           ("members_text", "成员单位"), ("duties", "职责")], self)
        self.group_view = _table(self.group_model, "groupTable", 3, (0, 1))
        self.group_view.horizontalHeader().resizeSection(2, 240)
        self.group_view.doubleClicked.connect(lambda _i: self.edit_group())
        group_buttons, self.group_buttons = _buttons(("新增工作组", self.add_group), ("编辑", self.edit_group),
                                                     ("删除", self.remove_group),
                                                     ("上移", lambda: self.move_group(-1)),
                                                     ("下移", lambda: self.move_group(1)))
        for button in self.add_buttons + self.group_buttons:    # always enabled: greyed once
            guard(button, db, "编辑预案")
        group_box = QGroupBox("工作组（启动响应时按此组建）")
        gv = QVBoxLayout(group_box)
        gv.addWidget(self.group_view, 1)
        gv.addLayout(group_buttons)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.title)
        right_layout.addLayout(facts)
        right_layout.addWidget(self.note)
        right_layout.addLayout(fact_buttons)
        details = QSplitter(Qt.Orientation.Vertical)
        details.addWidget(level_box)
        details.addWidget(group_box)
        details.setSizes([420, 260])
        right_layout.addWidget(details, 1)

        for combo in (self.kind_filter, self.hazard_filter, self.status_filter):
            # Long hazard names must not dictate the window's minimum width.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(5)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setWidget(right)            # the details scroll on a narrow screen
        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(scroll)
        self.splitter.setSizes([430, 850])
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS, timeout=self.run_query)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        for combo in (self.kind_filter, self.hazard_filter, self.status_filter):
            combo.currentIndexChanged.connect(lambda _i: self.run_query())
        self.plan_view.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.refresh_alerts()
        self.run_query()

    # -- lists
    def query(self) -> plans.PlanQuery:
        return plans.PlanQuery(kind=self.kind_filter.currentData(), subtype_id=self.hazard_filter.currentData(),
                               text=self.search.text(), status=self.status_filter.currentData())

    def run_query(self, keep: int | None = None) -> None:
        self._timer.stop()
        keep = keep if keep is not None else (self.current or {}).get("id")
        rows = plans.list_plans(self.db, self.query())
        self.plan_model.set_rows(rows)
        self.count_label.setText(f"共 {len(rows)} 个预案" if rows else "没有匹配的预案")
        ids = [r["id"] for r in rows]
        self.select_row(ids.index(keep) if keep in ids else 0)

    def refresh_alerts(self) -> None:
        self.alert_model.set_rows(plan_checks.alerts(self.db, self.clock.now().date()))

    def select_row(self, row: int) -> None:
        if not self.plan_model.rowCount():
            self._show_current()
            return
        index = self.plan_model.index(row, 0)
        self.plan_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.plan_view.scrollTo(index)
        self._show_current()

    def select_plan(self, plan_id: int) -> None:
        """Show a plan, clearing the filters if they hide it."""
        ids = [r["id"] for r in self.plan_model.rows]
        if plan_id not in ids:
            for combo in (self.kind_filter, self.hazard_filter, self.status_filter):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.run_query(keep=plan_id)
            return
        self.select_row(ids.index(plan_id))

    def _alert_clicked(self, index) -> None:
        alert = self.alert_model.row(index.row())
        if alert is not None:
            self.select_plan(alert.ref[1])

    # -- the selected plan
    def _show_current(self) -> None:
        index = self.plan_view.currentIndex()
        row = self.plan_model.row(index.row()) if index.isValid() else None
        self.current = plans.plan(self.db, row["id"]) if row else None
        p = self.current or {}
        self.title.setText(p.get("name", "（未选择预案）"))
        for key, label in self.fact_labels.items():
            label.setText(str(p.get(key) or "—") if p else "")
        self.note.setText(p.get("note", ""))
        self.note.setVisible(bool(p.get("note")))
        for button in self.plan_buttons + self.level_edit_buttons:
            button.setEnabled(bool(p) and self.can_edit)
        defined = {lv["level"] for lv in p.get("levels", [])}
        for no, button in self.level_buttons.items():
            self._paint_level_button(no, button, no in defined)
        if defined and self.level_no not in defined:
            self.level_no = max(defined)
        self.group_model.set_rows(p.get("groups", []))
        self.group_view.resizeRowsToContents()
        self.show_level(self.level_no)

    def _paint_level_button(self, no: int, button: QPushButton, defined: bool) -> None:
        colour = QColor(self.colours[no]["color_hex"])
        text = "#000000" if colour.lightness() > 150 else "#ffffff"
        faded = QColor(colour)
        faded.setAlpha(70)
        rgba = f"rgba({faded.red()},{faded.green()},{faded.blue()},{faded.alpha()})"
        button.setStyleSheet(
            f"QPushButton {{ background: {rgba}; color: #333; border: 1px solid {colour.name()};"
            f" border-radius: 4px; padding: 4px 10px; font-weight: bold; }}"
            f"QPushButton:checked {{ background: {colour.name()}; color: {text}; }}")
        button.setToolTip("" if defined else "本预案未设此级响应，可点击“编辑本级响应”添加")
        button.setText(plans.ROMAN[no] if defined else plans.ROMAN[no] + "（未设）")

    def current_level(self) -> dict | None:
        for lv in (self.current or {}).get("levels", []):
            if lv["level"] == self.level_no:
                return lv
        return None

    def show_level(self, no: int) -> None:
        self.level_no = no
        self.level_buttons[no].setChecked(True)
        lv = self.current_level()
        self.level_edit_buttons[1].setEnabled(lv is not None and self.can_edit)
        if lv is None:
            self.criteria.setText("本预案未设此级响应。" if self.current else "")
            self.deciders.setText("")
            self.escalation.setText("")
            self.action_model.set_rows([])
            return
        self.criteria.setText(f"<b>启动条件：</b>{_html(lv['criteria'])}")
        parts = []
        for d in lv["deciders"]:
            names = "、".join(p["name"] for p in d["people"]) or "暂无人员"
            parts.append(f"{d['body_short']}{d['post_role']}（{names}）")
        self.deciders.setText("<b>决定启动：</b>" + (_html("；".join(parts)) if parts else "未规定"))
        self.escalation.setText(f"<b>报请上级：</b>{_html(lv['escalation'])}" if lv["escalation"] else "")
        self.escalation.setVisible(bool(lv["escalation"]))
        self.action_model.set_rows(lv["actions"])

    def _reload(self, message: str) -> None:
        self.refresh_alerts()
        self.run_query(keep=(self.current or {}).get("id"))
        self.notify(message)

    def _open(self, dialog: QDialog, done: str) -> bool:
        if self.run_dialog(dialog):
            if isinstance(dialog, PlanDialog) and dialog.saved_id:
                self.current = {"id": dialog.saved_id}
            self._reload(done)
            return True
        return False

    # -- actions
    def add_plan(self) -> None:
        self._open(PlanDialog(self.db, self.clock, parent=self), "已新增预案")

    def edit_plan(self) -> None:
        if self.current:
            self._open(PlanDialog(self.db, self.clock, self.current, self), "预案已保存")

    def record(self, what: str) -> None:
        if self.current:
            self._open(RecordDateDialog(self.db, self.clock, self.current, what, self),
                       {"filed_on": "已记录备案", "last_drill_on": "已记录演练",
                        "last_evaluation_on": "已记录评估"}[what])

    def edit_level(self) -> None:
        if self.current:
            self._open(LevelDialog(self.db, self.clock, self.current["id"], self.level_no, self),
                       f"{plans.ROMAN[self.level_no]}响应已保存")

    def remove_level(self) -> None:
        if not self.current or self.current_level() is None:
            return
        roman = plans.ROMAN[self.level_no]
        if self.confirm("删除响应级别", f"确定删除《{self.current['name']}》的{roman}响应？"
                                      "其启动条件、决定启动人员和处置清单将一并删除。"):
            plans.remove_level(self.db, self.current["id"], self.level_no)
            self._reload(f"已删除{roman}响应")

    def selected_group(self) -> dict | None:
        index = self.group_view.currentIndex()
        return self.group_model.row(index.row()) if index.isValid() else None

    def add_group(self) -> None:
        if self.current:
            self._open(GroupDialog(self.db, self.clock, self.current["id"], parent=self), "已新增工作组")

    def edit_group(self) -> None:
        group = self.selected_group()
        if self.current and group:
            self._open(GroupDialog(self.db, self.clock, self.current["id"], group, self), "工作组已保存")

    def remove_group(self) -> None:
        group = self.selected_group()
        if not group or not self.confirm("删除工作组", f"确定从预案中删除“{group['name']}”？"):
            return
        try:
            plans.remove_group(self.db, group["id"])
        except UserError as exc:
            self.warn("无法删除工作组", str(exc))
            return
        self._reload("已删除工作组")

    def move_group(self, step: int) -> None:
        group = self.selected_group()
        if group:
            plans.move_group(self.db, group["id"], step)
            self._reload("已调整工作组顺序")
            ids = [g["id"] for g in self.group_model.rows]
            self.group_view.selectRow(ids.index(group["id"]))

    def _confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes


def _html(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>"))
