"""The 人员信息 tab of the response panel, driven as the desk would: register a person through
the form (a wrong 身份证号 check digit keeps the form open with the message and everything
typed), edit, the counts by kind, the purge status (预计/延期保存/已清除), 延期保存 with its
reason and 解除, 立即清除 by the administrator; greyed buttons for roles that may not; the
retention setting widget."""

from __future__ import annotations

import pytest

from nxcommand import personal, response, session
from nxcommand.personal_demo import demo_id
from ui.app import make_app
from ui.personal_tab import HoldDialog, PersonalSettingsWidget, PersonDialog, ReasonDialog
from ui.response_panel import ResponsePanel

ID = demo_id("19650312", 217)
BAD_ID = ID[:17] + ("0" if ID[17] != "0" else "1")


@pytest.fixture
def panel(qapp, qtbot, full_demo_db, clock):
    make_app()
    widget = ResponsePanel(full_demo_db, clock)
    qtbot.addWidget(widget)
    yield widget
    widget.stop()


def ended_id(db) -> int:
    return next(r["id"] for r in response.list_responses(db) if not r["live"])


def run_with(fill, seen: list, tries: int = 1):
    """A run_dialog hook standing in for exec(): fill the form and press Save, up to ``tries``
    times while the form stays open (a refusal keeps it open); records (dialog, accepted,
    error shown)."""
    def run(dialog):
        for _ in range(tries):
            fill(dialog)
            dialog.accept()
            accepted = dialog.result() == dialog.DialogCode.Accepted
            seen.append((dialog, accepted, dialog.error.text() if dialog.error.isVisibleTo(dialog) else ""))
            if accepted:
                return True
        return False
    return run


def test_the_tab_lists_the_demo_flood_by_kind_with_masked_numbers(panel):
    tab = panel.tab_widgets["人员信息"]
    assert panel.tabs.tabText(4) == "人员信息"
    assert tab.counts.text() == "受伤 1　死亡 0　失联 1　被困 3　转移安置 5　　共 10 人"
    assert tab.status.text() == "个人信息　响应结束后 30 天清除（突发事件应对法第八十五条）"
    first = tab.model.row(0)
    assert tab.model.cell(first, 0) == "受伤" and tab.model.cell(first, 1) == "李观福"
    shown = tab.model.cell(first, 4)
    assert "********" in shown and first["id_number"] not in shown
    tab.kind_filter.setCurrentIndex(tab.kind_filter.findData("被困"))
    assert [tab.model.row(i)["name"] for i in range(tab.model.rowCount())] == ["黄石生", "何凤娇", "黄伟强"]


def test_a_bad_id_keeps_the_dialog_open_then_the_person_is_added(panel, full_demo_db):
    tab = panel.personal
    seen = []

    def fill(d: PersonDialog):
        if not seen:
            d.kind.setCurrentText("失联")
            assert d.place.town.currentText() == "油山镇"          # the event's town is offered
            d.name.setText("邓桂生")
            d.id_number.setText(BAD_ID)
            d.phone.setText("13900600188")
            d.status.setCurrentText("搜寻中")
            d.next_of_kin.setText("邓秀英（女儿）13900600189")
        else:
            d.id_number.setText(ID)

    tab.run_dialog = run_with(fill, seen, tries=2)
    tab.add()
    dialog, accepted, error = seen[0]
    assert not accepted and "校验位不对" in error and f"应为 {ID[17]}" in error
    assert dialog.name.text() == "邓桂生" and dialog.next_of_kin.text() == "邓秀英（女儿）13900600189"
    assert seen[1][1]                                            # corrected, saved
    assert "失联 2" in tab.counts.text() and "共 11 人" in tab.counts.text()
    added = next(p for p in personal.people(full_demo_db, tab.response_id) if p["name"] == "邓桂生")
    assert (added["sex"], added["age"], added["status"], added["town"]) == ("男", 61, "搜寻中", "油山镇")


def test_editing_a_person_saves_through_the_form(panel, full_demo_db):
    tab = panel.personal
    row = next(i for i in range(tab.model.rowCount()) if tab.model.row(i)["name"] == "黄伟强")
    tab.table.selectRow(row)
    seen = []

    def fill(d: PersonDialog):
        assert d.id_number.text() == tab.model.row(row)["id_number"]       # whole in the form
        d.status.setCurrentText("已送医")
        d.hospital.setText("南雄市人民医院")

    tab.run_dialog = run_with(fill, seen)
    tab.edit()
    assert seen[0][1]
    got = next(p for p in personal.people(full_demo_db, tab.response_id) if p["name"] == "黄伟强")
    assert (got["status"], got["hospital"], got["version"]) == ("已送医", "南雄市人民医院", 2)


def test_hold_with_a_reason_then_lift_and_purge_now(panel, full_demo_db):
    panel.reload(select=ended_id(full_demo_db))
    tab = panel.personal
    assert tab.status.text() == "个人信息　响应结束后 30 天清除，预计 2026-07-31 09:25"
    assert tab.buttons["延期保存…"].isEnabled() and not tab.buttons["解除延期…"].isEnabled()
    seen = []

    def hold(d: HoldDialog):
        d.purpose.setCurrentText("评估")
        if len(seen) == 0:
            d.approved_by.setText("副县长")                     # no reason yet: refused
        else:
            d.reason.setPlainText("滑坡灾害调查评估需核对转移人员名单")

    tab.run_dialog = run_with(hold, seen, tries=2)
    tab.hold()
    assert not seen[0][1] and "请填写延期保存原因" in seen[0][2]
    assert seen[1][1]
    assert tab.status.text().startswith("个人信息　延期保存（评估）：滑坡灾害调查评估需核对转移人员名单——副县长批准")
    assert tab.buttons["解除延期…"].isEnabled() and not tab.buttons["立即清除…"].isEnabled()

    lifted = []
    tab.run_dialog = run_with(lambda d: d.reason.setPlainText("评估已完成"), lifted)
    tab.lift()
    assert lifted[0][1] and isinstance(lifted[0][0], ReasonDialog)
    assert tab.status.text().startswith("个人信息　响应结束后 30 天清除")

    asked = []
    tab.confirm = lambda title, text: asked.append(text) or True
    tab.purge_now()
    assert "2 人" in asked[0]
    assert tab.status.text().startswith("个人信息　已于 2026-07-01 14:20 清除（2 人")
    assert {tab.model.row(i)["name"] for i in range(tab.model.rowCount())} == {"（已清除）"}
    assert tab.model.cell(tab.model.row(0), 3) == "60–69岁"
    assert not any(b.isEnabled() for b in tab.buttons.values())


def test_buttons_follow_the_roles(panel, full_demo_db):
    tab = panel.personal
    with session.acting(full_demo_db, session.Actor("ro", "只读者", frozenset({"只读"}))):
        tab.refresh()
        assert not any(b.isEnabled() for b in tab.buttons.values())
    with session.acting(full_demo_db, session.Actor("duty", "值班员甲", frozenset({"值班员"}))):
        panel.reload(select=ended_id(full_demo_db))
        assert tab.buttons["登记人员…"].isEnabled()
        assert not tab.buttons["延期保存…"].isEnabled() and not tab.buttons["立即清除…"].isEnabled()


def test_the_retention_setting_widget(qapp, qtbot, full_demo_db, clock):
    make_app()
    widget = PersonalSettingsWidget(full_demo_db, clock)
    qtbot.addWidget(widget)
    assert widget.days.value() == 30 and widget.due.text() == "目前没有到期待清除的个人信息。"
    widget.days.setValue(0)
    widget.apply()
    assert personal.retention_days(full_demo_db) == 0
    assert widget.due.text().startswith("已到期待清除：1 个响应、2 人")
    with session.acting(full_demo_db, session.Actor("duty", "值班员甲", frozenset({"值班员"}))):
        widget.refresh()
        assert not widget.save.isEnabled()
        widget.days.setValue(9)
        widget.apply()                                    # refused by the service too
        assert "无权管理参考数据" in widget.error.text() and personal.retention_days(full_demo_db) == 0
