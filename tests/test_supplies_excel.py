"""Depots and supplies in and out of real .xlsx files, in the shapes bureaus send (no Qt)."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook

from nxcommand import ledger, supplies, xlsx
from nxcommand.supplies import StockQuery
from nxcommand.supplies_excel import DEPOTS, SUPPLIES


def save(path, rows, merge_title: bool = True):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    if merge_title:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[1]))
    wb.save(path)
    return path


def snapshot(db) -> tuple:
    return tuple(db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                 for t in ("depots", "supply_items", "depot_stock", "stock_movements"))


def line(db, depot: str, item: str) -> dict:
    rows = [r for r in supplies.stock_list(db, StockQuery(text=item)) if r["depot"] == depot and r["name"] == item]
    return rows[0] if rows else None


# ------------------------------------------------------------------------------ supplies

def test_export_then_import_changes_nothing(demo_db, clock, tmp_path):
    path = tmp_path / "stock.xlsx"
    assert xlsx.export(demo_db, SUPPLIES, path, clock) == 54
    header = [c.value for c in load_workbook(path).active[2]]
    assert header[:7] == ["序号", "储备库*", "物资编码*", "物资名称*", "规格型号", "单位*", "数量*"]
    before = snapshot(demo_db)
    report = xlsx.import_file(demo_db, SUPPLIES, path, clock)
    assert (report.added, report.updated, len(report.items)) == (0, 0, 54)
    assert snapshot(demo_db) == before


def test_a_bureau_sheet_moves_stock_only_through_the_ledger(demo_db, clock, tmp_path):
    path = save(tmp_path / "乌迳镇物资台账.xlsx", [
        ["乌迳镇应急物资储备点物资台账（2026年6月）"],
        ["序号", "库点", "分类编码", "品名", "规格", "计量单位", "实有数量", "最低储备", "有效期", "备注"],
        [1, "乌迳镇应急物资储备点", "３０１０１０１", "编织袋", "50×80cm", "条", "６５００", "6000", None, ""],
        [2, "乌迳镇应急物资储备点", 2010101, "救生衣", "成人 浮力≥150N", "件", 100, 80, "2027年5月31日", ""],
        [3, "乌迳镇应急物资储备点", 2020302, "救生抛投器", "", "个", "4个", 2, "2029/6/30", "新购"],
        [None, None, None, None, None, None, None, None, None, None],
        ["制表：梁少华", None, None, None, None, None, None, None, None, None],
    ])
    movements = demo_db.execute("SELECT count(*) FROM stock_movements").fetchone()[0]
    report = xlsx.import_file(demo_db, SUPPLIES, path, clock)
    assert (report.added, report.updated) == (1, 1)           # 救生衣 unchanged, skipped
    bags = line(demo_db, "乌迳镇应急物资储备点", "编织袋")
    assert (bags["quantity"], bags["minimum"]) == (6500, 6000)
    thrower = line(demo_db, "乌迳镇应急物资储备点", "救生抛投器")
    assert (thrower["quantity"], thrower["code"], thrower["expiry_date"], thrower["unit"]) == (
        4, "2020302", "2029-06-30", "个")
    new = ledger.movement_rows(demo_db, ledger.history_ids(demo_db)[:2])
    assert sorted((m["kind"], m["item"], m["quantity"], m["reason"], m["actor_name"]) for m in new.values()) == [
        ("入库", "救生抛投器", 4, "Excel导入", "Excel导入"), ("盘点", "编织袋", -500, "Excel导入", "Excel导入")]
    assert demo_db.execute("SELECT count(*) FROM stock_movements").fetchone()[0] == movements + 2
    assert ledger.verify(demo_db) == []


def test_bad_rows_are_reported_and_nothing_is_written(demo_db, clock, tmp_path):
    path = save(tmp_path / "bad.xlsx", [
        ["物资储备情况表"],
        ["序号", "储备库", "物资编码", "物资名称", "规格型号", "单位", "数量", "最低库存", "有效期至"],
        [1, "南雄市应急物资储备库", "101010", "帐篷", "", "顶", 5, None, None],
        [2, "南雄市应急物资储备库", "2010198", "救生衣", "", "件", 5, None, None],
        [3, "南雄市应急物资储备库", "1010101", "救灾单帐篷", "12平方米", "顶", -3, None, None],
        [4, "不存在的仓库", "1010101", "救灾单帐篷", "12平方米", "顶", 3, None, None],
        [5, "南雄市应急物资储备库", "1010101", "救灾单帐篷", "12平方米", "件", 3, None, None],
        [6, "南雄市应急物资储备库", "1010100", "帐篷", "", "顶", 3, None, None],
        [7, "南雄市应急物资储备库", "1020101", "棉被", "150×200cm 2kg", "床", 1000, None, "明年"],
        [8, "南雄市应急物资储备库", "1020101", "棉被", "150×200cm 2kg", "床", 1000, None, None],
        [9, "南雄市应急物资储备库", "1020102", "毛毯", "150×200cm", "条", None, None, None],
        [10, "南雄市应急物资储备库", "1020201", "棉大衣", "军绿 均码", "件", 390, None, None],
    ])
    before = snapshot(demo_db)
    report = xlsx.dry_run(demo_db, SUPPLIES, path)
    errors = {e.row: e.message for e in report.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "物资编码须为7位数字" in errors[3]
    assert "编码 2010198 不在分类目录中" in errors[4]
    assert "「数量」不能小于 0" in errors[5]
    assert "找不到储备库“不存在的仓库”" in errors[6]
    assert "已登记为“顶”" in errors[7]
    assert "须为第4级" in errors[8]
    assert "「有效期至」“明年”不是日期" in errors[9]
    assert errors[10] == "与第 9 行是同一储备库的同一物资"
    assert "缺少「数量」" in errors[11]
    assert len(report.items) == 1                                            # row 12 is fine
    with pytest.raises(xlsx.ImportRefused):
        xlsx.import_file(demo_db, SUPPLIES, path, clock)
    assert snapshot(demo_db) == before


def test_the_same_line_twice_in_a_file_is_refused(demo_db, tmp_path):
    path = save(tmp_path / "dup.xlsx", [
        ["物资"],
        ["储备库", "物资编码", "物资名称", "规格型号", "单位", "数量"],
        ["珠玑镇应急物资储备点", "2010101", "救生衣", "成人 浮力≥150N", "件", 70],
        ["珠玑镇应急物资储备点", "2010101", "救生衣", "成人 浮力≥150N", "件", 75],
    ])
    report = xlsx.dry_run(demo_db, SUPPLIES, path)
    assert [str(e) for e in report.errors] == ["第 4 行：与第 3 行是同一储备库的同一物资"]


def test_a_new_item_in_two_depots_is_registered_once(demo_db, clock, tmp_path):
    path = save(tmp_path / "new.xlsx", [
        ["新购物资"],
        ["储备库", "物资编码", "物资名称", "规格型号", "单位", "数量"],
        ["珠玑镇应急物资储备点", "2040303", "头灯", "锂电", "只", 30],
        ["帽子峰镇应急物资储备点", "2040303", "头灯", "锂电", "只", 20],
    ])
    report = xlsx.import_file(demo_db, SUPPLIES, path, clock)
    assert (report.added, report.updated) == (2, 0)
    assert demo_db.execute("SELECT count(*) FROM supply_items WHERE name = '头灯'").fetchone()[0] == 1
    assert ledger.verify(demo_db) == []


# ------------------------------------------------------------------------------- depots

def test_depots_round_trip_and_bureau_shape(demo_db, clock, tmp_path):
    out = tmp_path / "depots.xlsx"
    assert xlsx.export(demo_db, DEPOTS, out, clock) == 7
    before = snapshot(demo_db)
    report = xlsx.import_file(demo_db, DEPOTS, out, clock)
    assert (report.added, report.updated) == (0, 0) and snapshot(demo_db) == before

    path = save(tmp_path / "库点.xlsx", [
        ["南雄市应急物资储备库（点）一览表"],
        ["序号", "库点名称", "层级", "性质", "承储企业", "乡镇", "村居", "详细地址", "负责人", "电话", "面积"],
        [1, "界址镇应急物资储备点", "镇级", "政府", "", "界址", "", "界址镇人民政府", "卢金凤", "5557030", "80㎡"],
        [2, "塘东村应急物资储备点", "村", "社会", "", "界址镇", "塘东", "村委会", "", "", ""],
        [3, "雄兴百货超市代储点", "县级", "代储", "南雄市雄兴百货有限公司", "雄州街道", "", "永康路88号",
         "", "0751-5557002", "300"],
    ])
    report = xlsx.import_file(demo_db, DEPOTS, path, clock)
    assert (report.added, report.updated) == (2, 1)
    depots = {d["name"]: d for d in supplies.depots(demo_db)}
    jz = depots["界址镇应急物资储备点"]
    assert (jz["level"], jz["town"], jz["keeper"], jz["phone"], jz["area_m2"]) == (
        "乡镇级", "界址镇", "卢金凤", "0751-5557030", 80.0)
    assert (depots["塘东村应急物资储备点"]["village"], depots["塘东村应急物资储备点"]["ownership"]) == (
        "塘东村", "社会储备")
    assert depots["雄兴百货超市代储点"]["address"] == "永康路88号"


def test_bad_depot_rows(demo_db, tmp_path):
    path = save(tmp_path / "bad_depots.xlsx", [
        ["储备库"],
        ["储备库名称", "级别", "储备方式", "代储企业", "所在镇（街道）", "所在村（社区）", "保管员"],
        ["甲代储点", "县级", "企业代储", "", "", "", ""],
        ["乙点", "乡镇级", "", "", "", "", ""],
        ["丙点", "省级", "", "", "", "", ""],
        ["丁点", "乡镇级", "", "", "火星镇", "", ""],
        ["戊点", "县级", "", "", "", "", "查无此人"],
        ["己点", "村级", "", "", "乌迳镇", "塘东村", ""],
    ])
    errors = [str(e) for e in xlsx.dry_run(demo_db, DEPOTS, path).errors]
    assert errors == [
        "第 3 行：企业代储的储备库须填写代储企业",
        "第 4 行：乡镇级储备库须选择所在镇（街道）",
        "第 5 行：「级别」“省级”不是可选值（可选：县级、乡镇级、村级）",
        "第 6 行：找不到镇（街道）“火星镇”",
        "第 7 行：保管员“查无此人”不在通讯录中（请先登记该联系人）",
        "第 8 行：所在镇（街道）下找不到村（社区）“塘东村”",
    ]


def test_template_has_the_headers_the_import_reads(tmp_path, demo_db):
    path = xlsx.write_template(demo_db, SUPPLIES, tmp_path / "t.xlsx")
    assert [c.value for c in load_workbook(path).active[2]][1:] == [
        c.header + ("*" if c.required else "") for c in SUPPLIES.columns]
