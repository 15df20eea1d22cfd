"""The 预警 panel and the 一个窗口发布 tab driven as the desk would: cards in level colours,
issue/adjust/lift through the dialogs, "据此启动预案…", and a release through 三审 to
publication, with the refusal of an unreviewed one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from nxcommand import early_warning as ew
from nxcommand import releases
from tests.test_early_warning import gov
from tests.test_releases import make_response, person
from ui.app import make_app
from ui.public_dialogs import (
    PublishDialog,
    ReleaseDialog,
    ReviewDialog,
    WarningDialog,
    WindowDialog,
)
from ui.release_tab import ReleaseTab
from ui.warnings_panel import WarningsPanel


def accept_with(fill, log=None):
    def run(dialog):
        if log is not None:
            log.append(dialog)
        fill(dialog)
        dialog.accept()
        return dialog.result() == dialog.DialogCode.Accepted
    return run


def pick(combo, value):
    index = combo.findData(value)
    assert index >= 0
    combo.setCurrentIndex(index)


@pytest.fixture
def panel(qapp, qtbot, demo_db, clock):
    make_app()
    messages: list[str] = []
    widget = WarningsPanel(demo_db, clock, notify=messages.append)
    widget.messages = messages
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    return widget


def test_cards_show_warnings_in_force_in_their_level_colour(full_demo_db, clock, qtbot, qapp):
    make_app()
    widget = WarningsPanel(full_demo_db, clock)
    qtbot.addWidget(widget)
    titles = [c.findChild(type(widget.count_label), "cardTitle").text() for c in widget.cards]
    assert titles == ["暴雨橙色预警信号", "山洪地质灾害黄色预警"]
    band = widget.cards[0].findChild(type(widget.count_label), "cardBand")
    assert "#F57C00" in band.styleSheet() and "橙色" in band.text()
    assert widget.count_label.text() == "生效 2 条，其中红色/橙色 1 条"
    model = widget.history_model
    assert model.rowCount() == 4
    lifted = next(i for i, r in enumerate(model.rows) if r["status"] == "已解除")
    level = model.data(model.index(lifted, model.LEVEL), Qt.ItemDataRole.BackgroundRole)
    assert level.color() == QColor("#1E6FD9")
    qtbot.mouseClick(widget.cards[1], Qt.MouseButton.LeftButton)
    assert widget.selected_id == widget.cards[1].warning_id
    assert "油山镇、百顺镇、帽子峰镇" in widget.detail.text() and "南雄市三防指挥部" in widget.detail.text()
    widget.history_view.selectRow(lifted)
    assert not widget.buttons["lift"].isEnabled() and not widget.buttons["start"].isEnabled()
    widget.source_filter.setCurrentIndex(widget.source_filter.findData(ew.SIGNAL))
    assert [r["title"] for r in model.rows] == ["暴雨橙色预警信号", "暴雨黄色预警信号"]


def test_issue_through_the_dialog_stays_open_on_a_missing_element(panel, demo_db):
    seen = []

    def fill(d: WarningDialog):
        pick(d.category, 1)
        pick(d.subtype, 1)
        pick(d.level, 2)
        d._select_issuer(("body", 3))
        d.matters.setPlainText("山洪风险高")
        d.measures.setPlainText("转移群众")
        d.accept()                              # no town yet: refused, stays open
        seen.append((d.result(), d.error.text()))
        d.set_towns([dict(ew.towns(demo_db))["油山镇"]])
    panel.run_dialog = accept_with(fill)
    qtbot_click(panel.buttons["issue"])
    assert seen == [(0, "请至少选择一个影响范围内的镇（街道）")]
    (w,) = ew.current(demo_db)
    assert (w["title"], w["issuer"], w["towns"], w["color_name"]) == ("防汛橙色预警", "南雄市三防指挥部", ["油山镇"], "橙色")
    assert len(panel.cards) == 1 and panel.messages[-1].startswith("预警已发布")


def qtbot_click(button):
    assert button.isEnabled()
    button.click()


def test_relay_adjust_and_lift(panel, demo_db, clock):
    def relay(d: WarningDialog):
        assert d.issuer.currentText() == "南雄市气象局" and d.relayer.currentText() == "南雄市应急管理局"
        pick(d.subtype, 8)
        pick(d.level, 3)
        d.signal_name.setText("暴雨黄色预警信号")
        d.all_towns.setChecked(True)
        d.matters.setPlainText("6小时内降雨量将达50毫米以上")
        d.measures.setPlainText("注意防御暴雨")
    panel.run_dialog = accept_with(relay)
    qtbot_click(panel.buttons["relay"])
    (first,) = ew.current(demo_db)
    assert first["source"] == ew.SIGNAL and len(first["towns"]) == 18

    def adjust(d: WarningDialog):
        assert d.signal_name.text() == "暴雨黄色预警信号" and len(d.town_ids()) == 18
        pick(d.level, 2)
        d.signal_name.setText("暴雨橙色预警信号")
        d.reason.setText("降雨加强")
    panel.run_dialog = accept_with(adjust)
    qtbot_click(panel.buttons["adjust"])
    (second,) = ew.current(demo_db)
    assert (second["replaces_id"], second["title"]) == (first["id"], "暴雨橙色预警信号")
    assert panel.selected_id == second["id"] and "第1版" in panel.detail.text()

    asked = []
    panel.confirm = lambda title, text: asked.append(text) or True
    panel.run_dialog = accept_with(lambda d: d.reason.setText("降雨停止"))
    qtbot_click(panel.buttons["lift"])
    assert "暴雨橙色预警信号" in asked[0] and ew.current(demo_db) == []
    assert panel.count_label.text() == "生效 0 条" and not panel.buttons["lift"].isEnabled()


def test_start_response_hook_gets_the_warning(panel, demo_db, clock):
    wid = ew.issue(demo_db, gov(demo_db), clock)
    panel.refresh()
    asked, emitted = [], []
    panel.start_response = asked.append
    panel.startResponseRequested.connect(emitted.append)
    qtbot_click(panel.buttons["start"])
    assert asked == [wid] and emitted == [wid]


# ---------------------------------------------------------------- the release tab

@pytest.fixture
def tab(qapp, qtbot, demo_db, clock):
    make_app()
    messages: list[str] = []
    widget = ReleaseTab(demo_db, clock, notify=messages.append)
    widget.messages = messages
    widget.warnings = []
    widget.warn = lambda title, text: widget.warnings.append(text)
    qtbot.addWidget(widget)
    widget.resize(1300, 700)
    widget.show()
    return widget


def test_without_a_response_the_tab_is_idle(tab):
    assert tab.window_label.text() == "请选择一个应急响应"
    assert not tab.buttons["new"].isEnabled() and not tab.window_button.isEnabled()


def test_a_release_through_three_reviews_in_the_tab(tab, demo_db, clock):
    rid = make_response(demo_db, clock, grade=2, hours_ago=3)
    tab.set_response(rid)
    assert "尚未指定新闻发言人" in tab.window_label.text()
    labels = [label.text() for label in tab.clock_labels if label.text()]
    assert labels[0].startswith("首次权威发布：时限") and "剩余 2小时00分" in labels[0]
    assert labels[1].startswith("首场新闻发布会")

    def name_window(d: WindowDialog):
        pick(d.person, person(demo_db, "韩淑芬"))
        pick(d.unit, demo_db.execute("SELECT id FROM organizations WHERE name = '中共南雄市委宣传部'").fetchone()[0])
    tab.run_dialog = accept_with(name_window)
    tab.window_button.click()
    assert "韩淑芬" in tab.window_label.text() and tab.window_button.text() == "更换发言人…"

    def draft(d: ReleaseDialog):
        d.title_edit.setText("油山镇山洪灾害情况通报")
        d.body.setPlainText("油山镇发生山洪，已转移群众200人。")
    tab.run_dialog = accept_with(draft)
    qtbot_click(tab.buttons["new"])
    (row,) = tab.release_model.rows
    assert row["state"] == "草稿" and tab.detail_title.text() == "油山镇山洪灾害情况通报"
    assert not tab.buttons["初审"].isEnabled()

    tab.buttons["publish"].click()                       # unreviewed: refused, nothing written
    assert "先审后发" in tab.warnings[-1] and releases.get(demo_db, row["id"])["state"] == "草稿"

    qtbot_click(tab.buttons["submit"])
    assert tab.selected()["next_stage"] == "初审" and tab.buttons["初审"].isEnabled()
    assert not tab.buttons["复审"].isEnabled()

    def returned(d: ReviewDialog):
        pick(d.reviewer, person(demo_db, "曾慧敏"))
        d.accept()                                       # a return needs a comment
        assert "审核意见" in d.error.text()
        d.comment.setPlainText("转移人数请核实")
    tab.run_dialog = accept_with(returned)
    qtbot_click(tab.buttons["return"])
    assert tab.selected()["state"] == "已退回" and tab.trail_model.rows[-1]["result"] == "退回"

    def revise(d: ReleaseDialog):
        d.body.setPlainText("油山镇发生山洪，已转移群众412人。")
        d.note.setText("核实转移人数")
    tab.run_dialog = accept_with(revise)
    qtbot_click(tab.buttons["edit"])
    assert tab.selected()["number"] == 2 and tab.version_model.rowCount() == 2
    assert "+油山镇发生山洪，已转移群众412人。" in tab.diff_view.toPlainText()

    qtbot_click(tab.buttons["submit"])
    for stage, name in zip(releases.STAGES, ("曾慧敏", "韩淑芬", "张建中")):
        tab.run_dialog = accept_with(lambda d, n=name: pick(d.reviewer, person(demo_db, n)))
        qtbot_click(tab.buttons[stage])
    assert tab.selected()["state"] == "已通过"

    def channels(d: PublishDialog):
        d.accept()                                       # no channel: stays open
        assert "发布渠道" in d.error.text()
        d.channels["微信公众号"].setChecked(True)
        d.channels["发布会"].setChecked(True)
    tab.run_dialog = accept_with(channels)
    qtbot_click(tab.buttons["publish"])
    got = tab.selected()
    assert (got["state"], got["channels"]) == ("已发布", ["发布会", "微信公众号"])
    assert not tab.buttons["edit"].isEnabled() and not tab.buttons["publish"].isEnabled()
    done = [label.text() for label in tab.clock_labels if label.text()]
    assert all("已完成（按时）" in text for text in done) and len(done) == 2
    assert [s["step"] for s in tab.trail_model.rows] == ["送审", "初审", "送审", "初审", "复审", "终审"]


def test_release_clock_turns_red_when_overdue(tab, demo_db, clock):
    rid = make_response(demo_db, clock, grade=1, hours_ago=6)
    tab.set_response(rid)
    first = tab.clock_labels[0]
    assert first.property("overdue") is True and "已超时 1小时00分" in first.text()
    clock.advance(hours=-2)
    tab.refresh()
    assert tab.clock_labels[0].property("overdue") is False


def test_demo_release_tab(full_demo_db, clock, qtbot, qapp):
    make_app()
    rid = full_demo_db.execute(
        "SELECT r.id FROM responses r JOIN events e ON e.id = r.event_id JOIN admin_units u ON u.id = e.town_id "
        "WHERE u.name = '油山镇' AND r.status = '响应中' AND r.is_drill = 0").fetchone()
    if rid is None:
        pytest.skip("the flash-flood response is not in the demo yet")
    widget = ReleaseTab(full_demo_db, clock)
    qtbot.addWidget(widget)
    widget.set_response(rid[0])
    assert [r["state"] for r in widget.release_model.rows] == ["已发布", "已发布", "审核中"]
    widget.release_view.selectRow(2)
    assert widget.buttons["复审"].isEnabled() and not widget.buttons["初审"].isEnabled()
