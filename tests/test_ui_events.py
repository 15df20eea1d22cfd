"""The 接报与事件 panel: every event, its elements and reports, and the on-time rate."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate

from nxcommand import deadlines, incidents
from ui.app import make_app
from ui.events_panel import EventsPanel

from .test_deadlines import report
from .test_intake import landslide


def test_events_panel_shows_elements_reports_and_rates(qapp, qtbot, demo_db, clock):
    make_app()
    clock.set(datetime(2026, 7, 1, 16, 0))
    live = incidents.create_event(demo_db, landslide(demo_db), clock)
    deadlines.record_report(demo_db, report(live, "电话报告", "2026-07-01 14:30"), clock)     # on time
    deadlines.record_report(demo_db, report(live, "书面初报", "2026-07-01 15:30"), clock)     # late
    drill = incidents.create_event(demo_db, landslide(demo_db, is_drill=True, received_at="2026-07-01 15:00",
                                                      occurred_at="2026-07-01 14:50"), clock)
    panel = EventsPanel(demo_db, clock)
    qtbot.addWidget(panel)
    panel.first.setDate(QDate(2026, 7, 1))
    panel.last.setDate(QDate(2026, 7, 1))
    panel.refresh()
    assert [e["id"] for e in panel.model.rows] == [drill, live]
    assert "上报及时率 50.0%（1/2）（演练不计入）" in panel.rate.text()
    assert panel.model.cell(panel.model.row(1), 6) == "50.0%（1/2）"
    assert panel.model.cell(panel.model.row(0), 0).startswith("【演练】")

    panel.view.selectRow(1)
    html = panel.detail.toHtml()
    for text in ("接报时间", "信息来源", "起因、性质、经过", "持续强降雨引发山体滑坡", "被困2人",
                 "电话报告", "按时", "迟报", "续报一"):
        assert text in html, text

    panel.drills.setChecked(False)
    panel.refresh()
    assert [e["id"] for e in panel.model.rows] == [live]
    panel.search.setText("不存在的词")
    panel.refresh()
    assert panel.model.rowCount() == 0
    panel.last.setDate(QDate(2026, 6, 1))
    panel.refresh()
    assert "结束日期早于开始日期" in panel.rate.text()
    assert date(2026, 7, 1) == panel.first.date().toPython()
