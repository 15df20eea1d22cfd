"""The demo responses' name lists: the 油山镇 flash flood (live) — the three people trapped
on a roof and rescued, the villager missing then found with light injuries, families moved to
the shelters — and two households moved away from yesterday's 乌迳镇 landslide (ended this
morning, so its purge date shows). Every name, 身份证号 and phone is invented; the numbers
carry 南雄市's area code and a valid check digit. Entered through nxcommand.personal."""

from __future__ import annotations

from sqlite_utils import Database

from . import id_numbers, personal, session
from .clock import Clock

AREA = "440282"          # 南雄市


def demo_id(birth: str, serial: int) -> str:
    """An invented 身份证号 for a birth date 'YYYYMMDD' and a three-digit serial (odd: 男)."""
    first = f"{AREA}{birth}{serial:03d}"
    return first + id_numbers.check_char(first)


# kind, name, birth, serial, phone, village, address, status, shelter/hospital, next of kin, notes
FLOOD = (
    ("被困", "黄石生", "19580417", 315, "13900600101", "上朔村", "3组12号", "已救出", "", "黄冬梅（女儿）13900600102",
     "与妻子一同被困屋顶，消防救援人员冲锋舟救出"),
    ("被困", "何凤娇", "19610923", 326, "", "上朔村", "3组12号", "已救出", "", "黄冬梅（女儿）13900600102", ""),
    ("被困", "黄伟强", "19870605", 311, "13900600103", "上朔村", "3组15号", "已救出", "", "", "返回屋内转移财物时被困"),
    ("失联", "李观福", "19700212", 357, "13900600104", "上朔村", "5组2号", "已找到", "", "李美华（妻子）13900600105",
     "于大兰坑村下游找到，受轻伤送医"),
    ("受伤", "李观福", "19700212", 357, "13900600104", "上朔村", "5组2号", "在院治疗", "南雄市人民医院",
     "李美华（妻子）13900600105", "即失联人员，左小腿擦伤，留院观察"),
    ("转移安置", "黄冬梅", "19850830", 324, "13900600102", "上朔村", "3组12号", "集中安置", "油山镇文化站避难点", "", ""),
    ("转移安置", "刘春兰", "19440126", 342, "", "上朔村", "1组7号", "集中安置", "油山镇文化站避难点",
     "刘志明（儿子）13900600106", "独居老人，行动不便，由村干部背出"),
    ("转移安置", "叶金华", "19760711", 339, "13900600107", "大兰坑村", "4组21号", "集中安置",
     "油山镇大兰坑村小学避难点", "", "全家4人"),
    ("转移安置", "叶小燕", "20140302", 348, "", "大兰坑村", "4组21号", "集中安置", "油山镇大兰坑村小学避难点",
     "叶金华（父亲）13900600107", ""),
    ("转移安置", "邱永庆", "19520918", 373, "13900600108", "大兰坑村", "2组9号", "投亲靠友", "",
     "邱丽芳（女儿）13900600109", "投靠雄州街道女儿家"),
)
LANDSLIDE = (
    ("转移安置", "朱荣发", "19630524", 391, "13900600110", "松木塘村", "后山6组3号", "已返家", "乌迳镇松木塘村祠堂避难点",
     "", "坡体稳定后于今晨返家"),
    ("转移安置", "朱桂英", "19660108", 382, "", "松木塘村", "后山6组3号", "已返家", "乌迳镇松木塘村祠堂避难点",
     "朱荣发（丈夫）13900600110", ""),
)


def _one(db: Database, sql: str, params: list) -> int | None:
    row = db.execute(sql, params).fetchone()
    return row[0] if row else None


def _load(db: Database, response_id: int, town: str, entries: tuple, clock: Clock) -> None:
    town_id = _one(db, "SELECT id FROM admin_units WHERE name = ? AND level = 'town'", [town])
    for kind, name, birth, serial, phone, village, address, status, care, kin, notes in entries:
        shelter = _one(db, "SELECT id FROM shelters WHERE name = ?", [care]) if care.endswith("避难点") else None
        personal.add(db, response_id, personal.PersonInput(
            kind=kind, name=name, id_number=demo_id(birth, serial), phone=phone, town_id=town_id,
            village_id=_one(db, "SELECT id FROM admin_units WHERE parent_id = ? AND name = ?", [town_id, village]),
            address=address, status=status, shelter_id=shelter, hospital="" if shelter else care,
            next_of_kin=kin, notes=notes), clock)


def load_demo_people(db: Database, clock: Clock) -> None:
    with session.acting(db, session.system("演示数据")):
        for town, entries in (("油山镇", FLOOD), ("乌迳镇", LANDSLIDE)):
            rid = _one(db, "SELECT r.id FROM responses r JOIN events e ON e.id = r.event_id "
                           "JOIN admin_units t ON t.id = e.town_id WHERE t.name = ? AND r.is_drill = 0 "
                           "ORDER BY r.started_at DESC", [town])
            if rid is not None:
                _load(db, rid, town, entries, clock)
