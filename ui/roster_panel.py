"""值班表: the duty roster as a month calendar or a week table, with the checker's problems.
Its table models and dialogs are in ``roster_dialogs``.

Generate a month of shifts from a pattern, put people on shifts (a change needs a reason),
替班/换班, mark the leader in post, tick the holiday 五个一, import and export Excel. Message
boxes and file dialogs go through replaceable hooks so tests can drive the panel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QDialog, QFileDialog, QGridLayout,
                               QHBoxLayout, QHeaderView, QInputDialog, QLabel, QListWidget,
                               QListWidgetItem, QMessageBox, QPushButton, QSplitter, QStackedWidget,
                               QTableView, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import roster, roster_excel
from nxcommand import roster_checks as checks
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError
from nxcommand.roster_excel import ImportReport

from .roster_dialogs import (DAY_ROLE, WEEKDAYS, AssignDialog, ChangeDialog, ChecklistDialog,
                             import_review, MonthModel, WeekModel, month_range)

class RosterPanel(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        self.day = clock.now().date()
        # Replaceable in tests: message boxes, file dialogs, the dialogs' exec.
        self.ask_confirm: Callable[[str, str], bool] = self._ask_confirm
        self.show_error: Callable[[str], None] = lambda message: QMessageBox.warning(self, "无法完成", message)
        self.choose_pattern: Callable[[list[roster.Pattern]], int | None] = self._choose_pattern
        self.ask_open_path: Callable[[], str | None] = self._ask_open_path
        self.ask_save_path: Callable[[str], str | None] = self._ask_save_path
        self.review_import: Callable[[ImportReport], bool] = \
            lambda report: import_review(report, self).exec() == QDialog.DialogCode.Accepted
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted

        self.title = QLabel(objectName="rosterTitle")
        self.title.setStyleSheet("font-size: 18px; font-weight: bold; padding: 0 8px;")
        self.prev_button, self.next_button, self.today_button = QPushButton(), QPushButton(), QPushButton("今天")
        self.month_button, self.week_button = QPushButton("月视图"), QPushButton("周视图")
        views = QButtonGroup(self)
        for button in (self.month_button, self.week_button):
            button.setCheckable(True)
            views.addButton(button)
        self.month_button.setChecked(True)
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.today_button.clicked.connect(lambda: self.go_to_day(self.clock.now().date()))
        views.buttonToggled.connect(lambda *_: self.refresh())

        actions = [("生成班次…", self.generate_month), ("排班/调整…", self.edit_people),
                   ("替班/换班…", self.change_people), ("领导在岗", self.mark_in_post),
                   ("五个一…", self.edit_checklist), ("检查", self.run_check),
                   ("导入Excel…", self.import_excel), ("导出Excel…", self.export_excel)]
        self.buttons = {}
        for text, slot in actions:
            self.buttons[text] = button = QPushButton(text)
            button.clicked.connect(slot)

        self.month_model, self.week_model = MonthModel(self), WeekModel(self)
        self.month_table = self._table(self.month_model, "rosterMonth")
        self.month_table.setWordWrap(True)
        for header in (self.month_table.horizontalHeader(), self.month_table.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.week_table = self._table(self.week_model, "rosterWeek")
        self.week_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.week_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.week_table.horizontalHeader().setStretchLastSection(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.month_table)
        self.stack.addWidget(self.week_table)

        self.day_title = QLabel(objectName="cardName", wordWrap=True)
        self.day_shifts = QListWidget(objectName="rosterDayShifts")
        self.day_shifts.setWordWrap(True)
        self.day_history = QLabel(wordWrap=True, objectName="cardNote")
        self.day_history.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.problem_label = QLabel()
        self.problems = QListWidget(objectName="rosterProblems")
        self.problems.setWordWrap(True)
        self.problems.currentItemChanged.connect(lambda item, _prev: self._problem_chosen(item))
        shift_actions = QGridLayout()           # actions on the shift selected beside them
        for i, text in enumerate(("排班/调整…", "替班/换班…", "领导在岗", "五个一…")):
            shift_actions.addWidget(self.buttons[text], i // 2, i % 2)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.day_title, 0), (self.day_shifts, 3), (shift_actions, 0),
                                (self.day_history, 1), (self.problem_label, 0), (self.problems, 3)):
            if isinstance(widget, QGridLayout):
                side_layout.addLayout(widget)
            else:
                side_layout.addWidget(widget, stretch)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 320])

        top = QHBoxLayout()
        for widget in (self.prev_button, self.title, self.next_button, self.today_button,
                       self.month_button, self.week_button):
            top.addWidget(widget)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        for text in ("生成班次…", "检查", "导入Excel…", "导出Excel…"):
            bottom.addWidget(self.buttons[text])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)
        bottom.insertWidget(0, QLabel("√ 带班领导已在岗　红底：检查发现问题　黄底：法定节假日",
                                      objectName="countLabel", wordWrap=True), 1)
        self.month_table.doubleClicked.connect(lambda _i: self.edit_people())
        self.week_table.doubleClicked.connect(lambda _i: self.edit_people())
        self.refresh()

    def _table(self, model, name: str) -> QTableView:
        table = QTableView(objectName=name)
        table.setModel(model)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.selectionModel().currentChanged.connect(lambda current, _prev: self._day_chosen(current))
        return table

    # -- what is shown
    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Coming back to the panel shows what other panels changed meanwhile."""
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()

    @property
    def week_mode(self) -> bool:
        return self.week_button.isChecked()

    def shown_range(self) -> tuple[date, date]:
        if self.week_mode:
            monday = self.day - timedelta(days=self.day.weekday())
            return monday, monday + timedelta(days=6)
        return month_range(self.day)

    def refresh(self) -> None:
        today = self.clock.now().date()
        if self.week_mode:
            view = checks.week_view(self.db, self.day, self.clock)
            self.week_model.set_view(view)
            self.stack.setCurrentWidget(self.week_table)
            first, last = view.first, view.last
            self.title.setText(f"{first.year}年{roster.day_label(first)}–{roster.day_label(last)}")
            self.prev_button.setText("上一周")
            self.next_button.setText("下一周")
        else:
            view = checks.month_view(self.db, self.day.year, self.day.month, self.clock)
            self.month_model.set_view(view, today)
            self.stack.setCurrentWidget(self.month_table)
            self.title.setText(f"{self.day.year}年{self.day.month}月")
            self.prev_button.setText("上一月")
            self.next_button.setText("下一月")
        self.view = view
        self.problems.blockSignals(True)
        self.problems.clear()
        for problem in view.problems:
            item = QListWidgetItem(problem.description)
            item.setData(DAY_ROLE, problem.day)
            self.problems.addItem(item)
        self.problems.blockSignals(False)
        self.problem_label.setText(f"检查发现 {len(view.problems)} 个问题" if view.problems
                                   else "检查结果：值班表完整，未发现问题")
        self._select_day(self.day)

    def _select_day(self, day: date) -> None:
        if self.week_mode:
            row = next((r for r, (cell, _s) in enumerate(self.week_model.rows) if cell.day == day), 0)
            index, table = self.week_model.index(row, 0), self.week_table
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        else:
            index, table = self.month_model.index_of(day), self.month_table
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        if index.isValid():
            table.selectionModel().setCurrentIndex(index, flags)
        self._show_day(day)

    def _day_chosen(self, index: QModelIndex) -> None:
        day = index.data(DAY_ROLE) if index.isValid() else None
        if day is not None:
            self.day = day
            self._show_day(day)

    def _show_day(self, day: date) -> None:
        cell = next((c for week in self.view.weeks for c in week if c.day == day), None)
        modes = "、".join(m.name for m in cell.modes) if cell else ""
        self.day_title.setText(f"{roster.day_label(day)} 星期{WEEKDAYS[day.weekday()]}  {modes}")
        chosen = self.selected_shift_id()
        self.day_shifts.clear()
        for shift in cell.shifts if cell else ():
            lines = [f"{shift.name}  {shift.times}"]
            leader = shift.leader
            in_post = f"（{shift.leader_in_post_at:%m-%d %H:%M} 在岗）" if shift.leader_in_post_at else ""
            lines.append(f"带班领导：{leader.name} {leader.phone}{in_post}" if leader else "带班领导：未排")
            lines += [f"值班员：{p.name} {p.phone}" for p in shift.officers] or ["值班员：未排"]
            item = QListWidgetItem("\n".join(lines))
            item.setData(DAY_ROLE, shift.id)
            self.day_shifts.addItem(item)
            if shift.id == chosen or self.day_shifts.count() == 1:
                self.day_shifts.setCurrentItem(item)
        changes = roster.history(self.db, first=day, last=day)
        kept = [c for c in changes if c.kind != "排班"][-4:]
        self.day_history.setText("\n".join(f"{c.recorded_at[5:16]} {c.kind}：{c.role} {c.old_name or '空'} → "
                                           f"{c.new_name or '空'}（{c.reason}）" for c in kept))

    def selected_shift_id(self) -> int | None:
        if self.week_mode:
            shift = self.week_model.shift(self.week_table.currentIndex().row())
            if shift is not None:
                return shift.id
        item = self.day_shifts.currentItem()
        return item.data(DAY_ROLE) if item is not None else None

    def selected_shift(self) -> roster.Shift | None:
        shift_id = self.selected_shift_id()
        if shift_id is None:
            self.notify("请先选择一个班次（所选日期尚未排班时，可先“生成班次”）")
            return None
        return roster.get_shift(self.db, shift_id)

    def go_to_day(self, day: date) -> None:
        self.day = day
        self.refresh()

    def step(self, direction: int) -> None:
        if self.week_mode:
            self.go_to_day(self.day + timedelta(days=7 * direction))
        else:
            first = self.day.replace(day=1)
            moved = (first + timedelta(days=32)) if direction > 0 else (first - timedelta(days=1))
            self.go_to_day(moved.replace(day=1))

    def _problem_chosen(self, item: QListWidgetItem | None) -> None:
        if item is not None:                 # problems lie inside the range shown
            self.day = item.data(DAY_ROLE)
            self._select_day(self.day)

    # -- actions
    def _attempt(self, action: Callable[[], str | None]) -> None:
        """Run an action; a refused one shows its Chinese message; the view is refreshed."""
        try:
            message = action()
        except UserError as exc:
            self.show_error(str(exc))
            return
        self.refresh()
        if message:
            self.notify(message)

    def generate_month(self) -> None:
        first, last = month_range(self.day)
        pattern_id = self.choose_pattern(roster.patterns(self.db))
        if pattern_id is None:
            return
        plan = roster.plan_generation(self.db, pattern_id, first, last)
        if not plan.new:
            self.notify(f"{first.year}年{first.month}月每天都已有班次，无需生成")
            return
        if self.ask_confirm("生成班次", plan.summary):
            self._attempt(lambda: f"已生成 {len(roster.generate_shifts(self.db, pattern_id, first, last, self.clock))}"
                                  " 个班次，请为其安排人员")

    def _with_dialog(self, make: Callable[[roster.Shift], QDialog], done: str) -> None:
        shift = self.selected_shift()
        if shift is not None and self.run_dialog(make(shift)):
            self.refresh()
            self.notify(done.format(label=shift.label))

    def edit_people(self) -> None:
        self._with_dialog(lambda s: AssignDialog(self.db, s, self.clock, self), "已保存{label}的值班人员")

    def change_people(self) -> None:
        self._with_dialog(lambda s: ChangeDialog(self.db, s, self.clock, self), "已记录{label}的替班/换班")

    def edit_checklist(self) -> None:
        shift = self.selected_shift()
        if shift is None:
            return
        if not any(m.kind == "节假日" for m in checks.modes_on(self.db, shift.duty_date)):
            self.show_error(f"{shift.label}不在法定节假日，无需填写“五个一”")
            return
        if self.run_dialog(ChecklistDialog(self.db, shift, self.clock, self)):
            self.refresh()
            self.notify(f"已保存{shift.label}的“五个一”")

    def mark_in_post(self) -> None:
        shift = self.selected_shift()
        if shift is not None:
            self._attempt(lambda: checks.mark_leader_in_post(self.db, shift.id, self.clock) or
                          f"已标记{shift.label}带班领导 {shift.leader.name} 在岗（{self.clock.now():%H:%M}）")

    def run_check(self) -> None:
        self.refresh()
        count = len(self.view.problems)
        self.notify(f"检查完成：发现 {count} 个问题，点选问题可跳到当天" if count
                    else "检查完成：值班表完整，未发现问题")

    def import_excel(self) -> None:
        path = self.ask_open_path()
        if not path:
            return
        try:
            report = roster_excel.dry_run(self.db, path, year=self.day.year)
        except UserError as exc:
            self.show_error(str(exc))
            return
        if not self.review_import(report) or not report.ok:
            return

        def apply() -> str:
            done = roster_excel.import_roster(self.db, path, year=self.day.year, clock=self.clock)
            self.day = done.rows[0].day
            return done.summary()
        self._attempt(apply)

    def export_excel(self) -> None:
        year, month = self.day.year, self.day.month
        path = self.ask_save_path(f"{roster_excel.unit_name(self.db)}{year}年{month}月值班表.xlsx")
        if path:
            self._attempt(lambda: f"已导出 {roster_excel.export_month(self.db, year, month, path)} 个班次："
                                  f"{Path(path).name}")

    # -- default hooks
    def _ask_confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def _choose_pattern(self, patterns: list[roster.Pattern]) -> int | None:
        names = [p.name for p in patterns]
        name, ok = QInputDialog.getItem(self, "生成班次", f"按哪种班次模式生成 {self.day.year}年{self.day.month}月 的班次？",
                                        names, 0, False)
        return patterns[names.index(name)].id if ok and name in names else None

    def _ask_open_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, "导入值班表", "", "Excel 工作簿 (*.xlsx)")
        return path or None

    def _ask_save_path(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, "导出值班表", suggested, "Excel 工作簿 (*.xlsx)")
        return path or None
