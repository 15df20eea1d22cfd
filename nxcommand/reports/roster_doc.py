"""值班表 for a month: every shift with its 带班领导, 值班员 and phones. Item key: YYYY-MM."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from pathlib import Path

from .. import roster
from ..clock import SYSTEM_CLOCK, Clock
from ..errors import NotFound, ValidationError
from ..text import normalize
from . import blocks as b
from .page import DocSpec, build_pdf, bureau, duty_office
from .registry import Built, Item

WEEK = "一二三四五六日"


def parse_month(key: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", normalize(str(key)).replace("/", "-"))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValidationError(f"月份应写作 2026-07，收到“{key}”", "月份")
    return int(m.group(1)), int(m.group(2))


def items(db) -> list[Item]:
    months = [r[0] for r in db.execute(
        "SELECT DISTINCT substr(duty_date, 1, 7) FROM shifts ORDER BY 1 DESC")]
    return [Item(m, f"{int(m[:4])}年{int(m[5:])}月值班表") for m in months]


def latest(db, now: datetime) -> Item | None:
    return Item(f"{now.year}-{now.month:02d}", f"{now.year}年{now.month}月值班表")


def build(db, item_key: str, out: Path, *, serial=None, clock: Clock = SYSTEM_CLOCK,
          progress=None) -> Built:
    year, month = parse_month(item_key)
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    shifts = roster.shifts_between(db, first, last)
    if not shifts:
        raise NotFound(f"{year}年{month}月没有排班，无法生成值班表")
    rows = []
    for s in shifts:
        d = s.duty_date
        rows.append([f"{d.month}月{d.day}日", f"周{WEEK[d.weekday()]}", s.name, s.times,
                     s.leader.name if s.leader else "（空缺）",
                     "、".join(p.name for p in s.officers) or "（空缺）",
                     "、".join(p.phone for _r, p in s.people() if p.phone)])
    people = {p.name for s in shifts for _r, p in s.people()}
    vacant = sum(1 for s in shifts if not s.leader or not s.officers)
    story = [b.body(f"{year}年{month}月共排班{len(shifts)}个班次，参加值班{len(people)}人"
                    + (f"，其中{vacant}个班次人员不全，请及时补齐。" if vacant else "，各班次人员齐全。")
                    + "值班人员须按时到岗，带班领导在岗带班，保持通讯畅通；"
                      "确需调班的，须经批准并在值班系统中登记。"),
             *b.table_block(f"{year}年{month}月值班安排表",
                            ["日期", "星期", "班次", "时间", "带班领导", "值班员", "联系电话"], rows,
                            widths=[1.1, 0.7, 0.8, 1.7, 1.1, 1.6, 2.6], align="cccclll", size=10.5),
             b.body("值班电话：见值班室公告。"),
             *b.signature(bureau(db), clock.now().date())]
    spec = DocSpec(bulletin="值班信息", title=f"{year}年{month}月应急值班表", unit=duty_office(db),
                   issued=clock.now().date(), send_to=("局各股室", "各镇（街道）应急办"),
                   keywords=("值班表",))
    pages = build_pdf(out, spec, story, progress)
    return Built(path=Path(out), pages=pages, title=f"{year}年{month}月值班表")
