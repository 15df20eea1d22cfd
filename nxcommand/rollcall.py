"""Video roll-call (视频点名/查岗, 004:L231): who was called, who answered and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from . import session
from .clock import SYSTEM_CLOCK, Clock
from .errors import ValidationError
from .clock import fmt_minute as fmt
from .clock import parse_minute
from .incidents import _insert, _text, trace
from .store import writing

RESULTS = ("在岗", "迟到应答", "未应答", "脱岗")


@dataclass
class UnitAnswer:
    org_id: int
    result: str                          # 在岗, 迟到应答, 未应答, 脱岗
    answered_by: str = ""
    answered_at: str | datetime | None = None


def record(db: Database, called_at: str | datetime, checker: str, answers: list[UnitAnswer],
           note: str = "", clock: Clock = SYSTEM_CLOCK) -> int:
    session.require(db, "值班记录")
    called = parse_minute(called_at, "点名时间")
    checker = _text(checker, "点名人", 32, required=True)
    if not answers:
        raise ValidationError("请至少选择一个被点名单位", "单位")
    rows, seen = [], set()
    for answer in answers:
        name = db.execute("SELECT name FROM organizations WHERE id = ?", [answer.org_id]).fetchone()
        if not name:
            raise ValidationError("被点名单位不存在", "单位")
        if answer.org_id in seen:
            raise ValidationError(f"“{name[0]}”重复出现", "单位")
        seen.add(answer.org_id)
        if answer.result not in RESULTS:
            raise ValidationError("点名结果须为：" + "、".join(RESULTS), "结果")
        answered = parse_minute(answer.answered_at, "应答时间") if answer.answered_at else None
        if answer.result in ("未应答", "脱岗"):
            if answered:
                raise ValidationError(f"“{name[0]}”{answer.result}，不应有应答时间", "应答时间")
        else:
            if not answered:
                raise ValidationError(f"请填写“{name[0]}”的应答时间", "应答时间")
            if answered < called:
                raise ValidationError(f"“{name[0]}”的应答时间早于点名时间", "应答时间")
        rows.append({"org_id": answer.org_id, "result": answer.result,
                     "answered_by": _text(answer.answered_by, "应答人", 32),
                     "answered_at": fmt(answered) if answered else None})
    with writing(db):
        rollcall_id = _insert(db, "rollcalls", {"called_at": fmt(called), "checker": checker,
                                                "note": _text(note, "备注", 500), "created_at": clock.stamp()})
        for row in rows:
            _insert(db, "rollcall_units", {**row, "rollcall_id": rollcall_id})
        answered = sum(r["result"] in ("在岗", "迟到应答") for r in rows)
        trace(db, clock, "视频点名", f"视频点名{len(rows)}个单位，{answered}个应答", checker, called,
              actions=_text(note, "备注", 500))
    return rollcall_id


def history(db: Database, limit: int = 50) -> list[dict]:
    """Recent roll-calls with their tallies, newest first."""
    return list(db.query(
        """SELECT r.*, count(u.org_id) AS called,
                  sum(u.result IN ('在岗', '迟到应答')) AS answered,
                  group_concat(CASE WHEN u.result IN ('未应答', '脱岗') THEN coalesce(o.short_name, o.name) END, '、') AS absent
           FROM rollcalls r JOIN rollcall_units u ON u.rollcall_id = r.id
           JOIN organizations o ON o.id = u.org_id
           GROUP BY r.id ORDER BY r.called_at DESC LIMIT ?""", [limit]))


def units(db: Database, rollcall_id: int) -> list[dict]:
    return list(db.query(
        "SELECT o.name, u.* FROM rollcall_units u JOIN organizations o ON o.id = u.org_id "
        "WHERE u.rollcall_id = ? ORDER BY o.sort_order", [rollcall_id]))
