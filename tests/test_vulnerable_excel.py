"""The 特殊群体临灾转移 register (每村一台账) in Excel: a village ledger in the shape towns send
(title row, 序号, a two-row merged header, full-width digits, trailing blank rows and a 填表人
line), bad rows named by row number with nothing written, a village name shared by two towns,
the export round trip, the CLI, and the tab's Excel button."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook

from nxcommand import cli, contacts, vulnerable, xlsx
from nxcommand.vulnerable_excel import VULNERABLE

from .conftest import file_digest

TOP = ["序号", "镇（街道）", "所在村", "姓名", "人员类别", "特殊情况", "结对帮扶人", "结对帮扶人", "撤离路线", "安置点", "住址"]
SUB = ["序号", "镇（街道）", "所在村", "姓名", "人员类别", "特殊情况", "姓名", "联系电话", "撤离路线", "安置点", "住址"]


def ledger(path, rows: list[list]):
    """南亩镇-style ledger: a merged title, a two-row header (结对帮扶人 over 姓名 | 联系电话,
    the other headers merged down), 序号, then blank rows and the 填表人 line."""
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["南雄市特殊群体临灾转移台账（2026年汛期）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TOP))
    ws.append(TOP)
    ws.append(SUB)
    for c in range(1, len(TOP) + 1):
        if TOP[c - 1] == SUB[c - 1]:
            ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    ws.merge_cells(start_row=2, start_column=7, end_row=2, end_column=8)
    for n, row in enumerate(rows, start=1):
        ws.append([f"{n}", *row])
    ws.append([])
    ws.append([None, None])
    ws.append(["填表人：村委会 某某    审核：某某"])
    wb.save(path)
    return path


def counts(db) -> tuple[int, int]:
    return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("vulnerable_people", "people"))


def entry(db, village: str, name: str) -> dict:
    row = db.execute("SELECT r.id FROM vulnerable_people r JOIN admin_units v ON v.id = r.village_id "
                     "WHERE v.name = ? AND r.name = ?", [village, name]).fetchone()
    assert row, (village, name)
    return vulnerable.get(db, row[0])


GOOD = [
    # a new person; town and village written short; a new contact with a full-width mobile
    ["南亩", "鱼鲜", "甘 桂英", "孤寡老人", "腿脚不便，需搀扶", "甘石明", "１３９ ００５０ ０９０１", "沿村道步行至村委会",
     "", "鱼鲜村3组2号"],
    # the same new contact for a second person: added to the directory once
    ["南亩镇", "鱼鲜村", "甘小燕", "孕妇", "孕晚期", "甘石明", "13900500901", "车辆转运", "", ""],
    # already on the register: the contact and shelter are those in the directory / shelters
    ["油山镇", "大兰坑村", "朱凤娇", "独居老人", "患高血压，需带药，夜间需陪护", "叶海生", "13900500009",
     "沿村道至村小学，步行约12分钟（避开后山沟）", "油山镇大兰坑村小学避难点", ""],
]


def test_village_ledger_as_a_town_sends_it(demo_db, clock, tmp_path):
    path = ledger(tmp_path / "台账.xlsx", GOOD)
    before_people, before_directory = counts(demo_db)
    report = xlsx.dry_run(demo_db, VULNERABLE, path)
    assert report.errors == [] and report.item_rows == [4, 5, 6]     # title 1, header 2-3
    assert report.ignored == ["住址"]
    assert [i.describe() for i in report.items] == ["甘桂英（新增）", "甘小燕（新增）", "朱凤娇（更新）"]
    assert counts(demo_db) == (before_people, before_directory)       # a dry run writes nothing
    done = xlsx.import_file(demo_db, VULNERABLE, path, clock)
    assert (done.added, done.updated) == (2, 1)
    assert counts(demo_db) == (before_people + 2, before_directory + 1)
    gui = entry(demo_db, "鱼鲜村", "甘桂英")
    assert (gui["town"], gui["category"], gui["needs"]) == ("南亩镇", "独居老人", "腿脚不便，需搀扶")
    assert (gui["contact"], gui["contact_phone"], gui["shelter"], gui["gaps"]) == ("甘石明", "13900500901", "", "缺安置场所")
    assert entry(demo_db, "鱼鲜村", "甘小燕")["contact_id"] == gui["contact_id"]
    contact = contacts.get(demo_db, gui["contact_id"])
    assert contact["post"] == vulnerable.CONTACT_POST and "鱼鲜" in contact["org"]
    zhu = entry(demo_db, "大兰坑村", "朱凤娇")
    assert zhu["needs"] == "患高血压，需带药，夜间需陪护" and zhu["contact"] == "叶海生"
    assert zhu["shelter"] == "油山镇大兰坑村小学避难点" and zhu["address"] != ""     # address kept
    # the same file again changes nothing
    again = xlsx.import_file(demo_db, VULNERABLE, path, clock)
    assert (again.added, again.updated) == (0, 0)


def test_bad_rows_are_named_and_nothing_is_written(demo_db, clock, tmp_path):
    path = ledger(tmp_path / "bad.xlsx", [
        GOOD[0],                                                                                      # 4 good
        ["南亩镇", "火星村", "甘一", "独居老人", "", "甘石明", "13900500901", "", "", ""],             # 5 village
        ["南亩镇", "鱼鲜村", "甘二", "贫困户", "", "甘石明", "13900500901", "", "", ""],               # 6 category
        ["南亩镇", "鱼鲜村", "甘三", "残疾人", "", "", "", "", "", ""],                                # 7 no contact
        ["南亩镇", "鱼鲜", "甘桂英", "独居老人", "", "甘石明", "13900500901", "", "", ""],             # 8 duplicate
        ["南亩镇", "鱼鲜村", "甘四", "留守儿童", "", "甘石明", "13900500901", "", "月球避难点", ""],   # 9 shelter
        ["南亩镇", "鱼鲜村", "甘五", "留守儿童", "", "甘石亮", "", "", "", ""],                        # 10 new, no phone
        ["火星镇", "鱼鲜村", "甘六", "留守儿童", "", "甘石明", "13900500901", "", "", ""],             # 11 town
        ["南亩镇", "鱼鲜村", "甘七", "留守儿童", "", "甘石亮", "13900500901", "", "", ""],             # 12 phone taken
    ])
    before = counts(demo_db)
    report = xlsx.dry_run(demo_db, VULNERABLE, path)
    rows = {e.row: e.message for e in report.errors}
    assert sorted(rows) == [5, 6, 7, 8, 9, 10, 11, 12]
    assert "火星村" in rows[5] and "南亩镇" in rows[5]
    assert "贫困户" in rows[6] and "独居老人" in rows[6]
    assert "对接人" in rows[7]
    assert "第 4 行" in rows[8]
    assert "月球避难点" in rows[9]
    assert "甘石亮" in rows[10] and "手机" in rows[10]
    assert "火星镇" in rows[11]
    assert "第 4 行" in rows[12] and "甘石明" in rows[12]
    assert str(report.errors[0]).startswith("第 5 行：")
    with pytest.raises(xlsx.ImportRefused):
        xlsx.import_file(demo_db, VULNERABLE, path, clock)
    assert counts(demo_db) == before


def test_a_village_name_in_two_towns_needs_the_town(demo_db, clock, tmp_path):
    wujing = demo_db.execute("SELECT id FROM admin_units WHERE name = '乌迳镇'").fetchone()[0]
    with demo_db.conn:
        demo_db.execute("INSERT INTO admin_units (name, level, kind, parent_id) VALUES ('鱼鲜村', 'village', '村', ?)",
                        [wujing])
    row = ["", "鱼鲜村", "甘桂英", "独居老人", "", "甘石明", "13900500901", "", "", ""]
    report = xlsx.dry_run(demo_db, VULNERABLE, ledger(tmp_path / "no_town.xlsx", [row]))
    assert len(report.errors) == 1
    message = report.errors[0].message
    assert "乌迳镇" in message and "南亩镇" in message and "请填写「镇（街道）」" in message
    done = xlsx.import_file(demo_db, VULNERABLE, ledger(tmp_path / "town.xlsx", [["乌迳", *row[1:]]]), clock)
    assert done.added == 1
    assert entry(demo_db, "鱼鲜村", "甘桂英")["town"] == "乌迳镇"


def test_export_imports_back_unchanged(demo_db, clock, tmp_path):
    path = tmp_path / "台账.xlsx"
    assert xlsx.export(demo_db, VULNERABLE, path, clock) == 30
    before = demo_db.execute("SELECT * FROM vulnerable_people ORDER BY id").fetchall()
    directory = counts(demo_db)[1]
    report = xlsx.dry_run(demo_db, VULNERABLE, path)
    assert report.errors == [] and len(report.items) == 30
    done = xlsx.import_file(demo_db, VULNERABLE, path, clock)
    assert (done.added, done.updated) == (0, 0)
    assert demo_db.execute("SELECT * FROM vulnerable_people ORDER BY id").fetchall() == before
    assert counts(demo_db)[1] == directory
    # the demo's two entries without a contact stay gaps; taking away a contact is refused
    ws_book = load_workbook(path)
    ws = ws_book.active
    header = [c.value for c in ws[2]]
    contact_col = header.index("对接人*") + 1
    with_contact = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, contact_col).value)
    ws.cell(with_contact, contact_col).value = None
    ws_book.save(path)
    report = xlsx.dry_run(demo_db, VULNERABLE, path)
    assert [e.row for e in report.errors] == [with_contact] and "对接人" in report.errors[0].message


def test_cli_template_export_import(demo_path, tmp_path, capsys):
    assert cli.main(["template", "vulnerable", str(tmp_path / "t.xlsx")]) == 0
    header = [c.value for c in load_workbook(tmp_path / "t.xlsx").active[2]]
    assert header == ["序号", "镇（街道）", "村（社区）*", "姓名*", "类别*", "特殊需求", "对接人*", "对接人电话",
                      "转移路线", "安置场所"]
    capsys.readouterr()
    out = tmp_path / "out.xlsx"
    assert cli.main(["export", "vulnerable", str(out), "--db", str(demo_path)]) == 0
    assert "已导出特殊群体转移台账 30 条" in capsys.readouterr().out
    digest = file_digest(demo_path)
    bad = ledger(tmp_path / "bad.xlsx", [GOOD[0], ["南亩镇", "火星村", "甘一", "独居老人", "", "甘石明", "13900500901",
                                                   "", "", ""]])
    assert cli.main(["import", "vulnerable", str(bad), "--db", str(demo_path)]) == 1
    err = capsys.readouterr().err
    assert "有 1 行数据有误" in err and "第 5 行：南亩镇下没有村（社区）“火星村”" in err
    assert file_digest(demo_path) == digest
    good = ledger(tmp_path / "good.xlsx", GOOD)
    assert cli.main(["import", "vulnerable", str(good), "--db", str(demo_path), "--dry-run"]) == 0
    assert "试运行，未写入" in capsys.readouterr().out
    assert cli.main(["import", "vulnerable", str(good), "--db", str(demo_path)]) == 0
    assert "新增 2 人，更新 1 人" in capsys.readouterr().out
    assert cli.main(["import", "vulnerable", str(out), "--db", str(demo_path)]) == 0
    assert "新增 0 人，更新 1 人" in capsys.readouterr().out          # 朱凤娇's needs back as exported


def test_tab_excel_import_shows_the_dry_run_first(qapp, qtbot, demo_db, clock, tmp_path):
    from ui.app import make_app
    from ui.vulnerable_tab import VulnerableTab

    make_app()
    messages: list[str] = []
    tab = VulnerableTab(demo_db, clock, messages.append)
    qtbot.addWidget(tab)
    bar = tab.excel
    assert bar.button.text() == "Excel" and set(bar.actions) == {"导入Excel…", "导出Excel…", "下载导入模板…"}
    reviewed = []

    def review(report):
        reviewed.append(report)
        return True                          # the officer presses 导入 (only possible when ok)

    bar.review = review
    before = tab.model.rowCount()
    bar.choose_open = lambda: str(ledger(tmp_path / "bad.xlsx", [GOOD[0], ["南亩镇", "鱼鲜村", "甘二", "贫困户", "",
                                                                        "甘石明", "13900500901", "", "", ""]]))
    bar.import_file()
    assert reviewed[-1].errors and str(reviewed[-1].errors[0]).startswith("第 5 行：「类别」“贫困户”")
    assert tab.model.rowCount() == before and messages == []
    bar.choose_open = lambda: str(ledger(tmp_path / "good.xlsx", GOOD))
    bar.import_file()
    assert reviewed[-1].ok
    assert tab.model.rowCount() == before + 2
    assert messages[-1].startswith("已导入“good.xlsx”：新增 2 人，更新 1 人")
    out = tmp_path / "导出.xlsx"
    bar.choose_save = lambda name: str(out)
    bar.export_file()
    assert out.exists() and messages[-1] == f"已导出特殊群体转移台账 {before + 2} 条：导出.xlsx"
