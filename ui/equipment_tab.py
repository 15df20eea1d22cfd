"""装备 tab: equipment by kind, hazard kit, town and status; the "四合一" filter shows the
command kit by role with its operators, call signs and a one-line readiness summary."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QSpinBox
from sqlite_utils import Database

from nxcommand import equipment, org, teams
from nxcommand.clock import SYSTEM_CLOCK, Clock

from .forms import ServiceForm, searchable_combo, text_box
from .register_tab import (GREEN, GREY, ORANGE, RED, RegisterTab, choice_combo, combo_value, person_fields,
                           town_combo)

STATUS_COLOURS = {"完好待命": GREEN, "在用": ORANGE, "维修": RED, "停用": GREY}


def kit_summary(kit: dict[str, list[dict]]) -> str:
    """卫星通信 2（2 完好）　无人机 4 … — a role with nothing ready is called out."""
    parts = []
    for role, items in kit.items():
        ready = sum(i["ready"] for i in items)
        parts.append(f"{role} {len(items)}（可用 {ready}）" if ready else f"{role}：无可用")
    return "四合一：" + "　".join(parts)


class EquipmentDialog(ServiceForm):
    def __init__(self, db: Database, item: dict | None = None, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__("编辑装备" if item else "新增装备", parent)
        self.db, self.item, self.clock = db, item, clock
        self.name = QLineEdit()
        self.kind = choice_combo(equipment.KINDS)
        self.hazard = choice_combo(("",) + equipment.HAZARD_KITS)
        self.model = QLineEdit()
        self.quantity = QSpinBox(minimum=0, maximum=1_000_000)
        self.quantity.setValue(1)
        self.unit = QLineEdit("台")
        self.team = searchable_combo([("（不属于队伍）", None)] + [
            (r["name"], r["id"]) for r in teams.rows(db, teams.search(db)).values()])
        self.org = searchable_combo([("（不属于单位）", None)] + [(o["name"], o["id"]) for o in org.organizations(db)])
        self.town = town_combo(db, "（随持有队伍）")
        self.status = choice_combo(equipment.STATUSES)
        self.four = choice_combo(("",) + equipment.FOUR_IN_ONE)
        self.operator, self.phone = person_fields("操作员姓名")
        self.call_sign = QLineEdit(placeholderText="如 雄应急单兵01")
        self.note = text_box(48)
        for label, widget, field in (
                ("装备名称 *", self.name, "装备名称"), ("类别 *", self.kind, "装备类别"),
                ("灾种配备", self.hazard, "灾种配备"), ("型号规格", self.model, "型号规格"),
                ("数量 *", self.quantity, "数量"), ("计量单位", self.unit, "单位"),
                ("持有队伍", self.team, "持有队伍"), ("或持有单位", self.org, "持有单位"),
                ("存放镇（街道）", self.town, "存放镇（街道）"), ("状态", self.status, "装备状态"),
                ("四合一角色", self.four, "四合一角色"), ("操作员", self.operator, "操作员"),
                ("操作员电话", self.phone, "电话"), ("呼号", self.call_sign, "呼号"), ("备注", self.note, "备注")):
            self.add_row(label, widget, field)
        if item:
            self._load(item)

    def _load(self, e: dict) -> None:
        self.name.setText(e["name"])
        self.kind.setCurrentText(e["kind"])
        self.hazard.setCurrentText(e["hazard_kit"])
        self.model.setText(e["model"])
        self.quantity.setValue(e["quantity"])
        self.unit.setText(e["unit"])
        self.team.setCurrentIndex(max(0, self.team.findData(e["team_id"])))
        self.org.setCurrentIndex(max(0, self.org.findData(e["org_id"])))
        self.town.setCurrentIndex(max(0, self.town.findData(e["town_id"])))
        self.status.setCurrentText(e["status"])
        self.four.setCurrentText(e["four_in_one"] or "")
        self.operator.setText(e["operator"])
        self.phone.setText(e["operator_phone"])
        self.call_sign.setText(e["call_sign"])
        self.note.setPlainText(e["note"])

    def submit(self) -> int:
        data = equipment.EquipmentInput(
            name=self.name.text(), kind=self.kind.currentText(), hazard_kit=self.hazard.currentText(),
            model=self.model.text(), quantity=self.quantity.value(), unit=self.unit.text(),
            team_id=combo_value(self.team), org_id=combo_value(self.org), town_id=combo_value(self.town),
            status=self.status.currentText(), four_in_one=self.four.currentText(),
            operator_name=self.operator.text(), operator_phone=self.phone.text(),
            call_sign=self.call_sign.text(), note=self.note.toPlainText())
        if self.item:
            equipment.update(self.db, self.item["id"], data, expected_version=self.item["version"], clock=self.clock)
            return self.item["id"]
        return equipment.add(self.db, data, self.clock)


class EquipmentTab(RegisterTab):
    noun = "项装备"

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, notify=None) -> None:
        super().__init__(db, clock, notify)
        self.search.setPlaceholderText("搜索：装备名称、型号、呼号、持有队伍或单位")
        self.kind_filter = choice_combo(equipment.KINDS, "全部类别")
        self.hazard_filter = choice_combo(equipment.HAZARD_KITS, "全部灾种")
        self.town_filter = town_combo(db, "全部镇（街道）")
        self.status_filter = choice_combo(equipment.STATUSES, "全部状态")
        self.kit_filter = QCheckBox("四合一")
        self.kit_filter.setToolTip("只看“四合一”应急指挥保障装备：卫星通信、无人机、指挥车、智能单兵终端")
        self.watch(self.kind_filter, self.hazard_filter, self.town_filter, self.status_filter, self.kit_filter)
        self.kit_label = QLabel(objectName="kitSummary", wordWrap=True)
        self.kit_label.hide()
        self.button("新增装备", self.add_record)
        self.edit_button = self.button("编辑", self.edit_selected)
        self.remove_button = self.button("报废/调出…", self.remove_selected)
        try:
            from nxcommand.resources_excel import EQUIPMENT

            from .excel_io import ExcelBar
            self.actions.addWidget(ExcelBar(db, EQUIPMENT, clock, self.notify, self.run_query))
        except ImportError:
            pass
        self.build([("name", "装备名称"), ("kind", "类别"), ("hazard_kit", "灾种配备"), ("model", "型号规格"),
                    (lambda r: f"{r['quantity']} {r['unit']}", "数量"), ("holder", "持有"), ("town", "存放地"),
                    ("status", "状态"), (lambda r: r["four_in_one"] or "", "四合一"), ("operator", "操作员"),
                    ("operator_phone", "操作员电话"), ("call_sign", "呼号")],
                   self.style, (120, 70, 76, 200, 60, 190, 72, 70, 92, 62, 104), above=self.kit_label)

    def query_ids(self) -> list[int]:
        kit = self.kit_filter.isChecked()
        if kit:
            self.kit_label.setText(kit_summary(equipment.four_in_one_kit(self.db)))
        self.kit_label.setVisible(kit)
        return equipment.search(self.db, equipment.Query(
            kind=self.kind_filter.currentData(), hazard_kit=self.hazard_filter.currentData(),
            town_id=combo_value(self.town_filter), status=self.status_filter.currentData(),
            four_in_one=kit, text=self.search.text()))

    def fetch(self, ids):
        return equipment.rows(self.db, ids)

    def get(self, record_id: int) -> dict:
        return equipment.get(self.db, record_id)

    def dialog(self, record):
        return EquipmentDialog(self.db, record, self.clock, self)

    def style(self, r: dict, column: int):
        if column == 7:
            return STATUS_COLOURS.get(r["status"]), None
        return None, None

    def selection_changed(self) -> None:
        selected = self.current_record() is not None
        self.edit_button.setEnabled(selected)
        self.remove_button.setEnabled(selected)

    def remove_selected(self) -> None:
        self.remove_with("报废/调出装备", lambda r: f"将“{r['name']}”（{r['holder']}）从装备台账中删除？此操作不可撤销。",
                         equipment.remove, lambda r: f"已删除装备：{r['name']}")
