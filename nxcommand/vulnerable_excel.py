"""特殊群体临灾转移台账 (每村一台账) as an Excel register (engine: ``xlsx``).

One row per person: town, village, name, category, special needs, the transfer contact and
phone (每户一对接), route and destination shelter. Natural key: name within the village; rows
equal to what is stored are left alone, so importing an export changes nothing. Address and
note are not in the file and are kept as stored.

The village is found within the town when the town is given; without a town it must be a
village name used only once in the county. The contact is a directory person found by name
and phone (``resources.find_person``) and added at import time when new (filed under the
village committee, ``vulnerable.add``/``update``). The shelter is found by its name.

A row without a contact is refused (an import never creates a gap), except for a person
already on the register without one: that row stays as it is, still flagged in the register.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from . import resources, shelters, vulnerable
from .clock import Clock
from .resources_excel import squeeze, town_id
from .text import digits
from .xlsx import Column, Kind, as_choice

CATEGORY_ALIASES = {
    "独居": "独居老人", "空巢老人": "独居老人", "孤寡老人": "独居老人", "留守老人": "独居老人", "高龄老人": "独居老人",
    "独居老年人": "独居老人", "五保老人": "独居老人", "老人": "独居老人",
    "留守": "留守儿童", "困境儿童": "留守儿童", "儿童": "留守儿童",
    "残疾": "残疾人", "残障": "残疾人", "残障人士": "残疾人", "残疾人士": "残疾人", "肢体残疾": "残疾人",
    "视力残疾": "残疾人", "听力残疾": "残疾人", "智力残疾": "残疾人", "精神残疾": "残疾人",
    "孕妇": "孕产妇", "产妇": "孕产妇",
    "重病": "重病患者", "重症患者": "重病患者", "大病患者": "重病患者", "病患": "重病患者", "患病": "重病患者",
    "卧床": "重病患者", "长期卧床": "重病患者", "卧床病人": "重病患者", "重病人员": "重病患者",
}

COLUMNS = (
    Column("town", "镇（街道）", ("所在镇（街道）", "所在镇", "乡镇", "所属乡镇", "镇街", "乡镇（街道）", "所在乡镇", "镇"),
           width=12, note="同名的村在多个镇（街道）都有时必填"),
    Column("village", "村（社区）", ("所在村", "村居", "村", "村（居）", "所在村（社区）", "村名", "村（居）委会", "所属村"),
           required=True, width=12),
    Column("name", "姓名", ("人员姓名", "转移对象", "转移对象姓名", "特殊群体姓名", "群众姓名"), required=True, width=10),
    Column("category", "类别", ("人员类别", "类型", "人员类型", "群体类别", "特殊群体类别", "对象类别"), required=True,
           width=10, note="、".join(vulnerable.CATEGORIES)),
    Column("needs", "特殊需求", ("需求", "特殊情况", "身体状况", "基本情况", "转移需求", "帮扶需求"), width=24),
    # Required for every new entry, so the header carries the star; not engine-required
    # because a person already registered without a contact may stay so (see _check).
    Column("contact", "对接人*", ("对接人", "结对帮扶人", "转移责任人", "联系人", "帮扶人", "责任人", "包保责任人",
                                "包保人", "对接干部", "对接人姓名", "转移责任人姓名", "结对帮扶人姓名", "责任人姓名",
                                "联系人姓名"),
           width=10, note="每户一对接：通讯录中的人按姓名和电话查找，新人须填手机号"),
    Column("phone", "对接人电话", ("联系电话", "电话", "手机", "对接人手机", "对接人联系电话", "责任人电话",
                                "转移责任人电话", "转移责任人联系电话", "结对帮扶人电话", "结对帮扶人联系电话",
                                "帮扶人电话", "联系人电话"), width=14),
    Column("route", "转移路线", ("撤离路线", "避险路线", "转移线路", "撤离线路", "转移撤离路线"), width=30),
    Column("shelter", "安置场所", ("安置点", "避险场所", "避难场所", "安置地点", "转移安置点", "临时安置点",
                               "集中安置点", "避险安置点", "转移地点"), width=26, note="避难场所登记中的场所名称"),
)


@dataclass
class Item:
    record_id: int | None       # None: new
    version: int | None
    data: vulnerable.PersonInput
    changed: bool
    name: str

    def describe(self) -> str:
        return f"{self.name}（{'新增' if self.record_id is None else '更新' if self.changed else '无变化'}）"


def _villages(db: Database, scratch: dict) -> dict[str, list[tuple[int, int, str]]]:
    """Every village by its name and its name without 村/社区: [(id, town id, town name)]."""
    if "villages_by_name" not in scratch:
        names: dict[str, list[tuple[int, int, str]]] = {}
        for r in db.query("SELECT v.id, v.name, t.id AS town_id, t.name AS town FROM admin_units v "
                          "JOIN admin_units t ON t.id = v.parent_id WHERE v.level = 'village' ORDER BY t.id, v.id"):
            entry = (r["id"], r["town_id"], r["town"])
            names.setdefault(r["name"], []).append(entry)
            for suffix in ("社区", "村"):
                if r["name"].endswith(suffix) and len(r["name"]) > len(suffix) + 1:
                    short = names.setdefault(r["name"][:-len(suffix)], [])
                    if entry not in short:
                        short.append(entry)
        scratch["villages_by_name"] = names
    return scratch["villages_by_name"]


def village_id(db: Database, village: str, town: str, scratch: dict) -> int:
    """The village named, within the town when one is given; ValueError naming the towns when
    the name is used in several and no town is given."""
    found = _villages(db, scratch).get(village.replace(" ", ""), [])
    if town:
        tid = town_id(db, town, scratch)
        found = [f for f in found if f[1] == tid]
        if not found:
            raise ValueError(f"{town}下没有村（社区）“{village}”")
    if not found:
        raise ValueError(f"找不到村（社区）“{village}”")
    if len(found) > 1:
        towns = "、".join(f[2] for f in found)
        raise ValueError(f"村（社区）“{village}”在多个镇（街道）都有（{towns}），请填写「镇（街道）」")
    return found[0][0]


def _rows(db: Database):
    ids = vulnerable.search(db)
    found = vulnerable.rows(db, ids)
    for i in ids:
        r = found[i]
        yield [r["town"], r["village"], r["name"], r["category"], r["needs"], r["contact"], r["contact_phone"],
               r["route"], r["shelter"]]


def _contact(db: Database, cells: dict[str, str], scratch: dict) -> int | None:
    """The contact's directory id, or None for one the import will add; a new contact's mobile
    may not be given to two different names in one file."""
    name = squeeze(cells["contact"])
    found = resources.find_person(db, name, cells["phone"])
    if found is None:
        new = scratch.setdefault("new_contacts", {})
        number = digits(cells["phone"])
        other = new.setdefault(number, (name, scratch["row"]))
        if other[0] != name:
            raise ValueError(f"对接人电话 {cells['phone']} 在第 {other[1]} 行属于“{other[0]}”")
    return found


def _check(db: Database, cells: dict[str, str], scratch: dict) -> Item:
    name = squeeze(cells["name"])
    village = village_id(db, cells["village"], cells["town"], scratch)
    seen = scratch.setdefault("seen", {})
    if (village, name) in seen:
        raise ValueError(f"与第 {seen[(village, name)]} 行是同一人（同村同名）")
    seen[(village, name)] = scratch["row"]
    category = as_choice(cells["category"], "类别", vulnerable.CATEGORIES, CATEGORY_ALIASES)
    shelter = None
    if cells["shelter"]:
        shelter = shelters.find(db, cells["shelter"])
        if shelter is None:
            raise ValueError(f"找不到安置场所“{cells['shelter']}”（请先在避难场所中登记，或改用已登记的场所名称）")
    existing = db.execute("SELECT id, version FROM vulnerable_people WHERE village_id = ? AND name = ? "
                          "ORDER BY id LIMIT 1", [village, name]).fetchone()
    old = vulnerable.get(db, existing[0]) if existing else None
    if cells["contact"]:
        contact = _contact(db, cells, scratch)
    elif old is not None and old["contact_id"] is None:
        contact = None                       # an existing gap stays a gap (still flagged)
    else:
        raise ValueError("缺少「对接人」（每户一对接：须填写转移对接人）")
    data = vulnerable.PersonInput(
        name=name, village_id=village, category=category, needs=cells["needs"], contact_id=contact,
        contact_name=squeeze(cells["contact"]), contact_phone=cells["phone"], route=cells["route"],
        shelter_id=shelter)
    if old is not None:
        data.address, data.note = old["address"], old["note"]     # not in the file
    record = vulnerable.validate(db, data)
    if old is None:
        return Item(None, None, data, True, name)
    changed = (bool(cells["contact"]) and contact != old["contact_id"]) or any(
        record[c] != old[c] for c in ("category", "needs", "route", "shelter_id"))
    return Item(old["id"], old["version"], data, changed, name)


def _apply(db: Database, items: list[Item], clock: Clock) -> tuple[int, int]:
    added = updated = 0
    for item in items:
        if item.record_id is None:
            vulnerable.add(db, item.data, clock)
            added += 1
        elif item.changed:
            vulnerable.update(db, item.record_id, item.data, expected_version=item.version, clock=clock)
            updated += 1
    return added, updated


VULNERABLE = Kind("vulnerable", "特殊群体转移台账", COLUMNS, _rows, _check, _apply, "人")
