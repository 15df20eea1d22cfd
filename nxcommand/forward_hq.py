"""一个前方指挥部: the one forward HQ of a response (DOMAIN.md §2).

Set up once per response: location (town, place, coordinates near that town), the time it
was established, the 现场指挥官 (until one is named, the head of the first unit on scene acts,
and the console says so), deputies (the PLA — 人武部 — and the armed police may each name one),
the working groups present, the "四合一" kit items taken from the equipment register (each
with its operator at the HQ and a status log 在线/离线/故障; the item goes 在用 while at the
HQ), the link to the command centre (连通/中断 with times; the current state is the latest
entry) and the resources on scene (from dispatch). Every act leaves its duty-log trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from . import dispatch, equipment, session
from . import resources as res
from .clock import SYSTEM_CLOCK, Clock, parse_minute
from .dispatch import drill_mark, moment, person_name, recorder, response_row
from .errors import NotFound, ValidationError
from .incidents import trace
from .phones import normalize_phone
from .store import writing
from .timeline import Deadline, Entry

SIDES = ("解放军", "武警", "地方")          # deputies: PLA and armed police one each; local ones freely
KIT_STATUSES = ("在线", "离线", "故障")
LINK_STATES = ("连通", "中断")
MEANS = ("卫星", "专网", "公网", "短波", "其他")
NEAR_TOWN_DEGREES = 0.3                    # about 30 km: catches swapped or mistyped coordinates
LOG_KIND = "处置"


@dataclass
class HQInput:
    town_id: int | None
    place: str
    recorded_by: str
    lon: float | str | None = None
    lat: float | str | None = None
    established_at: str | datetime | None = None     # empty: now
    phone: str = ""
    note: str = ""


def _town_check(db: Database, town_id: int, lon: float | None, lat: float | None) -> None:
    row = db.execute("SELECT name, lon, lat FROM admin_units WHERE id = ?", [town_id]).fetchone()
    if lon is None or row[1] is None:
        return
    if abs(lon - row[1]) > NEAR_TOWN_DEGREES or abs(lat - row[2]) > NEAR_TOWN_DEGREES:
        raise ValidationError(f"坐标（{lon:g}, {lat:g}）离{row[0]}（{row[1]:g}, {row[2]:g}）太远，"
                              "请检查经纬度是否填反或输错", "经度")


def _trace(db: Database, clock: Clock, response: dict, summary: str, by: str, at: str) -> None:
    trace(db, clock, LOG_KIND, drill_mark(response) + summary, by, at, response["event_id"])


def establish(db: Database, response_id: int, data: HQInput, clock: Clock = SYSTEM_CLOCK) -> int:
    """开设前方指挥部: one per response, for a live response."""
    session.require(db, "前方指挥部")
    response = response_row(db, response_id)
    existing = db.execute("SELECT place, established_at FROM forward_hqs WHERE response_id = ?",
                          [response_id]).fetchone()
    if existing:
        raise ValidationError(f"该响应已于 {existing[1]} 在{existing[0]}开设前方指挥部，每个响应只设一个前方指挥部")
    if not response["live"]:
        raise ValidationError("该应急响应已解除，不能再开设前方指挥部")
    town_id = res.check_town(db, data.town_id, "所在镇（街道）")
    place = res.short(data.place, "具体地点", 60, required=True)
    lon, lat = res.coords(data.lon, data.lat)
    _town_check(db, town_id, lon, lat)
    at = moment(data.established_at, "开设时间", clock, response["earliest"])
    phone = normalize_phone(data.phone, "前指电话") or ""
    by = recorder(data.recorded_by)
    now = clock.stamp()
    with writing(db):
        hq_id = db.execute(
            "INSERT INTO forward_hqs (response_id, town_id, place, lon, lat, phone, established_at, note, "
            "recorded_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [response_id, town_id, place, lon, lat, phone, at, res.short(data.note, "备注", 500, multiline=True),
             by, now, now]).lastrowid
        town = db.execute("SELECT name FROM admin_units WHERE id = ?", [town_id]).fetchone()[0]
        _trace(db, clock, response, f"开设前方指挥部：{town}{place}" + (f"，电话 {phone}" if phone else ""), by, at)
    return hq_id


def _hq(db: Database, hq_id: int, *, open_only: bool = True) -> dict:
    row = next(db.query("SELECT * FROM forward_hqs WHERE id = ?", [hq_id]), None)
    if row is None:
        raise NotFound("该前方指挥部不存在")
    if open_only and row["withdrawn_at"]:
        raise ValidationError(f"前方指挥部已于 {row['withdrawn_at']} 撤收")
    row["response"] = response_row(db, row["response_id"])
    return row


def _after_established(value, label: str, hq: dict, clock: Clock) -> str:
    at = moment(value, label, clock)
    if at < hq["established_at"]:
        raise ValidationError(f"{label}不能早于前方指挥部开设时间（{hq['established_at']}）", label)
    return at


def name_commander(db: Database, hq_id: int, person_id: int | None, at: str | datetime | None = None, *,
                   recorded_by: str, clock: Clock = SYSTEM_CLOCK) -> None:
    """Name (or change) the 现场指挥官."""
    session.require(db, "前方指挥部")
    hq = _hq(db, hq_id)
    person_id = res.check_person(db, person_id, "现场指挥官", required=True)
    if person_id == hq["commander_id"]:
        raise ValidationError(f"{person_name(db, person_id)}已是现场指挥官", "现场指挥官")
    when = _after_established(at, "任命时间", hq, clock)
    by = recorder(recorded_by)
    with writing(db):
        db.execute("UPDATE forward_hqs SET commander_id = ?, commander_named_at = ?, updated_at = ?, "
                   "version = version + 1 WHERE id = ?", [person_id, when, clock.stamp(), hq_id])
        _trace(db, clock, hq["response"], f"前方指挥部现场指挥官：{_person_label(db, person_id)}", by, when)


def _person_label(db: Database, person_id: int) -> str:
    row = db.execute("SELECT p.name, p.post, coalesce(o.short_name, o.name, '') FROM people p "
                     "LEFT JOIN organizations o ON o.id = p.org_id WHERE p.id = ?", [person_id]).fetchone()
    return f"{row[0]}（{row[2]}{row[1]}）" if row[1] or row[2] else row[0]


def add_deputy(db: Database, hq_id: int, person_id: int | None, side: str, org_id: int | None = None,
               at: str | datetime | None = None, *, recorded_by: str, clock: Clock = SYSTEM_CLOCK) -> int:
    """A deputy commander; 解放军 and 武警 may each name one. ``org_id`` defaults to the
    person's unit."""
    session.require(db, "前方指挥部")
    hq = _hq(db, hq_id)
    side = res.choice(side, SIDES, "所属方面")
    person_id = res.check_person(db, person_id, "副指挥", required=True)
    if person_id == hq["commander_id"]:
        raise ValidationError("现场指挥官不能同时担任副指挥", "副指挥")
    if db.execute("SELECT 1 FROM hq_deputies WHERE hq_id = ? AND person_id = ?", [hq_id, person_id]).fetchone():
        raise ValidationError(f"{person_name(db, person_id)}已是副指挥", "副指挥")
    if side != "地方":
        taken = db.execute("SELECT p.name FROM hq_deputies d JOIN people p ON p.id = d.person_id "
                           "WHERE d.hq_id = ? AND d.side = ?", [hq_id, side]).fetchone()
        if taken:
            raise ValidationError(f"{side}方面已有副指挥（{taken[0]}），{side}只可派一名副指挥", "所属方面")
    if org_id is None:
        org_id = db.execute("SELECT org_id FROM people WHERE id = ?", [person_id]).fetchone()[0]
    res.check_org(db, org_id, "所在单位")
    when = _after_established(at, "任命时间", hq, clock)
    by = recorder(recorded_by)
    with writing(db):
        deputy_id = db.execute("INSERT INTO hq_deputies (hq_id, person_id, side, org_id, named_at) "
                               "VALUES (?, ?, ?, ?, ?)", [hq_id, person_id, side, org_id, when]).lastrowid
        _trace(db, clock, hq["response"], f"前方指挥部副指挥（{side}）：{_person_label(db, person_id)}", by, when)
    return deputy_id


def add_group(db: Database, hq_id: int, group_id: int, at: str | datetime | None = None, *,
              recorded_by: str, clock: Clock = SYSTEM_CLOCK) -> None:
    """A working group of the response arrives at the HQ."""
    session.require(db, "前方指挥部")
    hq = _hq(db, hq_id)
    row = db.execute("SELECT name, response_id FROM response_groups WHERE id = ?", [group_id]).fetchone()
    if row is None or row[1] != hq["response_id"]:
        raise ValidationError("所选工作组不属于该响应", "工作组")
    if db.execute("SELECT 1 FROM hq_groups WHERE hq_id = ? AND group_id = ?", [hq_id, group_id]).fetchone():
        raise ValidationError(f"{row[0]}已在前方指挥部", "工作组")
    when = _after_established(at, "进驻时间", hq, clock)
    by = recorder(recorded_by)
    with writing(db):
        db.execute("INSERT INTO hq_groups (hq_id, group_id, arrived_at) VALUES (?, ?, ?)", [hq_id, group_id, when])
        _trace(db, clock, hq["response"], f"{row[0]}进驻前方指挥部", by, when)


def add_kit_item(db: Database, hq_id: int, equipment_id: int, operator_id: int | None = None,
                 status: str = "在线", at: str | datetime | None = None, *, recorded_by: str,
                 clock: Clock = SYSTEM_CLOCK) -> int:
    """Bring a "四合一" item (完好待命 in the register) to the HQ: it goes 在用; its operator
    defaults to the register's."""
    session.require(db, "前方指挥部")
    hq = _hq(db, hq_id)
    item = equipment.get(db, equipment_id)
    label = f"{item['name']}（{item['call_sign'] or item['holder']}）"
    if not item["four_in_one"]:
        raise ValidationError(f"{item['name']}不是“四合一”标准配备", "装备")
    if db.execute("SELECT 1 FROM hq_kit WHERE hq_id = ? AND equipment_id = ?", [hq_id, equipment_id]).fetchone():
        raise ValidationError(f"{label}已在前方指挥部", "装备")
    if item["status"] != "完好待命":
        raise ValidationError(f"{label}当前状态为“{item['status']}”，只有完好待命的装备可以调用", "装备")
    status = res.choice(status, KIT_STATUSES, "状态")
    operator_id = res.check_person(db, operator_id if operator_id is not None else item["operator_id"], "操作员")
    when = _after_established(at, "到位时间", hq, clock)
    by = recorder(recorded_by)
    with writing(db):
        kit_id = db.execute("INSERT INTO hq_kit (hq_id, equipment_id, role, operator_id, added_at) "
                            "VALUES (?, ?, ?, ?, ?)", [hq_id, equipment_id, item["four_in_one"], operator_id,
                                                       when]).lastrowid
        db.execute("INSERT INTO hq_kit_status (kit_id, status, at, recorded_by) VALUES (?, ?, ?, ?)",
                   [kit_id, status, when, by])
        equipment.set_status(db, equipment_id, "在用", clock)
        operator = f"，操作员 {person_name(db, operator_id)}" if operator_id else ""
        _trace(db, clock, hq["response"], f"四合一{item['four_in_one']}到位：{label}{operator}，{status}", by, when)
    return kit_id


def set_kit_status(db: Database, kit_id: int, status: str, at: str | datetime | None = None, note: str = "", *,
                   recorded_by: str, clock: Clock = SYSTEM_CLOCK) -> None:
    """在线 / 离线 / 故障 of a kit item, timed; refused when it is already in that state."""
    session.require(db, "前方指挥部")
    row = db.execute("SELECT hq_id, equipment_id, role FROM hq_kit WHERE id = ?", [kit_id]).fetchone()
    if row is None:
        raise NotFound("该装备不在前方指挥部")
    hq = _hq(db, row[0])
    status = res.choice(status, KIT_STATUSES, "状态")
    current = db.execute("SELECT status, at FROM hq_kit_status WHERE kit_id = ? ORDER BY at DESC, id DESC LIMIT 1",
                         [kit_id]).fetchone()
    if current[0] == status:
        raise ValidationError(f"该装备已是“{status}”状态", "状态")
    when = moment(at, "时间", clock, after=None)
    if when < current[1]:
        raise ValidationError(f"时间不能早于上一次状态记录（{current[1]}）", "时间")
    note = res.short(note, "说明", 100)
    by = recorder(recorded_by)
    item = equipment.get(db, row[1])
    with writing(db):
        db.execute("INSERT INTO hq_kit_status (kit_id, status, at, note, recorded_by) VALUES (?, ?, ?, ?, ?)",
                   [kit_id, status, when, note, by])
        _trace(db, clock, hq["response"], f"四合一{row[2]}（{item['call_sign'] or item['name']}）{status}"
               + (f"：{note}" if note else ""), by, when)


def set_link(db: Database, hq_id: int, state: str, at: str | datetime | None = None, means: str = "",
             note: str = "", *, recorded_by: str, clock: Clock = SYSTEM_CLOCK) -> int:
    """The link to the command centre goes 连通 or 中断; refused when it already is."""
    session.require(db, "前方指挥部")
    hq = _hq(db, hq_id)
    state = res.choice(state, LINK_STATES, "链路状态")
    means = res.choice(means, MEANS + ("",), "通信方式", "")
    current = db.execute("SELECT state, at FROM hq_link_log WHERE hq_id = ? ORDER BY at DESC, id DESC LIMIT 1",
                         [hq_id]).fetchone()
    if current and current[0] == state:
        raise ValidationError(f"与指挥中心的链路已是“{state}”状态", "链路状态")
    when = _after_established(at, "时间", hq, clock)
    if current and when < current[1]:
        raise ValidationError(f"时间不能早于上一次链路记录（{current[1]}）", "时间")
    note = res.short(note, "说明", 100)
    by = recorder(recorded_by)
    with writing(db):
        link_id = db.execute("INSERT INTO hq_link_log (hq_id, state, at, means, note, recorded_by) "
                             "VALUES (?, ?, ?, ?, ?, ?)", [hq_id, state, when, means, note, by]).lastrowid
        verb = ("恢复" if current else "建立") if state == "连通" else "中断"
        _trace(db, clock, hq["response"], f"前方指挥部与指挥中心链路{verb}" + (f"（{means}）" if means else "")
               + (f"：{note}" if note else ""), by, when)
    return link_id


def withdraw(db: Database, hq_id: int, at: str | datetime | None = None, *, recorded_by: str,
             clock: Clock = SYSTEM_CLOCK) -> None:
    """撤收: the HQ closes; its kit items go back to 完好待命."""
    session.require(db, "前方指挥部")
    hq = _hq(db, hq_id)
    when = moment(at, "撤收时间", clock, after=hq["established_at"], after_label="开设时间")
    by = recorder(recorded_by)
    with writing(db):
        db.execute("UPDATE forward_hqs SET withdrawn_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                   [when, clock.stamp(), hq_id])
        for (equipment_id,) in db.execute("SELECT k.equipment_id FROM hq_kit k JOIN equipment e "
                                          "ON e.id = k.equipment_id WHERE k.hq_id = ? AND e.status = '在用'",
                                          [hq_id]).fetchall():
            equipment.set_status(db, equipment_id, "完好待命", clock)
        _trace(db, clock, hq["response"], "前方指挥部撤收", by, when)


# ------------------------------------------------------------------ reading

def hq_id_of(db: Database, response_id: int) -> int | None:
    row = db.execute("SELECT id FROM forward_hqs WHERE response_id = ?", [response_id]).fetchone()
    return row[0] if row else None


def _person(db: Database, person_id: int) -> dict:
    return next(db.query(
        "SELECT p.id AS person_id, p.name, p.post, coalesce(p.mobile, p.office_phone, '') AS phone, "
        "coalesce(o.short_name, o.name, '') AS org FROM people p LEFT JOIN organizations o ON o.id = p.org_id "
        "WHERE p.id = ?", [person_id]))


def commander(db: Database, hq_id: int) -> dict | None:
    """The 现场指挥官: the named one (acting False), else the leader of the first team on
    scene (acting True, ``basis`` names the team), else None."""
    hq = _hq(db, hq_id, open_only=False)
    if hq["commander_id"]:
        return _person(db, hq["commander_id"]) | {"acting": False, "since": hq["commander_named_at"],
                                                  "basis": "已任命"}
    first = db.execute("SELECT t.leader_id, t.name, d.arrived_at FROM dispatches d JOIN teams t ON t.id = d.team_id "
                       "WHERE d.response_id = ? AND d.arrived_at IS NOT NULL ORDER BY d.arrived_at, d.id LIMIT 1",
                       [hq["response_id"]]).fetchone()
    if first is None:
        return None
    return _person(db, first[0]) | {"acting": True, "since": first[2], "basis": f"首个到场单位{first[1]}负责人代行"}


def deputies(db: Database, hq_id: int) -> list[dict]:
    return list(db.query(
        "SELECT d.id, d.side, d.named_at, p.id AS person_id, p.name, p.post, "
        "coalesce(p.mobile, p.office_phone, '') AS phone, coalesce(o.short_name, o.name, '') AS org "
        "FROM hq_deputies d JOIN people p ON p.id = d.person_id LEFT JOIN organizations o ON o.id = d.org_id "
        "WHERE d.hq_id = ? ORDER BY CASE d.side WHEN '解放军' THEN 0 WHEN '武警' THEN 1 ELSE 2 END, d.named_at",
        [hq_id]))


def groups(db: Database, response_id: int) -> list[dict]:
    """The response's working groups, each with ``present`` (arrival time at the HQ or None)."""
    hq_id = hq_id_of(db, response_id)
    return list(db.query(
        "SELECT g.id, g.name, coalesce(o.short_name, o.name, '') AS lead_org, coalesce(p.name, '') AS leader, "
        "h.arrived_at AS present FROM response_groups g LEFT JOIN organizations o ON o.id = g.lead_org_id "
        "LEFT JOIN people p ON p.id = g.leader_id LEFT JOIN hq_groups h ON h.group_id = g.id AND h.hq_id = ? "
        "WHERE g.response_id = ? ORDER BY g.sort_order, g.id", [hq_id, response_id]))


def kit(db: Database, hq_id: int) -> dict[str, list[dict]]:
    """The HQ's kit by role (every role present, in the standard order): id (kit id),
    equipment_id, name, call_sign, holder, operator, operator_phone, status, since, note,
    history (oldest first)."""
    result: dict[str, list[dict]] = {role: [] for role in equipment.FOUR_IN_ONE}
    for row in db.query(
            "SELECT k.id, k.equipment_id, k.role, k.added_at, e.name, e.call_sign, e.model, "
            "coalesce(t.name, o.name) AS holder, coalesce(p.name, '') AS operator, "
            "coalesce(p.mobile, p.office_phone, '') AS operator_phone FROM hq_kit k "
            "JOIN equipment e ON e.id = k.equipment_id LEFT JOIN teams t ON t.id = e.team_id "
            "LEFT JOIN organizations o ON o.id = e.org_id LEFT JOIN people p ON p.id = k.operator_id "
            "WHERE k.hq_id = ? ORDER BY k.added_at, k.id", [hq_id]):
        history = list(db.query("SELECT status, at, note, recorded_by FROM hq_kit_status WHERE kit_id = ? "
                                "ORDER BY at, id", [row["id"]]))
        row.update(status=history[-1]["status"], since=history[-1]["at"], note=history[-1]["note"], history=history)
        result[row["role"]].append(row)
    return result


def link_log(db: Database, hq_id: int) -> list[dict]:
    """The link's entries, latest first."""
    return list(db.query("SELECT id, state, at, means, note, recorded_by FROM hq_link_log WHERE hq_id = ? "
                         "ORDER BY at DESC, id DESC", [hq_id]))


def view(db: Database, response_id: int) -> dict | None:
    """Everything the forward-HQ tab shows, or None when the response has no HQ yet."""
    hq_id = hq_id_of(db, response_id)
    if hq_id is None:
        return None
    hq = _hq(db, hq_id, open_only=False)
    town = db.execute("SELECT name, lon, lat FROM admin_units WHERE id = ?", [hq["town_id"]]).fetchone()
    log = link_log(db, hq_id)
    return {
        **{k: v for k, v in hq.items() if k != "response"}, "town": town[0], "live": hq["response"]["live"],
        "is_drill": bool(hq["response"]["is_drill"]),
        "commander": commander(db, hq_id), "deputies": deputies(db, hq_id), "groups": groups(db, response_id),
        "kit": kit(db, hq_id), "link": log[0]["state"] if log else None, "link_since": log[0]["at"] if log else None,
        "link_log": log, "on_scene": dispatch.on_scene(db, response_id),
    }


# ------------------------------------------------------------------ board contributions

def at(text: str) -> datetime:
    return parse_minute(text, "")


def timeline_entries(db: Database, response_id: int) -> list[Entry]:
    """前指开设, 现场指挥官, 副指挥, 链路中断/恢复, 四合一故障/恢复, 前指撤收."""
    hq_id = hq_id_of(db, response_id)
    if hq_id is None:
        return []
    hq = _hq(db, hq_id, open_only=False)
    town = db.execute("SELECT name FROM admin_units WHERE id = ?", [hq["town_id"]]).fetchone()[0]
    ref = ("forward_hq", hq_id)
    entries = [Entry(at(hq["established_at"]), "前指开设", f"前方指挥部在{town}{hq['place']}开设", ref,
                     hq["recorded_by"])]
    if hq["commander_id"]:
        entries.append(Entry(at(hq["commander_named_at"]), "现场指挥官",
                             f"现场指挥官：{_person_label(db, hq['commander_id'])}", ref))
    for d in deputies(db, hq_id):
        entries.append(Entry(at(d["named_at"]), "副指挥", f"副指挥（{d['side']}）：{d['name']}（{d['org']}）", ref))
    previous = None
    for row in reversed(link_log(db, hq_id)):
        kind = "链路中断" if row["state"] == "中断" else ("链路恢复" if previous else "链路建立")
        entries.append(Entry(at(row["at"]), kind, f"与指挥中心链路{row['state']}"
                             + (f"（{row['means']}）" if row["means"] else ""), ("hq_link", row["id"]),
                             row["recorded_by"]))
        previous = row
    for items in kit(db, hq_id).values():
        for item in items:
            for before, after in zip(item["history"], item["history"][1:]):
                if after["status"] == "故障" or before["status"] == "故障":
                    kind = "装备故障" if after["status"] == "故障" else "装备恢复"
                    entries.append(Entry(at(after["at"]), kind, f"{item['role']}（{item['call_sign'] or item['name']}）"
                                         f"{after['status']}" + (f"：{after['note']}" if after["note"] else ""),
                                         ("hq_kit", item["id"]), after["recorded_by"]))
    if hq["withdrawn_at"]:
        entries.append(Entry(at(hq["withdrawn_at"]), "前指撤收", "前方指挥部撤收", ref))
    return sorted(entries, key=lambda e: e.at)


def deadlines(db: Database, response_id: int, now: datetime) -> list[Deadline]:
    """The forward HQ runs no clocks of its own (arrival clocks come from dispatch)."""
    return []


def kit_choices(db: Database) -> list[dict]:
    """"四合一" items that may be brought to an HQ now (完好待命), in the standard order:
    id, role, name, call_sign, holder, operator_id, operator."""
    return [item | {"role": role} for role, items in equipment.four_in_one_kit(db).items()
            for item in items if item["status"] == "完好待命"]
