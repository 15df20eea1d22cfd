"""Supply codes, the category catalogue, depots, items, stock terms, queries, alerts and the
demo's depots (no Qt)."""

from __future__ import annotations

from datetime import date

import pytest

from nxcommand import ledger, supplies
from nxcommand.alerts import Alert
from nxcommand.errors import ValidationError
from nxcommand.supplies import DepotInput, ItemInput, StockQuery

TODAY = date(2026, 7, 1)


def town(db, name):
    return db.execute("SELECT id FROM admin_units WHERE name = ?", [name]).fetchone()[0]


def person(db, name):
    return db.execute("SELECT id FROM people WHERE name = ?", [name]).fetchone()[0]


# ------------------------------------------------------------------------------ codes

@pytest.mark.parametrize("code, message", [
    ("101010", "物资编码须为7位数字"),
    ("10101011", "物资编码须为7位数字"),
    ("4010101", "物资编码须为7位数字"),
    ("0010101", "物资编码须为7位数字"),
    ("1O10101", "物资编码须为7位数字"),
    ("1010100", "须为第4级"),
    ("1000000", "须为第4级"),
    ("1000101", "须为第4级"),          # an empty level above a filled one
])
def test_malformed_codes_are_refused(code, message):
    with pytest.raises(ValidationError, match=message):
        supplies.validate_code(code)


def test_code_must_exist_in_the_catalogue(empty_db):
    assert supplies.validate_code("１０１０１０１", empty_db) == "1010101"   # full-width digits
    with pytest.raises(ValidationError, match="编码 2010198 不在分类目录中"):
        supplies.validate_code("2010198", empty_db)


def test_level_one_is_the_standards_and_every_level_has_a_catch_all(empty_db):
    rows = {r["code"]: r for r in supplies.category_tree(empty_db)}
    assert {c: r["name"] for c, r in rows.items() if r["level"] == 1} == {
        "1000000": "基本生活保障物资", "2000000": "应急装备及配套物资", "3000000": "工程材料与机械加工设备"}
    for top in "123":
        assert f"{top}990000" in rows and f"{top}999900" in rows and f"{top}999999" in rows
    for code, row in rows.items():            # every code extends its parent's
        if row["level"] > 1:
            assert row["parent_code"] == supplies.parent_code(code)
            assert code.startswith(supplies.category_prefix(row["parent_code"]))


def test_category_path(empty_db):
    assert supplies.category_path(empty_db, "2030101") == [
        ("2000000", "应急装备及配套物资"), ("2030000", "森林灭火装备"),
        ("2030100", "灭火机具"), ("2030101", "风力灭火机")]


def test_administrator_adds_a_category(empty_db):
    supplies.add_category(empty_db, "2030104", "点火器")
    assert supplies.category_path(empty_db, "2030104")[-1] == ("2030104", "点火器")
    supplies.validate_code("2030104", empty_db)
    supplies.add_category(empty_db, "2060000", "医疗救护装备")
    supplies.add_category(empty_db, "2060100", "急救器材")
    assert supplies.add_category(empty_db, "2060101", "担架") == "2060101"
    with pytest.raises(ValidationError, match="上级类目 2070000 不在分类目录中"):
        supplies.add_category(empty_db, "2070100", "无父类目")
    with pytest.raises(ValidationError, match="已存在"):
        supplies.add_category(empty_db, "2030101", "重复")
    with pytest.raises(ValidationError, match="第1级类目由国家标准规定"):
        supplies.add_category(empty_db, "3000000", "工程")
    with pytest.raises(ValidationError, match="分类编码须为7位数字"):
        supplies.add_category(empty_db, "2000100", "跳级")


def test_the_database_refuses_an_inconsistent_category(empty_db):
    import sqlite3
    with pytest.raises(sqlite3.IntegrityError):
        empty_db.execute("INSERT INTO supply_categories (code, name, parent_code, level) "
                         "VALUES ('2030105', '错父类', '2030000', 4)")


# ----------------------------------------------------------------------------- depots

def test_depot_rules(demo_db, clock):
    wj = town(demo_db, "乌迳镇")
    with pytest.raises(ValidationError, match="已存在"):
        supplies.add_depot(demo_db, DepotInput("南雄市应急物资储备库", "县级"), clock)
    with pytest.raises(ValidationError, match="须填写代储企业"):
        supplies.add_depot(demo_db, DepotInput("某代储点", "县级", "企业代储"), clock)
    with pytest.raises(ValidationError, match="乡镇级储备库须选择所在镇"):
        supplies.add_depot(demo_db, DepotInput("某镇点", "乡镇级"), clock)
    with pytest.raises(ValidationError, match="村级储备点须选择所在村"):
        supplies.add_depot(demo_db, DepotInput("某村点", "村级", town_id=wj), clock)
    other_village = demo_db.execute("SELECT id FROM admin_units WHERE name = '岭背村'").fetchone()[0]
    with pytest.raises(ValidationError, match="岭背村不属于乌迳镇"):
        supplies.add_depot(demo_db, DepotInput("某村点", "村级", town_id=wj, village_id=other_village), clock)
    with pytest.raises(ValidationError, match="级别只能是"):
        supplies.add_depot(demo_db, DepotInput("某点", "省级"), clock)
    with pytest.raises(ValidationError, match="经度和纬度须同时填写"):
        supplies.add_depot(demo_db, DepotInput("某点", "县级", lon=114.3), clock)
    depot_id = supplies.add_depot(demo_db, DepotInput(
        " 界址镇应急物资储备点 ", "乡镇级", town_id=town(demo_db, "界址镇"),
        keeper_id=person(demo_db, "卢金凤"), phone="5557020"), clock)
    depot = supplies.get_depot(demo_db, depot_id)
    assert (depot["name"], depot["town"], depot["keeper"], depot["phone"]) == (
        "界址镇应急物资储备点", "界址镇", "卢金凤", "0751-5557020")


def test_depot_edit_detects_a_conflict(demo_db, clock):
    depot = supplies.get_depot(demo_db, supplies.find_depot(demo_db, "珠玑镇应急物资储备点"))
    data = DepotInput(depot["name"], depot["level"], depot["ownership"], town_id=depot["town_id"],
                      address="珠玑镇新址", keeper_id=depot["keeper_id"])
    supplies.update_depot(demo_db, depot["id"], data, expected_version=depot["version"], clock=clock)
    assert supplies.get_depot(demo_db, depot["id"])["address"] == "珠玑镇新址"
    with pytest.raises(ValidationError, match="已被他人修改"):
        supplies.update_depot(demo_db, depot["id"], data, expected_version=depot["version"], clock=clock)


# ------------------------------------------------------------------------------ items

def test_items_need_a_catalogued_level_four_code(empty_db, clock):
    with pytest.raises(ValidationError, match="须为第4级"):
        supplies.add_item(empty_db, ItemInput("1010100", "帐篷", "顶"), clock)
    with pytest.raises(ValidationError, match="不在分类目录中"):
        supplies.add_item(empty_db, ItemInput("1010198", "帐篷", "顶"), clock)
    with pytest.raises(ValidationError, match="请填写计量单位"):
        supplies.add_item(empty_db, ItemInput("1010101", "帐篷", ""), clock)
    item_id = supplies.add_item(empty_db, ItemInput("1010101", "救灾帐篷", "顶", "12平方米"), clock)
    with pytest.raises(ValidationError, match="已登记"):
        supplies.add_item(empty_db, ItemInput("1010101", "救灾帐篷", "顶", "12平方米"), clock)
    supplies.add_item(empty_db, ItemInput("1010101", "救灾帐篷", "顶", "36平方米"), clock)
    assert supplies.find_item(empty_db, "1010101", "救灾帐篷", "12平方米") == item_id


# ------------------------------------------------------------------- stock terms, queries

def test_stock_terms_never_touch_the_quantity(demo_db, clock):
    depot = supplies.find_depot(demo_db, "珠玑镇应急物资储备点")
    item = demo_db.execute("SELECT id FROM supply_items WHERE name = '救生衣'").fetchone()[0]
    before = supplies.get_stock(demo_db, supplies.stock_id(demo_db, depot, item))
    supplies.set_stock_terms(demo_db, depot, item, minimum=50, expiry_date="2027/5/1",
                             rotation_date="", location="二楼", clock=clock)
    after = supplies.get_stock(demo_db, before["id"])
    assert (after["quantity"], after["minimum"], after["expiry_date"], after["rotation_date"],
            after["location"]) == (before["quantity"], 50, "2027-05-01", None, "二楼")
    with pytest.raises(ValidationError, match="有效期至应为"):
        supplies.set_stock_terms(demo_db, depot, item, expiry_date="明年", clock=clock)
    with pytest.raises(ValidationError, match="最低库存须为不小于0的整数"):
        supplies.set_stock_terms(demo_db, depot, item, minimum=-1, clock=clock)
    with pytest.raises(ValidationError, match="已被他人修改"):
        supplies.set_stock_terms(demo_db, depot, item, minimum=1, expected_version=before["version"],
                                 clock=clock)


def test_stock_filters(demo_db):
    county = supplies.find_depot(demo_db, "南雄市应急物资储备库")
    all_rows = supplies.stock_list(demo_db)
    assert len(all_rows) == 54
    in_county = supplies.stock_list(demo_db, StockQuery(depot_id=county))
    assert {r["depot"] for r in in_county} == {"南雄市应急物资储备库"} and len(in_county) == 28
    forest = supplies.stock_list(demo_db, StockQuery(code_prefix="2030000"))
    assert {r["name"] for r in forest} == {"风力灭火机", "二号工具"}
    assert supplies.stock_list(demo_db, StockQuery(code_prefix="203")) == forest
    assert {r["depot"] for r in supplies.stock_list(demo_db, StockQuery(text="编织袋 村"))} == {
        "松木塘村应急物资储备点", "岭背村应急物资储备点"}
    below = supplies.stock_list(demo_db, StockQuery(below_minimum=True))
    assert sorted((r["depot"], r["name"]) for r in below) == [
        ("帽子峰镇应急物资储备点", "风力灭火机"), ("松木塘村应急物资储备点", "强光搜索灯"),
        ("珠玑镇应急物资储备点", "救生衣")]
    expiring = supplies.stock_list(demo_db, StockQuery(expiring_days=30, today=TODAY))
    assert sorted((r["depot"], r["name"]) for r in expiring) == [
        ("珠玑镇应急物资储备点", "救生衣"), ("雄兴百货超市代储点", "瓶装饮用水")]


def test_totals_add_up_only_within_an_item(demo_db):
    totals = {r["name"]: r for r in supplies.totals_by_item(demo_db)}
    bags = totals["编织袋"]
    assert bags["unit"] == "条" and bags["depots"] == 5
    assert bags["quantity"] == sum(r["quantity"] for r in supplies.stock_list(
        demo_db, StockQuery(text="编织袋")))


def test_stock_vs_minimum_rows(demo_db):
    by_depot = {r["label"]: r for r in supplies.stock_vs_minimum(demo_db, by="depot")}
    assert by_depot["珠玑镇应急物资储备点"]["below"] == 1
    assert by_depot["南雄市应急物资储备库"]["coverage"] == 1.0
    assert next(iter(by_depot)) == "南雄市应急物资储备库"         # county first
    mz = by_depot["帽子峰镇应急物资储备点"]
    assert mz["lines"] == 5 and mz["coverage"] == pytest.approx((4 + 16 / 20) / 5, abs=1e-4)
    by_cat = {r["key"]: r for r in supplies.stock_vs_minimum(demo_db, by="category")}
    assert by_cat["2030000"]["label"] == "森林灭火装备" and by_cat["2030000"]["below"] == 1
    with pytest.raises(ValueError):
        supplies.stock_vs_minimum(demo_db, by="town")


def test_expiry_timeline_is_by_date_and_keeps_past_dates(demo_db):
    rows = supplies.expiry_timeline(demo_db, TODAY)
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    first = rows[0]
    assert (first["item"], first["depot"], first["kind"], first["days_left"], first["quantity"]) == (
        "瓶装饮用水", "雄兴百货超市代储点", "轮换", -11, 1500)
    assert max(r["date"] for r in rows).year == 2028


def test_alerts(demo_db):
    found = supplies.alerts(demo_db, TODAY)
    assert all(isinstance(a, Alert) and a.ref[0] == "stock" for a in found)
    kinds = sorted((a.kind, a.subject) for a in found)
    assert kinds == [
        ("库存不足", "帽子峰镇应急物资储备点：风力灭火机"),
        ("库存不足", "松木塘村应急物资储备点：强光搜索灯"),
        ("库存不足", "珠玑镇应急物资储备点：救生衣"),
        ("物资轮换", "雄兴百货超市代储点：瓶装饮用水"),
        ("物资过期", "珠玑镇应急物资储备点：救生衣"),
        ("物资过期", "雄兴百货超市代储点：瓶装饮用水"),
    ]
    rotation = next(a for a in found if a.kind == "物资轮换")
    assert rotation.overdue and rotation.due == date(2026, 6, 20)
    assert "已过轮换日期 11 天" in rotation.message
    shortage = next(a for a in found if a.subject.endswith("强光搜索灯"))
    assert shortage.due is None and "库存 3只，低于最低库存 5只" in shortage.message
    # a wider window warns of more
    demo_db.execute("INSERT INTO meta (key, value) VALUES ('alert_window_days', '200')")
    assert len(supplies.alerts(demo_db, TODAY)) > len(found)


def test_the_demo_ledger_is_consistent_and_has_history(demo_db):
    assert ledger.verify(demo_db) == []
    kinds = dict(demo_db.execute("SELECT kind, count(*) FROM stock_movements GROUP BY kind").fetchall())
    assert set(kinds) == {"入库", "出库", "调拨", "盘点"}
    depots = {d["name"]: d for d in supplies.depots(demo_db)}
    assert {d["level"] for d in depots.values()} == {"县级", "乡镇级", "村级"}
    assert depots["雄兴百货超市代储点"]["holder"] == "南雄市雄兴百货有限公司"
    assert all(d["lon"] is not None for d in depots.values())
    village = depots["松木塘村应急物资储备点"]
    assert (village["town"], village["village"], village["keeper"]) == ("乌迳镇", "松木塘村", "郭庆丰")
    items = supplies.items(demo_db)
    assert len(items) >= 25 and {i["code"][0] for i in items} == {"1", "2", "3"}
