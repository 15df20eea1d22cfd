"""The 资源 panel as the desk uses it: its warning strip, the list behind it, and the tabs
that are built only when first shown."""

from __future__ import annotations

import pytest

from nxcommand import alert_board
from ui.app import make_app
from ui.resources_panel import AlertsDialog, ResourcesPanel


@pytest.fixture
def panel(qapp, qtbot, demo_db, clock):
    make_app()
    widget = ResourcesPanel(demo_db, clock)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    yield widget
    widget.close()


def test_strip_counts_the_registers_warnings(panel, demo_db, clock):
    found = alert_board.collect(demo_db, clock.now().date(), ("resources", "supplies"))
    kinds = {a.kind for a in found}
    assert {"保险到期", "库存不足"} <= kinds
    text = panel.alert_label.text()
    for kind in kinds:
        n = sum(1 for a in found if a.kind == kind)
        assert f"{kind} {n} 项" in text
    assert "预案" not in text                         # plan deadlines live in the 预案 panel


def test_double_clicking_a_warning_opens_its_register(panel):
    def choose_stock(dialog: AlertsDialog) -> bool:
        row = next(i for i, a in enumerate(dialog.found) if a.ref[0] == "stock")
        dialog.table.cellDoubleClicked.emit(row, 0)
        return True

    panel.run_dialog = choose_stock
    panel.show_alerts()
    assert panel.tabs.tabText(panel.tabs.currentIndex()) == "应急物资"


def test_tabs_are_built_when_first_shown(panel):
    assert list(panel.built) == ["队伍"]
    titles = [panel.tabs.tabText(i) for i in range(panel.tabs.count())]
    assert titles == ["队伍", "专家", "装备", "应急物资", "避难场所", "特殊群体", "图表", "一张图"]
    panel.tabs.setCurrentIndex(titles.index("一张图"))
    assert "一张图" in panel.built and panel.built["一张图"].isVisible()


def test_alert_sort_puts_overdue_first(demo_db, clock):
    found = alert_board.collect(demo_db, clock.now().date())
    dated = [a.days_left for a in found if a.days_left is not None]
    assert dated == sorted(dated)
    assert found[-1].days_left is None or all(a.days_left is not None for a in found)
