"""The 预案 panel driven as an officer would: pick a plan, switch levels, record dates, edit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from nxcommand import plans
from ui.app import make_app
from ui.plan_dialogs import GroupDialog, LevelDialog, PlanDialog, RecordDateDialog
from ui.plans_panel import PlansPanel

SANFANG = "南雄市防汛防旱防风应急预案"


@pytest.fixture
def panel(qapp, qtbot, demo_db, clock):
    make_app()
    messages: list[str] = []
    widget = PlansPanel(demo_db, clock, notify=messages.append)
    widget.messages = messages
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    return widget


def type_ime(widget, text: str) -> None:
    """Commit text the way a Chinese input method does (QTest can only type ASCII)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def accept_with(fill):
    def run(dialog):
        fill(dialog)
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted
    return run


def plan_row(panel, name: str) -> int:
    return next(i for i, r in enumerate(panel.plan_model.rows) if r["name"] == name)


def test_pick_the_sanfang_plan_and_switch_to_level_three(panel, qtbot):
    panel.plan_view.selectRow(plan_row(panel, SANFANG))
    assert panel.title.text() == SANFANG
    assert panel.fact_labels["doc_number"].text() == "雄府办〔2023〕15号"
    qtbot.mouseClick(panel.level_buttons[3], Qt.MouseButton.LeftButton)
    assert panel.level_buttons[3].isChecked()
    assert "暴雨黄色预警" in panel.criteria.text()
    assert "市三防指挥部副指挥长（田子健、叶志远" in panel.deciders.text()
    actions = [r["action"] for r in panel.action_model.rows]
    assert actions[0] == "副指挥长主持会商，部署防御工作" and len(actions) == 8
    assert panel.action_model.cell(panel.action_model.rows[0], 3) == "60分钟内"
    qtbot.mouseClick(panel.level_buttons[1], Qt.MouseButton.LeftButton)
    assert "指挥长（王磊）" in panel.deciders.text()
    assert "报请韶关市三防指挥部" in panel.escalation.text()
    assert panel.group_model.rows[0]["name"] == "综合协调组"
    assert "#d32f2f" in panel.level_buttons[1].styleSheet().lower()     # Ⅰ级 red from response_levels


def test_filters_narrow_the_list(panel, qtbot):
    panel.hazard_filter.setCurrentIndex(panel.hazard_filter.findText("森林火灾"))
    assert {r["kind"] for r in panel.plan_model.rows} == {"专项", "应急工作手册"}
    panel.kind_filter.setCurrentIndex(panel.kind_filter.findText("应急工作手册"))
    assert [r["name"] for r in panel.plan_model.rows] == ["南雄市森林火灾应急响应工作手册"]
    assert panel.level_buttons[4].text() == "Ⅳ级（未设）"
    assert panel.criteria.text() == "本预案未设此级响应。"
    panel.kind_filter.setCurrentIndex(0)
    panel.hazard_filter.setCurrentIndex(0)
    type_ime(panel.search, "地震")
    panel.run_query()
    assert [r["name"] for r in panel.plan_model.rows] == ["南雄市地震应急预案"]


def test_record_a_drill_and_the_alert_goes(panel, qtbot):
    subjects = [a.subject for a in panel.alert_model.rows if a.kind == "预案演练"]
    assert subjects == ["南雄市地震应急预案"]
    panel.kind_filter.setCurrentIndex(panel.kind_filter.findText("总体"))   # the alert's plan is hidden
    row = next(i for i, a in enumerate(panel.alert_model.rows) if a.kind == "预案演练")
    qtbot.mouseClick(panel.alert_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.alert_view.visualRect(panel.alert_model.index(row, 1)).center())
    assert panel.title.text() == "南雄市地震应急预案"

    def fill(dialog: RecordDateDialog):
        assert dialog.day.text() == "2026-07-01"
        dialog.day.setText("2026-06-28")

    panel.run_dialog = accept_with(fill)
    panel.record("last_drill_on")
    assert panel.messages[-1] == "已记录演练"
    assert panel.fact_labels["last_drill_on"].text() == "2026-06-28"
    assert "预案演练" not in [a.kind for a in panel.alert_model.rows]


def test_add_plan_with_a_malformed_date_is_refused(panel, demo_db, qtbot, clock):
    before = len(plans.list_plans(demo_db))
    dialog = PlanDialog(demo_db, clock, parent=panel)
    qtbot.addWidget(dialog)
    dialog.show()
    type_ime(dialog.name, "南雄市城市内涝应急预案")
    type_ime(dialog.doc_number, "雄府办[2026]20号")
    qtbot.keyClicks(dialog.dates["issued_on"], "2026-6-31")
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert "印发日期“2026-6-31”不是有效日期" in dialog.error.text()
    assert dialog.focusWidget() is dialog.dates["issued_on"]
    assert len(plans.list_plans(demo_db)) == before
    assert dialog.name.text() == "南雄市城市内涝应急预案"            # what was typed is kept

    dialog.dates["issued_on"].setText("2026-06-30")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert plans.plan(demo_db, dialog.saved_id)["doc_number"] == "雄府办〔2026〕20号"
    dialog.close()


def test_added_plan_is_selected(panel, demo_db):
    def fill(dialog: PlanDialog):
        dialog.name.setText("南雄市城市内涝应急预案")
        dialog.dates["issued_on"].setText("2026/6/30")

    panel.run_dialog = accept_with(fill)
    panel.add_plan()
    assert panel.title.text() == "南雄市城市内涝应急预案"
    assert panel.messages[-1] == "已新增预案"
    # the new plan issued yesterday is not filed yet: it joins the deadline strip
    assert ("预案备案", "南雄市城市内涝应急预案") in [(a.kind, a.subject) for a in panel.alert_model.rows]


def test_edit_a_level_checklist_and_deciders(panel, demo_db):
    panel.plan_view.selectRow(plan_row(panel, "帽子峰镇三防应急预案"))
    panel.show_level(3)

    def fill(dialog: LevelDialog):
        assert dialog.checklist.toPlainText().startswith("组织危险区群众全部转移｜转移安置组｜120")
        for row in range(dialog.deciders.count()):
            item = dialog.deciders.item(row)
            if item.text().startswith("市三防指挥部 · 副指挥长"):
                item.setCheckState(Qt.CheckState.Checked)
        dialog.checklist.setPlainText(dialog.checklist.toPlainText() + "\n启用镇应急广播｜综合协调组｜15")

    panel.run_dialog = accept_with(fill)
    panel.edit_level()
    assert panel.action_model.rows[-1]["action"] == "启用镇应急广播"
    assert "市三防指挥部副指挥长" in panel.deciders.text()


def test_bad_checklist_line_keeps_the_level_dialog_open(panel, demo_db, qtbot, clock):
    pid = panel.current["id"]
    dialog = LevelDialog(demo_db, clock, pid, 4, panel)
    qtbot.addWidget(dialog)
    before = dialog.checklist.toPlainText()
    dialog.checklist.setPlainText(before + "\n通知气候局｜市气候局｜30")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "责任方“市气候局”" in dialog.error.text()
    assert plans.actions_text(plans.level(demo_db, pid, 4)["actions"]) == before


def test_add_group_and_refused_removal(panel, demo_db):
    panel.plan_view.selectRow(plan_row(panel, SANFANG))
    count = panel.group_model.rowCount()

    def fill(dialog: GroupDialog):
        dialog.name.setCurrentText("善后处理组")
        dialog.lead.setCurrentIndex(dialog.lead.findText("南雄市民政局"))
        dialog.members.setPlainText("市财政局、市人社局")

    panel.run_dialog = accept_with(fill)
    panel.add_group()
    assert panel.group_model.rowCount() == count + 1
    assert panel.group_model.rows[-1]["members_text"] == "市财政局、市人社局"

    warnings: list[str] = []
    panel.warn = lambda title, text: warnings.append(text)
    panel.confirm = lambda title, text: True
    panel.group_view.selectRow(0)                              # 综合协调组 owns checklist items
    panel.remove_group()
    assert warnings and "仍是Ⅳ级处置清单" in warnings[0]
    assert panel.group_model.rowCount() == count + 1
    panel.group_view.selectRow(count)
    panel.remove_group()
    assert panel.group_model.rowCount() == count
