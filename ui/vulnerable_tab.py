"""特殊群体临灾转移 tab (每户一对接 · 每村一台账 · 每镇一张网): the register by town and
village, each person's transfer contact, route and shelter; entries lacking a contact or a
shelter are flagged in red, and the town's network (people and gaps per village) sits above."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit
from sqlite_utils import Database

from nxcommand import shelters, vulnerable
from nxcommand.clock import SYSTEM_CLOCK, Clock

from .forms import ServiceForm, searchable_combo, text_box
from .register_tab import (PALE_RED, RED, RegisterTab, TownVillage, choice_combo, combo_value, person_fields,
                           town_combo)


class VulnerableDialog(ServiceForm):
    def __init__(self, db: Database, entry: dict | None = None, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__("编辑特殊群体登记" if entry else "新增特殊群体登记", parent)
        self.db, self.entry, self.clock = db, entry, clock
        self.name = QLineEdit()
        self.place = TownVillage(db, village_label="（请选择村）")
        self.category = choice_combo(vulnerable.CATEGORIES)
        self.needs = QLineEdit(placeholderText="如 行动不便需担架、需带药")
        self.address = QLineEdit()
        self.contact, self.phone = person_fields("对接人姓名")
        self.route = QLineEdit(placeholderText="如 沿村道步行约10分钟至村小学")
        self.shelter = searchable_combo([("（未指定）", None)] + [
            (f"{s['name']}（{s['town']}）", s["id"]) for s in shelters.choices(db)])
        self.note = text_box(40)
        for label, widget, field in (
                ("姓名 *", self.name, "姓名"), ("镇（街道） *", self.place.town, "所在镇（街道）"),
                ("村（社区） *", self.place.village, "村（社区）"), ("类别 *", self.category, "人员类别"),
                ("特殊需求", self.needs, "特殊需求"), ("住址", self.address, "住址"),
                ("转移对接人", self.contact, "对接人"), ("对接人电话", self.phone, "电话"),
                ("转移路线", self.route, "转移路线"), ("安置场所", self.shelter, "安置场所"), ("备注", self.note, "备注")):
            self.add_row(label, widget, field)
        if entry:
            self.name.setText(entry["name"])
            self.place.set(entry["town_id"], entry["village_id"])
            self.category.setCurrentText(entry["category"])
            self.needs.setText(entry["needs"])
            self.address.setText(entry["address"])
            self.contact.setText(entry["contact"])
            self.phone.setText(entry["contact_phone"])
            self.route.setText(entry["route"])
            self.shelter.setCurrentIndex(max(0, self.shelter.findData(entry["shelter_id"])))
            self.note.setPlainText(entry["note"])

    def submit(self) -> int:
        data = vulnerable.PersonInput(
            name=self.name.text(), village_id=self.place.village_id(), category=self.category.currentText(),
            needs=self.needs.text(), address=self.address.text(), contact_name=self.contact.text(),
            contact_phone=self.phone.text(), route=self.route.text(), shelter_id=combo_value(self.shelter),
            note=self.note.toPlainText())
        if self.entry:
            vulnerable.update(self.db, self.entry["id"], data, expected_version=self.entry["version"],
                              clock=self.clock)
            return self.entry["id"]
        return vulnerable.add(self.db, data, self.clock)


class VulnerableTab(RegisterTab):
    noun = "人"

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, notify=None) -> None:
        super().__init__(db, clock, notify)
        self.search.setPlaceholderText("搜索：姓名、特殊需求、对接人")
        self.town_filter = town_combo(db, "全部镇（街道）")
        self.village_filter = QComboBox()
        self.category_filter = choice_combo(vulnerable.CATEGORIES, "全部类别")
        self.gaps_filter = QCheckBox("只看缺对接人/安置场所")
        self._fill_villages()
        self.town_filter.currentIndexChanged.connect(lambda _i: self._fill_villages())
        self.watch(self.town_filter, self.village_filter, self.category_filter, self.gaps_filter)
        self.network = QLabel(objectName="networkSummary", wordWrap=True)
        self.button("新增登记", self.add_record)
        self.edit_button = self.button("编辑", self.edit_selected)
        self.remove_button = self.button("删除…", self.remove_selected)
        self._excel()
        self.build([("town", "镇（街道）"), ("village", "村（社区）"), ("name", "姓名"), ("category", "类别"),
                    ("needs", "特殊需求"), ("contact", "对接人"), ("contact_phone", "对接人电话"),
                    ("route", "转移路线"), ("shelter", "安置场所"), ("gaps", "缺项")],
                   self.style, (76, 80, 64, 72, 150, 64, 104, 220, 180), above=self.network)

    def _excel(self) -> None:
        from nxcommand.vulnerable_excel import VULNERABLE

        from .excel_io import ExcelBar
        self.excel = ExcelBar(self.db, VULNERABLE, self.clock, self.notify, self.run_query)
        self.actions.addWidget(self.excel)

    def _fill_villages(self) -> None:
        self.village_filter.blockSignals(True)
        self.village_filter.clear()
        self.village_filter.addItem("全部村（社区）", None)
        town_id = combo_value(self.town_filter)
        if town_id is not None:
            for row in vulnerable.town_network(self.db, town_id):
                self.village_filter.addItem(row["village"], row["village_id"])
        self.village_filter.blockSignals(False)

    def _network_text(self, town_id: int | None) -> str:
        """每镇一张网 for one town, or the county's towns when none is chosen."""
        if town_id is None:
            parts = [f"{r['town']} {r['people']} 人" + (f"（缺项 {r['gaps']}）" if r["gaps"] else "")
                     for r in vulnerable.county_summary(self.db)]
            return "全市：" + ("；".join(parts) if parts else "尚无登记")
        parts = [f"{r['village']} {r['people']} 人" + (f"（缺项 {r['gaps']}）" if r["gaps"] else "")
                 for r in vulnerable.town_network(self.db, town_id)]
        return f"{self.town_filter.currentText()}一张网：" + "；".join(parts)

    def query_ids(self) -> list[int]:
        town_id = combo_value(self.town_filter)
        self.network.setText(self._network_text(town_id))
        return vulnerable.search(self.db, vulnerable.Query(
            town_id=town_id, village_id=self.village_filter.currentData(),
            category=self.category_filter.currentData(), gaps_only=self.gaps_filter.isChecked(),
            text=self.search.text()))

    def fetch(self, ids):
        return vulnerable.rows(self.db, ids)

    def get(self, record_id: int) -> dict:
        return vulnerable.get(self.db, record_id)

    def dialog(self, record):
        return VulnerableDialog(self.db, record, self.clock, self)

    def style(self, r: dict, column: int):
        if r["gaps"]:
            return (RED if column in (5, 8, 9) else None), PALE_RED
        return None, None

    def selection_changed(self) -> None:
        selected = self.current_record() is not None
        self.edit_button.setEnabled(selected)
        self.remove_button.setEnabled(selected)

    def remove_selected(self) -> None:
        self.remove_with("删除登记", lambda r: f"将“{r['name']}”（{r['village']}）从台账中删除？",
                         vulnerable.remove, lambda r: f"已删除登记：{r['name']}")
