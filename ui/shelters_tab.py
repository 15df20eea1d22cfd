"""避难场所 tab: shelters by town and level; occupancy shown as n / capacity, coloured as it
fills, and updated with the time of the count."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit
from sqlite_utils import Database

from nxcommand import shelters
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError

from .forms import ServiceForm, text_box
from .register_tab import (ORANGE, PALE_AMBER, PALE_RED, RED, RegisterTab, TownVillage, choice_combo,
                           combo_value, person_fields, town_combo)


class ShelterDialog(ServiceForm):
    def __init__(self, db: Database, shelter: dict | None = None, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__("编辑避难场所" if shelter else "新增避难场所", parent)
        self.db, self.shelter, self.clock = db, shelter, clock
        self.name = QLineEdit()
        self.level = choice_combo(shelters.LEVELS)
        self.setting = choice_combo(shelters.SETTINGS)
        self.area = QLineEdit(placeholderText="平方米")
        self.capacity = QLineEdit(placeholderText="人")
        self.place = TownVillage(db)
        self.address = QLineEdit()
        self.manager, self.phone = person_fields("管理人姓名")
        self.lon = QLineEdit(placeholderText="经度，可留空")
        self.lat = QLineEdit(placeholderText="纬度")
        self.facilities = text_box(48)
        self.access = QLineEdit(placeholderText="如 G323国道可达，大型车辆可通行")
        self.note = text_box(40)
        for label, widget, field in (
                ("场所名称 *", self.name, "场所名称"), ("类型 *", self.level, "场所类型"), ("室内外", self.setting, "室内外"),
                ("面积（m²） *", self.area, "面积"), ("容纳人数 *", self.capacity, "容纳人数"),
                ("所在镇（街道） *", self.place.town, "所在镇（街道）"), ("村（社区）", self.place.village, "村（社区）"),
                ("地址", self.address, "地址"), ("管理人", self.manager, "管理人"), ("管理人电话", self.phone, "电话"),
                ("经度", self.lon, "经度"), ("纬度", self.lat, "纬度"), ("设施", self.facilities, "设施"),
                ("交通", self.access, "交通"), ("备注", self.note, "备注")):
            self.add_row(label, widget, field)
        if shelter:
            s = shelter
            self.name.setText(s["name"])
            self.level.setCurrentText(s["level"])
            self.setting.setCurrentText(s["setting"])
            self.area.setText(f"{s['area_m2']:g}")
            self.capacity.setText(str(s["capacity"]))
            self.place.set(s["town_id"], s["village_id"])
            self.address.setText(s["address"])
            self.manager.setText(s["manager"])
            self.phone.setText(s["manager_phone"])
            self.lon.setText("" if s["lon"] is None else f"{s['lon']:g}")
            self.lat.setText("" if s["lat"] is None else f"{s['lat']:g}")
            self.facilities.setPlainText(s["facilities"])
            self.access.setText(s["access"])
            self.note.setPlainText(s["note"])

    def submit(self) -> int:
        data = shelters.ShelterInput(
            name=self.name.text(), level=self.level.currentText(), setting=self.setting.currentText(),
            area_m2=self.area.text(), capacity=self.capacity.text(), town_id=self.place.town_id(),
            village_id=self.place.village_id(), address=self.address.text(), manager_name=self.manager.text(),
            manager_phone=self.phone.text(), lon=self.lon.text(), lat=self.lat.text(),
            facilities=self.facilities.toPlainText(), access=self.access.text(), note=self.note.toPlainText())
        if self.shelter:
            shelters.update(self.db, self.shelter["id"], data, expected_version=self.shelter["version"],
                            clock=self.clock)
            return self.shelter["id"]
        return shelters.add(self.db, data, self.clock)


class SheltersTab(RegisterTab):
    noun = "处避难场所"

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, notify=None) -> None:
        super().__init__(db, clock, notify)
        self.ask_occupancy = self._ask_occupancy          # replaceable in tests
        self.search.setPlaceholderText("搜索：场所名称、地址、设施")
        self.town_filter = town_combo(db, "全部镇（街道）")
        self.level_filter = choice_combo(shelters.LEVELS, "全部类型")
        self.watch(self.town_filter, self.level_filter)
        self.button("新增场所", self.add_record)
        self.edit_button = self.button("编辑", self.edit_selected)
        self.occupancy_button = self.button("更新安置人数…", self.update_occupancy, primary=True)
        self.remove_button = self.button("删除…", self.remove_selected)
        try:
            from nxcommand.resources_excel import SHELTERS

            from .excel_io import ExcelBar
            self.actions.addWidget(ExcelBar(db, SHELTERS, clock, self.notify, self.run_query))
        except ImportError:
            pass
        self.build([("name", "场所名称"), ("level", "类型"), ("setting", "室内外"), ("town", "镇（街道）"),
                    (lambda r: f"{r['area_m2']:,.0f}", "面积 m²"), ("capacity", "容纳"),
                    (lambda r: f"{r['occupancy']} / {r['capacity']}", "现安置"),
                    (lambda r: (r["occupancy_at"] or "")[:16], "更新时间"), ("manager", "管理人"),
                    ("manager_phone", "电话"), ("facilities", "设施")],
                   self.style, (200, 96, 60, 80, 70, 56, 90, 120, 64, 104))

    def query_ids(self) -> list[int]:
        return shelters.search(self.db, shelters.Query(
            town_id=combo_value(self.town_filter), level=self.level_filter.currentData(), text=self.search.text()))

    def fetch(self, ids):
        return shelters.rows(self.db, ids)

    def get(self, record_id: int) -> dict:
        return shelters.get(self.db, record_id)

    def dialog(self, record):
        return ShelterDialog(self.db, record, self.clock, self)

    def style(self, r: dict, column: int):
        if column == 6 and r["occupancy"]:
            share = r["occupancy"] / r["capacity"]
            if share >= 0.9:
                return RED, PALE_RED
            return (ORANGE, PALE_AMBER) if share >= 0.7 else (None, PALE_AMBER)
        return None, None

    def selection_changed(self) -> None:
        selected = self.current_record() is not None
        for button in (self.edit_button, self.occupancy_button, self.remove_button):
            button.setEnabled(selected)

    def _ask_occupancy(self, record: dict) -> int | None:
        value, ok = QInputDialog.getInt(
            self, "更新安置人数", f"{record['name']}（最多容纳 {record['capacity']} 人）现安置人数：",
            record["occupancy"], 0, 10_000_000)
        return value if ok else None

    def update_occupancy(self) -> None:
        record = self.current_record()
        if record is None:
            return
        people = self.ask_occupancy(record)
        if people is None:
            return
        try:
            shelters.set_occupancy(self.db, record["id"], people, self.clock)
        except UserError as exc:
            self.warn(str(exc))
            return
        self.run_query()
        self.notify(f"{record['name']}现安置 {people} / {record['capacity']} 人")

    def remove_selected(self) -> None:
        self.remove_with("删除避难场所", lambda r: f"删除“{r['name']}”？此操作不可撤销。",
                         shelters.remove, lambda r: f"已删除：{r['name']}")
