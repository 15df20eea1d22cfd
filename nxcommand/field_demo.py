"""The demo's field activity for the live flash-flood response in 油山镇: the forward HQ (place,
coordinates, commander, deputies, groups present, the 四合一 kit with its status log, the link
log), teams, equipment and supplies dispatched from the registers (supplies out of the county
depot through the ledger), and the shelters' occupancy. People are demo contacts; every
number is invented. Times run from the event's 接报 (about 6 h before now), squeezed if the
response is younger, so every record stays in the past and in order."""

from __future__ import annotations

from datetime import timedelta

from sqlite_utils import Database

from . import dispatch, forward_hq, incidents, roster, session, shelters
from .clock import Clock, fmt_minute, parse_minute
from .dispatch import DispatchInput
from .forward_hq import HQInput

TOWN = "油山镇"
SPAN = 340            # minutes from the 接报 to the last record of the story
FALLBACK_OFFICER = "张金龙"

# (team, people sent, dispatched, expected arrival, arrived, returned, place, task) in minutes after 接报
TEAMS = (
    ("油山镇应急救援队", 16, 8, None, 30, None, "大兰坑村", "转移河岸低洼处群众"),
    ("岭北矿业矿山救护队", 12, 15, None, 45, 290, "大兰坑村", "搜寻失联人员"),
    ("南雄市三防抢险队", 36, 35, 95, 100, None, "大兰坑村", "冲锋舟转移被困群众、加固河堤"),
    ("南雄市水上搜救队", 12, 40, 110, 105, None, "上朔村", "水域搜救"),
    ("武警南雄中队应急分队", 25, 125, 215, 225, None, "岭背村", "抢通村道、转移群众"),
    ("南雄市卫生应急医疗救援队", 10, 130, None, 200, None, "文化站避难点", "伤员救治、安置点卫生防疫"),
    ("南雄市民兵应急排", 30, 320, 390, None, None, "岭背村", "清淤排险"),
)
# (equipment name, holder, dispatched, arrived, place)
EQUIPMENT = (
    ("冲锋舟", "南雄市三防抢险队", 35, 100, "大兰坑村"),
    ("大流量排水泵", "南雄市三防抢险队", 35, 100, "大兰坑村"),
    ("龙吸水排水抢险车", "南雄市城市管理和综合执法局", 150, 240, "油山社区"),
)
DEPOT = "南雄市应急物资储备库"
# (item, quantity, dispatched, arrived, place, task)
SUPPLIES = (
    ("救生衣", 120, 40, 100, "大兰坑村", "转移群众涉水防护"),
    ("救灾单帐篷", 40, 60, 140, "文化站避难点", "安置点搭建"),
    ("棉被", 300, 60, 140, "文化站避难点", "安置群众生活保障"),
    ("瓶装饮用水", 200, 60, 140, "文化站避难点", "安置群众生活保障"),
    ("折叠床", 150, 150, 240, "文化站避难点", "安置点扩容"),
    ("方便面", 100, 150, 250, "大兰坑村小学避难点", "安置群众生活保障"),
    ("棉被", 80, 310, None, "大兰坑村小学避难点", "补充夜间保暖"),
)
# (call sign, operator) of the 四合一 items brought to the HQ
KIT = (("雄应急卫星01", "胡茂林"), ("雄应急无人机01", "欧宝华"), ("雄应急指挥01", "欧木生"),
       ("雄应急单兵01", "曾建新"), ("雄应急单兵02", "凌建军"))
# (call sign, status, minute, note)
KIT_EVENTS = (("雄应急无人机01", "离线", 180, "强降雨停飞"), ("雄应急单兵02", "故障", 230, "终端进水无法开机"),
              ("雄应急无人机01", "在线", 270, "雨势减弱复飞侦察"))
LINK = (("连通", 100, "卫星", ""), ("中断", 215, "", "暴雨导致卫星信号衰减"), ("连通", 245, "公网", "切换公网视频会商"))
DEPUTIES = (("卢峰", "解放军", 150), ("薛焕章", "武警", 170), ("李宏亮", "地方", 60))
GROUPS = (("综合协调组", 130), ("抢险救援组", 130), ("转移安置组", 160), ("医疗救治组", 200), ("后勤保障组", 160))
SHELTERS = (("油山镇文化站避难点", 0.3, 146), ("油山镇大兰坑村小学避难点", 0.1, 52))   # the rest stay with relatives


def live_flood_response(db: Database) -> int | None:
    """The live, real (not drill) response whose event is in 油山镇."""
    row = db.execute(
        "SELECT r.id FROM responses r JOIN events e ON e.id = r.event_id JOIN admin_units u ON u.id = e.town_id "
        "WHERE r.status = '响应中' AND r.is_drill = 0 AND u.name = ? ORDER BY r.started_at DESC LIMIT 1",
        [TOWN]).fetchone()
    return row[0] if row else None


def _one(db: Database, sql: str, *params):
    row = db.execute(sql, list(params)).fetchone()
    if row is None:
        raise LookupError(f"演示数据缺少：{params}")
    return row[0]


def load_demo_field(db: Database, clock: Clock) -> int | None:
    """Load the story for the live flash-flood response; returns its forward HQ id (None when
    there is no such response, e.g. before the responses demo has run)."""
    with session.acting(db, session.system("演示数据")):
        return _load_demo_field(db, clock)


def _load_demo_field(db: Database, clock: Clock) -> int | None:
    response_id = live_flood_response(db)
    if response_id is None:
        return None
    response = dispatch.response_row(db, response_id)
    now = clock.now().replace(second=0, microsecond=0)
    start = parse_minute(response["earliest"], "")
    scale = min(1.0, ((now - start).total_seconds() / 60 - 10) / SPAN)

    def t(minutes: float | None) -> str | None:
        return None if minutes is None else fmt_minute(start + timedelta(minutes=round(minutes * scale)))

    officers: dict[str, str] = {}

    def officer(at: str) -> str:
        if at not in officers:
            shift = roster.current_shift(db, parse_minute(at, ""))
            officers[at] = shift.officers[0].name if shift and shift.officers else FALLBACK_OFFICER
        return officers[at]

    def person(name: str) -> int:
        return _one(db, "SELECT id FROM people WHERE name = ? ORDER BY id", name)

    town_id = _one(db, "SELECT id FROM admin_units WHERE name = ? AND level = 'town'", TOWN)
    local, decider = person("李宏亮"), db.execute("SELECT started_by FROM responses WHERE id = ?",
                                                 [response_id]).fetchone()[0]
    commander = person("田立新")

    def order(minutes: float, place: str, task: str = "", expected: float | None = None, **extra) -> DispatchInput:
        return DispatchInput(town_id=town_id, ordered_by=local if minutes < 30 else decider if minutes < 110
                             else commander, recorded_by=officer(t(minutes)), place=place, task=task,
                             dispatched_at=t(minutes), expected_arrival=t(expected), **extra)

    def arrive(dispatch_id: int, arrived: float | None, returned: float | None = None) -> None:
        if arrived is not None:
            dispatch.mark_arrived(db, dispatch_id, t(arrived), recorded_by=officer(t(arrived)), clock=clock)
        if returned is not None:
            dispatch.mark_returned(db, dispatch_id, t(returned), recorded_by=officer(t(returned)), clock=clock)

    # the forward HQ, set up by the town before the county's kit arrives
    hq = forward_hq.establish(db, response_id, HQInput(
        town_id=town_id, place="油山镇人民政府院内", lon=114.3868, lat=24.9591, established_at=t(40),
        phone="13922870416", recorded_by=officer(t(40)), note="镇政府会议室为前指会商室，院内停放指挥车"), clock)

    for name, people, sent, expected, arrived, returned, place, task in TEAMS:
        team_id = _one(db, "SELECT id FROM teams WHERE name = ?", name)
        did = dispatch.dispatch_team(db, response_id, team_id, order(sent, place, task, expected, headcount=people),
                                     clock)
        arrive(did, arrived, returned)
    for name, holder, sent, arrived, place in EQUIPMENT:
        item = _one(db, "SELECT e.id FROM equipment e LEFT JOIN teams t ON t.id = e.team_id LEFT JOIN organizations o "
                        "ON o.id = e.org_id WHERE e.name = ? AND coalesce(t.name, o.name) = ?", name, holder)
        arrive(dispatch.dispatch_equipment(db, response_id, item, order(sent, place), clock), arrived)
    depot = _one(db, "SELECT id FROM depots WHERE name = ?", DEPOT)
    for name, quantity, sent, arrived, place, task in SUPPLIES:
        item = _one(db, "SELECT id FROM supply_items WHERE name = ?", name)
        arrive(dispatch.dispatch_supply(db, response_id, depot, item, quantity, order(sent, place, task), clock),
               arrived)

    kit: dict[str, int] = {}
    for call_sign, operator in KIT:
        item = _one(db, "SELECT id FROM equipment WHERE call_sign = ?", call_sign)
        kit[call_sign] = forward_hq.add_kit_item(db, hq, item, person(operator), "在线", t(95),
                                                 recorded_by=officer(t(95)), clock=clock)
    for state, minute, means, note in LINK:
        forward_hq.set_link(db, hq, state, t(minute), means, note, recorded_by=officer(t(minute)), clock=clock)
    for call_sign, status, minute, note in KIT_EVENTS:
        forward_hq.set_kit_status(db, kit[call_sign], status, t(minute), note, recorded_by=officer(t(minute)),
                                  clock=clock)
    forward_hq.name_commander(db, hq, commander, t(110), recorded_by=officer(t(110)), clock=clock)
    for name, side, minute in DEPUTIES:
        forward_hq.add_deputy(db, hq, person(name), side, at=t(minute), recorded_by=officer(t(minute)), clock=clock)
    present = {g["name"]: g["id"] for g in forward_hq.groups(db, response_id)}
    for name, minute in GROUPS:
        if name in present:
            forward_hq.add_group(db, hq, present[name], t(minute), recorded_by=officer(t(minute)), clock=clock)

    evacuated = incidents.current_figures(db, response["event_id"]).evacuated if response["event_id"] else 0
    for name, share, fallback in SHELTERS:
        shelter = _one(db, "SELECT id FROM shelters WHERE name = ?", name)
        capacity = _one(db, "SELECT capacity FROM shelters WHERE id = ?", shelter)
        shelters.set_occupancy(db, shelter, min(capacity, round(evacuated * share) if evacuated else fallback), clock)
    return hq

