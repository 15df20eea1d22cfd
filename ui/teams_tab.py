"""应急救援队伍 tab: filter by kind, town, status and text; the leader and phone from the
directory; status in colour with a quick, confirmed change; insurance expiry highlighted
within the warning window (amber) or past (red)."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QCheckBox, QLineEdit, QMenu, QSpinBox
from sqlite_utils import Database

from nxcommand import alerts, org, teams
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError

from .forms import ServiceForm, searchable_combo, text_box
from .register_tab import (BLUE, GREEN, GREY, ORANGE, PALE_AMBER, PALE_RED, RED, RegisterTab, TownVillage,
                           choice_combo, combo_value, person_fields, town_combo)

STATUS_COLOURS = {"待命": GREEN, "出动": ORANGE, "在场": RED, "返回": BLUE}


class TeamDialog(ServiceForm):
    def __init__(self, db: Database, team: dict | None = None, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__("编辑队伍" if team else "新增队伍", parent)
        self.db, self.team, self.clock = db, team, clock
        self.name = QLineEdit()
        self.kind = choice_combo(teams.KINDS)
        self.specialty = QLineEdit()
        self.specialty.setPlaceholderText("如 " + "、".join(teams.SPECIALTIES[:6]) + "…")
        self.headcount = QSpinBox(minimum=0, maximum=100_000)
        self.headcount.setValue(10)
        self.place = TownVillage(db)
        self.leader, self.phone = person_fields("负责人姓名")
        self.org = searchable_combo([("（无）", None)] + [(o["name"], o["id"]) for o in org.organizations(db)])
        self.standby = choice_combo(teams.STANDBY_LEVELS)
        self.standby.setCurrentText("日常备勤")
        self.standby.setToolTip("一级：30分钟内出发；二级：1小时内；三级：2小时内；日常：电话可联络")
        self.status = choice_combo(teams.STATUSES)
        self.meets = QCheckBox("达标")
        self.meets.setChecked(True)
        self.insurance = QLineEdit(placeholderText="如 2027-03-31，可留空")
        self.lon = QLineEdit(placeholderText="经度，可留空（地图按所在镇定位）")
        self.lat = QLineEdit(placeholderText="纬度")
        self.equipment = text_box(56)
        self.note = text_box(48)
        for label, widget, field in (
                ("队伍名称 *", self.name, "队伍名称"), ("类型 *", self.kind, "队伍类型"),
                ("专业方向", self.specialty, "专业方向"), ("队员人数 *", self.headcount, "队员人数"),
                ("所在镇（街道） *", self.place.town, "所在镇（街道）"), ("村（社区）", self.place.village, "村（社区）"),
                ("负责人 *", self.leader, "负责人"), ("负责人电话", self.phone, "电话"),
                ("所属单位", self.org, "所属单位"), ("备勤等级", self.standby, "备勤等级"),
                ("状态", self.status, "状态"), ("达标", self.meets, "达标"),
                ("保险到期", self.insurance, "保险到期日"), ("经度", self.lon, "经度"), ("纬度", self.lat, "纬度"),
                ("主要装备", self.equipment, "主要装备"), ("备注", self.note, "备注")):
            self.add_row(label, widget, field)
        if team:
            self._load(team)

    def _load(self, t: dict) -> None:
        self.name.setText(t["name"])
        self.kind.setCurrentText(t["kind"])
        self.specialty.setText(t["specialty"])
        self.headcount.setValue(t["headcount"])
        self.place.set(t["town_id"], t["village_id"])
        self.leader.setText(t["leader"])
        self.phone.setText(t["leader_phone"])
        self.org.setCurrentIndex(max(0, self.org.findData(t["org_id"])))
        self.standby.setCurrentText(t["standby"])
        self.status.setCurrentText(t["status"])
        self.meets.setChecked(bool(t["meets_standard"]))
        self.insurance.setText(t["insurance_expiry"] or "")
        self.lon.setText("" if t["lon"] is None else f"{t['lon']:g}")
        self.lat.setText("" if t["lat"] is None else f"{t['lat']:g}")
        self.equipment.setPlainText(t["equipment"])
        self.note.setPlainText(t["note"])

    def form_input(self) -> teams.TeamInput:
        return teams.TeamInput(
            name=self.name.text(), kind=self.kind.currentText(), specialty=self.specialty.text(),
            headcount=self.headcount.value(), town_id=self.place.town_id(), village_id=self.place.village_id(),
            leader_name=self.leader.text(), leader_phone=self.phone.text(), org_id=combo_value(self.org),
            standby=self.standby.currentText(), status=self.status.currentText(),
            meets_standard=self.meets.isChecked(), insurance_expiry=self.insurance.text(),
            lon=self.lon.text(), lat=self.lat.text(), equipment=self.equipment.toPlainText(),
            note=self.note.toPlainText())

    def submit(self) -> int:
        data = self.form_input()
        if self.team:
            teams.update(self.db, self.team["id"], data, expected_version=self.team["version"], clock=self.clock)
            return self.team["id"]
        return teams.add(self.db, data, self.clock)


class TeamsTab(RegisterTab):
    noun = "支队伍"

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, notify=None) -> None:
        super().__init__(db, clock, notify)
        self.search.setPlaceholderText("搜索：队伍名称、专业、负责人姓名")
        self.kind_filter = choice_combo(teams.KINDS, "全部类型")
        self.town_filter = town_combo(db, "全部镇（街道）")
        self.status_filter = choice_combo(teams.STATUSES, "全部状态")
        self.retired = QCheckBox("含已撤编")
        self.watch(self.kind_filter, self.town_filter, self.status_filter, self.retired)
        self.window = alerts.window_days(db)
        self.add_button = self.button("新增队伍", self.add_record)
        self.edit_button = self.button("编辑", self.edit_selected)
        self.status_button = self.button("变更状态", lambda: None, primary=True)
        menu = QMenu(self.status_button)
        self.status_actions = {s: menu.addAction(s, lambda s=s: self.change_status(s)) for s in teams.STATUSES}
        self.status_button.setMenu(menu)
        self.retire_button = self.button("撤编…", self.retire_selected)
        self._excel()
        self.build([
            ("name", "队伍名称"), ("kind", "类型"), ("specialty", "专业"), ("town", "镇（街道）"),
            ("headcount", "人数"), ("leader", "负责人"), ("leader_phone", "电话"), ("standby", "备勤"),
            ("status", "状态"), (lambda r: r["status_at"][:16], "状态时间"),
            (lambda r: "达标" if r["meets_standard"] else "不达标", "达标"),
            (lambda r: r["insurance_expiry"] or "未登记", "保险到期"),
        ], self.style, (210, 110, 110, 80, 48, 66, 104, 70, 48, 120, 56, 90))

    def _excel(self) -> None:
        try:
            from nxcommand.resources_excel import TEAMS
        except ImportError:
            return
        from .excel_io import ExcelBar
        self.excel = ExcelBar(self.db, TEAMS, self.clock, self.notify, self.run_query)
        self.actions.addWidget(self.excel)

    def query_ids(self) -> list[int]:
        return teams.search(self.db, teams.Query(
            kind=self.kind_filter.currentData(), town_id=combo_value(self.town_filter),
            status=self.status_filter.currentData(), text=self.search.text(),
            include_retired=self.retired.isChecked()))

    def fetch(self, ids):
        return teams.rows(self.db, ids)

    def get(self, record_id: int) -> dict:
        return teams.get(self.db, record_id)

    def dialog(self, record):
        return TeamDialog(self.db, record, self.clock, self)

    def style(self, r: dict, column: int):
        if not r["active"]:
            return GREY, None
        if column == 8:
            return STATUS_COLOURS.get(r["status"]), None
        if column == 10 and not r["meets_standard"]:
            return RED, None
        if column == 11 and r["insurance_expiry"]:
            left = (date.fromisoformat(r["insurance_expiry"]) - self.clock.now().date()).days
            if left < 0:
                return RED, PALE_RED
            if left <= self.window:
                return None, PALE_AMBER
        return None, None

    def selection_changed(self) -> None:
        record = self.current_record()
        active = bool(record and record["active"])
        for button in (self.edit_button, self.status_button, self.retire_button):
            button.setEnabled(active)
        for status, action in self.status_actions.items():
            action.setEnabled(active and record["status"] != status)

    def change_status(self, status: str) -> None:
        record = self.current_record()
        if record is None:
            return
        now = self.clock.now().strftime("%Y-%m-%d %H:%M")
        if not self.confirm("变更队伍状态", f"将“{record['name']}”的状态由“{record['status']}”改为“{status}”，"
                                            f"变更时间记为 {now}。\n确定变更吗？"):
            return
        try:
            teams.set_status(self.db, record["id"], status, self.clock)
        except UserError as exc:
            self.warn(str(exc))
            return
        self.run_query()
        self.notify(f"{record['name']}：{record['status']} → {status}（{now}）")

    def retire_selected(self) -> None:
        record = self.current_record()
        if record is None:
            return
        reason = self.ask_text("撤编队伍", f"撤编后“{record['name']}”不再出现在队伍列表中"
                                         "（记录保留，勾选“含已撤编”可查看）。\n请填写撤编原因：")
        if reason is None:
            return
        try:
            teams.retire(self.db, record["id"], reason, self.clock)
        except UserError as exc:
            self.warn(str(exc))
            return
        self.run_query()
        self.notify(f"已撤编：{record['name']}")

