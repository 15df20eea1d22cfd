"""Table models of the response board: orders (unacknowledged ones bold red with the time
since issue, overdue ones on red), checklist (overdue red), clocks (countdowns), timeline,
figures history, groups and meetings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from nxcommand.clock import parse_minute
from nxcommand.timeline import Deadline

from .desk_models import DictTableModel, countdown

RED, ORANGE, GREEN, GREY = QColor("#c62828"), QColor("#e65100"), QColor("#2e7d32"), QColor("#8a8f98")
PALE_RED, PALE_AMBER = QColor("#fde2e1"), QColor("#fff1cc")


def short(moment: str | None) -> str:
    """'2026-07-01 14:20' → '07-01 14:20'."""
    return moment[5:] if moment else ""


def hm(moment: str | None, now: datetime) -> str:
    """'14:20' on today's date, '07-02 09:00' on another day, '—' for none."""
    if not moment:
        return "—"
    return moment[11:] if moment[:10] == now.strftime("%Y-%m-%d") else moment[5:]


def minutes_text(delta_minutes: int) -> str:
    hours, minutes = divmod(max(0, delta_minutes), 60)
    return f"{hours}小时{minutes:02d}分" if hours else f"{minutes}分钟"


def _since(now: datetime, moment: str) -> int:
    return int((now - parse_minute(moment, "时间")).total_seconds() // 60)


class _Styled(DictTableModel):
    """A DictTableModel whose rows are coloured by ``style(row) -> (fg, bg, bold)``."""

    def __init__(self, columns, now: Callable[[], datetime], parent=None) -> None:
        super().__init__(columns, parent)
        self.now = now

    def style(self, row) -> tuple[QColor | None, QColor | None, bool]:
        return None, None, False

    def tick(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1))

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole,
                                        Qt.ItemDataRole.FontRole):
            fg, bg, bold = self.style(self.rows[index.row()])
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(fg) if fg else None
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(bg) if bg else None
            if bold:
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)


class OrdersModel(_Styled):
    def __init__(self, now, parent=None) -> None:
        super().__init__([(lambda o: hm(o["issued_at"], self.now()), "下达"), ("recipient", "接收方"),
                          ("content", "指令内容"), (lambda o: hm(o["due_at"], self.now()), "时限"),
                          (self.state_text, "状态")], now, parent)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.ToolTipRole:
            o = self.rows[index.row()]
            parts = [f"{o['issued_at']} 下达 → {o['recipient']}：{o['content']}"]
            if o["issued_by"]:
                parts.append(f"下达领导：{o['issued_by']}")
            if o["acknowledged_at"]:
                parts.append(f"{o['acknowledged_at']} 签收（{o['acknowledged_by']}）")
            if o["done_at"]:
                parts.append(f"{o['done_at']} 完成：{o['feedback']}")
            return "\n".join(parts)
        return super().data(index, role)

    def overdue(self, o: dict) -> bool:
        return bool(o["due_at"]) and o["done_at"] is None and self.now() > parse_minute(o["due_at"], "时限")

    def state_text(self, o: dict) -> str:
        if o["done_at"]:
            return f"已完成 {o['done_at'][11:]}"
        if not o["acknowledged_at"]:
            text = f"未签收 {minutes_text(_since(self.now(), o['issued_at']))}"
            return text + ("·超时" if self.overdue(o) else "")
        else:
            text = f"已签收 {o['acknowledged_at'][11:]}"
        return text + ("·超时" if self.overdue(o) else "")

    def style(self, o):
        if o["done_at"]:
            return GREY, None, False
        overdue = PALE_RED if self.overdue(o) else None
        if not o["acknowledged_at"]:
            return RED, overdue, True
        return (RED if overdue else None), overdue, False


class ChecklistModel(_Styled):
    def __init__(self, now, parent=None) -> None:
        super().__init__([("roman", "级别"), ("action", "处置事项"), ("owner", "责任方"),
                          (lambda c: hm(c["due_at"], self.now()), "时限"), (self.state_text, "状态")], now, parent)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.ToolTipRole:
            c = self.rows[index.row()]
            done = f"\n{c['done_at']} 完成（{c['done_by']}）{c['note']}" if c["done_at"] else ""
            return f"{c['roman']}：{c['action']}\n责任方：{c['owner'] or '—'}　时限：{c['due_at'] or '无'}{done}"
        return super().data(index, role)

    def overdue(self, c: dict) -> bool:
        return bool(c["due_at"]) and c["done_at"] is None and self.now() > parse_minute(c["due_at"], "时限")

    def state_text(self, c: dict) -> str:
        if c["done_at"]:
            return f"已完成 {hm(c['done_at'], self.now())}"
        if not c["due_at"]:
            return "进行中"
        return countdown(parse_minute(c["due_at"], "时限") - self.now())

    def style(self, c):
        if c["done_at"]:
            return GREY, None, False
        return (RED, PALE_RED, True) if self.overdue(c) else (None, None, False)


class ClocksModel(_Styled):
    def __init__(self, now, parent=None) -> None:
        super().__init__([(lambda d: d.kind, "类别"), (lambda d: d.label, "事项"),
                          (lambda d: hm(d.due.strftime("%Y-%m-%d %H:%M"), self.now()), "时限"), (self.left, "剩余")],
                         now, parent)

    def left(self, d: Deadline) -> str:
        if d.done_at is not None:
            return f"已完成 {d.done_at:%H:%M}" + ("·超时" if d.done_at > d.due else "")
        return countdown(d.due - self.now())

    def style(self, d: Deadline):
        if d.done_at is not None:
            return GREY, None, False
        left = (d.due - self.now()).total_seconds()
        if left < 0:
            return RED, PALE_RED, True
        return (ORANGE, PALE_AMBER, True) if left < 30 * 60 else (None, None, False)


TIMELINE_COLOURS = {"启动响应": RED, "提级": RED, "降级": ORANGE, "解除响应": GREEN, "会商": QColor("#1565c0")}


class TimelineModel(_Styled):
    def __init__(self, now, parent=None) -> None:
        super().__init__([(lambda e: hm(e.at.strftime("%Y-%m-%d %H:%M"), self.now()), "时间"), (lambda e: e.kind, "类别"),
                          (lambda e: e.text, "内容"), (lambda e: e.by, "人员")], now, parent)

    def style(self, e):
        colour = TIMELINE_COLOURS.get(e.kind)
        return colour, None, colour is not None


FIGURE_COLUMNS = [(lambda f: short(f["as_of"]), "统计时间"), ("deaths", "死亡"), ("injured", "受伤"),
                  ("missing", "失联"), ("trapped", "被困"), ("evacuated", "转移"), ("recorded_by", "记录人")]
