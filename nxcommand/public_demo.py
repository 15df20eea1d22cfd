"""The demo county's warnings and releases (the activity part of the demo).

Warnings: a meteorological 暴雨 signal relayed from 气象局 (yellow, raised to orange ~10 h
ago), the county 三防指挥部's 山洪地质灾害 yellow warning for 油山镇, 帽子峰镇 and 百顺镇 ~9 h
ago (the one the flash-flood response cites), and yesterday's 地质灾害 blue warning for 乌迳镇,
lifted this morning. Releases: the live flash-flood response's spokesperson and releasing
unit, two releases published through 三审, and a third under review.
Every person is a demo person; every text and number is invented.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database

from . import early_warning as ew
from . import releases
from . import session
from .clock import Clock

RECORDER = "肖文静"
DRAFTER = "林晓雯"      # invented: the 融媒体中心 editor who drafts


def _id(db: Database, sql: str, params: list) -> int:
    row = db.execute(sql, params).fetchone()
    if row is None:
        raise LookupError(f"demo data missing: {params}")
    return row[0]


def _org(db: Database, name: str) -> int:
    return _id(db, "SELECT id FROM organizations WHERE name = ?", [name])


def _towns(db: Database, *names: str) -> list[int]:
    return [_id(db, "SELECT id FROM admin_units WHERE level = 'town' AND name = ?", [n]) for n in names]


def _subtype(db: Database, name: str) -> tuple[int, int]:
    row = db.execute("SELECT category_id, id FROM event_subtypes WHERE name = ?", [name]).fetchone()
    return row[0], row[1]


def _at(clock: Clock, hours: float) -> datetime:
    moment = clock.now() - timedelta(hours=hours)
    return moment.replace(minute=moment.minute - moment.minute % 5, second=0, microsecond=0)


def load_demo_warnings(db: Database, clock: Clock) -> dict[str, int]:
    """The demo's warnings; returns their ids by a short key (gov = the one the response cites)."""
    with session.acting(db, session.system("演示数据")):
        return _load_demo_warnings(db, clock)


def _load_demo_warnings(db: Database, clock: Clock) -> dict[str, int]:
    met = _org(db, "南雄市气象局")
    desk = _org(db, "南雄市应急管理局")
    sanfang = _id(db, "SELECT id FROM command_bodies WHERE name = '南雄市三防指挥部'", [])
    flood_cat, flood = _subtype(db, "防汛")
    weather_cat, weather = _subtype(db, "气象灾害")
    geo_cat, geo = _subtype(db, "地质灾害")
    mountain = _towns(db, "油山镇", "帽子峰镇", "百顺镇")
    ids: dict[str, int] = {}

    # Yesterday's 地质灾害 blue warning for 乌迳镇, lifted this morning.
    old_at = _at(clock, 30)
    ids["lifted"] = ew.issue(db, ew.WarningInput(
        source=ew.GOVERNMENT, category_id=geo_cat, subtype_id=geo, level=4,
        starts_at=old_at, town_ids=_towns(db, "乌迳镇", "界址镇"),
        matters="受持续降雨影响，乌迳镇、界址镇山区发生崩塌、滑坡等地质灾害的风险较高。",
        measures="各镇加密隐患点巡查，落实群测群防员值守；危险区域人员提前转移避险。",
        issued_at=old_at, recorded_by=RECORDER, issuer_org_id=_org(db, "南雄市自然资源局")), clock)
    ew.lift(db, ids["lifted"], _at(clock, 7), RECORDER, reason="降雨减弱，地质灾害气象风险降低", clock=clock)

    # The 暴雨 signal from 气象局: yellow, raised to orange two hours later.
    yellow_at = _at(clock, 12)
    signal = ew.WarningInput(
        source=ew.SIGNAL, category_id=weather_cat, subtype_id=weather, level=3,
        starts_at=yellow_at, town_ids=mountain + _towns(db, "坪田镇", "南亩镇"),
        matters="预计未来6小时内上述地区降雨量将达50毫米以上，或者已达50毫米以上且降雨可能持续。",
        measures="注意防御暴雨，山区防范山洪、地质灾害；低洼地带防御内涝。",
        issued_at=yellow_at, recorded_by=RECORDER, issuer_org_id=met, signal_name="暴雨黄色预警信号",
        relayed_org_id=desk, relayed_at=yellow_at + timedelta(minutes=10))
    ids["met_yellow"] = ew.issue(db, signal, clock)
    orange_at = _at(clock, 10)
    signal.level, signal.signal_name = 2, "暴雨橙色预警信号"
    signal.issued_at, signal.starts_at, signal.relayed_at = orange_at, orange_at, orange_at + timedelta(minutes=8)
    signal.matters = "预计未来3小时内油山镇、帽子峰镇、百顺镇降雨量将达50毫米以上，或者已达50毫米以上且降雨可能持续。"
    signal.measures = ("切断低洼危险地带有危险的室外电源，暂停户外作业；转移危险地带人员；"
                       "山区做好山洪、滑坡、泥石流防御，学校、幼儿园采取专门措施保障学生安全。")
    ids["met"] = ew.adjust(db, ids["met_yellow"], signal, "降雨加强，气象局升级为暴雨橙色预警信号", clock)

    # The county 三防指挥部's warning the flash-flood response cites.
    gov_at = _at(clock, 9)
    ids["gov"] = ew.issue(db, ew.WarningInput(
        source=ew.GOVERNMENT, category_id=flood_cat, subtype_id=flood, level=3,
        starts_at=gov_at, town_ids=mountain, title="山洪地质灾害黄色预警",
        matters="受强降雨影响，油山镇、帽子峰镇、百顺镇山区溪河水位快速上涨，发生山洪和崩塌、滑坡的风险高。",
        measures=("相关镇立即启动防御，组织山洪危险区、地质灾害隐患点和削坡建房户人员转移；"
                  "关闭涉水景区，停止涉河施工；镇村干部24小时值守，发现险情立即上报。"),
        issued_at=gov_at, recorded_by=RECORDER, issuer_body_id=sanfang), clock)
    return ids


def load_demo_releases(db: Database, clock: Clock) -> None:
    """Releases for the live flash-flood response (found by its town); nothing if absent."""
    with session.acting(db, session.system("演示数据")):
        return _load_demo_releases(db, clock)


def _load_demo_releases(db: Database, clock: Clock) -> None:
    row = db.execute(
        "SELECT r.id, r.started_at FROM responses r JOIN events e ON e.id = r.event_id "
        "JOIN admin_units u ON u.id = e.town_id WHERE r.status = '响应中' AND r.is_drill = 0 "
        "AND u.name = '油山镇' ORDER BY r.started_at DESC LIMIT 1").fetchone()
    if row is None:
        return
    response_id, start = row[0], datetime.strptime(row[1], "%Y-%m-%d %H:%M")

    def at(minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    def person(name: str) -> int:
        return _id(db, "SELECT id FROM people WHERE name = ?", [name])

    def review_all(release_id: int, first: int, reviewers=("曾慧敏", "韩淑芬", "田子健")) -> None:
        for n, (stage, name) in enumerate(zip(releases.STAGES, reviewers)):
            releases.review(db, release_id, stage, True, person(name), DRAFTER,
                            at=at(first + 10 * n), clock=clock)

    releases.set_window(db, response_id, person("韩淑芬"), _org(db, "中共南雄市委宣传部"),
                        RECORDER, at=at(20), clock=clock)
    first = releases.create(db, response_id, "南雄市油山镇发生山洪灾害 我市启动防汛Ⅳ级应急响应", (
        "今日凌晨，受强降雨影响，我市油山镇部分村庄突发山洪。灾情发生后，市委、市政府高度重视，"
        "市三防指挥部立即启动防汛Ⅳ级应急响应，组织应急、水务、自然资源、消防救援等部门和油山镇赶赴现场，"
        "全力开展人员搜救和转移安置工作。\n目前，受威胁群众已转移至安置点，各项处置工作正有序进行。"
        "请广大市民关注官方发布的权威信息，不信谣、不传谣。"), DRAFTER, at=at(60), clock=clock)
    releases.submit(db, first, DRAFTER, at=at(90), clock=clock)
    review_all(first, 100)
    releases.publish(db, first, ["微信公众号", "网站"], DRAFTER, at=at(135), clock=clock)

    second = releases.create(db, response_id, "我市将防汛应急响应提升至Ⅲ级", (
        "鉴于油山镇山洪灾情发展，市三防指挥部决定将防汛应急响应提升至Ⅲ级。\n"
        "截至目前，已转移群众300余人，失联1人。"), DRAFTER, at=at(95), clock=clock)
    releases.submit(db, second, DRAFTER, at=at(100), clock=clock)
    releases.review(db, second, "初审", False, person("曾慧敏"), DRAFTER,
                    "转移人数和失联人员情况请与现场指挥部核实后以最新数据为准", at=at(110), clock=clock)
    releases.edit(db, second, "我市将防汛应急响应提升至Ⅲ级", (
        "鉴于油山镇山洪灾情发展，市三防指挥部决定将防汛应急响应提升至Ⅲ级。\n"
        "截至发稿时，已转移安置群众412人，1名失联人员已找到，身体无大碍。\n"
        "市三防指挥部提醒：山区群众请远离河道、山坡，服从当地政府转移安排。"),
        DRAFTER, "按初审意见更新转移和失联人员数据", at=at(140), clock=clock)
    releases.submit(db, second, DRAFTER, at=at(150), clock=clock)
    review_all(second, 160)
    releases.publish(db, second, ["微信公众号", "网站", "融媒体中心"], DRAFTER, at=at(200), clock=clock)

    third = releases.create(db, response_id, "油山镇山洪灾害救援安置工作有序推进", (
        "目前，油山镇各安置点运转正常，帐篷、棉被、饮用水等物资已全部到位，"
        "受灾群众基本生活得到保障。\n前方指挥部正组织力量排查山洪和地质灾害隐患，抢修受损道路和电力设施。"),
        DRAFTER, at=at(270), clock=clock)
    releases.submit(db, third, DRAFTER, at=at(285), clock=clock)
    releases.review(db, third, "初审", True, person("曾慧敏"), DRAFTER, at=at(300), clock=clock)
