"""Registers in Excel (.xlsx, openpyxl): one engine for every register's template, export
and import; each register describes itself as a ``Kind`` (its columns and three functions).

Import accepts the project's own template and the shapes bureaus really send: a title row
(or several) above the header, a 序号 column, merged header cells (also a two-row header such
as 负责人 over 姓名 | 电话), full-width digits and spaces, trailing blank rows and notes, and
header words with small variations (each column lists its aliases). A dry run checks every
row and reports each bad one with its Excel row number and the reason in Chinese; a file with
any bad row writes nothing, and a clean file is written in one transaction.

Export writes the same header the import reads, so an exported file imports back unchanged.
Text that a spreadsheet would run as a formula (=, +, -, @ first) is stored as text.
"""

from __future__ import annotations

import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from . import session
from .clock import SYSTEM_CLOCK, Clock
from .errors import UserError, ValidationError
from .org import meta
from .store import writing
from .text import normalize

HEADER_SCAN_ROWS = 15
# The permission an import needs, by register (the rows go through that register's services,
# which check it again); every other register is 管理资源登记.
IMPORT_ACTIONS = {"contacts": "维护通讯录"}
MAX_ROWS, MAX_COLUMNS = 20000, 60
MAX_CELL_CHARS = 2000
FOOTER_WORDS = ("注", "备注", "说明", "制表", "审核", "审批", "填表", "签发", "值班电话", "合计", "总计")
SERIAL_LABELS = ("序号", "编号序", "No", "NO")
_FORMULA_START = ("=", "+", "-", "@")


# ------------------------------------------------------------------ what a register declares

@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 14
    note: str = ""

    def labels(self) -> set[str]:
        return {label(self.header), *(label(a) for a in self.aliases)}


@dataclass(frozen=True)
class Kind:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: Callable[[Database], Iterable[Sequence]]
    check: Callable[[Database, dict[str, str], dict], Any]
    apply: Callable[[Database, list[Any], Clock], tuple[int, int]]
    noun: str


@dataclass(frozen=True)
class RowError:
    row: int          # Excel row number (1-based, as Excel shows it)
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行：{self.message}"


@dataclass
class ImportReport:
    kind: Kind
    file_name: str
    sheet: str
    items: list[Any] = field(default_factory=list)
    item_rows: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)     # header cells matching no column
    applied: bool = False
    added: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.items)

    def summary(self) -> str:
        if self.errors:
            return (f"“{self.file_name}”中有 {len(self.errors)} 行数据有误，须改正后才能导入"
                    "（不会导入任何内容）")
        if self.applied:
            return (f"已导入“{self.file_name}”：新增 {self.added} {self.kind.noun}，"
                    f"更新 {self.updated} {self.kind.noun}，"
                    f"未变 {len(self.items) - self.added - self.updated} {self.kind.noun}")
        text = f"“{self.file_name}”检查通过：共 {len(self.items)} 行{self.kind.title}数据，可以导入"
        if self.ignored:
            text += f"（以下列不导入：{'、'.join(self.ignored)}）"
        return text


class ImportRefused(ValidationError):
    """The file has bad rows; nothing was imported. ``report`` lists them."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"文件中有 {len(report.errors)} 行数据有误，未导入任何内容", "文件")
        self.report = report


# ------------------------------------------------------------------ cells

def cell_text(value) -> str:
    """A cell as normalised text: '' for empty, integral floats without '.0', Excel dates as
    2026-07-01 (with the time only when it is not midnight)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M" if (value.hour, value.minute) != (0, 0) else "%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize(str(value))


def label(value) -> str:
    """A header cell reduced for matching: no bracketed notes, spaces, colons or asterisks."""
    text = re.sub(r"[（(【\[].*?[）)】\]]", "", cell_text(value))
    return re.sub(r"[\s*：:]", "", text)


def read_workbook(path: Path):
    if path.is_dir():
        raise ValidationError(f"“{path}”是一个文件夹，不是 Excel 文件", "文件")
    if not path.is_file():
        raise ValidationError(f"找不到文件：{path}", "文件")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ValidationError(f"不支持旧版 Excel（.xls）文件“{path.name}”，请在 Excel 中“另存为”.xlsx 后再导入", "文件")
    if suffix not in (".xlsx", ".xlsm"):
        raise ValidationError(f"只能导入 Excel 工作簿（.xlsx），“{path.name}”不是", "文件")
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(path, data_only=True)
    except Exception as exc:  # any parser failure means a bad file
        raise ValidationError(f"无法读取“{path.name}”：文件不是有效的 Excel 工作簿，或已损坏、不完整。"
                              "请用 Excel 打开确认后另存为 .xlsx 再导入", "文件") from exc


def grid(ws, what: str = "表格") -> list[list]:
    """Cell values with every merged range's value copied into all its cells."""
    if (ws.max_row or 0) > MAX_ROWS or (ws.max_column or 0) > MAX_COLUMNS:
        raise ValidationError(f"工作表“{ws.title}”过大（超过 {MAX_ROWS} 行或 {MAX_COLUMNS} 列），不像{what}", "文件")
    cells = [list(row) for row in ws.iter_rows(values_only=True)]
    for merged in ws.merged_cells.ranges:
        if merged.min_row - 1 >= len(cells):
            continue
        value = cells[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, min(merged.max_row, len(cells))):
            for c in range(merged.min_col - 1, min(merged.max_col, len(cells[r]))):
                cells[r][c] = value
    return cells


# ------------------------------------------------------------------ parsers for Kind.check

def as_int(text: str, name: str, lo: int | None = None, hi: int | None = None) -> int | None:
    """An integer, or None for an empty cell. Accepts 1,200 and a unit after the number (15人)."""
    text = text.replace(",", "").replace(" ", "")
    if not text:
        return None
    m = re.fullmatch(r"(-?\d+)(?:\.0+)?[\u4e00-\u9fff]{0,2}", text)
    if not m:
        raise ValueError(f"「{name}」应为整数，这里是“{text}”")
    return _in_range(int(m.group(1)), name, lo, hi)


def as_float(text: str, name: str, lo: float | None = None, hi: float | None = None) -> float | None:
    text = text.replace(",", "").replace(" ", "")
    if not text:
        return None
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)[\u4e00-\u9fff²㎡a-zA-Z]{0,3}", text)
    if not m:
        raise ValueError(f"「{name}」应为数字，这里是“{text}”")
    return _in_range(float(m.group(1)), name, lo, hi)


def _in_range(value, name: str, lo, hi):
    if lo is not None and value < lo:
        raise ValueError(f"「{name}」不能小于 {lo}，这里是 {value:g}")
    if hi is not None and value > hi:
        raise ValueError(f"「{name}」不能大于 {hi}，这里是 {value:g}")
    return value


def as_date(text: str, name: str) -> date | None:
    """A date written 2026-07-01, 2026/7/1, 2026.7.1, 2026年7月1日 or 20260701; None if empty."""
    text = text.replace(" ", "").translate({0x3002: "."})
    if not text:
        return None
    m = (re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2})?)?", text)
         or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text))
    if not m:
        raise ValueError(f"「{name}」“{text}”不是日期（可写作 2026-07-01、2026/7/1 或 2026年7月1日）")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"「{name}」“{text}”这一天不存在") from None


_TRUE = {"是", "√", "达标", "合格", "有", "Y", "y", "YES", "yes", "1", "TRUE", "true", "是的"}
_FALSE = {"否", "×", "不达标", "未达标", "不合格", "无", "N", "n", "NO", "no", "0", "FALSE", "false"}


def as_bool(text: str, name: str) -> bool | None:
    text = text.replace(" ", "")
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"「{name}」应填“是”或“否”，这里是“{text}”")


def as_choice(text: str, name: str, choices: Sequence[str], aliases: dict[str, str] | None = None) -> str | None:
    text = text.strip()
    if not text:
        return None
    if text in choices:
        return text
    squeezed = text.replace(" ", "")
    for source in (aliases or {}, {c.replace(" ", ""): c for c in choices}):
        if squeezed in source:
            return source[squeezed]
    raise ValueError(f"「{name}」“{text}”不是可选值（可选：{'、'.join(choices)}）")


# ------------------------------------------------------------------ finding the header

def _match(kind: Kind, row: list, sub: list | None) -> dict[str, int]:
    """Columns of ``kind`` found in a header row (with the row below, for two-row headers)."""
    found: dict[str, int] = {}
    wanted = [(col.key, col.labels()) for col in kind.columns]
    for c, value in enumerate(row):
        top = label(value)
        below = label(sub[c]) if sub is not None and c < len(sub) else ""
        candidates = [top] if not below or below == top else [top + below, below, top]
        for text in candidates:
            key = next((k for k, labels in wanted if text in labels and k not in found), None)
            if key:
                found[key] = c
                break
    return found


def find_header(kind: Kind, cells: list[list]) -> tuple[int, dict[str, int]]:
    """(index of the first data row, {column key: column index}); ValidationError if no row
    in the first HEADER_SCAN_ROWS holds every required column."""
    required = {c.key for c in kind.columns if c.required}
    best: tuple[int, int, dict[str, int]] | None = None    # (score, data start, columns)
    for r in range(min(HEADER_SCAN_ROWS, len(cells))):
        for sub in (None, cells[r + 1] if r + 1 < len(cells) else None):
            if sub is None and best is not None and best[1] == r + 2:
                continue
            found = _match(kind, cells[r], sub)
            if len(found) < 2 or not required <= found.keys():
                continue
            score = len(found)
            if best is None or score > best[0]:
                best = (score, r + (2 if sub is not None else 1), found)
    if best is None:
        names = "、".join(f"「{c.header}」" for c in kind.columns if c.required)
        raise ValidationError(f"找不到表头：前 {HEADER_SCAN_ROWS} 行中没有含 {names} 的一行"
                              f"（请用“{kind.title}”模板，或核对列名）", "文件")
    return best[1], best[2]


# ------------------------------------------------------------------ import

def dry_run(db: Database, kind: Kind, path: str | Path) -> ImportReport:
    """Read and check a file without writing anything."""
    path = Path(path)
    wb = read_workbook(path)
    sheets = [wb.active] + [ws for ws in wb.worksheets if ws is not wb.active]
    failure: ValidationError | None = None
    for ws in sheets:
        cells = grid(ws, kind.title)
        try:
            start, cols = find_header(kind, cells)
        except ValidationError as exc:
            failure = failure or exc
            continue
        return _check_rows(db, kind, path.name, ws.title, cells, start, cols,
                           _uncomputed_formulas(path, ws.title))
    raise failure or ValidationError("文件中没有工作表", "文件")


def _uncomputed_formulas(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """{(row, column) index: formula} of formula cells the file holds no result for.

    The import reads each formula's last computed result, and never runs a formula; a file
    written by a program rather than saved by Excel (or a planted ``=cmd|' /C calc'!A0``)
    may hold a formula with no result, which would otherwise import as an empty cell."""
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(path, read_only=True, data_only=False)
    try:
        found = {}
        for r, row in enumerate(wb[sheet].iter_rows()):
            for c, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    found[(r, c)] = str(cell.value)
        return found
    finally:
        wb.close()


def _check_rows(db, kind: Kind, file_name: str, sheet: str, cells, start: int, cols,
                formulas: dict[tuple[int, int], str] | None = None) -> ImportReport:
    report = ImportReport(kind, file_name, sheet)
    header_cells = set(cols.values())
    for c, value in enumerate(cells[start - 1]):
        text = cell_text(value)
        if c not in header_cells and text and label(text) not in SERIAL_LABELS and text not in report.ignored:
            report.ignored.append(text)
    scratch: dict = {}
    by_key = {col.key: col for col in kind.columns}
    headers = {col.key: col.labels() for col in kind.columns}
    for r in range(start, len(cells)):
        row, number = cells[r], r + 1
        values = {key: cell_text(row[c]) if c < len(row) else "" for key, c in cols.items()}
        texts = [v for v in values.values() if v]
        if not texts:
            continue                                   # blank row
        if all(label(values[k]) in headers[k] for k in values if values[k]):
            continue                                   # the header repeated on a new page
        first = next(cell_text(v) for v in row if cell_text(v))
        if first.startswith(FOOTER_WORDS) and len(texts) <= 1:
            continue                                   # a note under the table
        try:
            for key, c in cols.items():
                if (r, c) in (formulas or {}) and not values[key]:
                    raise ValueError(f"「{by_key[key].header}」是公式（{formulas[(r, c)][:40]}），文件中没有它的计算结果；"
                                     "请在 Excel 中打开、保存后再导入，或将其“粘贴为数值”")
            for key, value in values.items():
                if len(value) > MAX_CELL_CHARS:
                    raise ValueError(f"「{by_key[key].header}」过长（{len(value)} 个字符，最多 {MAX_CELL_CHARS}）")
            missing = [by_key[k].header for k in by_key if by_key[k].required and not values.get(k)]
            if missing:
                raise ValueError("缺少" + "、".join(f"「{m}」" for m in missing))
            for col in kind.columns:
                values.setdefault(col.key, "")
            scratch["row"] = number                    # for "与第 N 行重复" messages
            item = kind.check(db, values, scratch)
        except (ValueError, ValidationError) as exc:
            report.errors.append(RowError(number, str(exc)))
            continue
        report.items.append(item)
        report.item_rows.append(number)
    if not report.items and not report.errors:
        raise ValidationError(f"工作表“{sheet}”中表头下面没有{kind.title}数据", "文件")
    return report


def import_file(db: Database, kind: Kind, path: str | Path, clock: Clock = SYSTEM_CLOCK) -> ImportReport:
    """Import a file: every row or nothing. Raises ImportRefused (with the report) if any row
    is bad."""
    session.require(db, IMPORT_ACTIONS.get(kind.key, "管理资源登记"))
    report = dry_run(db, kind, path)
    if report.errors:
        raise ImportRefused(report)
    with writing(db):
        report.added, report.updated = kind.apply(db, report.items, clock)
    report.applied = True
    return report


# ------------------------------------------------------------------ template and export

def _output_path(path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError("导出文件须为 .xlsx 格式", "文件")
    if path.is_dir():
        raise ValidationError(f"“{path}”是一个文件夹，请给出文件名", "文件")
    return path


def _save(wb, path: Path) -> None:
    """Save beside the target and rename over it, so a failure never leaves half a file."""
    try:
        fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    except OSError as exc:
        raise UserError(f"无法写入文件夹：{path.parent}（{exc.strerror or exc}）") from exc
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(f"无法写入文件：{path}（{exc.strerror or exc}）") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _sheet(kind: Kind, title: str):
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    ws = wb.active
    ws.title = kind.title[:31]
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(kind.columns) + 1)
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.append(["序号"] + [c.header + ("*" if c.required else "") for c in kind.columns])
    thin = Side(style="thin", color="808080")
    for cell, col in zip(ws[2], (None, *kind.columns)):
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if col is not None and col.note:
            cell.comment = Comment(col.note, "nxcommand")
    from openpyxl.utils import get_column_letter

    ws.column_dimensions["A"].width = 6
    for n, col in enumerate(kind.columns, start=2):
        ws.column_dimensions[get_column_letter(n)].width = col.width
    ws.freeze_panes = "B3"
    ws.print_title_rows = "2:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    return wb, ws


def write_template(db: Database | None, kind: Kind, path: str | Path) -> Path:
    """An empty sheet with the title and the header the import reads (* = required)."""
    path = _output_path(path)
    county = meta(db, "county_name") if db is not None else ""
    wb, _ws = _sheet(kind, f"{county or ''}{kind.title}登记表")
    _save(wb, path)
    return path


def export(db: Database, kind: Kind, path: str | Path, clock: Clock = SYSTEM_CLOCK) -> int:
    """Write every record of the register to ``path``; returns the number of rows."""
    path = _output_path(path)
    wb, ws = _sheet(kind, f"{meta(db, 'county_name') or ''}{kind.title}（导出于 {clock.now():%Y-%m-%d %H:%M}）")
    count = 0
    for count, values in enumerate(kind.rows(db), start=1):
        ws.append([count] + [_safe(v) for v in values])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
                cell.data_type = "s"            # shown and stored as text, never run
    _save(wb, path)
    return count


def _safe(value):
    if isinstance(value, str):
        return "".join(ch for ch in value if ch in "\t\n" or ord(ch) >= 32)
    return value
