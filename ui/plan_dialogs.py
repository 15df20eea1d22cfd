"""Forms of the 预案 panel: a plan, one response level (criteria, deciders, checklist), a
working group, and recording a filing, drill or evaluation date. Each saves through the
plan services; bad input keeps the form open with the Chinese message."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListWidget, QListWidgetItem
from sqlite_utils import Database

from nxcommand import org, plan_checks, plans, refdata
from nxcommand.clock import Clock

from .forms import ServiceForm, searchable_combo, text_box

DATE_HINT = "如 2026-07-01，可留空"


def _combo(items: list[tuple[str, object]], current=None) -> QComboBox:
    combo = QComboBox()
    for text, value in items:
        combo.addItem(text, value)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))
    return combo


def _set_data(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


def subtype_items(db: Database) -> list[tuple[str, int]]:
    return [(s["name"], s["id"]) for c in refdata.categories(db) for s in c["subtypes"]]


def unit_combo(db: Database, current: int | None, empty: str | None = None) -> QComboBox:
    items = ([(empty, None)] if empty else []) + [(o["name"], o["id"]) for o in org.organizations(db)]
    combo = searchable_combo(items)
    _set_data(combo, current)
    return combo


class PlanDialog(ServiceForm):
    """Add a plan, or edit one (``row`` from plans.plan)."""

    def __init__(self, db: Database, clock: Clock, row: dict | None = None, parent=None) -> None:
        super().__init__("编辑预案" if row else "新增预案", parent)
        self.db, self.clock, self.row = db, clock, row
        self.setMinimumWidth(560)
        r = row or {}
        self.name = QLineEdit(r.get("name", ""), objectName="planName")
        self.kind = _combo([(k, k) for k in plans.KINDS], r.get("kind", "专项"))
        self.subtype = searchable_combo([("（不限灾种）", None)] + subtype_items(db))
        _set_data(self.subtype, r.get("subtype_id"))
        self.body = _combo([("（无）", None)] + [(b["name"], b["id"]) for b in org.command_bodies(db)],
                           r.get("body_id"))
        self.lead = unit_combo(db, r.get("lead_org_id"), "（未指定）")
        self.approver = QLineEdit(r.get("approver", ""))
        self.approver.setPlaceholderText("如 南雄市人民政府")
        self.doc_number = QLineEdit(r.get("doc_number", ""), objectName="docNumber")
        self.doc_number.setPlaceholderText("如 雄府办〔2024〕12号（[ ]、( )、【 】会自动改为〔 〕）")
        self.dates: dict[str, QLineEdit] = {}
        self.status = _combo([(s, s) for s in plans.STATUSES], r.get("status", "现行"))
        self.note = text_box(64)
        self.note.setPlainText(r.get("note", ""))
        self.add_row("预案名称 *", self.name)
        self.add_row("类型 *", self.kind)
        self.add_row("灾种", self.subtype)
        self.add_row("指挥机构", self.body)
        self.add_row("牵头单位", self.lead)
        self.add_row("批准机关", self.approver)
        self.add_row("文号", self.doc_number)
        for key, label in (("issued_on", "印发日期"), ("filed_on", "备案日期"),
                           ("last_drill_on", "最近演练日期"), ("last_evaluation_on", "最近评估日期")):
            edit = QLineEdit(r.get(key) or "", objectName=key)
            edit.setPlaceholderText(DATE_HINT)
            self.dates[key] = edit
            self.add_row(label, edit)
        self.add_row("状态", self.status)
        self.add_row("备注", self.note)

    def data(self) -> plans.PlanInput:
        return plans.PlanInput(
            name=self.name.text(), kind=self.kind.currentData(), subtype_id=self.subtype.currentData(),
            body_id=self.body.currentData(), lead_org_id=self.lead.currentData(),
            approver=self.approver.text(), doc_number=self.doc_number.text(),
            status=self.status.currentData(), note=self.note.toPlainText(),
            **{key: edit.text() for key, edit in self.dates.items()})

    def submit(self) -> int:
        if self.row is None:
            return plans.add_plan(self.db, self.data(), self.clock)
        plans.update_plan(self.db, self.row["id"], self.data(), expected_version=self.row["version"],
                          clock=self.clock)
        return self.row["id"]


class LevelDialog(ServiceForm):
    """One response level of a plan: start criteria, 报请上级, who may start it, checklist."""

    def __init__(self, db: Database, clock: Clock, plan_id: int, level_no: int, parent=None) -> None:
        super().__init__(f"{plans.ROMAN[level_no]}响应", parent)
        self.db, self.clock, self.plan_id, self.level_no = db, clock, plan_id, level_no
        self.setMinimumWidth(640)
        self.existing = plans.level(db, plan_id, level_no)
        e = self.existing or {}
        self.criteria = text_box(90)
        self.criteria.setObjectName("criteria")
        self.criteria.setPlainText(e.get("criteria", ""))
        self.escalation = QLineEdit(e.get("escalation", ""))
        self.escalation.setPlaceholderText("如 报请韶关市三防指挥部启动相应级别响应")
        self.deciders = QListWidget(objectName="deciderList")
        self.deciders.setFixedHeight(150)
        chosen = {(d["body_id"], d["post_role"]) for d in e.get("deciders", [])}
        own_body = plans.plan(db, plan_id)["body_id"]          # the plan's own body first
        choices = sorted(plan_checks.decider_choices(db), key=lambda c: c["body_id"] != own_body)
        for choice in choices:
            item = QListWidgetItem(f"{choice['body']} · {choice['role']}（{choice['names']}）")
            item.setData(Qt.ItemDataRole.UserRole, (choice["body_id"], choice["role"]))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            key = (choice["body_id"], choice["role"])
            item.setCheckState(Qt.CheckState.Checked if key in chosen else Qt.CheckState.Unchecked)
            self.deciders.addItem(item)
            if key in chosen and self.deciders.currentRow() < 0:
                self.deciders.setCurrentItem(item)
        self.checklist = text_box(170)
        self.checklist.setObjectName("checklist")
        self.checklist.setPlainText(plans.actions_text(e.get("actions", [])))
        self.checklist.setPlaceholderText("每行一项：事项｜责任方（工作组或单位）｜时限分钟\n"
                                          "例：发布Ⅳ级应急响应启动通知｜综合协调组｜30")
        hint = QLabel("处置清单只列本级新增的事项：提级时在已执行的较低级别事项之上增加本级事项。")
        hint.setWordWrap(True)
        self.add_row("启动条件 *", self.criteria)
        self.add_row("报请上级", self.escalation)
        self.add_row("决定启动", self.deciders)
        self.add_row("处置清单", self.checklist)
        self.form.addRow("", hint)

    def chosen_deciders(self) -> list[tuple[int, str]]:
        out = []
        for row in range(self.deciders.count()):
            item = self.deciders.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(tuple(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def submit(self) -> int:
        data = plans.LevelInput(self.level_no, self.criteria.toPlainText(), self.chosen_deciders(),
                                plans.parse_actions(self.checklist.toPlainText()), self.escalation.text())
        return plans.set_level(self.db, self.plan_id, data,
                               expected_version=self.existing["version"] if self.existing else None,
                               clock=self.clock)


class GroupDialog(ServiceForm):
    """A working group of the plan's template."""

    def __init__(self, db: Database, clock: Clock, plan_id: int, group: dict | None = None, parent=None) -> None:
        super().__init__("编辑工作组" if group else "新增工作组", parent)
        self.db, self.clock, self.plan_id, self.group = db, clock, plan_id, group
        g = group or {}
        self.name = QComboBox(editable=True)
        self.name.addItems(plans.GROUP_NAMES)
        self.name.setCurrentText(g.get("name", ""))
        self.lead = unit_combo(db, g.get("lead_org_id"))
        if not group:
            self.lead.setCurrentIndex(-1)
        self.members = text_box(64)
        self.members.setPlainText(g.get("members_text", ""))
        self.members.setPlaceholderText("单位全称或简称，用“、”分隔，如 市水务局、市气象局")
        self.duties = text_box(80)
        self.duties.setPlainText(g.get("duties", ""))
        self.add_row("工作组名称 *", self.name)
        self.add_row("牵头单位 *", self.lead)
        self.add_row("成员单位", self.members)
        self.add_row("职责", self.duties)

    def submit(self) -> int:
        lead = self.lead.currentData() if self.lead.currentIndex() >= 0 and self.lead.currentText() else None
        data = plans.GroupInput(self.name.currentText(), lead, self.members.toPlainText(),
                                self.duties.toPlainText())
        if self.group is None:
            return plans.add_group(self.db, self.plan_id, data, self.clock)
        plans.update_group(self.db, self.group["id"], data, expected_version=self.group["version"],
                           clock=self.clock)
        return self.group["id"]


RECORD_TITLES = {"filed_on": "记录备案", "last_drill_on": "记录演练", "last_evaluation_on": "记录评估"}
RECORD_LABELS = {"filed_on": "备案日期", "last_drill_on": "演练日期", "last_evaluation_on": "评估日期"}


class RecordDateDialog(ServiceForm):
    """Record that the plan was filed, drilled or evaluated on a day (today by default)."""

    def __init__(self, db: Database, clock: Clock, plan_row: dict, what: str, parent=None) -> None:
        super().__init__(RECORD_TITLES[what], parent)
        self.db, self.clock, self.plan_row, self.what = db, clock, plan_row, what
        self.day = QLineEdit(clock.now().date().isoformat(), objectName="recordDay")
        self.add_row("预案", QLabel(plan_row["name"], wordWrap=True))
        self.add_row(RECORD_LABELS[what] + " *", self.day, RECORD_LABELS[what])

    def submit(self) -> int:
        plans.record_date(self.db, self.plan_row["id"], self.what, self.day.text(), self.clock)
        return self.plan_row["id"]
