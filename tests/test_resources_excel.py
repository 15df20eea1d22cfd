"""Teams, experts, equipment and shelters in Excel: real .xlsx files in the shapes bureaus
send (title row, 序号, merged header, full-width digits, trailing blank rows), bad rows
reported by row number with nothing written, and exports that import back unchanged."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from nxcommand import contacts, equipment, experts, shelters, teams, xlsx
from nxcommand.resources_excel import EQUIPMENT, EXPERTS, KINDS, SHELTERS, TEAMS


def bureau_sheet(path, title: str, header: list[str], rows: list[list], merged_header: bool = False):
    """Title row merged across, optional two-row header, a 序号 column, blank rows at the end."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header) + 1)
    if merged_header:
        ws.append(["序号", *header])
        ws.append(["", *header])
        for c in range(1, len(header) + 2):
            ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    else:
        ws.append(["序号", *header])
    for n, row in enumerate(rows, start=1):
        ws.append([n, *row])
    ws.append([])
    ws.append([None, None])
    ws.append(["填表人：某某", None])
    wb.save(path)
    return path


def table_counts(db) -> tuple:
    return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("teams", "experts", "equipment", "shelters", "people"))


TEAM_HEADER = ["队伍名称", "类型", "专业", "人数", "队长", "联系电话（手机）", "所属乡镇", "村", "保险有效期", "达标情况", "备注"]


def test_team_sheet_as_a_town_sends_it(demo_db, clock, tmp_path):
    path = bureau_sheet(tmp_path / "teams.xlsx", "南雄市基层应急救援队伍统计表（2026年）", TEAM_HEADER, [
        ["南亩镇鱼鲜村应急分队", "村级", "综合", "８人", "甘 永福", "139 0099 0101", "南亩", "鱼鲜", "2027年3月1日", "达标", ""],
        ["南亩镇应急救援队", "基层队伍", "综合", 40, "甘石坚", "13900990102", "南亩镇", "", "2027/6/30", "√", "扩编"],
    ], merged_header=True)
    report = xlsx.dry_run(demo_db, TEAMS, path)
    assert report.errors == [] and [i.record_id is None for i in report.items] == [True, False]
    done = xlsx.import_file(demo_db, TEAMS, path, clock)
    assert (done.added, done.updated) == (1, 1)
    new = teams.get(demo_db, teams.find(demo_db, "南亩镇鱼鲜村应急分队"))
    assert (new["headcount"], new["town"], new["village"], new["insurance_expiry"]) == (8, "南亩镇", "鱼鲜村", "2027-03-01")
    assert (new["leader"], new["leader_phone"], new["kind"]) == ("甘永福", "13900990101", "基层")
    assert "队伍负责人" in contacts.get(demo_db, new["leader_id"])["role_list"]
    town_team = teams.get(demo_db, teams.find(demo_db, "南亩镇应急救援队"))
    assert (town_team["headcount"], town_team["leader"], town_team["note"]) == (40, "甘石坚", "扩编")


def test_bad_rows_are_named_and_nothing_is_written(demo_db, clock, tmp_path):
    path = bureau_sheet(tmp_path / "bad.xlsx", "队伍统计表", TEAM_HEADER, [
        ["甲队", "基层", "综合", 10, "甘一", "13900990201", "南亩镇", "", "", "是", ""],        # good
        ["乙队", "专职队", "综合", 10, "甘二", "13900990202", "南亩镇", "", "", "是", ""],      # bad kind
        ["丙队", "基层", "综合", 0, "甘三", "13900990203", "南亩镇", "", "", "是", ""],         # headcount
        ["丁队", "基层", "综合", 10, "甘四", "13900990204", "火星镇", "", "", "是", ""],        # town
        ["戊队", "基层", "综合", 10, "甘五", "13900990205", "南亩镇", "", "2027-02-30", "是", ""],
        ["甲队", "基层", "综合", 10, "甘一", "13900990201", "南亩镇", "", "", "是", ""],        # duplicate
        ["己队", "基层", "综合", 10, "甘六", "1390099", "南亩镇", "", "", "是", ""],            # phone
        ["庚队", "基层", "综合", 10, "", "", "南亩镇", "", "", "是", ""],                        # no leader
    ])
    before = table_counts(demo_db)
    report = xlsx.dry_run(demo_db, TEAMS, path)
    rows = {e.row: e.message for e in report.errors}
    assert sorted(rows) == [4, 5, 6, 7, 8, 9, 10]            # title row 1, header row 2, data from 3
    assert "专职队" in rows[4] and "不能小于 1" in rows[5] and "火星镇" in rows[6]
    assert "不存在" in rows[7] and "第 3 行" in rows[8] and "手机" in rows[9] and "负责人" in rows[10]
    assert str(report.errors[0]).startswith("第 4 行：")
    with pytest.raises(xlsx.ImportRefused):
        xlsx.import_file(demo_db, TEAMS, path, clock)
    assert table_counts(demo_db) == before


def test_every_export_imports_back_unchanged(demo_db, clock, tmp_path):
    before = table_counts(demo_db)
    for kind in KINDS:
        path = tmp_path / f"{kind.key}.xlsx"
        assert xlsx.export(demo_db, kind, path, clock) >= 10
        done = xlsx.import_file(demo_db, kind, path, clock)
        assert (done.added, done.updated) == (0, 0), kind.key
    assert table_counts(demo_db) == before


def test_template_is_importable_once_filled(demo_db, clock, tmp_path):
    from openpyxl import load_workbook

    path = xlsx.write_template(demo_db, SHELTERS, tmp_path / "t.xlsx")
    wb = load_workbook(path)
    ws = wb.active
    header_row = next(r for r in range(1, 6) if any("场所名称" in str(c.value or "") for c in ws[r]))
    headers = [str(c.value or "") for c in ws[header_row]]
    values = {"场所名称": "南亩镇文化站避难点", "场所类型": "固定", "面积": "８００", "容纳人数": "150人",
              "所在镇": "南亩镇", "室内外": "室内"}
    row = [next((v for k, v in values.items() if h.replace("*", "").startswith(k)), None) for h in headers]
    for c, value in enumerate(row, start=1):
        ws.cell(header_row + 1, c, value)
    wb.save(path)
    done = xlsx.import_file(demo_db, SHELTERS, path, clock)
    assert done.added == 1
    s = shelters.get(demo_db, shelters.find(demo_db, "南亩镇文化站避难点"))
    assert (s["level"], s["area_m2"], s["capacity"]) == ("固定避难场所", 800.0, 150)


def test_experts_by_name_and_phone(demo_db, clock, tmp_path):
    header = ["专家姓名", "手机", "专业类别", "技术职称", "所在单位"]
    path = bureau_sheet(tmp_path / "experts.xlsx", "南雄市应急管理专家库名单", header, [
        ["古岳峰", "１３９００９９０３０１", "地灾", "高级工程师", "某勘查院"],
        ["温小雨", "13900990302", "三防", "工程师", "水务局"],
    ])
    assert xlsx.import_file(demo_db, EXPERTS, path, clock).added == 2
    found = {experts.get(demo_db, i)["name"]: experts.get(demo_db, i) for i in experts.search(demo_db)}
    assert found["古岳峰"]["field"] == "地质灾害" and found["古岳峰"]["mobile"] == "13900990301"
    assert found["温小雨"]["field"] == "防汛抗旱"
    # the same people again, one with a new title: updated, not duplicated
    path = bureau_sheet(tmp_path / "experts2.xlsx", "专家名单", header, [
        ["古岳峰", "13900990301", "地质灾害", "正高级工程师", "某勘查院"],
        ["温小雨", "13900990302", "防汛抗旱", "工程师", "水务局"],
    ])
    done = xlsx.import_file(demo_db, EXPERTS, path, clock)
    assert (done.added, done.updated) == (0, 1)


def test_equipment_holder_and_kit(demo_db, clock, tmp_path):
    header = ["装备名称", "类别", "规格型号", "数量", "单位", "所属单位", "四合一", "操作员", "操作员手机", "呼号"]
    path = bureau_sheet(tmp_path / "eq.xlsx", "应急装备台账", header, [
        ["冲锋舟", "其他", "5.8米", "２", "艘", "南雄市三防抢险队", "", "", "", ""],
        ["单兵图传", "单兵", "4G", 1, "部", "市应急管理局", "单兵", "邝志诚", "13900990401", "雄应急单兵05"],
        ["卫星电话", "通信", "", 1, "部", "不存在的单位", "", "", "", ""],
        ["单兵图传", "单兵", "4G", 1, "部", "市应急管理局", "单兵", "邝志诚", "13900990401", "雄应急单兵01"],
    ])
    report = xlsx.dry_run(demo_db, EQUIPMENT, path)
    assert [e.row for e in report.errors] == [5, 6]                   # unknown holder; call sign taken
    assert "不存在的单位" in report.errors[0].message and "雄应急单兵01" in report.errors[1].message
    assert len(report.items) == 2
    path = bureau_sheet(tmp_path / "eq2.xlsx", "应急装备台账", header, [
        ["冲锋舟", "其他", "5.8米", "２", "艘", "南雄市三防抢险队", "", "", "", ""],
        ["单兵图传", "单兵", "4G", 1, "部", "市应急管理局", "单兵", "邝志诚", "13900990401", "雄应急单兵05"],
    ])
    done = xlsx.import_file(demo_db, EQUIPMENT, path, clock)
    assert (done.added, done.updated) == (1, 1)       # the 三防 team's 冲锋舟 is the same item: 4 → 2
    boat = equipment.get(demo_db, equipment.find(demo_db, "冲锋舟", "南雄市三防抢险队"))
    assert (boat["quantity"], boat["model"]) == (2, "5.8米")
    kit = equipment.four_in_one_kit(demo_db)
    item = next(i for i in kit["智能单兵终端"] if i["call_sign"] == "雄应急单兵05")
    assert item["operator"] == "邝志诚" and item["holder"] == "南雄市应急管理局"
