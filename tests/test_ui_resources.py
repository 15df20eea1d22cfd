"""The resource tabs driven as a duty officer would (offscreen): filter, add through the
dialogs (bad input keeps the dialog open with the Chinese message and writes nothing),
change a team's status with confirmation, update a shelter's occupancy, find the gaps in
the transfer register."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from nxcommand import contacts, equipment, shelters, teams, vulnerable
from tests.test_ui_directory import type_ime
from ui.app import make_app
from ui.equipment_tab import EquipmentTab
from ui.experts_tab import ExpertsTab
from ui.register_tab import GREEN, ORANGE, PALE_AMBER, PALE_RED
from ui.shelters_tab import SheltersTab
from ui.teams_tab import TeamsTab
from ui.vulnerable_tab import VulnerableTab


@pytest.fixture
def app(qapp):
    return make_app()


def make(cls, qtbot, db, clock):
    messages: list[str] = []
    tab = cls(db, clock, messages.append)
    tab.messages = messages
    qtbot.addWidget(tab)
    return tab


def names(tab) -> list[str]:
    return [tab.model.record(r)["name"] for r in range(tab.model.rowCount())]


def row_of(tab, name: str) -> int:
    return names(tab).index(name)


def cell(tab, name: str, column: int, role=Qt.ItemDataRole.DisplayRole):
    return tab.model.data(tab.model.index(row_of(tab, name), column), role)


def test_team_model_passes_the_model_tester(app, qtbot, qtmodeltester, demo_db, clock):
    tab = make(TeamsTab, qtbot, demo_db, clock)
    qtmodeltester.check(tab.model)


def test_filters_and_search(app, qtbot, demo_db, clock):
    tab = make(TeamsTab, qtbot, demo_db, clock)
    everything = tab.model.rowCount()
    assert tab.count_label.text() == f"共 {everything} 支队伍"
    tab.kind_filter.setCurrentIndex(tab.kind_filter.findData("基层"))
    assert all(tab.model.record(r)["kind"] == "基层" for r in range(tab.model.rowCount()))
    tab.town_filter.setCurrentIndex(tab.town_filter.findData(teams.get(demo_db, teams.find(demo_db, "帽子峰镇应急救援队"))["town_id"]))
    assert names(tab) == ["帽子峰镇应急救援队", "帽子峰镇林场村应急分队"]
    tab.status_filter.setCurrentIndex(tab.status_filter.findData("在场"))
    assert names(tab) == ["帽子峰镇应急救援队"]
    tab.kind_filter.setCurrentIndex(0)
    tab.town_filter.setCurrentIndex(0)
    tab.status_filter.setCurrentIndex(0)
    type_ime(tab.search, "森林消防")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3)
    type_ime(tab.search, "不存在的队伍")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0)
    assert tab.count_label.text() == "没有符合条件的记录"
    assert not tab.edit_button.isEnabled()


def test_status_and_insurance_colours(app, qtbot, demo_db, clock):
    tab = make(TeamsTab, qtbot, demo_db, clock)
    assert cell(tab, "南雄市森林消防大队", 8) == "出动"
    assert cell(tab, "南雄市森林消防大队", 8, Qt.ItemDataRole.ForegroundRole).color() == ORANGE
    assert cell(tab, "南雄市三防抢险队", 8, Qt.ItemDataRole.ForegroundRole).color() == GREEN
    # 岭北's insurance ran out on 2026-06-20 (red); 三防's ends 2026-07-26, within 30 days (amber)
    assert cell(tab, "岭北矿业矿山救护队", 11, Qt.ItemDataRole.BackgroundRole).color() == PALE_RED
    assert cell(tab, "南雄市三防抢险队", 11, Qt.ItemDataRole.BackgroundRole).color() == PALE_AMBER
    assert cell(tab, "南雄市消防救援大队", 11, Qt.ItemDataRole.BackgroundRole) is None
    assert cell(tab, "岭北矿业矿山救护队", 10) == "不达标"
    leader = contacts.get(demo_db, teams.get(demo_db, teams.find(demo_db, "岭北矿业矿山救护队"))["leader_id"])
    assert (cell(tab, "岭北矿业矿山救护队", 5), cell(tab, "岭北矿业矿山救护队", 6)) == (leader["name"], leader["mobile"])


def test_change_status_asks_first(app, qtbot, demo_db, clock):
    tab = make(TeamsTab, qtbot, demo_db, clock)
    tab.select_row(row_of(tab, "南亩镇应急救援队"))
    asked = []
    tab.confirm = lambda title, text: asked.append(text) or False
    assert not tab.status_actions["待命"].isEnabled()          # already 待命
    tab.status_actions["出动"].trigger()
    assert "由“待命”改为“出动”" in asked[0] and "2026-07-01 14:20" in asked[0]
    assert teams.get(demo_db, teams.find(demo_db, "南亩镇应急救援队"))["status"] == "待命"
    tab.confirm = lambda title, text: True
    tab.status_actions["出动"].trigger()
    row = teams.get(demo_db, teams.find(demo_db, "南亩镇应急救援队"))
    assert (row["status"], row["status_at"]) == ("出动", "2026-07-01 14:20:00")
    assert cell(tab, "南亩镇应急救援队", 8) == "出动"
    assert tab.current_record()["name"] == "南亩镇应急救援队"    # selection kept
    assert tab.messages[-1].startswith("南亩镇应急救援队：待命 → 出动")


def test_add_team_bad_input_keeps_the_dialog_open(app, qtbot, demo_db, clock):
    tab = make(TeamsTab, qtbot, demo_db, clock)
    before = (len(teams.search(demo_db)), contacts.count(demo_db))
    seen = {}

    def fill(dialog) -> bool:
        qtbot.addWidget(dialog)
        type_ime(dialog.name, "南亩镇鱼鲜村应急分队")
        dialog.kind.setCurrentText("基层")
        dialog.place.town.setCurrentIndex(dialog.place.town.findText("南亩镇"))
        dialog.place.village.setCurrentIndex(dialog.place.village.findText("鱼鲜村"))
        dialog.headcount.setValue(6)
        type_ime(dialog.leader, "甘永福")
        dialog.phone.setText("1390099")                          # too short
        dialog.insurance.setText("2027-02-30")
        dialog.accept()
        seen["first"] = (dialog.result(), dialog.error.text(), dialog.error.isHidden())
        assert (len(teams.search(demo_db)), contacts.count(demo_db)) == before
        dialog.insurance.setText("2027-02-28")
        dialog.accept()
        seen["second"] = dialog.error.text()
        dialog.phone.setText("13900990001")
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    tab.run_dialog = fill
    tab.add_button.click()
    assert seen["first"][0] != QDialog.DialogCode.Accepted and not seen["first"][2]
    assert "保险到期日应为日期" in seen["first"][1]
    assert "不是有效的手机号码" in seen["second"]
    team_id = teams.find(demo_db, "南亩镇鱼鲜村应急分队")
    assert tab.current_record()["id"] == team_id
    assert teams.get(demo_db, team_id)["leader_phone"] == "13900990001"
    assert tab.messages[-1] == "已新增：南亩镇鱼鲜村应急分队"


def test_edit_team_through_the_dialog(app, qtbot, demo_db, clock):
    tab = make(TeamsTab, qtbot, demo_db, clock)
    tab.select_row(row_of(tab, "雄城燃气抢险队"))
    leader = tab.current_record()["leader_id"]

    def edit(dialog) -> bool:
        qtbot.addWidget(dialog)
        assert dialog.name.text() == "雄城燃气抢险队" and dialog.headcount.value() == 10
        dialog.headcount.setValue(12)
        dialog.meets.setChecked(False)
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    tab.run_dialog = edit
    tab.edit_button.click()
    row = teams.get(demo_db, teams.find(demo_db, "雄城燃气抢险队"))
    assert (row["headcount"], row["meets_standard"], row["leader_id"], row["version"]) == (12, 0, leader, 2)
    assert cell(tab, "雄城燃气抢险队", 10) == "不达标"


def test_experts_tab_add_and_remove(app, qtbot, demo_db, clock):
    tab = make(ExpertsTab, qtbot, demo_db, clock)
    count = tab.model.rowCount()

    def fill(dialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.accept()                                           # empty name
        assert "请填写专家姓名" in dialog.error.text()
        type_ime(dialog.name, "古岳峰")
        dialog.phone.setText("13900990021")
        dialog.field.setCurrentText("地质灾害")
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    tab.run_dialog = fill
    tab.add_record()
    assert tab.model.rowCount() == count + 1 and tab.current_record()["name"] == "古岳峰"
    tab.confirm = lambda *_: True
    tab.remove_button.click()
    assert tab.model.rowCount() == count
    tab.field_filter.setCurrentIndex(tab.field_filter.findData("医疗救护"))
    assert {tab.model.record(r)["field"] for r in range(tab.model.rowCount())} == {"医疗救护"}


def test_equipment_kit_filter(app, qtbot, demo_db, clock):
    tab = make(EquipmentTab, qtbot, demo_db, clock)
    assert tab.kit_label.isHidden()
    tab.kit_filter.setChecked(True)
    kit = equipment.four_in_one_kit(demo_db)
    assert tab.model.rowCount() == sum(len(items) for items in kit.values())
    assert not tab.kit_label.isHidden()
    assert "智能单兵终端 4（可用 3）" in tab.kit_label.text()
    roles = {tab.model.record(r)["four_in_one"] for r in range(tab.model.rowCount())}
    assert roles == set(equipment.FOUR_IN_ONE)
    tab.hazard_filter.setCurrentIndex(tab.hazard_filter.findData("森林火灾"))
    assert tab.model.rowCount() == 0
    tab.kit_filter.setChecked(False)
    assert tab.model.rowCount() > 0 and all(
        tab.model.record(r)["hazard_kit"] == "森林火灾" for r in range(tab.model.rowCount()))


def test_equipment_needs_one_holder(app, qtbot, demo_db, clock):
    tab = make(EquipmentTab, qtbot, demo_db, clock)
    before = len(equipment.search(demo_db))

    def fill(dialog) -> bool:
        qtbot.addWidget(dialog)
        type_ime(dialog.name, "救生抛投器")
        dialog.accept()
        assert "二选一" in dialog.error.text()
        dialog.reject()
        return False

    tab.run_dialog = fill
    tab.add_record()
    assert len(equipment.search(demo_db)) == before


def test_shelter_occupancy(app, qtbot, demo_db, clock):
    tab = make(SheltersTab, qtbot, demo_db, clock)
    name = "帽子峰镇中心小学避难点"
    assert cell(tab, name, 6) == "38 / 350"
    tab.select_row(row_of(tab, name))
    warnings = []
    tab.warn = warnings.append
    tab.ask_occupancy = lambda record: 400
    tab.occupancy_button.click()
    assert "最多容纳 350 人" in warnings[0]
    assert shelters.get(demo_db, shelters.find(demo_db, name))["occupancy"] == 38
    tab.ask_occupancy = lambda record: 330
    tab.occupancy_button.click()
    assert cell(tab, name, 6) == "330 / 350" and cell(tab, name, 7) == "2026-07-01 14:20"
    assert cell(tab, name, 6, Qt.ItemDataRole.BackgroundRole).color() == PALE_RED      # over 90 %
    assert tab.messages[-1] == f"{name}现安置 330 / 350 人"


def test_vulnerable_register_flags_gaps(app, qtbot, demo_db, clock):
    tab = make(VulnerableTab, qtbot, demo_db, clock)
    assert tab.network.text().startswith("全市：")
    gaps = [tab.model.record(r) for r in range(tab.model.rowCount()) if tab.model.record(r)["gaps"]]
    assert gaps
    first = names(tab).index(gaps[0]["name"])
    assert tab.model.data(tab.model.index(first, 0), Qt.ItemDataRole.BackgroundRole).color() == PALE_RED
    tab.gaps_filter.setChecked(True)
    assert tab.model.rowCount() == len(gaps)
    tab.gaps_filter.setChecked(False)
    town = gaps[0]["town"]
    tab.town_filter.setCurrentIndex(tab.town_filter.findText(town))
    assert tab.network.text().startswith(f"{town}一张网：") and "缺项" in tab.network.text()
    assert {tab.model.record(r)["town"] for r in range(tab.model.rowCount())} == {town}
    tab.village_filter.setCurrentIndex(tab.village_filter.findText(gaps[0]["village"]))
    assert {tab.model.record(r)["village"] for r in range(tab.model.rowCount())} == {gaps[0]["village"]}

    # fill the gap through the dialog: the contact is added to the directory
    tab.select_row(names(tab).index(gaps[0]["name"]))

    def fix(dialog) -> bool:
        qtbot.addWidget(dialog)
        type_ime(dialog.contact, "甘石坚")
        dialog.phone.setText("13900990041")
        if dialog.shelter.currentData() is None:
            dialog.shelter.setCurrentIndex(1)
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    tab.run_dialog = fix
    tab.edit_selected()
    assert vulnerable.get(demo_db, gaps[0]["id"])["gaps"] == ""
    assert tab.current_record()["contact"] == "甘石坚"


def test_vulnerable_dialog_needs_a_village(app, qtbot, demo_db, clock):
    tab = make(VulnerableTab, qtbot, demo_db, clock)
    before = tab.model.rowCount()

    def fill(dialog) -> bool:
        qtbot.addWidget(dialog)
        type_ime(dialog.name, "甘阿婆")
        dialog.place.town.setCurrentIndex(dialog.place.town.findText("南亩镇"))
        dialog.accept()
        assert "请选择村（社区）" in dialog.error.text()
        dialog.place.village.setCurrentIndex(dialog.place.village.findText("石迳村"))
        dialog.accept()
        return dialog.result() == QDialog.DialogCode.Accepted

    tab.run_dialog = fill
    tab.add_record()
    assert tab.model.rowCount() == before + 1
    assert tab.current_record()["gaps"] == "缺对接人 缺安置场所"
