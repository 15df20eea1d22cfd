"""What the 会议情况汇报 / 情况专报 of a response says, gathered through the core services.

``gather(db, response_id, now)`` returns a ``BriefData``: the situation (event, plan, level
and its history), the timeline, casualties and evacuees (latest and trend), the forces
deployed (by town, on scene), the supplies issued (per item, with units), the stock against
minimum, the orders and their state (acknowledged / done / overdue), the meetings, the forward
HQ, the releases and the next steps (open checklist items, open orders, upcoming deadlines).
Pure data: no reportlab here, so the console and the tests can read it without building a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from .. import deadlines as report_deadlines
from .. import (
    dispatch,
    forward_hq,
    incidents,
    meetings,
    orders,
    org,
    plans,
    releases,
    response,
    response_groups,
    shelters,
    supplies,
    timeline,
)
from ..clock import parse_minute

FIGURE_KEYS = ("deaths", "injured", "serious_injured", "missing", "trapped", "evacuated")


@dataclass(frozen=True)
class LevelStep:
    at: datetime
    kind: str                 # 启动 / 提级 / 降级 / 解除
    text: str                 # 启动Ⅳ级应急响应, 由Ⅳ级提升至Ⅲ级 …
    decider: str
    decider_post: str
    reason: str
    measures: str


@dataclass(frozen=True)
class FigurePoint:
    at: datetime
    deaths: int
    injured: int
    serious_injured: int
    missing: int
    trapped: int
    evacuated: int


@dataclass(frozen=True)
class TownForce:
    town: str
    teams: int
    people: int
    equipment: int
    supply_lines: int


@dataclass(frozen=True)
class Deployed:
    kind: str                 # 队伍 / 装备
    name: str
    source: str               # the team's base town, the equipment's holder
    amount: str               # 36人, 4艘
    destination: str
    dispatched_at: datetime
    arrived_at: datetime | None
    status: str               # 已派出 / 在场 / 已返回


@dataclass(frozen=True)
class SupplyLine:
    item: str
    spec: str
    unit: str
    quantity: int
    lines: int
    destinations: tuple[str, ...]


@dataclass(frozen=True)
class StockCover:
    label: str                # depot or category
    lines: int
    below: int
    coverage: float           # mean of min(quantity / minimum, 1)


@dataclass(frozen=True)
class RecipientState:
    recipient: str
    kind: str                 # 镇街 / 单位 / 工作组
    state: str                # 未签收 / 已签收 / 已完成
    acknowledged_at: datetime | None
    done_at: datetime | None
    feedback: str
    overdue: bool             # past its due time and not reported done
    late: bool                # reported done after its due time


@dataclass(frozen=True)
class OrderState:
    order_id: int
    issued_at: datetime
    issued_by: str
    content: str
    due_at: datetime | None
    meeting_id: int | None
    recipients: tuple[RecipientState, ...]

    @property
    def state(self) -> str:
        """已完成 when every recipient reported done; 逾期 when one is overdue; 未签收 when one
        has not signed for it; 落实中 otherwise."""
        if all(r.done_at for r in self.recipients):
            return "已完成"
        if any(r.overdue for r in self.recipients):
            return "逾期"
        if any(r.acknowledged_at is None for r in self.recipients):
            return "未签收"
        return "落实中"


@dataclass(frozen=True)
class OrderCounts:
    orders: int               # orders issued
    recipients: int           # order × recipient
    acknowledged: int
    done: int
    overdue: int
    unacknowledged: int


@dataclass(frozen=True)
class MeetingLine:
    meeting_id: int
    held_at: datetime
    place: str
    chair: str
    decisions: str
    order_count: int


@dataclass(frozen=True)
class NextStep:
    kind: str                 # 清单 / 指令 / 续报 / 救助 / 到达 / 发布 …
    text: str
    owner: str
    due: datetime | None
    overdue: bool


@dataclass(frozen=True)
class Shelter:
    name: str
    town: str
    capacity: int
    occupancy: int


@dataclass
class BriefData:
    response_id: int
    as_of: datetime
    is_drill: bool
    live: bool
    subject: str                          # 油山镇上朔村山洪灾害
    plan: str
    plan_short: str
    level: int
    roman: str
    matter: str
    measures: str
    started_at: datetime
    ended_at: datetime | None
    expected_until: datetime | None
    warning: str
    event: dict | None                    # incidents.get_event (without figures) or None
    levels: list[LevelStep]
    timeline: list                        # timeline.Entry, oldest first
    figures: FigurePoint | None           # latest
    trend: list[FigurePoint]              # within the response (plus the last one before it)
    shelters: list[Shelter]
    forces: dict[str, dict[str, int]]     # dispatch.summary
    by_town: list[TownForce]
    deployed: list[Deployed]              # teams and equipment, in dispatch order
    on_scene: list[Deployed]
    supplies: list[SupplyLine]
    stock: list[StockCover]               # per depot
    stock_by_category: list[StockCover]
    orders: list[OrderState]              # oldest first
    order_counts: OrderCounts
    meetings: list[MeetingLine]           # oldest first
    hq: dict | None                       # location, commander, deputies (forward_hq.view subset)
    releases: list[dict]                  # published: title, published_at, channels
    spokesperson: str
    reports: list[dict]                   # reports sent upward: name, sent_at, to, signed_by
    next_checklist: list[NextStep]
    next_orders: list[NextStep]
    next_deadlines: list[NextStep]
    groups: list[dict] = field(default_factory=list)
    county: str = ""                      # 南雄市
    body: str = ""                        # the plan's command body: 南雄市三防指挥部
    body_short: str = ""                  # 市三防指挥部
    recorded_by: str = ""                 # who recorded the response (the brief's 拟稿)

    @property
    def title(self) -> str:
        return f"{self.subject}应急处置情况汇报"

    @property
    def duration(self) -> str:
        return response.since_text((self.ended_at or self.as_of) - self.started_at)


def _minute(value: str | None) -> datetime | None:
    return parse_minute(value, "时间") if value else None


def subject_of(r: dict, event: dict | None) -> str:
    """油山镇上朔村发生山洪灾害，造成… → 油山镇上朔村山洪灾害; else the matter's head."""
    if event is not None:
        head = event["title"].split("，")[0]
        if "发生" in head:
            return head.replace("发生", "", 1)
        return head
    head = r["matter"].split("：")[0].split("，")[0]
    return head.removesuffix("应急处置") or r["plan_short"]


def _point(row: dict) -> FigurePoint:
    return FigurePoint(parse_minute(row["as_of"], "统计时间"), *(int(row[k]) for k in FIGURE_KEYS))


def _trend(history: list[dict], start: str, end: str | None) -> list[FigurePoint]:
    before = [h for h in history if h["as_of"] < start]
    inside = [h for h in history if start <= h["as_of"] <= (end or "9999")]
    return [_point(h) for h in before[-1:] + inside]


def _orders(rows: list[dict], now: datetime) -> list[OrderState]:
    grouped: dict[int, list[dict]] = {}
    for row in sorted(rows, key=lambda o: (o["issued_at"], o["order_id"], o["id"])):
        grouped.setdefault(row["order_id"], []).append(row)
    found = []
    for order_id, group in grouped.items():
        first = group[0]
        due = _minute(first["due_at"])
        found.append(OrderState(
            order_id, parse_minute(first["issued_at"], "下达时间"), first["issued_by"], first["content"], due,
            first["meeting_id"],
            tuple(RecipientState(
                o["recipient"], o["recipient_kind"], o["state"], _minute(o["acknowledged_at"]),
                _minute(o["done_at"]), o["feedback"] or "",
                overdue=bool(due and o["done_at"] is None and now > due),
                late=bool(due and o["done_at"] and _minute(o["done_at"]) > due))
                for o in group)))
    return found


def _counts(found: list[OrderState]) -> OrderCounts:
    flat = [r for o in found for r in o.recipients]
    return OrderCounts(len(found), len(flat), sum(r.acknowledged_at is not None for r in flat),
                       sum(r.done_at is not None for r in flat), sum(r.overdue for r in flat),
                       sum(r.acknowledged_at is None for r in flat))


def _deployed(row: dict) -> Deployed:
    return Deployed(row["kind"], row["name"], row["source"] or "", row["amount"], row["destination"],
                    parse_minute(row["dispatched_at"], "派出时间"), _minute(row["arrived_at"]), row["status"])


def _next_steps(db: Database, response_id: int, found: list[OrderState], now: datetime):
    checklist = [NextStep("清单", c["action"], c["owner"] or "", _minute(c["due_at"]),
                          bool(c["due_at"] and now > parse_minute(c["due_at"], "时限")))
                 for c in response.open_checklist(db, response_id)]
    checklist.sort(key=lambda s: (s.due is None, s.due or now))
    open_orders = []
    for o in found:
        waiting = [r for r in o.recipients if r.done_at is None]
        if waiting:
            open_orders.append(NextStep("指令", o.content, "、".join(r.recipient for r in waiting), o.due_at,
                                        any(r.overdue for r in waiting)))
    open_orders.sort(key=lambda s: (s.due is None, s.due or now))
    clocks = [NextStep(d.kind, d.label, "", d.due, d.overdue(now))
              for d in timeline.clocks(db, response_id, now)
              if d.done_at is None and d.kind not in ("清单", "指令")]
    return checklist, open_orders, clocks


def _shelters(db: Database, towns: set[int]) -> list[Shelter]:
    found = []
    for town_id in sorted(towns):
        for row in shelters.rows(db, shelters.search(db, shelters.Query(town_id=town_id))).values():
            if row["occupancy"]:
                found.append(Shelter(row["name"], row["town"], int(row["capacity"] or 0), int(row["occupancy"])))
    return sorted(found, key=lambda s: (-s.occupancy, s.name))


def _hq(db: Database, response_id: int) -> dict | None:
    view = forward_hq.view(db, response_id)
    if view is None:
        return None
    return {"place": view.get("place") or view["town"], "town": view["town"],
            "established_at": view.get("established_at"), "withdrawn_at": view.get("withdrawn_at"),
            "commander": view["commander"], "deputies": view["deputies"], "link": view["link"],
            "groups_present": [g["name"] for g in view["groups"] if g["present"]]}


def _stock(rows: list[dict]) -> list[StockCover]:
    return [StockCover(r["label"], r["lines"], r["below"], r["coverage"]) for r in rows]


def gather(db: Database, response_id: int, now: datetime) -> BriefData:
    """Everything the brief of ``response_id`` shows, as of ``now``; NotFound if no such response."""
    r = response.get_response(db, response_id)
    event = None
    if r["event_id"] is not None:
        event = {k: v for k, v in incidents.get_event(db, r["event_id"]).items() if k != "figures"}
    levels = [LevelStep(parse_minute(d["decided_at"], "决定时间"), d["kind"], d["text"], d["decider"],
                        d["decider_post"] or "", d["reason"], d["measures"] or "")
              for d in response.decisions(db, response_id)]
    trend = (_trend(incidents.figures_history(db, r["event_id"]), r["started_at"], r["ended_at"])
             if r["event_id"] is not None else [])
    listing = dispatch.listing(db, response_id)
    by_town = [TownForce(t["town"], t["teams"], t["people"], t["equipment"], len(t["supplies"]))
               for t in dispatch.resources_by_town(db, response_id, include_returned=False)]
    found = _orders(orders.orders_for(db, response_id), now)
    checklist, open_orders, clocks = _next_steps(db, response_id, found, now)
    towns = {row["town_id"] for row in listing}
    if event is not None:
        towns.add(event["town_id"])
    window = releases.window(db, response_id)
    plan = plans.plan(db, r["plan_id"])
    body = next((b for b in org.command_bodies(db) if b["id"] == plan["body_id"]), None)
    return BriefData(
        response_id=response_id, as_of=now, is_drill=bool(r["is_drill"]), live=r["live"],
        subject=subject_of(r, event), plan=r["plan"], plan_short=r["plan_short"], level=r["level"],
        roman=r["roman"], matter=r["matter"], measures=r["measures"],
        started_at=parse_minute(r["started_at"], "启动时间"), ended_at=_minute(r["ended_at"]),
        expected_until=_minute(r["expected_until"]), warning=r["warning"], event=event, levels=levels,
        timeline=timeline.timeline(db, response_id), figures=trend[-1] if trend else None, trend=trend,
        shelters=_shelters(db, towns) if r["live"] else [],
        forces=dispatch.summary(db, response_id), by_town=by_town,
        deployed=[_deployed(d) for d in reversed(listing) if d["kind"] != "物资"],
        on_scene=[_deployed(d) for d in dispatch.on_scene(db, response_id)],
        supplies=[SupplyLine(s["item"], s["spec"] or "", s["unit"], int(s["quantity"]), s["lines"],
                             tuple(s["destinations"])) for s in dispatch.supplies_issued(db, response_id)],
        stock=_stock(supplies.stock_vs_minimum(db, "depot")),
        stock_by_category=_stock(supplies.stock_vs_minimum(db, "category")),
        orders=found, order_counts=_counts(found),
        meetings=[MeetingLine(m["id"], parse_minute(m["held_at"], "会商时间"), m["place"] or "", m["chair"],
                              m["decisions"], m["order_count"])
                  for m in reversed(meetings.meetings(db, response_id))],
        hq=_hq(db, response_id),
        releases=[{"title": x["title"], "published_at": parse_minute(x["published_at"], "发布时间"),
                   "channels": x["channels"]}
                  for x in releases.list_for(db, response_id) if x["state"] == releases.PUBLISHED],
        spokesperson=f"{window['spokesperson']}（{window['org']}）" if window else "",
        reports=[{"name": x["name"], "sent_at": parse_minute(x["sent_at"], "报送时间"),
                  "to": x["to_report"] or x["to_send"] or "", "signed_by": x["signed_by"] or ""}
                 for x in (report_deadlines.reports(db, r["event_id"]) if r["event_id"] is not None else [])],
        next_checklist=checklist, next_orders=open_orders, next_deadlines=clocks,
        groups=[{"name": g["name"], "lead_org": g["lead_org"], "leader": g["leader"], "items": g["items"],
                 "open_items": g["open_items"]} for g in response_groups.groups(db, response_id)],
        county=org.meta(db, "county_name") or "", body=body["name"] if body else "",
        body_short=(body["short_name"] or body["name"]) if body else "", recorded_by=r["recorded_by"],
    )


def responses(db: Database) -> list[dict]:
    """The responses a brief can be built for: live first, drills excluded (response order)."""
    return response.list_responses(db)

