"""The roster panel's parts: the month and week table models, and its dialogs (who is on a
shift, 替班/换班, the 五个一 checklist, the Excel import report). Validation is the core's; a
refused form shows its message and stays open."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDateEdit, QDialogButtonBox,
                               QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QRadioButton)
from sqlite_utils import Database

from nxcommand import roster
from nxcommand import roster_checks as checks
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import ValidationError
from nxcommand.roster import LEADER, OFFICER, Shift
from nxcommand.roster_checks import DayCell, RosterView
from nxcommand.roster_excel import ImportReport

from .excel_io import ImportReviewDialog
from .forms import ServiceForm, searchable_combo

NOBODY = "（不安排）"


def combo_value(combo: QComboBox):
    """The data of the chosen item; None when the typed text matches no item."""
    index = combo.currentIndex()
    typed = combo.currentText().strip()
    return combo.itemData(index) if index >= 0 and combo.itemText(index) == typed else None


def person_text(person: roster.Person) -> str:
    return f"{person.name}  {person.phone}".strip()


class _FormDialog(ServiceForm):
    """The shared form (error line on top, buttons below) with the roster dialogs' names:
    ``ok_button``, ``layout_`` and ``save()``."""

    def __init__(self, title: str, parent=None, ok_text: str = "保存") -> None:
        super().__init__(title, parent)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.ok_button.setText(ok_text)
        self.layout_ = self.body

    def save(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def submit(self) -> None:
        self.save()


class AssignDialog(_FormDialog):
    """排班/调整: the shift's 带班领导 and up to two 值班员; a change needs a reason."""

    def __init__(self, db: Database, shift: Shift, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__(f"排班/调整 — {shift.label}", parent)
        self.db, self.shift, self.clock = db, shift, clock
        leaders = [(NOBODY, None)] + [(person_text(p), p.id) for p in roster.eligible_people(db, LEADER)]
        officers = [(NOBODY, None)] + [(person_text(p), p.id) for p in roster.eligible_people(db, OFFICER)]
        self.leader = searchable_combo(leaders)
        self.officer1, self.officer2 = searchable_combo(officers), searchable_combo(officers)
        for combo, person in ((self.leader, shift.leader),
                              (self.officer1, shift.officers[0] if shift.officers else None),
                              (self.officer2, shift.officers[1] if len(shift.officers) > 1 else None)):
            combo.setCurrentIndex(max(0, combo.findData(person.id if person else None)))
        self.reason = QLineEdit(placeholderText="更换或撤下已排人员时必填，如：因公出差")
        self.form.addRow("班次", QLabel(f"{shift.label}  {shift.times}"))
        self.form.addRow("带班领导", self.leader)
        self.form.addRow("值班员", self.officer1)
        self.form.addRow("值班员（第二人）", self.officer2)
        self.form.addRow("调整原因", self.reason)

    def save(self) -> None:
        for combo, label in ((self.leader, "带班领导"), (self.officer1, "值班员"), (self.officer2, "值班员")):
            if combo_value(combo) is None and combo.currentText().strip() not in ("", NOBODY):
                raise ValidationError(f"请从列表中选择{label}")
        officers = [i for i in (combo_value(self.officer1), combo_value(self.officer2)) if i is not None]
        roster.assign(self.db, self.shift.id, combo_value(self.leader), officers, reason=self.reason.text(),
                      clock=self.clock, expected_version=self.shift.version)


class ChangeDialog(_FormDialog):
    """替班 (someone takes a person's place) or 换班 (two people exchange shifts)."""

    def __init__(self, db: Database, shift: Shift, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__(f"替班/换班 — {shift.label}", parent)
        self.db, self.shift, self.clock = db, shift, clock
        self.substitute_radio, self.swap_radio = QRadioButton("替班"), QRadioButton("换班")
        self.substitute_radio.setChecked(True)
        group = QButtonGroup(self)
        kinds = QHBoxLayout()
        for radio in (self.substitute_radio, self.swap_radio):
            group.addButton(radio)
            kinds.addWidget(radio)
        kinds.addStretch(1)
        self.person = QComboBox()
        for role, person in shift.people():
            self.person.addItem(f"{role}：{person.name}", (role, person.id))
        self.replacement = searchable_combo([])
        self.other_day = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        day = shift.duty_date + timedelta(days=1)
        self.other_day.setDate(QDate(day.year, day.month, day.day))
        self.other_person = QComboBox()
        self.reason = QLineEdit(placeholderText="必填，如：家中有事、参加培训")
        self.form.addRow("方式", kinds)
        self.form.addRow("本班人员", self.person)
        self.form.addRow("替班人", self.replacement)
        self.form.addRow("换到日期", self.other_day)
        self.form.addRow("对方", self.other_person)
        self.form.addRow("原因", self.reason)
        for signal in (self.person.currentIndexChanged, self.other_day.dateChanged, group.buttonToggled):
            signal.connect(lambda *_: self._refresh())
        self._refresh()

    def _refresh(self) -> None:
        role, person_id = self.person.currentData() or (OFFICER, None)
        on_shift = {p.id for _r, p in self.shift.people()}
        self.replacement.clear()
        for p in roster.eligible_people(self.db, role):
            if p.id not in on_shift:
                self.replacement.addItem(person_text(p), p.id)
        self.other_person.clear()
        qd = self.other_day.date()
        day = date(qd.year(), qd.month(), qd.day())
        for other in roster.shifts_between(self.db, day, day):
            for other_role, p in other.people():
                if other_role == role and other.id != self.shift.id:
                    self.other_person.addItem(f"{other.name} {other_role}：{p.name}", (other.id, p.id))
        swapping = self.swap_radio.isChecked()
        for widget, visible in ((self.replacement, not swapping), (self.other_day, swapping),
                                (self.other_person, swapping)):
            widget.setEnabled(visible)
            self.form.setRowVisible(widget, visible)

    def save(self) -> None:
        if self.person.currentData() is None:
            raise ValidationError("该班次还没有安排人员")
        _role, person_id = self.person.currentData()
        if self.swap_radio.isChecked():
            if self.other_person.currentData() is None:
                raise ValidationError("所选日期没有可换班的同岗位人员")
            other_shift, other_person = self.other_person.currentData()
            roster.swap(self.db, self.shift.id, person_id, other_shift, other_person, self.reason.text(), self.clock)
        else:
            incoming = combo_value(self.replacement)
            if incoming is None:
                raise ValidationError("请从列表中选择替班人")
            roster.substitute(self.db, self.shift.id, person_id, incoming, self.reason.text(), self.clock)


class ChecklistDialog(_FormDialog):
    """The holiday "五个一" items of one shift: tick what has been done, naming who confirms."""

    def __init__(self, db: Database, shift: Shift, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__(f"节假日“五个一” — {shift.label}", parent)
        self.db, self.shift, self.clock = db, shift, clock
        self.items = QListWidget()
        self.items.setMinimumHeight(180)
        for item in checks.shift_checklist(db, shift.id):
            done = f"（{item['ticked_by']} {item['ticked_at'][5:16]} 确认）" if item["ticked_by"] else ""
            row = QListWidgetItem(f"{item['name']}{done}")
            row.setData(Qt.ItemDataRole.UserRole, item["id"])
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Checked if item["ticked_by"] else Qt.CheckState.Unchecked)
            self.items.addItem(row)
        self.by = QComboBox(editable=True)
        for _role, person in shift.people()[::-1]:
            self.by.addItem(person.name)
        self.form.addRow("检查项", self.items)
        self.form.addRow("确认人", self.by)

    def save(self) -> None:
        done = {i["id"] for i in checks.shift_checklist(self.db, self.shift.id) if i["ticked_by"]}
        with_ticks = [self.items.item(i) for i in range(self.items.count())]
        for row in with_ticks:
            item_id = row.data(Qt.ItemDataRole.UserRole)
            checked = row.checkState() == Qt.CheckState.Checked
            if checked and item_id not in done:
                checks.tick(self.db, self.shift.id, item_id, self.by.currentText(), self.clock)
            elif not checked and item_id in done:
                checks.untick(self.db, self.shift.id, item_id)


def import_review(report: ImportReport, parent=None) -> ImportReviewDialog:
    """The roster file's dry run, in the dialog every register's import uses."""
    lines = [f"第 {r.row} 行  {roster.day_label(r.day)} {r.shift_name}：带班领导 {r.leader.name}，"
             f"值班员 {'、'.join(p.name for p in r.officers)}" + ("（新建班次）" if r.shift_id is None else "")
             for r in report.rows]
    return ImportReviewDialog("导入值班表", report.summary(), report.errors, lines, report.ok, parent)


# ------------------------------------------------------------------ table models

WEEKDAYS = "一二三四五六日"
DAY_ROLE = Qt.ItemDataRole.UserRole
PROBLEM, HOLIDAY, OUTSIDE, TODAY = QColor("#fde0dc"), QColor("#fff3c4"), QColor("#f1f3f6"), QColor("#e3efff")


def month_range(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def cell_text(cell: DayCell) -> str:
    """A calendar cell: the day and its holiday, special periods, then who is on duty
    (√: the leader is marked in post)."""
    holiday = cell.holiday_name if cell.is_statutory or cell.is_makeup_workday else ""
    lines = [f"{cell.day.day}日 {holiday}".strip()]
    lines += [f"〔{m.kind}〕" for m in cell.modes if m.period_id is not None]
    for shift in cell.shifts:
        prefix = "" if len(cell.shifts) == 1 else f"{shift.name} "
        leader = shift.leader.name if shift.leader else "未排"
        lines.append(f"{prefix}带班 {leader}{'√' if shift.leader_in_post_at else ''}")
        lines.append(f"{prefix}值班 {'、'.join(p.name for p in shift.officers) or '未排'}")
    if cell.in_range and not cell.shifts:
        lines.append("未排班")
    return "\n".join(lines)


class MonthModel(QAbstractTableModel):
    """The month grid: one row per week, Monday first; each cell is a day."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.view: RosterView | None = None
        self.today: date | None = None

    def set_view(self, view: RosterView, today: date) -> None:
        self.beginResetModel()
        self.view, self.today = view, today
        self.endResetModel()

    def cell(self, index: QModelIndex) -> DayCell | None:
        if not index.isValid() or self.view is None:
            return None
        return self.view.weeks[index.row()][index.column()]

    def index_of(self, day: date) -> QModelIndex:
        for r, week in enumerate(self.view.weeks if self.view else ()):
            for c, cell in enumerate(week):
                if cell.day == day:
                    return self.index(r, c)
        return QModelIndex()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.view is None else len(self.view.weeks)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else 7

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        cell = self.cell(index)
        if cell is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(cell)
        if role == Qt.ItemDataRole.ToolTipRole:
            modes = "、".join(m.name for m in cell.modes)
            return "\n".join([f"{cell.day:%Y-%m-%d} 星期{WEEKDAYS[cell.day.weekday()]}  {modes}",
                              *(p.description for p in cell.problems)])
        if role == Qt.ItemDataRole.BackgroundRole:
            if not cell.in_range:
                return QBrush(OUTSIDE)
            if cell.problems:
                return QBrush(PROBLEM)
            if cell.is_statutory:
                return QBrush(HOLIDAY)
            return QBrush(TODAY) if cell.day == self.today else None
        if role == Qt.ItemDataRole.ForegroundRole and not cell.in_range:
            return QBrush(QColor("#8a8f98"))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if role == DAY_ROLE:
            return cell.day
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return f"星期{WEEKDAYS[section]}"
        return None


WEEK_HEADERS = ("日期", "班次", "时间", "带班领导", "电话", "值班员", "电话", "领导在岗", "模式")


class WeekModel(QAbstractTableModel):
    """The week as a table: one row per shift (a day without shifts shows as 未排班)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[DayCell, roster.Shift | None]] = []

    def set_view(self, view: RosterView) -> None:
        self.beginResetModel()
        self.rows = [(cell, shift) for cell in view.weeks[0] for shift in (cell.shifts or (None,))]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(WEEK_HEADERS)

    def shift(self, row: int) -> roster.Shift | None:
        return self.rows[row][1] if 0 <= row < len(self.rows) else None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        cell, shift = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.ToolTipRole and cell.problems:
                return "\n".join(p.description for p in cell.problems)
            day = f"{roster.day_label(cell.day)} 星期{WEEKDAYS[cell.day.weekday()]}"
            modes = "、".join(m.name for m in cell.modes)
            if shift is None:
                return (day, "未排班", "", "", "", "", "", "", modes)[index.column()]
            leader = shift.leader
            in_post = f"{shift.leader_in_post_at:%H:%M} 在岗" if shift.leader_in_post_at else ""
            return (day, shift.name, shift.times, leader.name if leader else "未排",
                    leader.phone if leader else "", "、".join(p.name for p in shift.officers) or "未排",
                    "、".join(p.phone for p in shift.officers), in_post,
                    modes)[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            if cell.problems:
                return QBrush(PROBLEM)
            return QBrush(HOLIDAY) if cell.is_statutory else None
        if role == DAY_ROLE:
            return cell.day
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return WEEK_HEADERS[section]
        return None
