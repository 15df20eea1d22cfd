"""新闻通稿 for a published release (releases.get): red header 新闻通稿 and 第X期 (``serial``;
by default the release's number among its response's publications), the release's title and
text as published (its current version), （完）, then the publication record: time,
channels, releasing unit, spokesperson and the 三审 that cleared it (先审后发). 签发 is the
终审 reviewer, 核稿 the 复审 reviewer, 拟稿 the drafter.

Only published releases are items (newest first, drills left out); an unpublished release is
refused with the reason and no file. A drill's release can be built by id and is marked
【演练】.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..clock import SYSTEM_CLOCK, Clock, parse_minute
from ..errors import ValidationError
from . import blocks as b
from .registry import Built, Item

BULLETIN = "新闻通稿"


def items(db) -> list[Item]:
    from .. import releases

    found = sorted(releases.published(db), key=lambda r: (r["published_at"], r["id"]), reverse=True)
    return [Item(str(r["id"]), f"{r['published_at']} 《{r['title']}》") for r in found]


def latest(db, now: datetime) -> Item | None:
    found = items(db)
    return found[0] if found else None


def build(db, item_key: str, out: Path, *, serial: int | None = None, clock: Clock = SYSTEM_CLOCK,
          progress=None) -> Built:
    from reportlab.platypus import KeepTogether

    from .. import releases
    from .page import DocSpec, build_pdf

    key = str(item_key).strip()
    if not key.isdigit():
        raise ValidationError(f"稿件编号应为数字：{key}", "release")
    r = releases.get(db, int(key))
    if r["state"] != releases.PUBLISHED:
        raise ValidationError(f"《{r['title']}》尚未发布（当前状态：{r['state']}），只有已发布的稿件才能生成新闻通稿",
                              "release")
    published = parse_minute(r["published_at"], "发布时间")
    ordinal = [x["id"] for x in releases.list_for(db, r["response_id"])
               if x["state"] == releases.PUBLISHED].index(r["id"]) + 1
    post = next((w["spokesperson_post"] for w in reversed(releases.window_history(db, r["response_id"]))
                 if w["spokesperson_id"] == r["spokesperson_id"]), "")
    reviews = {x["stage"]: x["reviewer"] for x in r["reviews"] if x["result"] == "通过"}
    story = [b.subtitle(f"（{r['org']}　{b.cn_datetime(published)}发布）")]
    for para in (p.strip() for p in r["body"].splitlines()):
        if para:
            story.append(b.body(para))
    story.append(b.Text([("（完）", b.FANGSONG)], indent=0, align="right", right_indent=2))
    speaker = f"{r['spokesperson']}（{post}）" if post else r["spokesperson"]
    record = [("发布渠道", f"{'、'.join(r['channels'])}；新闻发言人：{speaker}"),
              ("审核", "、".join(f"{stage}{name}" for stage, name in reviews.items())
               + f"（第{r['number']}版，先审后发）")]
    story.append(KeepTogether([b.Blank(0.3)] + [
        b.Text([(f"{label}：", b.HEI), (value, b.FANGSONG)], size=b.SIZE4, indent=0, pitch=22)
        for label, value in record]))
    spec = DocSpec(
        bulletin=BULLETIN, title=r["title"], unit=r["org"], issued=published.date(), issue_no=f"第{serial or ordinal}期",
        drill=r["drill"], send_to=("各新闻媒体",), signer=reviews.get("终审"), checker=reviews.get("复审"),
        drafter=r["created_by"] or None, author=r["org"], printed_by=r["org"], keywords=("新闻通稿",))
    pages = build_pdf(Path(out), spec, story, progress=progress)
    return Built(Path(out), pages, r["title"])
