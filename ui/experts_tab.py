"""专家 tab: the expert pool by field, with the phone from the directory."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit
from sqlite_utils import Database

from nxcommand import experts
from nxcommand.clock import SYSTEM_CLOCK, Clock

from .forms import ServiceForm, text_box
from .register_tab import RegisterTab, choice_combo, person_fields


class ExpertDialog(ServiceForm):
    def __init__(self, db: Database, expert: dict | None = None, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__("编辑专家" if expert else "新增专家", parent)
        self.db, self.expert, self.clock = db, expert, clock
        self.name, self.phone = person_fields("专家姓名")
        self.field = choice_combo(experts.FIELDS_OF_WORK)
        self.title = QLineEdit(placeholderText="如 高级工程师、主任医师")
        self.employer = QLineEdit()
        self.note = text_box(56)
        for label, widget, field in (("姓名 *", self.name, "姓名"), ("电话", self.phone, "电话"),
                                     ("专业领域 *", self.field, "专业领域"), ("职称", self.title, "职称"),
                                     ("工作单位", self.employer, "工作单位"), ("备注", self.note, "备注")):
            self.add_row(label, widget, field)
        if expert:
            self.name.setText(expert["name"])
            self.phone.setText(expert["mobile"] or expert["office_phone"])
            self.field.setCurrentText(expert["field"])
            self.title.setText(expert["title"])
            self.employer.setText(expert["employer"])
            self.note.setPlainText(expert["note"])

    def submit(self) -> int:
        data = experts.ExpertInput(field=self.field.currentText(), name=self.name.text(), phone=self.phone.text(),
                                   title=self.title.text(), employer=self.employer.text(),
                                   note=self.note.toPlainText())
        if self.expert:
            experts.update(self.db, self.expert["id"], data, expected_version=self.expert["version"],
                           clock=self.clock)
            return self.expert["id"]
        return experts.add(self.db, data, self.clock)


class ExpertsTab(RegisterTab):
    noun = "位专家"

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, notify=None) -> None:
        super().__init__(db, clock, notify)
        self.search.setPlaceholderText("搜索：姓名、工作单位、职称")
        self.field_filter = choice_combo(experts.FIELDS_OF_WORK, "全部领域")
        self.watch(self.field_filter)
        self.button("新增专家", self.add_record)
        self.edit_button = self.button("编辑", self.edit_selected)
        self.remove_button = self.button("移出专家库…", self.remove_selected)
        try:
            from nxcommand.resources_excel import EXPERTS

            from .excel_io import ExcelBar
            self.actions.addWidget(ExcelBar(db, EXPERTS, clock, self.notify, self.run_query))
        except ImportError:
            pass
        self.build([("name", "姓名"), ("field", "专业领域"), ("title", "职称"), ("employer", "工作单位"),
                    (lambda r: r["mobile"] or r["office_phone"], "电话"), ("note", "备注")],
                   widths=(80, 100, 120, 240, 110))

    def query_ids(self) -> list[int]:
        return experts.search(self.db, experts.Query(field=self.field_filter.currentData(), text=self.search.text()))

    def fetch(self, ids):
        return experts.rows(self.db, ids)

    def get(self, record_id: int) -> dict:
        return experts.get(self.db, record_id)

    def dialog(self, record):
        return ExpertDialog(self.db, record, self.clock, self)

    def selection_changed(self) -> None:
        selected = self.current_record() is not None
        self.edit_button.setEnabled(selected)
        self.remove_button.setEnabled(selected)

    def remove_selected(self) -> None:
        self.remove_with("移出专家库", lambda r: f"将“{r['name']}”移出专家库？其通讯录信息保留。",
                         experts.remove, lambda r: f"已移出专家库：{r['name']}")
