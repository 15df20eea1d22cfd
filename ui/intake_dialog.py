"""接报: the keyboard-first intake form. Tab moves field to field; Ctrl+Enter saves."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGridLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QScrollArea,
                               QSpinBox, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import incidents, org, refdata
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.incidents import EventInput, Figures

from .forms import ServiceForm, searchable_combo, text_box, time_edit, time_text


class IntakeDialog(ServiceForm):
    save_text = "保存 (Ctrl+Enter)"

    def __init__(self, db: Database, recorder: str, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__("接报登记", parent)
        self.db, self.recorder, self.clock = db, recorder, clock
        self.resize(860, 760)
        now = clock.now()

        # 接报
        self.received = time_edit(now)
        self.source = QComboBox()
        self.source.addItems(incidents.SOURCE_KINDS)
        self.caller_unit, self.caller_name = QLineEdit(), QLineEdit()
        self.caller_post, self.caller_phone = QLineEdit(), QLineEdit()
        self.informed = QLineEdit(placeholderText="来电人已报告或通知的单位")
        # 事发
        self.occurred = time_edit(now)
        self.town = searchable_combo([(t["name"], t["id"]) for t in org.towns(db)])
        self.town.setCurrentIndex(-1)
        self.village = QComboBox()
        self.place = QLineEdit(placeholderText="具体地点或事发单位")
        self.category = QComboBox()
        self.subtype = QComboBox()
        self._categories = refdata.categories(db)
        for cat in self._categories:
            self.category.addItem(cat["name"], cat["id"])
        self.grade = QComboBox()
        for level in refdata.levels(db, "severity_grades"):
            self.grade.addItem(f"{level['name']}（{level['roman']}级）", level["id"])
        self.grade.setCurrentIndex(self.grade.count() - 1)
        self.grade_note = QLabel(objectName="statusMuted")
        self.sensitive = QCheckBox("敏感事件")
        self.drill = QCheckBox("演练")
        # 伤亡
        self.figure_boxes = {key: QSpinBox(maximum=1_000_000) for key, _ in incidents.FIGURES}
        self.loss_wan = QDoubleSpinBox(maximum=10_000_000, decimals=1, suffix=" 万元")
        # 描述
        self.cause = text_box(80)
        self.texts = {key: text_box() for key in ("loss", "scope", "trend", "measures",
                                                  "leaders_on_scene", "requests")}
        self.site_name, self.site_post, self.site_phone = QLineEdit(), QLineEdit(), QLineEdit()
        self.title_edit = QLineEdit(placeholderText="留空则按“地点＋类型＋伤亡＋进展”自动生成")

        self.fields = {
            "接报时间": self.received, "来源方式": self.source, "来电单位": self.caller_unit,
            "联系电话": self.caller_phone, "事发时间": self.occurred, "事发镇街": self.town,
            "村社区": self.village, "事件类别": self.category, "事件子类": self.subtype,
            "事件级别": self.grade, "起因经过": self.cause, "标题": self.title_edit,
            "现场负责人电话": self.site_phone, "具体地点": self.place,
            **{label: self.figure_boxes[key] for key, label in incidents.FIGURES},
        }
        self._build_layout()
        self.town.currentIndexChanged.connect(self._fill_villages)
        self.category.currentIndexChanged.connect(self._fill_subtypes)
        self.subtype.currentIndexChanged.connect(self._grade_mode)
        self._fill_subtypes()
        QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.accept)
        self.caller_unit.setFocus()

    def _build_layout(self) -> None:
        intake = QGroupBox("接报信息")
        f1 = QFormLayout(intake)
        f1.addRow("接报时间 *", self.received)
        f1.addRow("来源方式 *", self.source)
        f1.addRow("报告单位", self.caller_unit)
        f1.addRow("报告人", self.caller_name)
        f1.addRow("职务", self.caller_post)
        f1.addRow("联系电话", self.caller_phone)
        f1.addRow("已通报", self.informed)
        event = QGroupBox("事发情况")
        f2 = QFormLayout(event)
        f2.addRow("事发时间 *", self.occurred)
        f2.addRow("镇（街道） *", self.town)
        f2.addRow("村（社区）", self.village)
        f2.addRow("具体地点", self.place)
        f2.addRow("类别 *", self.category)
        f2.addRow("子类", self.subtype)
        grade_row = QHBoxLayout()
        grade_row.addWidget(self.grade)
        grade_row.addWidget(self.grade_note, 1)
        f2.addRow("级别 *", grade_row)
        flags = QHBoxLayout()
        flags.addWidget(self.sensitive)
        flags.addWidget(self.drill)
        flags.addStretch(1)
        f2.addRow("", flags)
        casualties = QGroupBox("伤亡和损失")
        grid = QGridLayout(casualties)
        for n, (key, label) in enumerate(incidents.FIGURES):
            grid.addWidget(QLabel(label), n // 3, (n % 3) * 2)
            grid.addWidget(self.figure_boxes[key], n // 3, (n % 3) * 2 + 1)
        grid.addWidget(QLabel("直接经济损失"), 2, 0)
        grid.addWidget(self.loss_wan, 2, 1)
        details = QGroupBox("情况描述")
        f3 = QFormLayout(details)
        f3.addRow("起因、性质、经过 *", self.cause)
        for key, label in (("loss", "财产损失"), ("scope", "影响范围"), ("trend", "发展趋势"),
                           ("measures", "已采取措施"), ("leaders_on_scene", "领导到位情况"),
                           ("requests", "请求事项")):
            f3.addRow(label, self.texts[key])
        site = QHBoxLayout()
        for widget, hint in ((self.site_name, "姓名"), (self.site_post, "职务"), (self.site_phone, "电话")):
            widget.setPlaceholderText(hint)
            site.addWidget(widget)
        f3.addRow("现场负责人", site)
        f3.addRow("标题", self.title_edit)

        top = QHBoxLayout()
        top.addWidget(intake, 1)
        top.addWidget(event, 1)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addLayout(top)
        column.addWidget(casualties)
        column.addWidget(details)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(body)
        self.body.insertWidget(1, scroll, 1)

    def _fill_villages(self) -> None:
        self.village.clear()
        self.village.addItem("（不具体到村）", None)
        town_id = self.town.currentData()
        if town_id is not None:
            for v in org.villages(self.db, town_id):
                self.village.addItem(v["name"], v["id"])

    def _fill_subtypes(self) -> None:
        self.subtype.clear()
        self.subtype.addItem("（未细分）", None)
        cat = next((c for c in self._categories if c["id"] == self.category.currentData()), None)
        for sub in (cat or {}).get("subtypes", []):
            self.subtype.addItem(sub["name"], sub["id"])
        self._grade_mode()

    def _grade_mode(self) -> None:
        cat = next((c for c in self._categories if c["id"] == self.category.currentData()), None)
        computed = any(s["id"] == self.subtype.currentData() and s["grading"] == "production_safety"
                       for s in (cat or {}).get("subtypes", []))
        self.grade.setEnabled(not computed)
        self.grade_note.setText("生产安全事故：按伤亡和损失自动定级" if computed else "")

    def form_input(self) -> EventInput:
        figures = Figures(**{key: box.value() for key, box in self.figure_boxes.items()},
                          direct_loss_yuan=round(self.loss_wan.value() * 10_000))
        return EventInput(
            received_at=time_text(self.received), source_kind=self.source.currentText(),
            occurred_at=time_text(self.occurred), town_id=self.town.currentData(),
            category_id=self.category.currentData(), cause=self.cause.toPlainText(),
            recorded_by=self.recorder, caller_unit=self.caller_unit.text(),
            caller_name=self.caller_name.text(), caller_post=self.caller_post.text(),
            caller_phone=self.caller_phone.text(), informed=self.informed.text(),
            village_id=self.village.currentData(), place=self.place.text(),
            subtype_id=self.subtype.currentData(), grade=self.grade.currentData(),
            sensitive=self.sensitive.isChecked(), figures=figures,
            site_contact_name=self.site_name.text(), site_contact_post=self.site_post.text(),
            site_contact_phone=self.site_phone.text(), title=self.title_edit.text(),
            is_drill=self.drill.isChecked(),
            **{key: box.toPlainText() for key, box in self.texts.items()})

    def submit(self) -> int:
        return incidents.create_event(self.db, self.form_input(), self.clock)

    def has_content(self) -> bool:
        return any((self.caller_unit.text(), self.caller_name.text(), self.cause.toPlainText(),
                    self.place.text(), self.town.currentIndex() >= 0))

    def reject(self) -> None:
        """Typed intake is never thrown away by a stray Esc: ask first."""
        if self.has_content() and self.confirm_discard() != QMessageBox.StandardButton.Yes:
            return
        super().reject()

    def confirm_discard(self):
        return QMessageBox.question(self, "放弃接报登记", "已填写的接报内容尚未保存，确定放弃吗？")
