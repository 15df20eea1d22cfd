"""The release window (一个窗口发布): one spokesperson and one releasing unit per response;
releases drafted, reviewed (三审: 初审 → 复审 → 终审, 先审后发) and published on named channels.

Every edit of the text is a new version (all kept); editing after a review restarts the
review. Nothing publishes unreviewed: ``publish`` refuses a release that has not passed all
three steps. Release deadlines (first authoritative release, first press conference) come
from release_deadline_rules and run as the board's clocks. Releases of a drill response are
marked 演练 and never count as real (``published`` leaves them out unless asked).
"""

from __future__ import annotations

import difflib
from datetime import datetime, timedelta

from sqlite_utils import Database

from . import session
from .clock import SYSTEM_CLOCK, Clock, parse_minute
from .clock import fmt_minute as fmt
from .errors import NotFound, ValidationError
from .incidents import trace
from .store import writing
from .text import clean
from .timeline import Deadline, Entry

CHANNELS = ("发布会", "网站", "微信公众号", "微博", "融媒体中心")
STAGES = ("初审", "复审", "终审")
DRAFT, IN_REVIEW, RETURNED, APPROVED, PUBLISHED = "草稿", "审核中", "已退回", "已通过", "已发布"
FUTURE_TOLERANCE = timedelta(minutes=5)
BODY_LIMIT = 8000


def _when(value: str | datetime | None, label: str, clock: Clock) -> datetime:
    moment = clock.now().replace(second=0) if value in (None, "") else parse_minute(value, label)
    if moment > clock.now() + FUTURE_TOLERANCE:
        raise ValidationError(f"{label}不能晚于当前时间", label)
    return moment


def _response(db: Database, response_id: int) -> dict:
    row = next(db.query(
        "SELECT r.*, e.grade AS event_grade FROM responses r LEFT JOIN events e ON e.id = r.event_id "
        "WHERE r.id = ?", [response_id]), None)
    if row is None:
        raise NotFound("该应急响应不存在")
    return row


def _drill(response: dict) -> str:
    return "【演练】" if response["is_drill"] else ""


def _person(db: Database, person_id: int | None, label: str) -> str:
    row = db.execute("SELECT name FROM people WHERE id = ? AND active = 1", [person_id]).fetchone()
    if row is None:
        raise ValidationError(f"请选择{label}", label)
    return row[0]


# ---------------------------------------------------------------- the window

def window(db: Database, response_id: int) -> dict | None:
    """The current spokesperson and releasing unit, or None if not named yet."""
    rows = window_history(db, response_id)
    return rows[-1] if rows else None


def window_history(db: Database, response_id: int) -> list[dict]:
    return list(db.query(
        "SELECT w.*, p.name AS spokesperson, p.post AS spokesperson_post, o.name AS org "
        "FROM release_windows w JOIN people p ON p.id = w.spokesperson_id "
        "JOIN organizations o ON o.id = w.org_id WHERE w.response_id = ? ORDER BY w.id",
        [response_id]))


def set_window(db: Database, response_id: int, spokesperson_id: int | None, org_id: int | None,
               recorded_by: str, reason: str = "", at: str | datetime | None = None,
               clock: Clock = SYSTEM_CLOCK) -> int:
    """Name the response's spokesperson and releasing unit; a change needs a reason and is
    kept as a record next to the earlier choice."""
    session.require(db, "指定发言人")
    response = _response(db, response_id)
    name = _person(db, spokesperson_id, "新闻发言人")
    org = db.execute("SELECT name FROM organizations WHERE id = ?", [org_id]).fetchone()
    if org is None:
        raise ValidationError("请选择发布单位", "发布单位")
    recorder = clean(recorded_by, "记录人", 32, required=True)
    reason = clean(reason, "变更原因", 200)
    moment = _when(at, "指定时间", clock)
    current = window(db, response_id)
    if current is not None:
        if (current["spokesperson_id"], current["org_id"]) == (spokesperson_id, org_id):
            raise ValidationError("新闻发言人和发布单位没有变化")
        if not reason:
            raise ValidationError("更换新闻发言人或发布单位须说明原因", "变更原因")
    verb = "更换" if current else "指定"
    with writing(db):
        window_id = db["release_windows"].insert({
            "response_id": response_id, "spokesperson_id": spokesperson_id, "org_id": org_id,
            "set_at": fmt(moment), "reason": reason, "recorded_by": recorder,
            "created_at": clock.stamp()}).last_pk
        trace(db, clock, "处置", f"{_drill(response)}{verb}新闻发言人：{name}，发布单位：{org[0]}"
              + (f"。原因：{reason}" if reason else ""), recorder, at=moment, event_id=response["event_id"])
    return window_id


# ---------------------------------------------------------------- drafts and versions

def _text(title: str, body: str) -> tuple[str, str]:
    return (clean(title, "标题", 100, required=True),
            clean(body, "正文", BODY_LIMIT, required=True, multiline=True))


def create(db: Database, response_id: int, title: str, body: str, created_by: str,
           at: str | datetime | None = None, clock: Clock = SYSTEM_CLOCK) -> int:
    """A new draft (version 1) for the response's release window."""
    session.require(db, "撰写发布稿")
    _response(db, response_id)
    title, body = _text(title, body)
    who = clean(created_by, "拟稿人", 32, required=True)
    moment = _when(at, "拟稿时间", clock)
    now = clock.stamp()
    with writing(db):
        release_id = db["releases"].insert({
            "response_id": response_id, "state": DRAFT, "created_by": who,
            "created_at": now, "updated_at": now}).last_pk
        db["release_versions"].insert({
            "release_id": release_id, "number": 1, "title": title, "body": body, "note": "初稿",
            "edited_by": who, "edited_at": fmt(moment)})
    return release_id


def edit(db: Database, release_id: int, title: str, body: str, edited_by: str, note: str = "",
         at: str | datetime | None = None, clock: Clock = SYSTEM_CLOCK,
         expected_version: int | None = None) -> int:
    """A new version of the text; if the release was in or through review, review restarts.
    Returns the new version's number."""
    session.require(db, "撰写发布稿")
    release = get(db, release_id)
    if release["state"] == PUBLISHED:
        raise ValidationError("已发布的稿件不能修改；如需更正，请新建稿件并重新送审")
    if expected_version is not None and release["version"] != expected_version:
        raise ValidationError("该稿件已被他人修改，请刷新后再编辑")
    title, body = _text(title, body)
    if (title, body) == (release["title"], release["body"]):
        raise ValidationError("标题和正文都没有改动", "正文")
    who = clean(edited_by, "修改人", 32, required=True)
    note = clean(note, "修改说明", 200)
    moment = _when(at, "修改时间", clock)
    if fmt(moment) < release["edited_at"]:
        raise ValidationError("修改时间不能早于上一版的时间", "修改时间")
    if release["state"] in (IN_REVIEW, APPROVED, RETURNED) and release["submissions"]:
        note = (note + "；" if note else "") + "修改后须重新送审"
    number = release["number"] + 1
    with writing(db):
        db["release_versions"].insert({
            "release_id": release_id, "number": number, "title": title, "body": body,
            "note": note, "edited_by": who, "edited_at": fmt(moment)})
        db.execute("UPDATE releases SET state = ?, version = version + 1, updated_at = ? WHERE id = ?",
                   [DRAFT, clock.stamp(), release_id])
    return number


def versions(db: Database, release_id: int) -> list[dict]:
    """Every version of the text, first first."""
    return list(db.query("SELECT * FROM release_versions WHERE release_id = ? ORDER BY number",
                         [release_id]))


def diff(db: Database, release_id: int, old: int, new: int) -> list[str]:
    """Line diff (unified, no header) between two version numbers of a release."""
    by_number = {v["number"]: v for v in versions(db, release_id)}
    if old not in by_number or new not in by_number:
        raise NotFound("该版本不存在")

    def lines(v: dict) -> list[str]:
        return [f"标题：{v['title']}"] + v["body"].splitlines()
    return list(difflib.unified_diff(lines(by_number[old]), lines(by_number[new]),
                                     f"第{old}版", f"第{new}版", lineterm="", n=1))[2:]


# ---------------------------------------------------------------- review (三审)

def submit(db: Database, release_id: int, submitted_by: str, at: str | datetime | None = None,
           clock: Clock = SYSTEM_CLOCK) -> int:
    """送审: the current version goes to 初审."""
    session.require(db, "撰写发布稿")
    release = get(db, release_id)
    if release["state"] not in (DRAFT, RETURNED):
        raise ValidationError(f"该稿件{release['state']}，不能送审")
    if release["state"] == RETURNED:
        raise ValidationError("退回的稿件须按审核意见修改后再送审", "正文")
    who = clean(submitted_by, "送审人", 32, required=True)
    moment = _when(at, "送审时间", clock)
    if fmt(moment) < release["edited_at"]:
        raise ValidationError("送审时间不能早于本版稿件的修改时间", "送审时间")
    with writing(db):
        submission = db["release_submissions"].insert({
            "release_id": release_id, "version_id": release["version_id"],
            "submitted_at": fmt(moment), "submitted_by": who}).last_pk
        db.execute("UPDATE releases SET state = ?, version = version + 1, updated_at = ? WHERE id = ?",
                   [IN_REVIEW, clock.stamp(), release_id])
    return submission


def next_stage(release: dict) -> str | None:
    """The review step a release in review waits for."""
    if release["state"] != IN_REVIEW:
        return None
    done = [r["stage"] for r in release["reviews"]]
    return STAGES[len(done)] if len(done) < len(STAGES) else None


def review(db: Database, release_id: int, stage: str, passed: bool, reviewer_id: int | None,
           recorded_by: str, comment: str = "", at: str | datetime | None = None,
           clock: Clock = SYSTEM_CLOCK) -> int:
    """One step of 三审: passes it on, or returns the release to its author with a comment.
    Steps go in order, each by a different person. 初审 and 复审 by the release office
    (审核发布稿), 终审 by the commander (终审发布稿)."""
    session.require(db, "终审发布稿" if stage == STAGES[-1] else "审核发布稿")
    release = get(db, release_id)
    expected = next_stage(release)
    if expected is None:
        raise ValidationError(f"该稿件{release['state']}，当前没有待审核的环节")
    if stage != expected:
        raise ValidationError(f"三审须依次进行：当前应进行{expected}，不能进行{stage}", "审核环节")
    name = _person(db, reviewer_id, "审核人")
    if reviewer_id in [r["reviewer_id"] for r in release["reviews"]]:
        raise ValidationError(f"{name}已参加本轮审核；初审、复审、终审须由不同人员负责", "审核人")
    comment = clean(comment, "审核意见", 500, multiline=True)
    if not passed and not comment:
        raise ValidationError("退回须填写审核意见，说明需修改之处", "审核意见")
    recorder = clean(recorded_by, "记录人", 32, required=True)
    moment = _when(at, "审核时间", clock)
    last = release["reviews"][-1]["reviewed_at"] if release["reviews"] else release["submitted_at"]
    if fmt(moment) < last:
        raise ValidationError(f"审核时间不能早于上一环节（{last}）", "审核时间")
    state = (APPROVED if stage == STAGES[-1] else IN_REVIEW) if passed else RETURNED
    with writing(db):
        review_id = db["release_reviews"].insert({
            "submission_id": release["submission_id"], "stage": stage,
            "result": "通过" if passed else "退回", "reviewer_id": reviewer_id,
            "reviewed_at": fmt(moment), "comment": comment, "recorded_by": recorder}).last_pk
        db.execute("UPDATE releases SET state = ?, version = version + 1, updated_at = ? WHERE id = ?",
                   [state, clock.stamp(), release_id])
    return review_id


def trail(db: Database, release_id: int) -> list[dict]:
    """The whole review history, every round: 送审 then its steps, in time order."""
    rows: list[dict] = []
    for s in db.query("SELECT s.*, v.number FROM release_submissions s JOIN release_versions v "
                      "ON v.id = s.version_id WHERE s.release_id = ? ORDER BY s.id", [release_id]):
        rows.append({"at": s["submitted_at"], "step": "送审", "result": "", "by": s["submitted_by"],
                     "comment": "", "number": s["number"]})
        for r in db.query("SELECT r.*, p.name FROM release_reviews r JOIN people p ON p.id = r.reviewer_id "
                          "WHERE r.submission_id = ? ORDER BY r.id", [s["id"]]):
            rows.append({"at": r["reviewed_at"], "step": r["stage"], "result": r["result"],
                         "by": r["name"], "comment": r["comment"], "number": s["number"]})
    return rows


# ---------------------------------------------------------------- publication

def publish_blocker(db: Database, release_id: int) -> str | None:
    """Why the release cannot be published now (先审后发, one window), or None."""
    release = get(db, release_id)
    if release["state"] == PUBLISHED:
        return f"该稿件已于{release['published_at']}发布"
    if release["state"] != APPROVED:
        passed = [r["stage"] for r in release["reviews"] if r["result"] == "通过"]
        missing = "、".join(s for s in STAGES if s not in passed)
        return (f"先审后发：该稿件尚未通过三审（未完成：{missing}），不能发布。"
                "请先送审，经初审、复审、终审通过后再发布")
    if window(db, release["response_id"]) is None:
        return "一个窗口发布：请先指定本次响应的新闻发言人和发布单位"
    return None


def publish(db: Database, release_id: int, channels: list[str], published_by: str,
            at: str | datetime | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
    """Publish an approved release on its channels (先审后发: nothing publishes unreviewed)."""
    session.require(db, "发布信息")
    blocker = publish_blocker(db, release_id)
    if blocker:
        raise ValidationError(blocker)
    release = get(db, release_id)
    chosen = [c for c in CHANNELS if c in set(channels or [])]
    unknown = set(channels or []) - set(CHANNELS)
    if unknown:
        raise ValidationError(f"未知的发布渠道：{'、'.join(sorted(unknown))}", "发布渠道")
    if not chosen:
        raise ValidationError("请至少选择一个发布渠道", "发布渠道")
    current = window(db, release["response_id"])
    who = clean(published_by, "发布人", 32, required=True)
    moment = _when(at, "发布时间", clock)
    final = release["reviews"][-1]["reviewed_at"]
    if fmt(moment) < final:
        raise ValidationError(f"发布时间不能早于终审时间（{final}）", "发布时间")
    response = _response(db, release["response_id"])
    with writing(db):
        db.execute("UPDATE releases SET state = ?, published_at = ?, published_by = ?, "
                   "spokesperson_id = ?, org_id = ?, version = version + 1, updated_at = ? WHERE id = ?",
                   [PUBLISHED, fmt(moment), who, current["spokesperson_id"], current["org_id"],
                    clock.stamp(), release_id])
        db["release_channels"].insert_all([{"release_id": release_id, "channel": c} for c in chosen])
        trace(db, clock, "处置", f"{_drill(response)}信息发布：《{release['title']}》（第{release['number']}版，"
              f"经三审），渠道：{'、'.join(chosen)}；发布单位{current['org']}，新闻发言人{current['spokesperson']}",
              who, at=moment, event_id=response["event_id"], source=current["org"][:100])


# ---------------------------------------------------------------- queries

_SQL = """
SELECT r.*, v.id AS version_id, v.number, v.title, v.body, v.edited_at, v.edited_by,
       resp.is_drill, coalesce(p.name, '') AS spokesperson, coalesce(o.name, '') AS org,
       (SELECT group_concat(channel, '、') FROM release_channels c WHERE c.release_id = r.id) AS channel_text
FROM releases r
JOIN responses resp ON resp.id = r.response_id
JOIN release_versions v ON v.release_id = r.id
     AND v.number = (SELECT max(number) FROM release_versions WHERE release_id = r.id)
LEFT JOIN people p ON p.id = r.spokesperson_id
LEFT JOIN organizations o ON o.id = r.org_id
"""


def _finish(db: Database, row: dict) -> dict:
    text = row.pop("channel_text") or ""
    row["channels"] = [c for c in CHANNELS if c in text.split("、")]
    sub = db.execute("SELECT id, submitted_at, version_id FROM release_submissions WHERE release_id = ? "
                     "ORDER BY id DESC LIMIT 1", [row["id"]]).fetchone()
    row["submissions"] = db.execute("SELECT count(*) FROM release_submissions WHERE release_id = ?",
                                    [row["id"]]).fetchone()[0]
    current_round = sub is not None and sub[2] == row["version_id"] and row["state"] != DRAFT
    row["submission_id"] = sub[0] if current_round else None
    row["submitted_at"] = sub[1] if current_round else None
    row["reviews"] = list(db.query(
        "SELECT r.*, p.name AS reviewer FROM release_reviews r JOIN people p ON p.id = r.reviewer_id "
        "WHERE r.submission_id = ? ORDER BY r.id", [row["submission_id"]])) if current_round else []
    row["next_stage"] = next_stage(row)
    row["drill"] = bool(row["is_drill"])
    return row


def get(db: Database, release_id: int) -> dict:
    """A release with its current text, the current review round and its channels."""
    row = next(db.query(_SQL + " WHERE r.id = ?", [release_id]), None)
    if row is None:
        raise NotFound("该稿件不存在")
    return _finish(db, row)


def list_for(db: Database, response_id: int) -> list[dict]:
    """A response's releases: published ones by time, then the rest, newest first."""
    return [_finish(db, r) for r in db.query(
        _SQL + " WHERE r.response_id = ? ORDER BY r.published_at IS NULL, r.published_at, r.id DESC",
        [response_id])]


def published(db: Database, include_drills: bool = False, since: str | None = None) -> list[dict]:
    """Published releases across responses (statistics): drills only when asked for."""
    where = ["r.state = '已发布'"] + ([] if include_drills else ["resp.is_drill = 0"])
    params = []
    if since:
        where.append("r.published_at >= ?")
        params.append(since)
    return [_finish(db, r) for r in db.query(
        _SQL + " WHERE " + " AND ".join(where) + " ORDER BY r.published_at", params)]


def people_choices(db: Database, first_role: str | None = None) -> list[dict]:
    """Active people (id, name, post, unit) for the spokesperson and reviewer lists, holders
    of ``first_role`` (e.g. 新闻发言人) first, then in directory order."""
    return list(db.query(
        "SELECT p.id, p.name, p.post, coalesce(o.short_name, o.name, '') AS unit "
        "FROM people p LEFT JOIN organizations o ON o.id = p.org_id WHERE p.active = 1 "
        "ORDER BY NOT EXISTS (SELECT 1 FROM person_roles pr JOIN role_tags t ON t.id = pr.role_tag_id "
        "WHERE pr.person_id = p.id AND t.name = ?), p.sort_key", [first_role or ""]))


def rules(db: Database) -> list[dict]:
    return list(db.query("SELECT * FROM release_deadline_rules ORDER BY id"))


def timeline_entries(db: Database, response_id: int) -> list[Entry]:
    """发布 (and 送审, 审核, 发言人) entries for the response's timeline."""
    entries = [Entry(parse_minute(w["set_at"], "t"), "发言人",
                     f"新闻发言人：{w['spokesperson']}，发布单位：{w['org']}", ("release_window", w["id"]),
                     w["recorded_by"]) for w in window_history(db, response_id)]
    for r in list_for(db, response_id):
        for step in trail(db, r["id"]):
            kind = "送审" if step["step"] == "送审" else "审核"
            text = (f"《{r['title']}》第{step['number']}版送审" if kind == "送审" else
                    f"《{r['title']}》{step['step']}{step['result']}" + (f"：{step['comment']}" if step["comment"] else ""))
            entries.append(Entry(parse_minute(step["at"], "t"), kind, text, ("release", r["id"]), step["by"]))
        if r["state"] == PUBLISHED:
            entries.append(Entry(parse_minute(r["published_at"], "t"), "发布",
                                 f"发布《{r['title']}》（{'、'.join(r['channels'])}）", ("release", r["id"]),
                                 r["spokesperson"]))
    return sorted(entries, key=lambda e: e.at)


def grade_of(response: dict) -> int:
    """The grade the deadline rules key on: the event's, or for a response started from a
    warning alone, its response level (Ⅰ级 ~ 特别重大)."""
    return response["event_grade"] if response["event_grade"] is not None else response["level"]


def deadlines(db: Database, response_id: int, now: datetime) -> list[Deadline]:
    """The release clocks of a response, per active rule its grade falls under; a clock is
    met by the first publication (on the rule's channel, if it names one)."""
    response = _response(db, response_id)
    start = parse_minute(response["started_at"], "t")
    grade = grade_of(response)
    done = [r for r in list_for(db, response_id) if r["state"] == PUBLISHED]
    found = []
    for rule in db.query("SELECT * FROM release_deadline_rules WHERE active = 1 ORDER BY id"):
        if grade > rule["max_grade"]:
            continue
        hits = [parse_minute(r["published_at"], "t") for r in done
                if rule["channel"] is None or rule["channel"] in r["channels"]]
        found.append(Deadline(f"{_drill(response)}{rule['kind']}", start + timedelta(minutes=rule["minutes"]),
                              min(hits) if hits else None, "发布", ("release_rule", rule["id"])))
    return found
