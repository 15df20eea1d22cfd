"""交接班记录 for one handover (nxcommand.handover). Item key: the handover id."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .. import handover, roster
from ..clock import SYSTEM_CLOCK, Clock, parse_minute
from ..errors import NotFound
from . import blocks as b
from .page import DocSpec, build_pdf, duty_office, int_key
from .registry import Built, Item


def _when(stamp: str) -> datetime:
    return parse_minute(stamp[:16], "时间")


def items(db) -> list[Item]:
    out = []
    for (hid,) in db.execute("SELECT id FROM handovers ORDER BY created_at DESC, id DESC"):
        h = handover.get(db, hid)
        state = "已接收" if h["accepted_at"] else "待接收"
        out.append(Item(str(hid), f"#{hid} {h['created_at'][:16]} {h['outgoing']} → {h['incoming']}"
                                  f"（{state}，未结事项{len(h['items'])}项）"))
    return out


def latest(db, now: datetime) -> Item | None:
    h = handover.latest(db)
    return Item(str(h["id"]), f"{h['outgoing']} → {h['incoming']}") if h else None


def build(db, item_key: str, out: Path, *, serial=None, clock: Clock = SYSTEM_CLOCK,
          progress=None) -> Built:
    hid = int_key(item_key, "交接班记录")
    try:
        h = handover.get(db, hid)
    except NotFound:
        raise NotFound(f"交接班记录 #{hid} 不存在（用 nxcommand report --list 查看）") from None
    at = _when(h["created_at"])
    shift = roster.current_shift(db, at)
    story = [b.h1("一、交接情况"), *b.elements([
        ("交班人", h["outgoing"]), ("接班人", h["incoming"]),
        ("交接时间", b.cn_datetime(at)),
        ("所在班次", f"{shift.label}（{shift.times}）" if shift else ""),
        ("带班领导", shift.leader.name if shift and shift.leader else ""),
        ("接收确认", f"{h['incoming']}于{b.cn_datetime(_when(h['accepted_at']))}确认接收"
                    if h["accepted_at"] else "尚未接收"),
    ])]
    story.append(b.h1("二、移交的未结事项"))
    if not h["items"]:
        story.append(b.body("无未结事项。"))
    n = 0
    for section in handover.SECTIONS:
        rows = [it for it in h["items"] if it["section"] == section]
        if not rows:
            continue
        n += 1
        story.append(b.h2(f"（{b.cn_number(n)}）", f"{section}（{len(rows)}项）"))
        for i, it in enumerate(rows, 1):
            due = f"（时限：{b.cn_datetime(it['due_at'])}）" if it["due_at"] else ""
            story.append(b.h3(f"{i}.", "", b.sentence(b.cn_stamps(it["text"]) + due)))
    story += [b.h1("三、交班说明"), b.body(b.sentence(h["remarks"]) or "无。")]
    story += [b.blank(),
              b.Text([(f"交班人：{h['outgoing']}　　　　接班人：{h['incoming']}", b.FANGSONG)],
                     indent=2)]
    spec = DocSpec(bulletin="值班信息", title="交接班记录", subtitle=f"（{b.cn_datetime(at)}）",
                   unit=duty_office(db), issued=at.date(), issue_no=None,
                   signer=shift.leader.name if shift and shift.leader else None,
                   drafter=h["outgoing"], keywords=("交接班记录",))
    pages = build_pdf(out, spec, story, progress)
    return Built(path=Path(out), pages=pages, title=f"交接班记录（{b.cn_datetime(at)}）")
