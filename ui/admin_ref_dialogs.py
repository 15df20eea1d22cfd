"""Forms of 系统管理 · 参考数据: an event sub-type, a 生产安全事故 grade's thresholds, a level's
colour and a reporting-deadline rule. Each saves through nxcommand.refdata_admin, which
checks the administrator's permission and validates; refusals keep the form open."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QColorDialog, QComboBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox)
from sqlite_utils import Database

from nxcommand import refdata, refdata_admin

from .forms import ServiceForm

WAN = 10_000
GRADE_SCOPE = {1: "仅特别重大", 2: "重大及以上", 3: "较大及以上", 4: "一般及以上（全部）"}


def combo(items: list[tuple[str, object]], current=None) -> QComboBox:
    box = QComboBox()
    for text, value in items:
        box.addItem(text, value)
    box.setCurrentIndex(max(box.findData(current), 0))
    return box


def spin(low: int, high: int, value: int, suffix: str = "", special: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setSuffix(suffix)
    if special:
        box.setSpecialValueText(special)
    return box


class SubtypeDialog(ServiceForm):
    """Add a sub-type (``row`` None) or rename one / change its grading."""

    def __init__(self, db: Database, row: dict | None = None, parent=None) -> None:
        super().__init__("修改事件子类" if row else "新增事件子类", parent)
        self.db, self.row = db, row
        cats = refdata.categories(db)
        self.category = combo([(c["name"], c["id"]) for c in cats], row and row["category_id"])
        self.category.setEnabled(row is None)
        self.name = QLineEdit(row["name"] if row else "", objectName="subtypeName")
        self.grading = combo([(t, k) for k, t in refdata_admin.GRADING.items()],
                             row["grading"] if row else "chosen")
        self.add_row("事件类别", self.category)
        self.add_row("子类名称 *", self.name)
        self.add_row("分级方式", self.grading)
        self.fields.update(name=self.name, grading=self.grading)
        self.form.addRow("", QLabel("“按生产安全事故标准计算”：接报时按死亡、重伤人数和直接经济损失"
                                    "自动定级；已登记的事件保持原级别。", wordWrap=True))

    def submit(self) -> int:
        if self.row:
            refdata_admin.update_subtype(self.db, self.row["id"], self.name.text(),
                                         self.grading.currentData())
            return self.row["id"]
        return refdata_admin.add_subtype(self.db, self.category.currentData(), self.name.text(),
                                         self.grading.currentData())


class ThresholdDialog(ServiceForm):
    def __init__(self, db: Database, rule: refdata.Threshold, grade_name: str, parent=None) -> None:
        super().__init__(f"生产安全事故分级标准：{grade_name}", parent)
        self.db, self.rule = db, rule
        self.deaths = spin(0, 100_000, rule.deaths, " 人")
        self.injuries = spin(0, 100_000, rule.serious_injuries, " 人")
        self.loss = spin(0, 100_000_000, rule.direct_loss_yuan // WAN, " 万元")
        self.add_row("死亡人数（以上）", self.deaths)
        self.add_row("重伤人数（以上）", self.injuries)
        self.add_row("直接经济损失（以上）", self.loss)
        self.fields.update({"死亡人数": self.deaths, "重伤人数": self.injuries, "直接经济损失": self.loss})
        self.form.addRow("", QLabel("“以上”含本数；任一项达到即为此级。高一级的每项标准都要大于低一级。",
                                    wordWrap=True))

    def submit(self) -> int:
        refdata_admin.set_threshold(self.db, refdata.Threshold(
            self.rule.grade, self.deaths.value(), self.injuries.value(), self.loss.value() * WAN))
        return self.rule.grade


class ColourDialog(ServiceForm):
    def __init__(self, db: Database, table: str, row: dict, parent=None) -> None:
        title = refdata_admin.LEVEL_TABLES[table]
        super().__init__(f"{title}颜色：{row['name']}", parent)
        self.db, self.table, self.row = db, table, row
        self.hex = QLineEdit(row["color_hex"], objectName="colourHex")
        self.hex.setPlaceholderText("#RRGGBB，如 #D32F2F")
        self.swatch = QLabel(objectName="colourSwatch")
        self.swatch.setFixedSize(48, 22)
        pick = QPushButton("选择…")
        pick.clicked.connect(self._pick)
        line = QHBoxLayout()
        line.addWidget(self.hex, 1)
        line.addWidget(self.swatch)
        line.addWidget(pick)
        self.add_row("颜色", line)
        self.fields["color_hex"] = self.hex
        self.hex.textChanged.connect(self._show)
        self._show()

    def _show(self) -> None:
        colour = QColor(self.hex.text().strip())
        self.swatch.setStyleSheet(f"background: {colour.name() if colour.isValid() else 'transparent'};"
                                  "border: 1px solid #9fb3c8;")

    def _pick(self) -> None:
        colour = QColorDialog.getColor(QColor(self.hex.text().strip()), self, "选择颜色")
        if colour.isValid():
            self.hex.setText(colour.name().upper())

    def submit(self) -> int:
        refdata_admin.set_level_colour(self.db, self.table, self.row["id"], self.hex.text())
        return self.row["id"]


class RuleDialog(ServiceForm):
    """Add (``row`` None) or edit a reporting-deadline rule."""

    def __init__(self, db: Database, row: dict | None = None, parent=None) -> None:
        super().__init__("修改报送时限规则" if row else "新增报送时限规则", parent)
        self.setMinimumWidth(560)
        self.db, self.row = db, row
        r = row or {}
        self.cats = refdata.categories(db)
        self.name = QLineEdit(r.get("name", ""), objectName="ruleName")
        self.category = combo([("（全部类别）", None)] + [(c["name"], c["id"]) for c in self.cats],
                              r.get("category_id"))
        self.subtype = QComboBox()
        self.category.currentIndexChanged.connect(lambda _: self._fill_subtypes(None))
        self._fill_subtypes(r.get("subtype_id"))
        self.grade = combo([(t, g) for g, t in GRADE_SCOPE.items()], r.get("max_grade", 4))
        self.sensitive = QCheckBox("敏感事件不论级别均适用", checked=bool(r.get("when_sensitive")))
        self.kind = combo([(k, k) for k in refdata.REPORT_KINDS], r.get("report_kind"))
        self.due = spin(0, 60 * 24 * 30, r.get("due_minutes") or 0, " 分钟", "（不按分钟计）")
        self.daily = QLineEdit(r.get("daily_at") or "", objectName="dailyAt")
        self.daily.setPlaceholderText("如 09:00，可留空")
        self.repeat = spin(0, 365, r.get("repeat_days") or 0, " 天", "（不限）")
        self.note = QLineEdit(r.get("note", ""))
        self.active = QCheckBox("在用", checked=bool(r.get("active", 1)))
        self.add_row("规则名称 *", self.name)
        self.add_row("事件类别", self.category)
        self.add_row("事件子类", self.subtype)
        self.add_row("适用级别", self.grade)
        self.add_row("", self.sensitive)
        self.add_row("报告种类 *", self.kind)
        self.add_row("接报后时限", self.due)
        self.add_row("每日报送时刻", self.daily)
        self.add_row("续报天数", self.repeat)
        self.add_row("说明", self.note)
        self.add_row("", self.active)
        self.fields.update({"name": self.name, "子类": self.subtype, "report_kind": self.kind,
                            "due_minutes": self.due, "daily_at": self.daily,
                            "max_grade": self.grade, "repeat_days": self.repeat})

    def _fill_subtypes(self, current: int | None) -> None:
        self.subtype.clear()
        self.subtype.addItem("（全部子类）", None)
        cat = self.category.currentData()
        for c in self.cats:
            if cat is None or c["id"] == cat:
                for s in c["subtypes"]:
                    self.subtype.addItem(s["name"], s["id"])
        self.subtype.setCurrentIndex(max(self.subtype.findData(current), 0))

    def values(self) -> dict:
        rule = {"name": self.name.text(), "category_id": self.category.currentData(),
                "subtype_id": self.subtype.currentData(), "max_grade": self.grade.currentData(),
                "when_sensitive": self.sensitive.isChecked(), "report_kind": self.kind.currentData(),
                "due_minutes": self.due.value() or None, "daily_at": self.daily.text().strip() or None,
                "repeat_days": self.repeat.value() or None, "note": self.note.text(),
                "active": self.active.isChecked()}
        if self.row:
            rule["id"] = self.row["id"]
        return rule

    def submit(self) -> int:
        return refdata_admin.save_deadline_rule(self.db, self.values())
