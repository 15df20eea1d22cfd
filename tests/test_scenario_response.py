"""A whole response walked through the console as the desk would, one afternoon on a quiet
demo county: warning → event → open Ⅳ (a forbidden decider refused) → forward HQ → dispatch
(more stock than the depot holds refused) → raise to Ⅲ (the checklist grows) → orders
acknowledged (one with no recipient refused) → a release through 三审 (an unreviewed publish
refused) → lower → end. At each step it checks the timeline, the ledger and the clocks."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QSettings

from nxcommand import deadlines, dutylog, early_warning, ledger, orders, releases, response, timeline
from ui.app import make_app
from ui.main_window import MainWindow

from .respond_helpers import count, flood_plan, one, person


def accept_with(fill, seen: list | None = None):
    """A run_dialog hook: fill the dialog as a user would and press its save button; ``fill``
    may return True to press again after fixing what was refused."""
    def run(dialog):
        again = True
        while again:
            again = bool(fill(dialog))
            dialog.accept()
            if seen is not None:
                seen.append("" if dialog.result() else dialog.error.text())
        return dialog.result() == dialog.DialogCode.Accepted
    return run


def pick(combo, text: str) -> None:
    index = next((i for i in range(combo.count()) if text in combo.itemText(i)), -1)
    assert index >= 0, f"{text} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


def pick_data(combo, value) -> None:
    index = combo.findData(value)
    assert index >= 0
    combo.setCurrentIndex(index)


def kinds(db, rid) -> list[str]:
    return [e.kind for e in timeline.timeline(db, rid)]


def log_kinds_since(db, first_id: int) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT k.name FROM log_entries e JOIN log_kinds k ON k.id = e.kind_id WHERE e.id > ? ORDER BY e.id",
        [first_id])]


@pytest.fixture
def window(qapp, qtbot, demo_db, clock, tmp_path):
    make_app()
    clock.set(datetime(2026, 7, 1, 14, 20))
    win = MainWindow(demo_db, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), clock)
    qtbot.addWidget(win)
    win.resize(1500, 950)
    win.show()
    yield win
    win.close()


def test_a_whole_response_from_warning_to_end(window, demo_db, clock):
    db = demo_db
    youshan = one(db, "SELECT id FROM admin_units WHERE name = '油山镇'")
    log_start = one(db, "SELECT coalesce(max(id), 0) FROM log_entries")
    movements_start = count(db, "stock_movements")

    # ---- 14:20 a government warning for 油山镇
    panel = window.warnings

    def warn(d):
        pick_data(d.category, 1)
        pick_data(d.subtype, 1)                          # 防汛
        pick_data(d.level, 2)                            # 橙色
        d._select_issuer(("body", one(db, "SELECT id FROM command_bodies WHERE name = '南雄市三防指挥部'")))
        d.matters.setPlainText("未来6小时油山镇山区降雨量将达100毫米以上，山洪风险高")
        d.measures.setPlainText("转移危险区群众；停止涉河作业")
        d.set_towns([youshan])
    panel.run_dialog = accept_with(warn)
    panel.buttons["issue"].click()
    (warning,) = early_warning.current(db)
    assert warning["color_name"] == "橙色" and warning["towns"] == ["油山镇"]

    # ---- 14:35 the call comes in: a flash flood in 油山镇, 重大 (so release clocks run)
    clock.set(datetime(2026, 7, 1, 14, 35))
    desk = window.desk

    def intake(d):
        d.caller_unit.setText("油山镇政府")
        d.caller_name.setText("李宏亮")
        d.caller_phone.setText("13900001150")
        d.occurred.setDateTime(d.occurred.dateTime().addSecs(-20 * 60))
        d.town.setCurrentIndex(d.town.findText("油山镇"))
        d.subtype.setCurrentIndex(d.subtype.findText("防汛"))
        d.grade.setCurrentIndex(d.grade.findData(2))
        d.figure_boxes["trapped"].setValue(5)
        d.figure_boxes["evacuated"].setValue(60)
        d.cause.setPlainText("强降雨引发山洪，上朔村河段漫堤")
    desk.run_dialog = accept_with(intake)
    desk.intake()
    event = one(db, "SELECT id FROM events WHERE town_id = ? ORDER BY id DESC", [youshan])
    names = [d.name for d in deadlines.pending(db, clock.now())]
    assert names[:2] == ["电话报告", "书面初报"]

    # ---- 14:45 据此启动预案: open Ⅳ from the warning; a decider the plan forbids is refused
    clock.set(datetime(2026, 7, 1, 14, 45))
    seen: list[str] = []
    plan = flood_plan(db)

    def open_iv(d):
        if not seen:
            assert "据预警提前启动" in d.event.itemText(0)
            pick(d.event, "油山镇")
            pick(d.plan, "防汛防旱防风")
            pick_data(d.level, 4)
            pick(d.decider, "王磊")                       # 指挥长: the plan lets him start Ⅱ/Ⅰ, not Ⅳ
            d.measures.setPlainText("转移危险区群众，搜救被困人员")
            return True
        assert "无权启动" in seen[0] and count(db, "responses") == 0
        pick(d.decider, "钟国平")                         # 三防办主任: may start Ⅳ
        return False
    window.response.run_dialog = accept_with(open_iv, seen)
    window.warnings.selected_id = warning["id"]
    window.start_response_from_warning(warning["id"])
    assert seen[-1] == ""
    assert window.stack.currentWidget() is window.response
    (live,) = response.live_responses(db)
    rid = live["id"]
    r = response.get_response(db, rid)
    assert (r["level"], r["event_id"], r["warning_id"]) == (4, event, warning["id"])
    items_iv = len(response.checklist(db, rid))
    assert items_iv > 0 and kinds(db, rid)[0] == "启动响应"
    clocks = timeline.clocks(db, rid, clock.now())
    first_release = next(c for c in clocks if c.kind == "发布" and "权威" in c.label)
    assert first_release.due == datetime(2026, 7, 1, 19, 45) and first_release.done_at is None
    assert any(c.kind == "清单" for c in clocks)
    window._tick()
    assert "Ⅳ级" in window.response_label.text() and window.response_label.isVisible()

    # ---- 15:00 the forward HQ at 油山镇
    clock.set(datetime(2026, 7, 1, 15, 0))
    hq_tab = window.response.forward_hq
    lon, lat = db.execute("SELECT lon, lat FROM admin_units WHERE id = ?", [youshan]).fetchone()

    def set_up(d):
        w = d.widgets
        assert w["所在镇（街道）"].currentText() == "油山镇"
        w["具体地点"].setText("油山镇人民政府院内")
        w["经度"].setValue(lon + 0.002)
        w["纬度"].setValue(lat + 0.001)
    hq_tab.run_dialog = accept_with(set_up)
    hq_tab.buttons["开设前方指挥部"].click()
    assert "前指开设" in kinds(db, rid)

    # ---- 15:05 dispatch: more life jackets than the county depot holds is refused, then a real lot
    clock.set(datetime(2026, 7, 1, 15, 5))
    board = window.response.board
    dispatcher = board.dispatch
    depot = one(db, "SELECT id FROM depots WHERE name = '南雄市应急物资储备库'")
    jacket = one(db, "SELECT id FROM supply_items WHERE name LIKE '救生衣%'")
    book = ledger.stock_balance(db, depot, jacket)
    refused: list[str] = []

    def supplies_out(d):
        if not refused:
            pick(d.depot, "南雄市应急物资储备库")
            pick(d.thing, "救生衣")
            d.quantity.setValue(book + 50)
            d.place.setText("上朔村")
            pick(d.ordered_by, "张建中")
            return True
        d.quantity.setValue(100)
        return False
    dispatcher.run_dialog = accept_with(supplies_out, refused)
    dispatcher.buttons["调拨物资出库"].click()
    assert refused[0].startswith("出库被拒绝") and "库存不能为负数" in refused[0] and refused[1] == ""
    assert ledger.stock_balance(db, depot, jacket) == book - 100
    assert count(db, "stock_movements") == movements_start + 1 and ledger.verify(db) == []

    def team_out(d):
        pick(d.thing, "南雄市三防抢险队")
        d.headcount.setValue(30)
        d.place.setText("上朔村")
        pick(d.ordered_by, "张建中")
    dispatcher.run_dialog = accept_with(team_out)
    dispatcher.buttons["派出队伍"].click()
    assert kinds(db, rid).count("派出") == 2

    # ---- 15:30 raise to Ⅲ: the checklist grows by what Ⅲ adds
    clock.set(datetime(2026, 7, 1, 15, 30))

    def raise_iii(d):
        assert d.level.currentData() == 3
        pick(d.decider, "田子健")
        d.reason.setPlainText("上朔村被困5人，降雨持续")
    window.response.run_dialog = accept_with(raise_iii)
    window.response.change("提级")
    added = len(response.checklist(db, rid)) - items_iv
    assert added == next(lv["actions"] for lv in response.level_choices(db, plan) if lv["level"] == 3) > 0
    assert window.response.badge.text() == "Ⅲ级响应"
    window._tick()
    assert "Ⅲ级" in window.response_label.text() and "#F9C80E" in window.response_label.styleSheet()
    # the 续报 cadence of a Ⅲ response (every 4 h) now runs among the event's reporting clocks
    assert any(d.name.startswith("续报") for d in deadlines.pending(db, clock.now()))

    # ---- 15:40 orders: one with no recipient is refused; two recipients acknowledge
    clock.set(datetime(2026, 7, 1, 15, 40))
    attempts: list[str] = []

    def order(d):
        if not attempts:
            d.content.setPlainText("立即组织上朔村沿河群众转移至油山镇中心小学")
            return True
        d.recipients.check("镇街", "油山镇")
        d.recipients.check("工作组", "转移安置组")
        return False
    board.run_dialog = accept_with(order, attempts)
    board.issue_order()
    assert "至少选择一个接收方" in attempts[0] and attempts[1] == ""
    board.refresh()
    assert len(orders.unacknowledged(db, rid)) == 2
    clock.set(datetime(2026, 7, 1, 15, 50))
    for _ in range(2):
        row = next(i for i in range(board.orders_model.rowCount())
                   if board.orders_model.row(i)["acknowledged_at"] is None)
        board.orders_view.selectRow(row)
        board.run_dialog = accept_with(lambda d: d.by.setText("值班员"))
        board.acknowledge()
    assert orders.unacknowledged(db, rid) == [] and kinds(db, rid).count("签收") == 2

    # ---- 16:00 a release: refused before review, then 三审 and published
    clock.set(datetime(2026, 7, 1, 16, 0))
    tab = window.response.release

    def name_window(d):
        pick_data(d.person, person(db, "韩淑芬"))
        pick_data(d.unit, one(db, "SELECT id FROM organizations WHERE name = '中共南雄市委宣传部'"))
    tab.run_dialog = accept_with(name_window)
    tab.window_button.click()

    def draft(d):
        d.title_edit.setText("油山镇发生山洪灾害 我市启动防汛应急响应")
        d.body.setPlainText("7月1日14时许，油山镇上朔村发生山洪，已转移群众60人，搜救工作正在进行。")
    tab.run_dialog = accept_with(draft)
    tab.buttons["new"].click()
    release_id = tab.selected()["id"]
    warned: list[str] = []
    tab.warn = lambda title, text: warned.append(text)
    tab.buttons["publish"].click()                        # not reviewed: refused, nothing written
    assert "先审后发" in warned[0] and releases.get(db, release_id)["state"] == "草稿"
    tab.buttons["submit"].click()
    for stage, name in zip(releases.STAGES, ("曾慧敏", "韩淑芬", "张建中")):
        tab.run_dialog = accept_with(lambda d, n=name: pick_data(d.reviewer, person(db, n)))
        tab.buttons[stage].click()

    def publish(d):
        d.channels["网站"].setChecked(True)
        d.channels["发布会"].setChecked(True)
    tab.run_dialog = accept_with(publish)
    tab.buttons["publish"].click()
    assert releases.get(db, release_id)["state"] == "已发布"
    release_clocks = [c for c in timeline.clocks(db, rid, clock.now()) if c.kind == "发布"]
    assert release_clocks and all(c.done_at == datetime(2026, 7, 1, 16, 0) for c in release_clocks)

    # ---- 18:00 lower to Ⅳ, 20:00 end
    clock.set(datetime(2026, 7, 1, 18, 0))

    def lower(d):
        assert d.level.currentData() == 4
        pick(d.decider, "田子健")
        d.reason.setPlainText("雨势减弱，被困群众全部获救")
    window.response.run_dialog = accept_with(lower)
    window.response.change("降级")
    assert response.get_response(db, rid)["level"] == 4

    clock.set(datetime(2026, 7, 1, 20, 0))
    open_before = response.open_items(db, rid)

    def end(d):
        pick(d.decider, "钟国平")
        d.reason.setPlainText("险情解除，转移群众已妥善安置")
    window.response.run_dialog = accept_with(end)
    window.response.change("解除")
    r = response.get_response(db, rid)
    assert r["status"] == "已解除" and r["ended_at"] == "2026-07-01 20:00"
    assert response.open_items(db, rid) == open_before           # ending closes nothing silently
    window._tick()
    assert window.response_label.isHidden()

    # ---- the record: one timeline in order, the duty log, the ledger
    entries = timeline.timeline(db, rid)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    decisions = [e.kind for e in entries if e.kind in ("启动响应", "提级", "降级", "解除响应")]
    assert decisions == ["启动响应", "提级", "降级", "解除响应"]
    for kind in ("前指开设", "派出", "指令", "签收", "发布"):
        assert kind in kinds(db, rid), kind
    logged = log_kinds_since(db, log_start)
    assert logged[0] == "预警" and {"处置", "交办"} & set(logged)
    assert dutylog.count(db) >= len(logged)
    assert ledger.verify(db) == []
    assert count(db, "stock_movements") == movements_start + 1


def test_a_warning_starts_the_plan_early_with_no_event_yet(window, demo_db, clock):
    """据此启动预案 before any event: the response cites the warning; its board opens and its
    clocks run (no event, so no reporting clocks)."""
    db = demo_db
    youshan = one(db, "SELECT id FROM admin_units WHERE name = '油山镇'")
    wid = early_warning.issue(db, early_warning.WarningInput(
        source=early_warning.GOVERNMENT, category_id=1, subtype_id=1, level=2, starts_at=clock.now(),
        town_ids=[youshan], matters="山洪风险高", measures="转移危险区群众", issued_at=clock.now(),
        recorded_by="刘艳玲",
        issuer_body_id=one(db, "SELECT id FROM command_bodies WHERE name = '南雄市三防指挥部'")), clock)

    def open_early(d):
        assert d.event.currentData() is None and "据预警提前启动" in d.event.currentText()
        pick(d.plan, "防汛防旱防风")
        pick_data(d.level, 4)
        pick(d.decider, "钟国平")
        d.measures.setPlainText("预置抢险力量，转移危险区群众")
    window.response.run_dialog = accept_with(open_early)
    window.start_response_from_warning(wid)
    (live,) = response.live_responses(db)
    r = response.get_response(db, live["id"])
    assert (r["event_id"], r["warning_id"], r["level"]) == (None, wid, 4)
    assert window.response.badge.text() == "Ⅳ级响应"
    assert any(c.kind == "清单" for c in timeline.clocks(db, live["id"], clock.now()))
