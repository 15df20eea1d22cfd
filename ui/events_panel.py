"""接报与事件: every event taken in, its report elements, figures history, reports and
instructions, and the on-time rate (上报及时率) for any date range, overall and per event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QSplitter, QTextBrowser, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import deadlines, incidents
from nxcommand.clock import SYSTEM_CLOCK, Clock

from .desk_models import DictTableModel
from .desk_panel import table

ELEMENTS = (  # DOMAIN.md §4, in report order
    ("received_at", "接报时间"), ("source", "信息来源"), ("occurred_at", "事发时间"), ("where", "事发地点"),
    ("site_overview", "事发单位/地点概况"), ("cause", "起因、性质、经过"), ("casualties", "人员伤亡"),
    ("loss", "财产损失"), ("scope", "影响范围"), ("trend", "发展趋势"), ("measures", "已采取措施"),
    ("leaders_on_scene", "领导到位情况"), ("requests", "请求事项"), ("site_contact", "现场负责人"),
    ("informed", "来电人已通报"), ("recorded_by", "记录人"),
)


def date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)
    return edit


def event_html(db: Database, event_id: int, now) -> str:
    """The event's elements, figures history, reports and instructions as simple HTML."""
    e = incidents.get_event(db, event_id)
    f = e["figures"]
    values = {
        **e,
        "source": "，".join(x for x in (e["source_kind"], e["caller_unit"], e["caller_name"],
                                        e["caller_post"], e["caller_phone"]) if x),
        "where": e["town"] + e["village"] + e["place"],
        "casualties": f"死亡{f.deaths}人，受伤{f.injured}人（重伤{f.serious_injured}人），失联{f.missing}人，"
                      f"被困{f.trapped}人；转移群众{f.evacuated}人；直接经济损失{f.direct_loss_yuan / 10000:g}万元",
        "site_contact": " ".join(x for x in (e["site_contact_name"], e["site_contact_post"],
                                             e["site_contact_phone"]) if x),
    }
    drill = "【演练】" if e["is_drill"] else ""
    parts = [f"<h3>{drill}{escape(e['title'])}</h3>",
             f"<p>{escape(e['category'])} {escape(e['subtype'])} · {escape(e['grade_name'])}"
             f"{'（按伤亡损失自动定级）' if e['grade_computed'] else ''}{' · 敏感' if e['sensitive'] else ''}"
             f" · {escape(e['status'])}</p><table cellspacing='0' cellpadding='3'>"]
    for key, label in ELEMENTS:
        if values.get(key):
            parts.append(f"<tr><td valign='top' width='130'><b>{label}</b></td>"
                         f"<td>{escape(str(values[key]))}</td></tr>")
    parts.append("</table><h4>伤亡变化</h4><table cellpadding='3'>"
                 "<tr><th>统计时间</th><th>死亡</th><th>受伤</th><th>失联</th><th>被困</th><th>转移</th></tr>")
    for h in incidents.figures_history(db, event_id):
        parts.append(f"<tr><td>{h['as_of']}</td><td>{h['deaths']}</td><td>{h['injured']}</td>"
                     f"<td>{h['missing']}</td><td>{h['trapped']}</td><td>{h['evacuated']}</td></tr>")
    parts.append("</table><h4>报送时限与报告</h4><table cellpadding='3'>"
                 "<tr><th>应报</th><th>时限</th><th>报送时间</th><th>情况</th></tr>")
    for d in deadlines.for_event_id(db, event_id, now):
        sent = d.met_at.strftime("%Y-%m-%d %H:%M") if d.met_at else ""
        parts.append(f"<tr><td>{d.name}</td><td>{d.due_at:%Y-%m-%d %H:%M}</td><td>{sent}</td>"
                     f"<td>{d.state(now)}</td></tr>")
    parts.append("</table><ul>")
    for r in deadlines.reports(db, event_id):
        parts.append(f"<li>{r['name']} {r['sent_at']} {escape(r['channel'])}；报：{escape(r['to_report'])}"
                     f"；签发：{escape(r['signed_by'])} 核稿：{escape(r['checked_by'])} 拟稿：{escape(r['drafted_by'])}</li>")
    parts.append("</ul><h4>领导批示</h4><ul>")
    for ins in incidents.instructions_for(db, event_id):
        parts.append(f"<li>{ins['given_at']} {escape(ins['leader'])}：{escape(ins['content'])}【{ins['status']}】</li>")
    parts.append("</ul>")
    return "".join(parts)


class EventsPanel(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        today = clock.now().date()
        self.first = date_edit(today.replace(day=1))
        self.last = date_edit(today)
        self.status = QComboBox()
        self.status.addItems(("全部", "处置中", "已结束"))
        self.drills = QCheckBox("含演练")
        self.drills.setChecked(True)
        self.search = QLineEdit(placeholderText="搜索标题、经过、地点", clearButtonEnabled=True)
        self.rate = QLabel(objectName="timelinessLabel")
        self.model = DictTableModel([
            (lambda e: ("【演练】" if e["is_drill"] else "") + e["title"], "事件"), ("town", "镇（街道）"),
            ("category", "类别"), ("grade_name", "级别"), ("received_at", "接报时间"), ("status", "状态"),
            (lambda e: self.per_event.get(e["id"]).text() if e["id"] in self.per_event else "—", "上报及时率")],
            self)
        self.per_event: dict = {}
        self.view = table(self.model)
        for column in range(1, self.model.columnCount()):
            self.view.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.detail = QTextBrowser(objectName="eventDetail")
        bar = QHBoxLayout()
        for widget in (QLabel("接报日期"), self.first, QLabel("至"), self.last, self.status, self.drills,
                       self.search):
            bar.addWidget(widget)
        splitter = QSplitter()
        splitter.addWidget(self.view)
        splitter.addWidget(self.detail)
        splitter.setSizes([760, 440])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.rate)
        layout.addWidget(splitter, 1)
        self._timer = QTimer(self, singleShot=True, interval=200, timeout=self.refresh)
        for signal in (self.first.dateChanged, self.last.dateChanged, self.status.currentIndexChanged,
                       self.drills.toggled, self.search.textChanged):
            signal.connect(lambda *_: self._timer.start())
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self.show_current())
        self.refresh()

    def range(self) -> tuple[date, date]:
        return self.first.date().toPython(), self.last.date().toPython()

    def refresh(self) -> None:
        first, last = self.range()
        if last < first:
            self.rate.setText("结束日期早于开始日期，请调整日期范围")
            self.model.set_rows([])
            return
        now = self.clock.now()
        overall, self.per_event = deadlines.timeliness(self.db, first, last, now)
        status = None if self.status.currentIndex() == 0 else self.status.currentText()
        rows = incidents.list_events(self.db, first.isoformat(), last.isoformat(), status,
                                     self.search.text(), self.drills.isChecked())
        self.model.set_rows(rows)
        self.rate.setText(f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}：事件 {len(rows)} 起；"
                          f"上报及时率 {overall.text()}（演练不计入）")
        if rows:
            self.view.selectRow(0)
        self.show_current()

    def show_current(self) -> None:
        event = self.model.row(self.view.currentIndex().row())
        self.detail.setHtml(event_html(self.db, event["id"], self.clock.now()) if event else
                            "<p>没有选中的事件</p>")

    def showEvent(self, event) -> None:  # noqa: N802 - refresh when the officer comes here
        super().showEvent(event)
        self.refresh()
