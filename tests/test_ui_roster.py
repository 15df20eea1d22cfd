"""The 值班表 panel, driven as the duty desk would (offscreen): month and week views, the
checker's list, changing people with a reason, 五个一, import with its dry-run report, export."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog

from nxcommand import roster
from nxcommand import roster_checks as checks
from nxcommand.clock import FixedClock
from nxcommand.roster_checks import load_demo_roster
from ui.app import make_app
from ui.main_window import MainWindow
from ui.roster_dialogs import (PROBLEM, AssignDialog, ChangeDialog, ChecklistDialog, import_review,
                               MonthModel, WeekModel)
from ui.roster_panel import RosterPanel

from .test_roster import pid
from .test_ui_directory import type_ime


@pytest.fixture
def app(qapp):
    return make_app()


@pytest.fixture
def desk_clock():
    return FixedClock(datetime(2026, 10, 12, 10, 0))


@pytest.fixture
def panel(app, qtbot, demo_db, desk_clock):
    load_demo_roster(demo_db, date(2026, 9, 15), 80, desk_clock)
    messages: list[str] = []
    errors: list[str] = []
    widget = RosterPanel(demo_db, desk_clock, notify=messages.append)
    widget.messages, widget.errors = messages, errors
    widget.show_error = errors.append
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


def cell_of(panel, day: date):
    return panel.month_model.index_of(day)


def run_with(fill):
    """A run_dialog hook: fill the dialog as a user would, press its OK button."""
    def run(dialog: QDialog) -> bool:
        fill(dialog)
        dialog.accept()
        if dialog.result() != QDialog.DialogCode.Accepted:
            run.refused = dialog.error.text()
        return dialog.result() == QDialog.DialogCode.Accepted
    run.refused = ""
    return run


def test_month_view_shows_who_is_on_duty(panel, demo_db):
    panel.go_to_day(date(2026, 10, 1))
    assert panel.title.text() == "2026年10月"
    national_day = roster.shifts_between(demo_db, date(2026, 10, 1), date(2026, 10, 1))[0]
    text = cell_of(panel, date(2026, 10, 1)).data()
    assert text.startswith("1日 国庆节")
    assert f"带班 {national_day.leader.name}√" in text                  # marked in post
    assert "、".join(p.name for p in national_day.officers) in text
    assert "〔高森林火险期〕" in cell_of(panel, date(2026, 10, 12)).data()
    assert panel.problem_label.text() == "检查结果：值班表完整，未发现问题" and panel.problems.count() == 0
    assert panel.day_title.text().startswith("10月1日 星期四")
    assert f"带班领导：{national_day.leader.name} {national_day.leader.mobile}" in panel.day_shifts.item(0).text()
    panel.step(1)
    assert panel.title.text() == "2026年11月"


def test_week_view_lists_shifts_with_phones(panel, demo_db, desk_clock):
    panel.week_button.click()
    assert panel.title.text() == "2026年10月12日–10月18日"
    model = panel.week_model
    assert model.rowCount() == 7
    today = roster.current_shift(demo_db, desk_clock.now())
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[:6] == ["10月12日 星期一", "全天", "08:30–次日08:30", today.leader.name, today.leader.mobile,
                       today.officers[0].name]
    assert row[7] == "08:42 在岗" and row[8] == "2026年高森林火险期"
    panel.step(-1)
    assert panel.title.text() == "2026年10月5日–10月11日"


def test_models_pass_the_qt_model_tester(panel, qtmodeltester):
    view = checks.month_view(panel.db, 2026, 10, panel.clock)
    month = MonthModel()
    month.set_view(view, date(2026, 10, 12))
    qtmodeltester.check(month)
    week = WeekModel()
    week.set_view(checks.week_view(panel.db, date(2026, 10, 12), panel.clock))
    qtmodeltester.check(week)


def test_generating_a_month_and_the_checker_list(panel, demo_db):
    panel.go_to_day(date(2027, 3, 1))
    asked = []
    panel.choose_pattern = lambda patterns: next(p.id for p in patterns if p.name == "白班/夜班")
    panel.ask_confirm = lambda title, text: asked.append(text) or True
    panel.generate_month()
    assert asked == ["将按“白班/夜班”为 2027年3月1日至3月31日生成 62 个班次。生成的班次尚未安排人员。"]
    assert len(roster.shifts_between(demo_db, date(2027, 3, 1), date(2027, 3, 31))) == 62
    assert panel.messages[-1] == "已生成 62 个班次，请为其安排人员"
    assert cell_of(panel, date(2027, 3, 2)).data() == "2日\n白班 带班 未排\n白班 值班 未排\n夜班 带班 未排\n夜班 值班 未排"
    panel.run_check()
    problems = [panel.problems.item(i).text() for i in range(panel.problems.count())]
    assert problems == ["3月1日 08:30–4月1日 08:30 无带班领导", "3月1日 08:30–4月1日 08:30 无值班员"]
    assert panel.messages[-1] == "检查完成：发现 2 个问题，点选问题可跳到当天"
    assert cell_of(panel, date(2027, 3, 9)).data(Qt.ItemDataRole.BackgroundRole).color() == PROBLEM


def test_choosing_a_problem_goes_to_its_day(panel, demo_db):
    shift = roster.shifts_between(demo_db, date(2026, 10, 20), date(2026, 10, 20))[0]
    roster.assign(demo_db, shift.id, shift.leader.id, [], reason="值班员抽调抢险", clock=panel.clock)
    panel.go_to_day(date(2026, 10, 3))
    assert panel.problems.item(0).text() == "10月20日 08:30–10月21日 08:30 无值班员"
    panel.problems.setCurrentRow(0)
    assert panel.day == date(2026, 10, 20)
    assert panel.month_table.currentIndex().data(Qt.UserRole) == date(2026, 10, 20)
    assert panel.day_title.text().startswith("10月20日")
    assert "值班员抽调抢险" in panel.day_history.text()


def test_changing_the_leader_needs_a_reason(panel, demo_db):
    panel.go_to_day(date(2026, 10, 20))
    before = roster.shifts_between(demo_db, date(2026, 10, 20), date(2026, 10, 20))[0]
    new_leader = next(p for p in roster.eligible_people(demo_db, "带班领导") if p.id != before.leader.id)

    def choose(dialog: AssignDialog):
        dialog.leader.setCurrentIndex(dialog.leader.findData(new_leader.id))

    refused = run_with(choose)
    panel.run_dialog = refused
    panel.edit_people()
    assert refused.refused == "请填写原因"
    assert roster.get_shift(demo_db, before.id).leader.id == before.leader.id      # nothing written

    def choose_with_reason(dialog: AssignDialog):
        choose(dialog)
        type_ime(dialog.reason, "原带班领导到省里参加培训")

    panel.run_dialog = run_with(choose_with_reason)
    panel.edit_people()
    assert roster.get_shift(demo_db, before.id).leader.id == new_leader.id
    assert f"带班 {new_leader.name}" in cell_of(panel, date(2026, 10, 20)).data()
    last = roster.history(demo_db, before.id)[-1]
    assert (last.kind, last.old_name, last.new_name, last.reason) == (
        "调整", before.leader.name, new_leader.name, "原带班领导到省里参加培训")
    assert panel.messages[-1] == "已保存10月20日 全天的值班人员"
    # A week on, the new leader is not marked in post: the high-fire-risk period asks for it
    # (as it does for the week's earlier shifts, still unmarked).
    panel.clock.set(datetime(2026, 10, 20, 9, 0))
    panel.run_check()
    listed = [panel.problems.item(i).text() for i in range(panel.problems.count())]
    assert listed[-1] == f"10月20日 全天（2026年高森林火险期）带班领导 {new_leader.name} 未标记在岗"
    assert len(listed) == 8 and panel.day == date(2026, 10, 20)
    panel.buttons["领导在岗"].click()
    assert panel.problems.count() == 7
    assert panel.messages[-1] == f"已标记10月20日 全天带班领导 {new_leader.name} 在岗（09:00）"
    panel.buttons["领导在岗"].click()
    assert panel.errors[-1].startswith("10月20日 全天带班领导已于 10-20 09:00 标记在岗")


def test_substitute_from_the_panel(panel, demo_db):
    panel.go_to_day(date(2026, 10, 25))
    shift = roster.shifts_between(demo_db, date(2026, 10, 25), date(2026, 10, 25))[0]

    def fill(dialog: ChangeDialog):
        dialog.person.setCurrentIndex(dialog.person.findText(f"值班员：{shift.officers[0].name}"))
        dialog.replacement.setCurrentIndex(1)
        type_ime(dialog.reason, "家中老人住院")
        fill.incoming = dialog.replacement.currentText().split()[0]

    panel.run_dialog = run_with(fill)
    panel.buttons["替班/换班…"].click()
    assert roster.get_shift(demo_db, shift.id).officers[0].name == fill.incoming
    assert roster.history(demo_db, shift.id)[-1].kind == "替班"


def test_five_ones_on_a_holiday_shift(panel, demo_db):
    panel.go_to_day(date(2026, 10, 9))
    panel.buttons["五个一…"].click()
    assert panel.errors == ["10月9日 全天不在法定节假日，无需填写“五个一”"]
    panel.go_to_day(date(2026, 10, 3))
    shift = roster.shifts_between(demo_db, date(2026, 10, 3), date(2026, 10, 3))[0]
    checks.untick(demo_db, shift.id, checks.checklist_items(demo_db)[4]["id"])

    def fill(dialog: ChecklistDialog):
        assert dialog.items.count() == 5
        assert dialog.items.item(4).checkState() == Qt.CheckState.Unchecked
        dialog.items.item(4).setCheckState(Qt.CheckState.Checked)
        dialog.by.setCurrentText(shift.officers[1].name)

    panel.run_dialog = run_with(fill)
    panel.buttons["五个一…"].click()
    last = checks.shift_checklist(demo_db, shift.id)[4]
    assert (last["name"], last["ticked_by"], last["ticked_at"]) == ("通讯畅通", shift.officers[1].name,
                                                                    "2026-10-12 10:00:00")


def test_import_shows_the_dry_run_report_first(panel, demo_db, tmp_path):
    wb = Workbook()
    ws = wb.active
    for row in (("南雄市应急管理局2026年11月值班表",), ("日期", "班次", "带班领导", "值班员"),
                ("11月1日", "全天", "张建中", "张金龙"), ("11月2日", "全天", "张金龙", "肖文静"),
                ("11月3日", "全天", "钟国平", "查无此人")):
        ws.append(row)
    path = tmp_path / "十一月.xlsx"
    wb.save(path)
    before = roster.get_shift(demo_db, roster.shifts_between(demo_db, date(2026, 11, 1), date(2026, 11, 1))[0].id)
    shown = []
    panel.ask_open_path = lambda: str(path)
    panel.review_import = lambda report: shown.append(report) or True
    panel.import_excel()
    assert [str(e) for e in shown[0].errors] == [
        "第 4 行：“张金龙”没有“带班领导”角色，不能担任带班领导",
        "第 5 行：找不到在用人员“查无此人”（请核对姓名，或先在通讯录中登记）"]
    assert roster.get_shift(demo_db, before.id) == before                    # nothing written
    dialog = import_review(shown[0])
    assert not dialog.import_button.isEnabled() and dialog.lines.count() == 2
    assert dialog.lines.item(0).text().startswith("第 4 行")
    panel.ask_open_path = lambda: str(tmp_path / "没有这个文件.xlsx")
    panel.import_excel()
    assert panel.errors[-1].startswith("找不到文件")


def test_export_reimports_cleanly_through_the_panel(panel, demo_db, tmp_path):
    panel.go_to_day(date(2026, 10, 1))
    suggested = []
    panel.ask_save_path = lambda name: suggested.append(name) or str(tmp_path / name)
    panel.buttons["导出Excel…"].click()
    assert suggested == ["南雄市应急管理局2026年10月值班表.xlsx"]
    path = tmp_path / suggested[0]
    assert path.stat().st_size > 0 and panel.messages[-1] == f"已导出 31 个班次：{path.name}"
    shift = roster.shifts_between(demo_db, date(2026, 10, 28), date(2026, 10, 28))[0]
    other = next(p for p in roster.eligible_people(demo_db, "值班员")
                 if p.id not in {shift.officers[0].id, shift.leader.id})
    roster.assign(demo_db, shift.id, shift.leader.id, [other.id], reason="临时调整", clock=panel.clock)
    reviewed = []
    panel.ask_open_path = lambda: str(path)
    panel.review_import = lambda report: reviewed.append(import_review(report)) or True
    panel.buttons["导入Excel…"].click()
    assert reviewed[0].import_button.isEnabled() and reviewed[0].lines.count() == 31
    assert panel.messages[-1] == "已导入 31 个班次（2026年10月1日至10月31日），新建班次 0 个，人员变动 1 处"
    assert roster.get_shift(demo_db, shift.id).officers == shift.officers
    assert roster.history(demo_db, shift.id)[-1].reason == "Excel导入"


def test_the_panel_is_on_the_rail(app, qtbot, demo_db, desk_clock, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(demo_db, settings, desk_clock)
    qtbot.addWidget(window)
    titles = [window.rail.item(i).text() for i in range(window.rail.count())]
    assert titles[titles.index("通讯录") + 1] == "值班表"
    assert isinstance(window.stack.widget(titles.index("值班表")), RosterPanel)
    assert pid(demo_db, "张建中")
    window.close()                  # stops the window's clocks before the database closes
