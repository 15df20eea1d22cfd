"""The demo county's watch desk: events with running clocks, reports, instructions,
reminders and an accepted handover. Times are relative to the moment the demo is loaded,
so the clocks on the desk are live on first start. Every person is from the demo directory."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlite_utils import Database

from . import contacts, deadlines, handover, incidents, org, refdata, roster, session
from .clock import Clock, FixedClock
from .deadlines import ReportInput
from .incidents import EventInput, Figures

BUREAU = "南雄市应急管理局"
UP = "韶关市应急管理局"


def _ids(db: Database):
    towns = {t["name"]: t["id"] for t in org.towns(db)}
    cats = {c["name"]: c["id"] for c in refdata.categories(db)}
    subs = {s["name"]: s["id"] for c in refdata.categories(db) for s in c["subtypes"]}
    return towns, cats, subs


def _village(db: Database, town_id: int) -> int:
    return org.villages(db, town_id)[0]["id"]


def shift_start(now: datetime) -> datetime:
    """The start of the demo's current 24-hour shift: the last 08:30 at least half an hour ago."""
    start = now.replace(hour=8, minute=30, second=0, microsecond=0)
    return start - timedelta(days=1) if start > now - timedelta(minutes=30) else start


def _daily_reports(db: Database, first: date, now: datetime, at: FixedClock, fallback: str) -> None:
    """The daily duty reports the roster's modes required, each sent at 08:50 by that shift."""
    for due in deadlines.daily_deadlines(db, first, now.date()):
        sent = due.due_at - timedelta(minutes=10)
        if sent > now:
            continue
        on = roster.current_shift(db, sent)
        officer = on.officers[0].name if on and on.officers else fallback
        leader = on.leader.name if on and on.leader else fallback
        yesterday = due.due_at.date() - timedelta(days=1)
        events = incidents.list_events(db, yesterday.isoformat(), yesterday.isoformat(), include_drills=False)
        content = "；".join(e["title"] for e in events)
        at.set(sent)
        deadlines.record_daily_report(db, due.due_at.date(), sent, not events, "应急管理信息系统", UP,
                                      leader, officer, f"昨日接报突发事件{len(events)}起：{content}" if events else "",
                                      at)


def load_demo_desk(db: Database, clock: Clock) -> None:
    with session.acting(db, session.system("演示数据")):
        return _load_demo_desk(db, clock)


def _load_demo_desk(db: Database, clock: Clock) -> None:
    now = clock.now().replace(second=0, microsecond=0)
    bureau = next(o["id"] for o in org.organizations(db) if o["name"] == BUREAU)
    officers = [p["name"] for p in contacts.with_role(db, "值班员", bureau)]
    leaders = [p["name"] for p in contacts.with_role(db, "带班领导", bureau)]
    towns, cats, subs = _ids(db)
    at = FixedClock(now)

    start = shift_start(now)
    # On the roster's shifts when there is a roster: this shift's officer records and its
    # leader signs off; the previous shift's officer hands over.
    current = roster.current_shift(db, start)
    previous = roster.current_shift(db, start - timedelta(minutes=1))
    officer = current.officers[0].name if current and current.officers else officers[0]
    signer = current.leader.name if current and current.leader else leaders[0]
    outgoing = previous.officers[0].name if previous and previous.officers else officers[1]
    if outgoing == officer:
        outgoing = next(n for n in officers if n != officer)
    others = [n for n in leaders if n != signer]

    def report(event_id, kind, sent, **extra):
        at.set(sent)
        deadlines.record_report(db, ReportInput(
            event_id=event_id, kind=kind, sent_at=sent, channel=extra.pop("channel", "应急管理信息系统"),
            signed_by=signer, drafted_by=officer, recorded_by=officer, to_report=UP,
            to_send="市委办、市政府办", checked_by=others[0], **extra), at)

    # A closed road accident three days ago, reported on time to the 终报.
    day = start - timedelta(days=3)
    at.set(day.replace(hour=10, minute=30))
    road = incidents.create_event(db, EventInput(
        received_at=day.replace(hour=7, minute=42), source_kind="电话", occurred_at=day.replace(hour=7, minute=25),
        town_id=towns["珠玑镇"], place="G323国道珠玑段", category_id=cats["事故灾难"], subtype_id=subs["道路交通"],
        cause="一辆小型货车与一辆摩托车相撞，摩托车驾驶人受伤送医", recorded_by=officer,
        caller_unit="南雄市公安局交警大队", caller_name="值班民警", caller_phone="0751-5550007",
        figures=Figures(injured=1), measures="交警、120到场处置，伤者送市人民医院救治"), at)
    report(road, "书面初报", day.replace(hour=8, minute=50))
    report(road, "终报", day.replace(hour=16, minute=20), content="伤者伤情稳定，现场已清理，道路恢复通行")

    # A landslide on the afternoon before this shift: 初报 done, leader's instruction open.
    received = start - timedelta(hours=16, minutes=20)
    at.set(received + timedelta(minutes=20))
    slide = incidents.create_event(db, EventInput(
        received_at=received, source_kind="电话", occurred_at=received - timedelta(minutes=30),
        town_id=towns["乌迳镇"], village_id=_village(db, towns["乌迳镇"]), place="村后山坡",
        category_id=cats["自然灾害"], subtype_id=subs["地质灾害"], grade=4,
        cause="连续降雨导致村后山坡发生小型滑坡，约300立方米土石方堵塞村道", recorded_by=officer,
        caller_unit="乌迳镇政府", caller_name="镇应急办", caller_phone="0751-5550202",
        figures=Figures(evacuated=26), scope="影响村道通行，威胁坡脚3户村民",
        measures="已转移坡脚3户26人，设置警戒，安排专人监测", trend="降雨仍在持续，存在再次滑塌可能"), at)
    report(slide, "书面初报", received + timedelta(minutes=105))
    at.set(received + timedelta(minutes=70))
    incidents.add_instruction(db, others[1], "做好群众转移安置，落实专人监测，防止次生灾害",
                              received + timedelta(minutes=70), officer, slide, at)
    at.set(start - timedelta(hours=1))
    incidents.add_reminder(db, "卫星电话已充电，放置于值班室2号柜", outgoing, kind="设备", clock=at)

    # The 08:30 handover, accepted; then this shift's 续报 on the landslide.
    at.set(start)
    hid = handover.create(db, outgoing, officer, "乌迳镇滑坡点仍需监测，9时前报续报一", at)
    at.set(start + timedelta(minutes=12))
    handover.accept(db, hid, officer, at)
    report(slide, "续报", start + timedelta(minutes=10), content="坡体未见新的变形，村道已清理一半")

    # A forest fire taken in 25 minutes ago: the phone report is done, the written one is due.
    at.set(now)
    fire = incidents.create_event(db, EventInput(
        received_at=now - timedelta(minutes=25), source_kind="电话", occurred_at=now - timedelta(minutes=55),
        town_id=towns["帽子峰镇"], village_id=_village(db, towns["帽子峰镇"]), place="林场背山",
        category_id=cats["自然灾害"], subtype_id=subs["森林火灾"], grade=3,
        cause="村民上山祭祀用火不慎引发山火，过火面积约20亩，火势向林场方向蔓延", recorded_by=officer,
        caller_unit="帽子峰镇政府", caller_name="镇森林防火办", caller_post="值班员",
        caller_phone="0751-5550217", figures=Figures(injured=1, evacuated=40),
        measures="镇扑火队、市森林消防大队已出动，转移周边群众40人", leaders_on_scene="分管副镇长在现场指挥",
        requests="请求增派扑火力量和无人机侦察"), at)
    report(fire, "电话报告", now - timedelta(minutes=12), channel="电话")
    _daily_reports(db, now.date() - timedelta(days=20), now, at, officer)
    at.set(now)
    ins = incidents.add_instruction(db, others[0], "迅速组织扑救，确保扑火人员安全，严防复燃",
                                    now - timedelta(minutes=10), officer, fire, at)
    incidents.follow_up(db, ins, "已电话传达帽子峰镇和森林消防大队", "落实中", officer, now - timedelta(minutes=6), at)
    incidents.add_reminder(db, "下次整点向市政府办报送山火扑救进展", officer,
                           due_at=now.replace(minute=0) + timedelta(hours=1), clock=at)
