"""The roster in Excel (.xlsx, openpyxl): export a month in the shape bureaus use, and import
such sheets as they come in practice.

Export: a title row ("南雄市应急管理局2026年11月值班表"), then 日期 | 星期 | 班次 | 带班领导 | 电话 |
值班员 | 电话, one row per shift, several officers joined by "、".

Import accepts that shape and its usual variations: a title row or none, a 序号 column,
merged header cells (also a two-row header such as 带班领导 over 姓名 | 电话), full-width
digits and spaces, names padded with spaces, trailing blank rows and notes, header words
such as 值班领导 / 值班人员 / 联系电话 / 手机, and dates as Excel dates or text ("2026-11-03",
"2026/11/3", "11月3日" with the year from the title or a parameter). People are found by name
among active people; a phone number in the row settles two people of the same name. A dry
run reports every bad row with its Excel row number; a file with any bad row writes nothing.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlite_utils import Database

from . import roster, session
from .clock import SYSTEM_CLOCK, Clock
from .errors import UserError, ValidationError
from .holidays import day_info
from .org import meta
from .roster import LEADER, MAX_OFFICERS, OFFICER, Person
from .store import writing
from .text import digits
from .xlsx import FOOTER_WORDS, RowError, cell_text, label, read_workbook
from .xlsx import grid as sheet_grid

WEEKDAYS = "一二三四五六日"
HEADERS = ("日期", "星期", "班次", "带班领导", "电话", "值班员", "电话")
HEADER_SCAN_ROWS = 15
_DATE_MARKS = {0xFF0F: "/", 0xFF0E: ".", 0x3002: "."}     # full-width ／ ． and 。
_NAME_SPLIT = re.compile(r"[、，,；;/\n]+")


class RosterImportError(ValidationError):
    """The file has bad rows; nothing was imported. ``report`` lists them."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"文件中有 {len(report.errors)} 行数据有误，未导入任何内容")
        self.report = report


# ------------------------------------------------------------------ export

def unit_name(db: Database) -> str:
    return f"{meta(db, 'county_name') or ''}应急管理局"


def export_month(db: Database, year: int, month: int, path: str | Path, *, unit: str | None = None) -> int:
    """Write the month's roster to ``path`` (.xlsx). Returns the number of shift rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError("导出文件须为 .xlsx 格式", "文件")
    first = date(year, month, 1)
    shifts = roster.shifts_between(db, first, date(year, month, calendar.monthrange(year, month)[1]))
    holidays = {d for d in {s.duty_date for s in shifts} if day_info(db, d).is_statutory}
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年{month}月"
    ws.append([f"{unit or unit_name(db)}{year}年{month}月值班表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    ws.append(list(HEADERS))
    for shift in shifts:
        leader = shift.leader
        ws.append([shift.duty_date, f"星期{WEEKDAYS[shift.duty_date.weekday()]}", shift.name,
                   leader.name if leader else "", leader.phone if leader else "",
                   "、".join(p.name for p in shift.officers), "、".join(p.phone for p in shift.officers)])
    thin = Side(style="thin", color="808080")
    holiday_fill = PatternFill("solid", fgColor="FDECEA")
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            if cell.row == 2:
                cell.font = Font(bold=True)
            elif cell.column == 1:
                cell.number_format = 'yyyy"年"m"月"d"日"'
            if cell.row > 2 and shifts[cell.row - 3].duty_date in holidays:
                cell.fill = holiday_fill
    for letter, width in zip("ABCDEFG", (16, 9, 8, 12, 15, 18, 28)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    try:
        wb.save(path)
    except OSError as exc:
        raise UserError(f"无法写入文件：{path}（{exc.strerror or exc}）") from exc
    return len(shifts)


def write_template(path: str | Path) -> Path:
    """An empty roster sheet with the header the import reads."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError("导出文件须为 .xlsx 格式", "文件")
    wb = Workbook()
    ws = wb.active
    ws.title = "值班表"
    ws.append(["××应急管理局××××年××月值班表"])
    ws.append(list(HEADERS))
    ws.append(["2026-11-03", "星期二", "24小时", "（姓名）", "", "（姓名，多人用、分隔）", ""])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (16, 9, 8, 12, 15, 18, 28)):
        ws.column_dimensions[letter].width = width
    try:
        wb.save(path)
    except OSError as exc:
        raise UserError(f"无法写入文件：{path}（{exc.strerror or exc}）") from exc
    return path


# ------------------------------------------------------------------ import: reading the sheet

@dataclass(frozen=True)
class ImportRow:
    row: int
    day: date
    shift_name: str
    shift_id: int | None              # None: the shift will be created
    starts_at: datetime
    ends_at: datetime
    leader: Person
    officers: tuple[Person, ...]


@dataclass
class ImportReport:
    file_name: str
    sheet: str
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False
    created_shifts: int = 0
    changed_places: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def summary(self) -> str:
        if self.errors:
            return f"“{self.file_name}”中有 {len(self.errors)} 行数据有误，须改正后才能导入（不会导入任何内容）"
        days = sorted({r.day for r in self.rows})
        span = f"{days[0].year}年{roster.day_label(days[0])}至{roster.day_label(days[-1])}"
        new = sum(1 for r in self.rows if r.shift_id is None)
        if self.applied:
            return (f"已导入 {len(self.rows)} 个班次（{span}），新建班次 {self.created_shifts} 个，"
                    f"人员变动 {self.changed_places} 处")
        return (f"“{self.file_name}”检查通过：{len(self.rows)} 个班次（{span}），其中 {new} 个班次将新建；"
                f"导入将替换这些班次的带班领导和值班员，并记入变更记录（原因：Excel导入）")


def _kind(label: str) -> str | None:
    if any(w in label for w in ("电话", "手机", "联系方式")):
        return "phone"
    if "领导" in label or label == "带班":
        return "leader"
    if any(w in label for w in ("值班员", "值班人", "值守人员", "值班干部")):
        return "officer"
    if "日期" in label:
        return "date"
    if "星期" in label or label == "周":
        return "weekday"
    if any(w in label for w in ("班次", "班别", "时段")):
        return "shift"
    return None


def _columns(top: list, sub: list | None) -> dict[str, list[int]]:
    """Column indexes by kind; each phone column is keyed to the name column it belongs to."""
    cols: dict[str, list[int]] = {}
    owner = None
    for c, value in enumerate(top):
        text = label(value)
        kind = _kind(text)
        below = label(sub[c]) if sub is not None and c < len(sub) else ""
        if kind in ("leader", "officer") and _kind(below) == "phone":
            cols.setdefault(f"{kind}_phone", []).append(c)
            continue
        if kind == "phone":
            target = "leader" if "领导" in text else "officer" if "值班" in text else owner
            if target:
                cols.setdefault(f"{target}_phone", []).append(c)
            continue
        if kind:
            cols.setdefault(kind, []).append(c)
            owner = kind if kind in ("leader", "officer") else None
    return cols


def _find_header(grid: list[list]) -> tuple[int, int, dict[str, list[int]]]:
    """(header row index, first data row index, columns)."""
    for r in range(min(HEADER_SCAN_ROWS, len(grid))):
        kinds = {_kind(label(v)) for v in grid[r]}
        if {"date", "leader", "officer"} <= kinds:
            sub = grid[r + 1] if r + 1 < len(grid) else None
            if sub is not None and any(label(v) in ("姓名", "电话", "联系电话", "手机", "手机号码", "联系方式")
                                       for v in sub):
                return r, r + 2, _columns(grid[r], sub)
            return r, r + 1, _columns(grid[r], None)
    raise ValidationError(f"找不到表头：前 {HEADER_SCAN_ROWS} 行中没有同时含“日期”“带班领导（值班领导）”"
                          "“值班员（值班人员）”的一行", "文件")


def _title_year_month(grid: list[list], header: int) -> tuple[int | None, int | None]:
    for row in grid[:header]:
        for value in row:
            m = re.search(r"(\d{4})\s*年(?:\s*(\d{1,2})\s*月)?", cell_text(value))
            if m:
                return int(m.group(1)), int(m.group(2)) if m.group(2) else None
    return None, None


def _parse_day(value, year: int | None, month_hint: int | None) -> date | str:
    """The date in a cell, or the Chinese reason it cannot be read."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 30000 < value < 80000:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()
    text = re.sub(r"[（(].*?[）)]|星期.|周.", "", cell_text(value)).replace(" ", "").translate(_DATE_MARKS)
    try:
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.fullmatch(r"(\d{1,2})[月/-](\d{1,2})日?", text)
        if m:
            month, day = int(m.group(1)), int(m.group(2))
            if year is None:
                return f"日期“{cell_text(value)}”没有年份，标题中也没有，请在导入时指定年份"
            if month_hint == 12 and month == 1:
                year += 1
            elif month_hint == 1 and month == 12:
                year -= 1
            return date(year, month, day)
    except ValueError:
        return f"日期“{cell_text(value)}”不存在"
    return f"日期“{cell_text(value)}”无法识别（可写作 2026-11-03、2026/11/3 或 11月3日）"


# ------------------------------------------------------------------ import: people and shifts

class _People:
    """Active people by name, with their role tags, to resolve the names in the sheet."""

    def __init__(self, db: Database) -> None:
        self.by_name: dict[str, list[dict]] = {}
        for row in db.query(
                "SELECT p.id, p.name, coalesce(p.mobile, '') AS mobile, coalesce(p.office_phone, '') AS office, "
                "coalesce(o.name, '') AS org, (SELECT group_concat(t.name) FROM person_roles pr "
                "JOIN role_tags t ON t.id = pr.role_tag_id WHERE pr.person_id = p.id) AS roles "
                "FROM people p LEFT JOIN organizations o ON o.id = p.org_id WHERE p.active = 1"):
            self.by_name.setdefault(row["name"].replace(" ", ""), []).append(row)

    def resolve(self, name: str, role: str, phones: set[str]) -> Person:
        found = self.by_name.get(name, [])
        if len(found) > 1:
            by_phone = [p for p in found if digits(p["mobile"]) in phones or digits(p["office"]) in phones]
            if len(by_phone) != 1:
                units = "、".join(p["org"] or "无单位" for p in found)
                raise ValueError(f"“{name}”有 {len(found)} 位在用人员同名（{units}），请在电话列填写其手机号以区分")
            found = by_phone
        if not found:
            raise ValueError(f"找不到在用人员“{name}”（请核对姓名，或先在通讯录中登记）")
        person = found[0]
        if role not in (person["roles"] or "").split(","):
            raise ValueError(f"“{name}”没有“{role}”角色，不能担任{role}")
        return Person(person["id"], person["name"], person["mobile"], person["office"])


def _names(text: str) -> list[str]:
    """Names in a cell: split on 、，,；/ and line breaks; "王  伟" (padded) is one name,
    "张金龙 肖文静" two. Digits (a phone typed beside the name) are dropped."""
    names = []
    for part in _NAME_SPLIT.split(re.sub(r"\d{7,}", " ", text)):
        words = part.split()
        if len(words) > 1 and all(len(w) >= 2 for w in words):
            names += words
        elif words:
            names.append("".join(words))
    return names


def _phones(texts: list[str]) -> set[str]:
    return {d for t in texts for d in re.findall(r"\d[\d-]{6,}\d", t.replace(" ", "")) for d in [d.replace("-", "")]}


class _Shifts:
    """Existing shifts by day, and the pattern slots a 班次 name can create."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.slots: dict[str, roster.Slot] = {}
        default = roster.default_pattern(db)
        for p in sorted(roster.patterns(db), key=lambda p: p is not default):
            for slot in p.slots:
                self.slots.setdefault(slot.name, slot)
            if len(p.slots) == 1:
                self.slots.setdefault(p.name, p.slots[0])
                if p.slots[0].duration_minutes == 1440:
                    for alias in ("24小时", "24h", "全天班", "全天"):
                        self.slots.setdefault(alias, p.slots[0])
        self.default = default

    def resolve(self, day: date, name: str) -> tuple[str, int | None, datetime, datetime]:
        existing = roster.shifts_between(self.db, day, day)
        if not name:
            if len(existing) == 1:
                s = existing[0]
                return s.name, s.id, s.starts_at, s.ends_at
            if existing:
                raise ValueError(f"{roster.day_label(day)}有多个班次，请填写班次")
            if self.default is None or len(self.default.slots) != 1:
                raise ValueError("请填写班次")
            slot = self.default.slots[0]
            return slot.name, None, *roster.slot_times(day, slot)
        for s in existing:
            if s.name == name:
                return s.name, s.id, s.starts_at, s.ends_at
        slot = self.slots.get(name)
        if slot is None:
            raise ValueError(f"班次“{name}”不在任何班次模式中（可用：{'、'.join(self.slots)}）")
        for s in existing:
            if s.name == slot.name:
                return s.name, s.id, s.starts_at, s.ends_at
        return slot.name, None, *roster.slot_times(day, slot)


def dry_run(db: Database, path: str | Path, *, year: int | None = None) -> ImportReport:
    """Read and check a roster file without writing anything. ``year`` is for dates written
    without one ("11月3日") when the title above the header names no year."""
    path = Path(path)
    wb = read_workbook(path)
    candidates = [wb.active] + [ws for ws in wb.worksheets if ws is not wb.active]
    failure: ValidationError | None = None
    for ws in candidates:
        grid = sheet_grid(ws, "值班表")
        try:
            header, start, cols = _find_header(grid)
        except ValidationError as exc:
            failure = failure or exc
            continue
        return _check_rows(db, path.name, ws.title, grid, header, start, cols, year)
    raise failure or ValidationError("文件中没有工作表", "文件")


def _check_rows(db, file_name, sheet, grid, header, start, cols, year) -> ImportReport:
    report = ImportReport(file_name, sheet)
    title_year, title_month = _title_year_month(grid, header)
    year = title_year or year
    people, shifts = _People(db), _Shifts(db)
    seen: dict[tuple[date, str], int] = {}
    last_day: date | None = None

    def cell(row: list, kind: str) -> str:
        return "、".join(t for t in (cell_text(row[c]) for c in cols.get(kind, []) if c < len(row)) if t)

    for r in range(start, len(grid)):
        row, number = grid[r], r + 1
        first_text = next((cell_text(v) for v in row if cell_text(v)), "")
        if not first_text or label(first_text) in ("日期", "序号"):
            continue                     # blank row, or the header repeated on a new page
        raw_day = row[cols["date"][0]] if cols["date"][0] < len(row) else None
        if cell_text(raw_day).startswith(FOOTER_WORDS) or first_text.startswith(FOOTER_WORDS):
            continue
        try:
            if cell_text(raw_day) == "" and last_day is not None and cell(row, "shift"):
                day = last_day           # the day's second shift, date left blank
            elif cell_text(raw_day) == "":
                raise ValueError("缺少日期")
            else:
                day = _parse_day(raw_day, year, title_month)
                if isinstance(day, str):
                    raise ValueError(day)
            last_day = day
            name, shift_id, begins, ends = shifts.resolve(day, cell(row, "shift").replace(" ", ""))
            key = (day, name)
            if key in seen:
                raise ValueError(f"与第 {seen[key]} 行是同一班次（{roster.day_label(day)} {name}）")
            seen[key] = number
            leader_names = _names(cell(row, "leader"))
            officer_names = _names(cell(row, "officer"))
            if not leader_names:
                raise ValueError("缺少带班领导")
            if len(leader_names) > 1:
                raise ValueError(f"每个班次只能有一名带班领导，这里有 {len(leader_names)} 名")
            if not officer_names:
                raise ValueError("缺少值班员")
            if len(officer_names) > MAX_OFFICERS:
                raise ValueError(f"每个班次最多 {MAX_OFFICERS} 名值班员，这里有 {len(officer_names)} 名")
            if len(set(officer_names)) != len(officer_names) or leader_names[0] in officer_names:
                raise ValueError("同一人在本班次中出现了两次")
            leader = people.resolve(leader_names[0], LEADER, _phones([cell(row, "leader"), cell(row, "leader_phone")]))
            officer_phones = _phones([cell(row, "officer"), cell(row, "officer_phone")])
            officers = tuple(people.resolve(n, OFFICER, officer_phones) for n in officer_names)
        except ValueError as exc:
            report.errors.append(RowError(number, str(exc)))
            continue
        report.rows.append(ImportRow(number, day, name, shift_id, begins, ends, leader, officers))
    if not report.rows and not report.errors:
        raise ValidationError(f"工作表“{sheet}”中没有值班数据", "文件")
    return report


def import_roster(db: Database, path: str | Path, *, year: int | None = None,
                  clock: Clock = SYSTEM_CLOCK) -> ImportReport:
    """Import a roster file: all rows or nothing. Each imported shift gets exactly the file's
    leader and officers; every change is recorded with the reason "Excel导入". Raises
    RosterImportError (with the report) if any row is bad."""
    session.require(db, "编排值班表")
    report = dry_run(db, path, year=year)
    if report.errors:
        raise RosterImportError(report)
    stamp = clock.stamp()
    with writing(db):
        for row in report.rows:
            shift_id = row.shift_id
            if shift_id is None:
                shift_id = roster.insert_shift(db, row.day, row.shift_name, row.starts_at, row.ends_at, stamp)
                report.created_shifts += 1
            report.changed_places += roster.write_people(
                db, shift_id, row.leader.id, [p.id for p in row.officers], "导入", "Excel导入", stamp)
    report.applied = True
    return report

