"""The demo county's responses (times relative to the moment the demo is loaded): a flash
flood in 油山镇 received ~6 h ago, a LIVE response under the 防汛 plan opened at Ⅳ级 ~5.5 h
ago and raised to Ⅲ级 ~4 h ago, with its checklist (one item overdue), groups, orders (one
unacknowledged and overdue) and two 会商; and yesterday's 乌迳镇 landslide, answered at Ⅳ级
under the 地质灾害 plan and 解除 this morning. Everything goes through the services."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from . import (
    contacts,
    deadlines,
    incidents,
    meetings,
    orders,
    org,
    response,
    response_groups,
    roster,
)
from . import session
from .clock import Clock, FixedClock
from .deadlines import ReportInput
from .demo_desk import BUREAU, UP, shift_start
from .incidents import EventInput, Figures
from .meetings import MeetingInput, OrderDraft
from .response import LevelChange, ResponseInput

FLOOD_PLAN = "南雄市防汛防旱防风应急预案"
GEO_PLAN = "南雄市地质灾害应急预案"


def _one(db: Database, sql: str, params=()) -> int | None:
    row = db.execute(sql, list(params)).fetchone()
    return row[0] if row else None


def _person(db: Database, name: str) -> int:
    return _one(db, "SELECT id FROM people WHERE name = ? AND active = 1", [name])


def _org(db: Database, name: str) -> int:
    return _one(db, "SELECT id FROM organizations WHERE name = ? OR short_name = ?", [name, name])


def _decider(db: Database, plan_id: int, level: int, role: str) -> int:
    from .plan_checks import allowed_deciders

    people = allowed_deciders(db, plan_id, level)
    return next((p["id"] for p in people if p["role"] == role), people[0]["id"])


def _warning_for(db: Database, town_id: int) -> int | None:
    """The government warning in force for the town (the one the response cites)."""
    return _one(db, "SELECT w.id FROM warnings w JOIN warning_towns t ON t.warning_id = w.id "
                    "WHERE t.town_id = ? AND w.source = '政府预警' AND w.status = '生效' "
                    "ORDER BY w.issued_at DESC", [town_id])


def _leaders(db: Database, response_id: int, officer: str, at: FixedClock) -> None:
    """Name a leader for each group: the first listed person of its lead unit."""
    for g in response_groups.groups(db, response_id):
        leader = _one(db, "SELECT id FROM people WHERE org_id = ? AND active = 1 ORDER BY sort_key LIMIT 1",
                      [g["lead_org_id"]])
        if leader:
            response_groups.update_group(db, g["id"], response_groups.GroupInput(
                g["name"], g["lead_org_id"], leader, "", g["duties"], [m["id"] for m in g["members"]]),
                officer, expected_version=g["version"], clock=at)


def _done(db: Database, response_id: int, upto: datetime, at: FixedClock, skip: set[str] = frozenset()) -> None:
    """Mark the checklist items due before ``upto`` done a little before their due time."""
    for item in response.checklist(db, response_id):
        if item["done_at"] or not item["due_at"] or any(s in item["action"] for s in skip):
            continue
        due = datetime.strptime(item["due_at"], "%Y-%m-%d %H:%M")
        if due <= upto:
            response.mark_item_done(db, item["id"], due - timedelta(minutes=7 + item["seq"] * 3),
                                    item["owner"] or "综合协调组", "已按要求落实", at)


def load_demo_responses(db: Database, clock: Clock) -> None:
    with session.acting(db, session.system("演示数据")):
        return _load_demo_responses(db, clock)


def _load_demo_responses(db: Database, clock: Clock) -> None:
    now = clock.now().replace(second=0, microsecond=0)
    at = FixedClock(now)
    shift = roster.current_shift(db, now)
    bureau = _org(db, BUREAU)
    officer = (shift.officers[0].name if shift and shift.officers
               else contacts.with_role(db, "值班员", bureau)[0]["name"])
    signer = (shift.leader.name if shift and shift.leader
              else contacts.with_role(db, "带班领导", bureau)[0]["name"])
    towns = {t["name"]: t["id"] for t in org.towns(db)}
    subtype = {n: i for i, n in db.execute("SELECT id, name FROM event_subtypes")}
    flood_plan = _one(db, "SELECT id FROM plans WHERE name = ?", [FLOOD_PLAN])
    geo_plan = _one(db, "SELECT id FROM plans WHERE name = ?", [GEO_PLAN])

    def report(event_id: int, kind: str, sent: datetime, content: str = "") -> None:
        at.set(sent)
        deadlines.record_report(db, ReportInput(
            event_id=event_id, kind=kind, sent_at=sent, channel="电话" if kind == "电话报告" else "应急管理信息系统",
            signed_by=signer, drafted_by=officer, recorded_by=officer, to_report=UP, to_send="市委办、市政府办",
            content=content), at)
        at.set(now)

    _ended_landslide(db, now, at, officer, towns, subtype, geo_plan)

    # ---- the flash flood in 油山镇
    town = towns["油山镇"]
    village = _one(db, "SELECT id FROM admin_units WHERE parent_id = ? AND name = '上朔村'", [town])
    received = now - timedelta(hours=6, minutes=5)
    flood = incidents.create_event(db, EventInput(
        received_at=received, source_kind="电话", occurred_at=received - timedelta(minutes=25), town_id=town,
        village_id=village, place="河段沿河村组", category_id=1,
        title="油山镇上朔村发生山洪灾害，造成1人失联、3人被困，正在处置", subtype_id=subtype["防汛"], grade=3,
        cause="持续强降雨引发山洪，上朔村河段水位暴涨，冲毁村道一处，沿河12户民房进水，3人被困于屋顶，1人失联",
        recorded_by=officer, caller_unit="油山镇人民政府", caller_name="镇应急办值班员", caller_phone="0751-5550209",
        figures=Figures(missing=1, trapped=3, evacuated=120), scope="上朔村、大兰坑村沿河低洼地带",
        trend="未来6小时仍有强降雨，山洪可能再次暴发", measures="镇村干部组织沿河群众转移，镇专职救援队赶赴现场",
        leaders_on_scene="油山镇镇长在现场指挥", requests="请求增派冲锋舟和专业救援力量",
        site_contact_name="梁国栋", site_contact_post="油山镇镇长", site_contact_phone="13926650301"), at)
    report(flood, "电话报告", received + timedelta(minutes=16))
    report(flood, "书面初报", received + timedelta(minutes=52), "上朔村山洪致3人被困、1人失联，已转移群众120人")
    for minutes, figures in ((95, Figures(missing=1, evacuated=260)), (180, Figures(missing=1, injured=1, evacuated=410)),
                             (270, Figures(injured=1, evacuated=452)), (335, Figures(injured=1, evacuated=486))):
        at.set(received + timedelta(minutes=minutes))
        incidents.update_figures(db, flood, figures, received + timedelta(minutes=minutes), officer, at)
    at.set(now)

    start = now - timedelta(hours=5, minutes=30)
    rid = response.open_response(db, ResponseInput(
        plan_id=flood_plan, level=4, event_id=flood, warning_id=_warning_for(db, town),
        matter="油山镇上朔村山洪灾害应急处置：搜救被困失联人员，转移沿河危险区群众",
        measures="三防抢险队伍进入备勤，督促油山、帽子峰、百顺等镇巡查山洪和地质灾害隐患点，加密雨水情监测",
        decider_id=_decider(db, flood_plan, 4, "办公室主任"), decided_at=start, recorded_by=officer,
        expected_until=now + timedelta(days=1, hours=6)), at)
    _leaders(db, rid, officer, at)
    at.set(start + timedelta(minutes=95))
    target = next(t for t in response.targets(db, rid) if t["minutes"] == 120)
    response.mark_target_met(db, rid, target["id"], start + timedelta(minutes=95), officer,
                             "市消防救援大队、油山镇专职救援队到达上朔村", at)
    raised = now - timedelta(hours=4)
    _done(db, rid, raised, at)
    at.set(now)
    commander = _decider(db, flood_plan, 3, "副指挥长")
    response.raise_level(db, rid, LevelChange(
        commander, raised, "上朔村山洪已致1人失联、3人被困，气象台暴雨预警升级，浈江支流水位持续上涨，达到Ⅲ级响应条件",
        officer, level=3, measures="组织危险区群众全部转移，开放避护场所，调派抢险队伍和物资预置"), at)
    _done(db, rid, now - timedelta(minutes=20), at, skip={"抢险队伍和物资预置"})

    ch = response_groups.groups(db, rid)
    group = {g["name"]: g["id"] for g in ch}
    meetings.hold_meeting(db, MeetingInput(
        rid, raised + timedelta(minutes=20), "市三防指挥部副指挥长、市应急管理局、市水务局、市气象局、市自然资源局、"
        "市民政局、市消防救援大队、油山镇（视频连线）", "强降雨仍将持续6小时，上朔村河段可能再次发生山洪；失联1人位置不明，"
        "被困3人已救出", "一、全力搜救失联人员；二、油山镇沿河危险区群众全部转移；三、开放镇中心小学避护场所", officer,
        place="市应急指挥中心", chaired_by=commander, orders=[
            OrderDraft("立即组织上朔村、大兰坑村沿河危险区群众全部转移，做到应转尽转、不漏一户一人",
                       [("镇街", town)], raised + timedelta(minutes=140)),
            OrderDraft("开放油山镇中心小学应急避护场所，保障转移群众食宿", [("工作组", group["转移安置组"])],
                       raised + timedelta(minutes=200)),
            OrderDraft("组织冲锋舟和搜救犬沿河搜救失联人员", [("工作组", group["抢险救援组"]), ("单位", _org(db, "南雄市消防救援大队"))],
                       raised + timedelta(minutes=120)),
        ]), at)
    second = now - timedelta(minutes=70)
    meetings.hold_meeting(db, MeetingInput(
        rid, second, "市三防指挥部副指挥长、市应急管理局、市水务局、市气象局、市交通运输局、油山镇、帽子峰镇（视频连线）",
        "失联人员已找到，受轻伤送医；累计转移486人。S342线油山段塌方尚未抢通，后续降雨减弱但山体含水饱和",
        "一、维持Ⅲ级响应；二、加密监测，防范次生地质灾害；三、帽子峰镇同步排查隐患点", officer,
        place="市应急指挥中心", chaired_by=commander, orders=[
            OrderDraft("每小时报送一次油山、帽子峰片区雨量和河道水位", [("工作组", group["监测预警组"])],
                       now + timedelta(hours=3)),
            OrderDraft("对辖区地质灾害隐患点开展拉网式排查，发现险情立即转移群众",
                       [("镇街", town), ("镇街", towns["帽子峰镇"])], now + timedelta(hours=4)),
        ]), at)
    road = orders.issue_order(db, orders.OrderInput(
        rid, "组织机械抢通S342线油山段塌方路段，保障救援通道", [("单位", _org(db, "南雄市交通运输局"))],
        now - timedelta(hours=2, minutes=40), officer, now - timedelta(minutes=30), commander), at)
    medic = orders.issue_order(db, orders.OrderInput(
        rid, "派出医疗队进驻油山镇安置点，做好伤员救治和卫生防疫", [("单位", _org(db, "南雄市卫生健康局"))],
        raised + timedelta(minutes=50), officer, raised + timedelta(hours=3), commander), at)
    power = orders.issue_order(db, orders.OrderInput(
        rid, "抢修上朔村受损供电线路，保障安置点用电", [("单位", _org(db, "广东电网有限责任公司韶关南雄供电局"))],
        now - timedelta(minutes=95), officer, now + timedelta(hours=5), commander), at)
    del road                                          # left unacknowledged and overdue
    rows = orders.orders_for(db, rid)

    def follow(content_start: str, recipient: str, ack: int, done: int | None = None, feedback: str = "") -> None:
        o = next(r for r in rows if r["content"].startswith(content_start) and r["recipient"] == recipient)
        issued = datetime.strptime(o["issued_at"], "%Y-%m-%d %H:%M")
        orders.acknowledge(db, o["id"], issued + timedelta(minutes=ack), f"{recipient}值班室", at)
        if done is not None:
            orders.complete(db, o["id"], issued + timedelta(minutes=done), feedback, officer, clock=at)

    follow("立即组织上朔村", "油山镇", 4, 125, "沿河危险区群众已全部转移，共转移486人，无遗漏")
    follow("开放油山镇中心小学", "转移安置组", 6, 150, "避护场所已开放，安置群众312人，食宿保障到位")
    follow("组织冲锋舟", "抢险救援组", 3, 105, "失联人员于大兰坑村下游找到，轻伤送医")
    follow("组织冲锋舟", "市消防救援大队", 2, 105, "出动冲锋舟2艘、救援人员18名，搜救任务完成")
    follow("每小时报送", "监测预警组", 5)
    follow("对辖区地质灾害隐患点", "油山镇", 8)
    follow("对辖区地质灾害隐患点", "帽子峰镇", 12)
    follow("抢修上朔村", "南雄供电局", 7)
    follow("派出医疗队", "市卫生健康局", 10, 95, "医疗队6人已进驻安置点，伤员1人处置后留观")
    del medic, power
    # The 续报 at the Ⅲ级 rhythm: the first one is due 4 h after the raise.
    report(flood, "续报", now - timedelta(minutes=25), "失联人员已找到，累计转移群众486人，S342线油山段正在抢通")


def _ended_landslide(db: Database, now: datetime, at: FixedClock, officer: str, towns: dict, subtype: dict,
                     plan_id: int) -> None:
    event = _one(db, "SELECT id FROM events WHERE town_id = ? AND subtype_id = ? ORDER BY received_at DESC",
                 [towns["乌迳镇"], subtype["地质灾害"]])
    if event is None or plan_id is None:
        return
    received = datetime.strptime(incidents.get_event(db, event)["received_at"], "%Y-%m-%d %H:%M")
    opened = received + timedelta(minutes=50)
    decider = _decider(db, plan_id, 4, "办公室主任")
    rid = response.open_response(db, ResponseInput(
        plan_id=plan_id, level=4, event_id=event, matter="乌迳镇村后山坡滑坡应急处置：转移受威胁群众，监测坡体变形",
        measures="设置警戒区，安排专人24小时监测，组织机械清理村道", decider_id=decider, decided_at=opened,
        recorded_by=officer, expected_until=opened + timedelta(days=1)), at)
    _done(db, rid, opened + timedelta(hours=6), at)
    order = orders.issue_order(db, orders.OrderInput(
        rid, "落实滑坡点24小时专人监测，发现异常立即转移群众", [("镇街", towns["乌迳镇"])],
        opened + timedelta(minutes=20), officer, opened + timedelta(hours=2), decider), at)
    recipient = orders.orders_for(db, rid)[0]["id"]
    orders.acknowledge(db, recipient, opened + timedelta(minutes=26), "乌迳镇值班室", at)
    orders.complete(db, recipient, opened + timedelta(minutes=90), "监测人员2名已到位，设置警戒线，坡体暂无新的变形",
                    officer, clock=at)
    del order
    response.end_response(db, rid, LevelChange(
        decider, shift_start(now) + timedelta(minutes=55),
        "滑坡体经专家现场研判已趋于稳定，受威胁群众已妥善安置，村道清理完毕", officer), at)
