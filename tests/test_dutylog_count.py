"""Counting the duty log's hits stops at a limit for filters (an exact count of hundreds of
thousands of hits is what made a search slower than 50 ms with 1,000,000 entries): the panel
says 超过 N 条 then, and the exact figure below the limit and for the whole log."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from nxcommand import dutylog
from nxcommand.dutylog import LogQuery
from ui import log_model
from ui.log_panel import DutyLogPanel


@pytest.fixture
def log_db(demo_db, clock):
    dutylog.load_demo_log(demo_db, date(2026, 6, 1), 30, clock)
    return demo_db


def test_count_stops_at_the_limit(log_db):
    for query in (LogQuery(text="镇"), LogQuery(kind="来电"), LogQuery(date_from=date(2026, 6, 1))):
        exact = dutylog.count(log_db, query)
        assert exact > 20, query
        assert dutylog.count(log_db, query, at_most=20) == 20
        assert dutylog.count(log_db, query, at_most=exact + 5) == exact
    everything = dutylog.count(log_db)
    assert dutylog.count(log_db, at_most=20) == everything > 20       # the whole log: always exact


def test_the_panel_says_more_than_the_limit(qapp, qtbot, log_db, monkeypatch):
    from nxcommand.clock import FixedClock

    panel = DutyLogPanel(log_db, FixedClock(datetime(2026, 7, 1, 14, 20)))
    qtbot.addWidget(panel)
    everything = dutylog.count(log_db)
    some = dutylog.count(log_db, LogQuery(text="镇"))
    monkeypatch.setattr(log_model, "COUNT_LIMIT", some - 1)
    panel.search.setText("镇")
    panel.run_query()
    assert panel.count_label.text() == f"超过 {some - 1} 条记录，可缩小日期范围或增加关键词"
    assert panel.model.rowCount() > 0
    monkeypatch.setattr(log_model, "COUNT_LIMIT", some)
    panel.run_query()
    assert panel.count_label.text() == f"共 {some} 条记录"
    monkeypatch.setattr(log_model, "COUNT_LIMIT", 5)
    panel.search.clear()
    panel.run_query()
    assert panel.count_label.text() == f"共 {everything} 条记录"
