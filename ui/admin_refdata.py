"""系统管理 · 参考数据: what the administrator maintains for the whole desk — event sub-types,
the 生产安全事故 grading thresholds, the warning and response level colours, the reporting
deadline rules and the account lockout. One page each: a table and its edit form."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
                               QPushButton, QTabWidget, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import refdata, refdata_admin
from nxcommand.errors import UserError

from .admin_ref_dialogs import (GRADE_SCOPE, WAN, ColourDialog, RuleDialog, SubtypeDialog,
                                ThresholdDialog, spin)
from .desk_models import DictTableModel
from .forms import record_table
from .response_panel import text_on


def _wan(yuan: int) -> str:
    return f"{yuan / WAN:g}"


def _due(rule: dict) -> str:
    parts = []
    if rule["due_minutes"]:
        parts.append(f"接报后 {rule['due_minutes']} 分钟")
    if rule["daily_at"]:
        parts.append(f"每日 {rule['daily_at']}")
    if rule["repeat_days"]:
        parts.append(f"{rule['repeat_days']} 天内")
    return "，".join(parts)


class ColourModel(DictTableModel):
    """Levels with their colour shown in the 颜色 column."""

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and index.column() == 3:
            hex_ = self.rows[index.row()]["color_hex"]
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(hex_))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(text_on(hex_)))
        return super().data(index, role)


class _Page(QWidget):
    """A table with buttons under it; ``edit`` runs when a row is double-clicked."""

    def __init__(self, model: DictTableModel, name: str, owner: "RefdataTab") -> None:
        super().__init__()
        self.model, self.owner = model, owner
        self.view = record_table(model, name)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(self.buttons)

    def button(self, text: str, slot: Callable) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        self.buttons.addWidget(button)
        return button

    def current(self) -> dict | None:
        index = self.view.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def select(self, match: Callable[[object], bool]) -> None:
        row = next((i for i, r in enumerate(self.model.rows) if match(r)), None)
        if row is not None:
            self.view.selectRow(row)


class RefdataTab(QWidget):
    def __init__(self, db: Database, notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db = db
        self.notify = notify or (lambda message: None)
        # Replaceable in tests: run a dialog (True when accepted), show a refusal.
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.warn: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(self, title, text)
        self.grade_names = {g["id"]: g["name"] for g in refdata.levels(db, "severity_grades")}
        self.tabs = QTabWidget(objectName="refdataTabs", documentMode=True)

        self.subtypes = _Page(DictTableModel([("category", "事件类别"), ("name", "子类"),
                                              (lambda r: refdata_admin.GRADING[r["grading"]], "分级方式")]),
                              "subtypeTable", self)
        self.subtypes.button("新增子类", self.add_subtype)
        self.subtypes.button("修改", self.edit_subtype)
        self.subtypes.view.doubleClicked.connect(lambda _: self.edit_subtype())

        self.thresholds = _Page(DictTableModel([
            (lambda t: self.grade_names[t.grade], "级别"), (lambda t: t.deaths, "死亡（人）以上"),
            (lambda t: t.serious_injuries, "重伤（人）以上"),
            (lambda t: _wan(t.direct_loss_yuan), "直接经济损失（万元）以上")]), "thresholdTable", self)
        self.thresholds.buttons.insertWidget(0, QLabel("任一项达到即为此级；都未达到较大级的为一般。"))
        self.thresholds.button("修改", self.edit_threshold)
        self.thresholds.view.doubleClicked.connect(lambda _: self.edit_threshold())

        self.colours = _Page(ColourModel([("kind", "类别"), ("name", "级别"), ("label", "名称"),
                                          ("color_hex", "颜色")]), "colourTable", self)
        self.colours.button("修改颜色", self.edit_colour)
        self.colours.view.doubleClicked.connect(lambda _: self.edit_colour())

        self.rules = _Page(DictTableModel([
            ("name", "规则名称"), ("scope", "适用事件"), (lambda r: GRADE_SCOPE[r["max_grade"]], "级别"),
            (lambda r: "适用" if r["when_sensitive"] else "", "敏感事件"), ("report_kind", "报告种类"),
            (_due, "时限"), (lambda r: "在用" if r["active"] else "已停用", "状态"), ("note", "说明")]),
            "ruleTable", self)
        self.rules.button("新增规则", self.add_rule)
        self.rules.button("修改", self.edit_rule)
        self.rule_active = self.rules.button("停用", self.toggle_rule)
        self.rules.view.doubleClicked.connect(lambda _: self.edit_rule())
        self.rules.view.selectionModel().currentRowChanged.connect(lambda *_: self._rule_selected())

        self.lockout = QWidget()
        failures, minutes = refdata_admin.lockout(db)
        self.max_failures = spin(*refdata_admin.LOCKOUT_FAILURES, failures, " 次")
        self.lock_minutes = spin(*refdata_admin.LOCKOUT_MINUTES, minutes, " 分钟")
        save = QPushButton("保存")
        save.clicked.connect(self.save_lockout)
        form = QFormLayout(self.lockout)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(QLabel("同一账户连续输错密码达到次数后锁定；锁定期间即使密码正确也不能登录，"
                           "管理员重置密码可立即解除。", wordWrap=True))
        form.addRow("连续输错", self.max_failures)
        form.addRow("锁定时长", self.lock_minutes)
        form.addRow("", save)

        for page, title in ((self.subtypes, "事件子类"), (self.thresholds, "生产安全事故分级"),
                            (self.colours, "级别颜色"), (self.rules, "报送时限规则"),
                            (self.lockout, "账户锁定")):
            self.tabs.addTab(page, title)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.refresh()

    # ---- reading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        cats = refdata.categories(self.db)
        self.subtypes.model.set_rows([{**s, "category": c["name"]} for c in cats for s in c["subtypes"]])
        self.thresholds.model.set_rows(refdata.thresholds(self.db))
        colours = []
        for table, kind in refdata_admin.LEVEL_TABLES.items():
            for level in refdata.levels(self.db, table):
                label = level.get("color_name") or level.get("roman") or ""
                colours.append({**level, "table": table, "kind": kind, "label": label})
        self.colours.model.set_rows(colours)
        names = {s["id"]: s["name"] for c in cats for s in c["subtypes"]}
        names.update({("c", c["id"]): c["name"] for c in cats})
        self.rules.model.set_rows([
            {**r, "scope": names.get(r["subtype_id"]) or names.get(("c", r["category_id"]), "全部事件")}
            for r in refdata.deadline_rules(self.db, active_only=False)])
        self._rule_selected()

    def _rule_selected(self) -> None:
        rule = self.rules.current()
        self.rule_active.setEnabled(rule is not None)
        self.rule_active.setText("启用" if rule is not None and not rule["active"] else "停用")

    def _edited(self, dialog: QDialog, page: _Page, match: Callable[[object], bool], message: str) -> None:
        if self.run_dialog(dialog):
            self.refresh()
            page.select(match)
            self.notify(message)

    # ---- actions ----------------------------------------------------------------------------

    def add_subtype(self) -> None:
        dialog = SubtypeDialog(self.db, None, self)
        self._edited(dialog, self.subtypes, lambda r: r["id"] == dialog.saved_id, "已新增事件子类")

    def edit_subtype(self) -> None:
        row = self.subtypes.current()
        if row is not None:
            self._edited(SubtypeDialog(self.db, row, self), self.subtypes,
                         lambda r: r["id"] == row["id"], "已修改事件子类")

    def edit_threshold(self) -> None:
        rule = self.thresholds.current()
        if rule is not None:
            self._edited(ThresholdDialog(self.db, rule, self.grade_names[rule.grade], self), self.thresholds,
                         lambda t: t.grade == rule.grade, "已修改生产安全事故分级标准")

    def edit_colour(self) -> None:
        row = self.colours.current()
        if row is not None:
            self._edited(ColourDialog(self.db, row["table"], row, self), self.colours,
                         lambda r: (r["table"], r["id"]) == (row["table"], row["id"]),
                         f"已修改{row['kind']}颜色（重新登录后各面板按新颜色显示）")

    def add_rule(self) -> None:
        dialog = RuleDialog(self.db, None, self)
        self._edited(dialog, self.rules, lambda r: r["id"] == dialog.saved_id, "已新增报送时限规则")

    def edit_rule(self) -> None:
        row = self.rules.current()
        if row is not None:
            self._edited(RuleDialog(self.db, row, self), self.rules, lambda r: r["id"] == row["id"],
                         "已修改报送时限规则")

    def toggle_rule(self) -> None:
        row = self.rules.current()
        if row is None:
            return
        try:
            refdata_admin.set_rule_active(self.db, row["id"], not row["active"])
        except UserError as exc:
            self.warn("无法完成", str(exc))
            return
        self.refresh()
        self.rules.select(lambda r: r["id"] == row["id"])
        self.notify(("已停用" if row["active"] else "已启用") + f"规则：{row['name']}")

    def save_lockout(self) -> None:
        try:
            refdata_admin.set_lockout(self.db, self.max_failures.value(), self.lock_minutes.value())
        except UserError as exc:
            self.warn("无法保存", str(exc))
            return
        self.notify(f"已保存：连续输错 {self.max_failures.value()} 次锁定 {self.lock_minutes.value()} 分钟")
