"""Teams, experts, equipment and shelters as Excel registers (engine: ``xlsx``).

Natural keys decide update or add: a team by its name; an expert by name and phone (the
directory person); an equipment item by name, holder and call sign; a shelter by its name.
Rows equal to what is stored are left alone, so importing an export changes nothing.
Leaders, experts, operators and managers are found in the directory by name and phone and
added there when new (``resources.find_or_add_person``). Towns may be written without
镇/街道 (乌迳 = 乌迳镇), units by full name, short name or without the county prefix.
Shelter occupancy is live response data and is not part of the register files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from . import equipment, experts, resources, shelters, teams
from .clock import Clock
from .org import meta
from .xlsx import Column, Kind, as_bool, as_choice, as_date, as_float, as_int

TOWN = Column("town", "所在镇（街道）", ("所在镇", "乡镇", "所属乡镇", "镇街", "乡镇（街道）", "镇（街道）", "所在乡镇",
                                      "驻地", "所在地"), width=12)
VILLAGE = Column("village", "村（社区）", ("村", "所在村", "村居", "村（居）", "所在村（社区）"), width=12)
LON = Column("lon", "经度", ("东经",), width=10)
LAT = Column("lat", "纬度", ("北纬",), width=10)
NOTE = Column("note", "备注", ("说明",), width=20)


@dataclass
class Item:
    record_id: int | None       # None: new
    version: int | None
    data: Any                   # the register's input dataclass
    changed: bool
    name: str

    def describe(self) -> str:
        return f"{self.name}（{'新增' if self.record_id is None else '更新' if self.changed else '无变化'}）"


# ------------------------------------------------------------------ lookups shared by the kinds

def _towns(db: Database, scratch: dict) -> dict[str, int]:
    if "towns" not in scratch:
        towns: dict[str, int] = {}
        for r in db.query("SELECT id, name FROM admin_units WHERE level = 'town'"):
            towns[r["name"]] = r["id"]
            for suffix in ("街道", "镇", "乡"):
                if r["name"].endswith(suffix) and len(r["name"]) > len(suffix) + 1:
                    towns.setdefault(r["name"][:-len(suffix)], r["id"])
        scratch["towns"] = towns
    return scratch["towns"]


def town_id(db: Database, text: str, scratch: dict, required: bool = True) -> int | None:
    if not text:
        if required:
            raise ValueError("缺少「所在镇（街道）」")
        return None
    found = _towns(db, scratch).get(text.replace(" ", ""))
    if found is None:
        raise ValueError(f"找不到镇（街道）“{text}”")
    return found


def village_id(db: Database, text: str, town: int | None, scratch: dict) -> int | None:
    if not text:
        return None
    if town is None:
        raise ValueError("填写了「村（社区）」但没有填写所在镇（街道）")
    villages = scratch.setdefault("villages", {})
    if town not in villages:
        names: dict[str, int] = {}
        for r in db.query("SELECT id, name FROM admin_units WHERE parent_id = ? AND level = 'village'", [town]):
            names[r["name"]] = r["id"]
            for suffix in ("社区", "村"):
                if r["name"].endswith(suffix) and len(r["name"]) > len(suffix) + 1:
                    names.setdefault(r["name"][:-len(suffix)], r["id"])
        villages[town] = names
    found = villages[town].get(text.replace(" ", ""))
    if found is None:
        raise ValueError(f"所填镇（街道）下没有村（社区）“{text}”")
    return found


def _units(db: Database, scratch: dict) -> dict[str, int]:
    if "units" not in scratch:
        units: dict[str, int] = {}
        county = meta(db, "county_name") or ""
        for r in db.query("SELECT id, name, short_name FROM organizations ORDER BY id DESC"):
            name = r["name"].replace(" ", "")
            units[name] = r["id"]
            if county and name.startswith(county):
                units.setdefault(name[len(county):], r["id"])
            if r["short_name"]:
                units.setdefault(r["short_name"].replace(" ", ""), r["id"])
        scratch["units"] = units
    return scratch["units"]


def org_id(db: Database, text: str, scratch: dict) -> int | None:
    if not text:
        return None
    found = _units(db, scratch).get(text.replace(" ", ""))
    if found is None:
        raise ValueError(f"找不到单位“{text}”（请先在通讯录中登记该单位，或改用系统中的单位名称）")
    return found


def squeeze(name: str) -> str:
    """A person's name as written in a table: 王  磊 (padded to line up) is 王磊."""
    bare = name.replace(" ", "")
    return bare if len(bare) <= 4 else name


def person(db: Database, name: str, phone: str) -> int | None:
    """Directory id, or None for a person the import will add (read only)."""
    return resources.find_person(db, name, phone)


def once(scratch: dict, key: tuple, what: str) -> None:
    seen = scratch.setdefault("seen", {})
    if key in seen:
        raise ValueError(f"与第 {seen[key]} 行是同一{what}")
    seen[key] = scratch["row"]


def _num(value):
    """A number as the cell's number (full precision), '' when absent."""
    return "" if value is None else value


def _apply_with(add, update):
    def apply(db: Database, items: list[Item], clock: Clock) -> tuple[int, int]:
        added = updated = 0
        for item in items:
            if item.record_id is None:
                add(db, item.data, clock)
                added += 1
            elif item.changed:
                update(db, item.record_id, item.data, expected_version=item.version, clock=clock)
                updated += 1
        return added, updated
    return apply


# ------------------------------------------------------------------ teams

TEAM_KIND_ALIASES = {
    "综合性消防救援队伍": "综合性消防救援", "消防救援": "综合性消防救援", "国家综合性消防救援队伍": "综合性消防救援",
    "专业队伍": "专业", "专业救援队伍": "专业", "专业应急救援队伍": "专业",
    "基层队伍": "基层", "基层应急救援队伍": "基层", "乡镇": "基层", "镇级": "基层", "村级": "基层", "一乡镇一队": "基层",
    "企业": "企业专兼职", "企业专职": "企业专兼职", "企业兼职": "企业专兼职", "企业应急救援队伍": "企业专兼职",
    "志愿者队伍": "志愿者", "志愿": "志愿者", "志愿服务队": "志愿者",
    "社会力量": "社会应急力量", "社会救援力量": "社会应急力量", "社会救援队伍": "社会应急力量",
    "民兵": "民兵/武警", "武警": "民兵/武警", "民兵应急分队": "民兵/武警", "民兵武警": "民兵/武警",
}
STANDBY_ALIASES = {"一级": "一级备勤", "二级": "二级备勤", "三级": "三级备勤", "日常": "日常备勤", "常态": "日常备勤"}

TEAM_COLUMNS = (
    Column("name", "队伍名称", ("名称", "队伍", "救援队伍名称", "队伍全称"), required=True, width=30),
    Column("kind", "队伍类型", ("类型", "队伍类别", "类别", "队伍性质"), required=True, width=14,
           note="、".join(teams.KINDS)),
    Column("specialty", "专业方向", ("专业", "专业类别", "救援专业", "专业类型"), width=14),
    Column("headcount", "队员人数", ("人数", "队伍人数", "总人数", "队员数"), required=True, width=8),
    Column("leader", "负责人", ("队长", "负责人姓名", "带队人"), required=True, width=10),
    Column("phone", "联系电话", ("电话", "手机", "负责人电话", "联系方式", "手机号码", "负责人手机"), width=14),
    TOWN, VILLAGE,
    Column("org", "所属单位", ("主管单位", "依托单位", "隶属单位", "组建单位"), width=26),
    Column("equipment", "主要装备", ("装备", "装备情况", "主要装备器材", "装备器材"), width=30),
    Column("standby", "备勤等级", ("备勤", "备勤状态"), width=10, note="、".join(teams.STANDBY_LEVELS)),
    Column("status", "状态", ("队伍状态", "当前状态"), width=8, note="、".join(teams.STATUSES)),
    Column("meets", "是否达标", ("达标", "达标情况", "是否达标建设"), width=8, note="是/否"),
    Column("insurance", "保险到期", ("保险有效期", "保险到期日", "保险到期时间", "意外险到期", "保险截止日期"), width=12),
    LON, LAT, NOTE,
)


def _team_rows(db: Database):
    ids = teams.search(db)
    found = teams.rows(db, ids)
    for i in ids:
        r = found[i]
        yield [r["name"], r["kind"], r["specialty"], r["headcount"], r["leader"], r["leader_phone"], r["town"],
               r["village"], r["org"], r["equipment"], r["standby"], r["status"],
               "是" if r["meets_standard"] else "否", r["insurance_expiry"] or "", _num(r["lon"]), _num(r["lat"]),
               r["note"]]


def _team_check(db: Database, cells: dict[str, str], scratch: dict) -> Item:
    name = cells["name"]
    once(scratch, ("team", name.replace(" ", "")), "支队伍")
    existing = db.execute("SELECT id, version, status FROM teams WHERE name = ?", [name]).fetchone()
    town = town_id(db, cells["town"], scratch)
    insurance = as_date(cells["insurance"], "保险到期")
    meets = as_bool(cells["meets"], "是否达标")
    data = teams.TeamInput(
        name=name, kind=as_choice(cells["kind"], "队伍类型", teams.KINDS, TEAM_KIND_ALIASES),
        specialty=cells["specialty"], headcount=as_int(cells["headcount"], "队员人数", 1),
        leader_name=squeeze(cells["leader"]), leader_phone=cells["phone"], town_id=town,
        village_id=village_id(db, cells["village"], town, scratch), org_id=org_id(db, cells["org"], scratch),
        equipment=cells["equipment"],
        standby=as_choice(cells["standby"], "备勤等级", teams.STANDBY_LEVELS, STANDBY_ALIASES) or "日常备勤",
        status=as_choice(cells["status"], "状态", teams.STATUSES) or (existing[2] if existing else "待命"),
        meets_standard=True if meets is None else meets, insurance_expiry=insurance,
        lon=as_float(cells["lon"], "经度"), lat=as_float(cells["lat"], "纬度"), note=cells["note"])
    record = teams.validate(db, data, existing[0] if existing else None)
    leader = person(db, data.leader_name, data.leader_phone)
    if existing is None:
        return Item(None, None, data, True, name)
    old = teams.get(db, existing[0])
    changed = leader != old["leader_id"] or any(record[f] != old[f] for f in teams.FIELDS if f != "leader_id")
    return Item(existing[0], existing[1], data, changed, name)


TEAMS = Kind("teams", "应急救援队伍", TEAM_COLUMNS, _team_rows, _team_check,
             _apply_with(teams.add, teams.update), "支队伍")


# ------------------------------------------------------------------ experts

FIELD_ALIASES = {"防汛": "防汛抗旱", "三防": "防汛抗旱", "地灾": "地质灾害", "危化": "危险化学品", "危化品": "危险化学品",
                 "森林火灾": "森林防火", "森林消防": "森林防火", "医疗": "医疗救护", "医疗卫生": "医疗救护",
                 "卫生": "医疗救护", "供电": "电力", "通讯": "通信", "建筑": "建筑结构", "交通": "交通运输",
                 "地震地质": "地震", "气象灾害": "气象", "水利工程": "水利"}

EXPERT_COLUMNS = (
    Column("name", "姓名", ("专家姓名", "名字"), required=True, width=10),
    Column("phone", "联系电话", ("电话", "手机", "手机号码", "联系方式"), width=14),
    Column("field", "专业领域", ("领域", "专业", "专业类别", "专家类别", "专业方向"), required=True, width=12,
           note="、".join(experts.FIELDS_OF_WORK)),
    Column("title", "职称", ("技术职称", "职务职称", "职称职务"), width=14),
    Column("employer", "工作单位", ("单位", "所在单位", "工作单位及职务"), width=26),
    NOTE,
)


def _expert_rows(db: Database):
    ids = experts.search(db)
    found = experts.rows(db, ids)
    for i in ids:
        r = found[i]
        yield [r["name"], r["mobile"] or r["office_phone"], r["field"], r["title"], r["employer"], r["note"]]


def _expert_check(db: Database, cells: dict[str, str], scratch: dict) -> Item:
    name = squeeze(cells["name"])
    person_id = person(db, name, cells["phone"])
    once(scratch, ("expert", name, cells["phone"].replace(" ", "")), "位专家")
    data = experts.ExpertInput(
        field=as_choice(cells["field"], "专业领域", experts.FIELDS_OF_WORK, FIELD_ALIASES), name=name,
        phone=cells["phone"], person_id=person_id, title=cells["title"], employer=cells["employer"],
        note=cells["note"])
    record = experts.validate(db, data)
    existing = (db.execute("SELECT id, version FROM experts WHERE person_id = ?", [person_id]).fetchone()
                if person_id else None)
    if existing is None:
        return Item(None, None, data, True, name)
    old = experts.get(db, existing[0])
    changed = any(record[c] != old[c] for c in ("field", "title", "employer", "note"))
    return Item(existing[0], existing[1], data, changed, name)


EXPERTS = Kind("experts", "专家", EXPERT_COLUMNS, _expert_rows, _expert_check,
               _apply_with(experts.add, experts.update), "位专家")


# ------------------------------------------------------------------ equipment

KIT_ALIASES = {"卫星": "卫星通信", "卫星通讯": "卫星通信", "卫星便携站": "卫星通信", "无人飞机": "无人机",
               "应急指挥车": "指挥车", "通信指挥车": "指挥车", "单兵": "智能单兵终端", "单兵终端": "智能单兵终端",
               "单兵图传": "智能单兵终端"}
HAZARD_ALIASES = {"防汛": "防汛抗旱", "抗旱": "防汛抗旱", "低温雨雪冰冻": "低温冰冻", "冰冻": "低温冰冻",
                  "地灾": "地质灾害", "森林防火": "森林火灾", "森林消防": "森林火灾", "内涝": "城市内涝", "无": ""}

EQUIPMENT_COLUMNS = (
    Column("name", "装备名称", ("名称", "装备", "设备名称", "物资装备名称"), required=True, width=18),
    Column("kind", "装备类别", ("类别", "种类", "装备类型", "类型"), required=True, width=10,
           note="、".join(equipment.KINDS)),
    Column("hazard", "灾种配备", ("灾种", "适用灾种", "配备灾种"), width=10, note="、".join(equipment.HAZARD_KITS)),
    Column("model", "型号规格", ("规格型号", "型号", "规格", "主要参数"), width=22),
    Column("quantity", "数量", ("数目", "装备数量"), required=True, width=7),
    Column("unit", "计量单位", ("单位（台/套）", "计量"), width=8),
    Column("holder", "持有队伍或单位", ("持有单位", "持有队伍", "所属队伍", "所属单位", "存放单位", "管理单位", "使用单位"),
           required=True, width=26),
    Column("town", "存放镇（街道）", ("存放地点", "存放地", "所在镇", "乡镇", "所在镇（街道）"), width=12),
    Column("status", "装备状态", ("状态", "完好情况"), width=10, note="、".join(equipment.STATUSES)),
    Column("four", "四合一角色", ("四合一", "四合一装备"), width=12, note="、".join(equipment.FOUR_IN_ONE)),
    Column("operator", "操作员", ("操作人员", "操作人", "保管人", "责任人"), width=10),
    Column("phone", "操作员电话", ("操作员手机", "联系电话", "电话"), width=14),
    Column("call_sign", "呼号", ("通信呼号", "电台呼号"), width=14),
    NOTE,
)


def _equipment_rows(db: Database):
    ids = equipment.search(db)
    found = equipment.rows(db, ids)
    for i in ids:
        r = found[i]
        yield [r["name"], r["kind"], r["hazard_kit"], r["model"], r["quantity"], r["unit"], r["holder"], r["town"],
               r["status"], r["four_in_one"] or "", r["operator"], r["operator_phone"], r["call_sign"], r["note"]]


def _equipment_check(db: Database, cells: dict[str, str], scratch: dict) -> Item:
    holder = cells["holder"]
    once(scratch, ("equipment", cells["name"], holder, cells["call_sign"]), "项装备")
    team = teams.find(db, holder)
    unit = None if team else org_id(db, holder, scratch)
    if team is None and unit is None:
        raise ValueError(f"找不到持有队伍或单位“{holder}”")
    operator = person(db, squeeze(cells["operator"]), cells["phone"]) if cells["operator"] else None
    data = equipment.EquipmentInput(
        name=cells["name"], kind=as_choice(cells["kind"], "装备类别", equipment.KINDS),
        hazard_kit=as_choice(cells["hazard"], "灾种配备", ("",) + equipment.HAZARD_KITS, HAZARD_ALIASES) or "",
        model=cells["model"], quantity=as_int(cells["quantity"], "数量", 1), unit=cells["unit"] or "台",
        team_id=team, org_id=unit, town_id=town_id(db, cells["town"], scratch, required=False),
        status=as_choice(cells["status"], "装备状态", equipment.STATUSES) or "完好待命",
        four_in_one=as_choice(cells["four"], "四合一角色", equipment.FOUR_IN_ONE, KIT_ALIASES) or "",
        operator_id=operator, operator_name=squeeze(cells["operator"]), operator_phone=cells["phone"],
        call_sign=cells["call_sign"], note=cells["note"])
    existing_id = equipment.find(db, cells["name"], holder, cells["call_sign"])
    record = equipment.validate(db, data, existing_id)
    if existing_id is None:
        return Item(None, None, data, True, cells["name"])
    old = equipment.get(db, existing_id)
    changed = any(record[c] != old[c] for c in equipment.COLUMNS if c not in ("operator_id", "lon", "lat")) or (
        operator != old["operator_id"] if cells["operator"] else old["operator_id"] is not None)
    data.lon, data.lat = old["lon"], old["lat"]          # not in the file: keep what the map has
    return Item(existing_id, old["version"], data, changed, cells["name"])


EQUIPMENT = Kind("equipment", "装备", EQUIPMENT_COLUMNS, _equipment_rows, _equipment_check,
                 _apply_with(equipment.add, equipment.update), "项装备")


# ------------------------------------------------------------------ shelters

LEVEL_ALIASES = {"紧急": "紧急避难场所", "固定": "固定避难场所", "中心": "中心避难场所",
                 "紧急避难点": "紧急避难场所", "固定避难点": "固定避难场所", "中心避难点": "中心避难场所",
                 "Ⅲ类": "紧急避难场所", "Ⅱ类": "固定避难场所", "Ⅰ类": "中心避难场所"}
SETTING_ALIASES = {"室内外": "室内外", "室内+室外": "室内外", "室内和室外": "室内外", "综合": "室内外"}

SHELTER_COLUMNS = (
    Column("name", "场所名称", ("名称", "避难场所名称", "避难场所", "安置点名称"), required=True, width=26),
    Column("level", "场所类型", ("类型", "类别", "场所类别", "级别"), required=True, width=14,
           note="、".join(shelters.LEVELS)),
    Column("setting", "室内外", ("室内/室外", "室内或室外", "场所形式"), width=8),
    Column("area", "面积（平方米）", ("面积", "占地面积", "有效面积", "避难面积"), required=True, width=10),
    Column("capacity", "容纳人数", ("可容纳人数", "容量", "可安置人数", "容纳人数（人）"), required=True, width=10),
    TOWN, VILLAGE,
    Column("address", "地址", ("详细地址", "位置"), width=26),
    Column("manager", "管理人", ("负责人", "管理员", "联系人"), width=10),
    Column("phone", "联系电话", ("电话", "手机", "管理人电话"), width=14),
    Column("facilities", "设施", ("配套设施", "主要设施", "设施设备"), width=30),
    Column("access", "交通", ("交通情况", "进出通道", "交通状况"), width=20),
    LON, LAT, NOTE,
)


def _shelter_rows(db: Database):
    ids = shelters.search(db)
    found = shelters.rows(db, ids)
    for i in ids:
        r = found[i]
        yield [r["name"], r["level"], r["setting"], _num(r["area_m2"]), r["capacity"], r["town"], r["village"],
               r["address"], r["manager"], r["manager_phone"], r["facilities"], r["access"], _num(r["lon"]),
               _num(r["lat"]), r["note"]]


def _shelter_check(db: Database, cells: dict[str, str], scratch: dict) -> Item:
    name = cells["name"]
    once(scratch, ("shelter", name.replace(" ", "")), "处避难场所")
    existing_id = shelters.find(db, name)
    town = town_id(db, cells["town"], scratch)
    manager = person(db, squeeze(cells["manager"]), cells["phone"]) if cells["manager"] else None
    data = shelters.ShelterInput(
        name=name, level=as_choice(cells["level"], "场所类型", shelters.LEVELS, LEVEL_ALIASES),
        setting=as_choice(cells["setting"], "室内外", shelters.SETTINGS, SETTING_ALIASES) or "室内",
        area_m2=as_float(cells["area"], "面积", 1), capacity=as_int(cells["capacity"], "容纳人数", 1),
        town_id=town, village_id=village_id(db, cells["village"], town, scratch), address=cells["address"],
        manager_id=manager, manager_name=squeeze(cells["manager"]), manager_phone=cells["phone"],
        facilities=cells["facilities"], access=cells["access"], lon=as_float(cells["lon"], "经度"),
        lat=as_float(cells["lat"], "纬度"), note=cells["note"])
    record = shelters.validate(db, data, existing_id)
    if existing_id is None:
        return Item(None, None, data, True, name)
    old = shelters.get(db, existing_id)
    changed = any(record[c] != old[c] for c in shelters.COLUMNS if c != "manager_id") or (
        manager != old["manager_id"] if cells["manager"] else old["manager_id"] is not None)
    return Item(existing_id, old["version"], data, changed, name)


SHELTERS = Kind("shelters", "避难场所", SHELTER_COLUMNS, _shelter_rows, _shelter_check,
                _apply_with(shelters.add, shelters.update), "处避难场所")

KINDS = (TEAMS, EXPERTS, EQUIPMENT, SHELTERS)
