"""The Excel engine, through the directory register: real .xlsx files in the shapes bureaus
send, a dry run that names every bad row, all-or-nothing import, round trips, and the CLI."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from nxcommand import cli, contacts, xlsx
from nxcommand.contacts_excel import CONTACTS
from nxcommand.errors import ValidationError

from .conftest import file_digest


def people_count(db) -> int:
    return db.execute("SELECT count(*) FROM people").fetchone()[0]


def bureau_sheet(path, rows, *, title=True, merged_header=False, serial=True, blank_tail=3):
    """A directory sheet as a bureau would type it."""
    wb = Workbook()
    ws = wb.active
    ws.title = "通讯录"
    if title:
        ws.append(["南雄市乡镇应急联络员通讯录"])
        ws.merge_cells("A1:F1")
        ws.append(["（2026年11月更新）"])
    if merged_header:
        ws.append(["序 号", "姓  名", "工作单位", "职  务", "联系方式", None])
        ws.append([None, None, None, None, "手机", "办公电话"])
        top = ws.max_row - 1
        for col in "ABCD":
            ws.merge_cells(f"{col}{top}:{col}{top + 1}")
        ws.merge_cells(f"E{top}:F{top}")
    else:
        ws.append((["序号"] if serial else []) + ["姓名", "单位名称", "职务", "联系电话（手机）", "座机"])
    for n, row in enumerate(rows, 1):
        ws.append(([n] if serial else []) + list(row))
    for _ in range(blank_tail):
        ws.append([None] * 6)
    ws.append(["注：请各单位核对后报市应急管理局。"])
    wb.save(path)
    return path


GOOD = [
    ("刘  洋", "乌迳镇人民政府", "应急办副主任", "１３９０７５１２３４５", ""),
    ("陈思远", "珠玑镇人民政府", "应急联络员", "139 0751 2346", "0751-3881234"),
]


def test_bureau_shape_imports_all_rows(demo_db, tmp_path, clock):
    path = bureau_sheet(tmp_path / "乡镇联络员.xlsx", GOOD)
    before = people_count(demo_db)
    report = xlsx.dry_run(demo_db, CONTACTS, path)
    assert report.ok and len(report.items) == 2 and report.item_rows == [4, 5]
    assert people_count(demo_db) == before                  # a dry run writes nothing
    done = xlsx.import_file(demo_db, CONTACTS, path, clock)
    assert (done.added, done.updated) == (2, 0)
    found = contacts.rows(demo_db, contacts.search(demo_db, contacts.Query(text="刘洋")))
    assert any(r["mobile"] == "13907512345" and r["post"] == "应急办副主任" for r in found.values())


def test_two_row_merged_header(demo_db, tmp_path, clock):
    path = bureau_sheet(tmp_path / "merged.xlsx", GOOD, merged_header=True)
    report = xlsx.dry_run(demo_db, CONTACTS, path)
    assert report.ok, report.errors
    assert report.items[1].data.office_phone == "0751-3881234"
    assert report.items[1].data.mobile == "139 0751 2346"


def test_any_bad_row_writes_nothing_and_every_bad_row_is_named(demo_db, demo_path, tmp_path, clock):
    rows = GOOD + [
        ("王五", "不存在的单位", "", "13907519999", ""),
        ("", "乌迳镇人民政府", "", "13907518888", ""),
        ("赵六", "乌迳镇人民政府", "", "", ""),
        ("刘  洋", "乌迳镇人民政府", "应急办副主任", "13907512345", ""),
    ]
    path = bureau_sheet(tmp_path / "bad.xlsx", rows)
    before = people_count(demo_db)
    with pytest.raises(xlsx.ImportRefused) as refused:
        xlsx.import_file(demo_db, CONTACTS, path, clock)
    errors = [str(e) for e in refused.value.report.errors]
    assert errors[0].startswith("第 6 行：找不到单位“不存在的单位”")
    assert errors[1] == "第 7 行：缺少「姓名」"
    assert errors[2].startswith("第 8 行：手机和办公电话至少填写一个")
    assert errors[3] == "第 9 行：与第 4 行是同一人（刘洋）"
    assert len(errors) == 4
    assert people_count(demo_db) == before


def test_export_imports_back_unchanged(demo_db, tmp_path, clock):
    path = tmp_path / "通讯录.xlsx"
    n = xlsx.export(demo_db, CONTACTS, path, clock)
    assert n == contacts.count(demo_db)
    ws = load_workbook(path).active
    assert ws["A1"].value.startswith("南雄市通讯录") and ws["B2"].value == "姓名*"
    report = xlsx.import_file(demo_db, CONTACTS, path, clock)
    assert (report.added, report.updated) == (0, 0)
    assert f"未变 {n} 人" in report.summary()


def test_formula_text_is_exported_as_text(demo_db, tmp_path, clock):
    pid = contacts.search(demo_db, contacts.Query())[0]
    row = contacts.get(demo_db, pid)
    contacts.update(demo_db, pid, contacts.ContactInput(
        row["name"], row["org_id"], "=HYPERLINK(\"http://x\")", row["mobile"] or "", row["office_phone"] or "",
        row["role_list"], row["note"]), clock=clock)
    path = tmp_path / "out.xlsx"
    xlsx.export(demo_db, CONTACTS, path, clock)
    cells = [c for r in load_workbook(path).active.iter_rows() for c in r if c.value == "=HYPERLINK(\"http://x\")"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_file_level_refusals(demo_db, tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    (tmp_path / "notes.txt").write_text("hello")
    wb = Workbook()
    wb.active.append(["名称", "数量"])
    wb.save(tmp_path / "other.xlsx")
    cases = {"old.xls": "不支持旧版 Excel", "broken.xlsx": "已损坏", "notes.txt": "只能导入 Excel",
             "missing.xlsx": "找不到文件", "other.xlsx": "找不到表头"}
    for name, words in cases.items():
        with pytest.raises(ValidationError, match=words):
            xlsx.dry_run(demo_db, CONTACTS, tmp_path / name)


def test_parsers():
    assert xlsx.as_int("1,200", "人数") == 1200 and xlsx.as_int("15人", "人数") == 15
    assert xlsx.as_int("", "人数") is None
    with pytest.raises(ValueError, match="「人数」应为整数"):
        xlsx.as_int("十五", "人数")
    with pytest.raises(ValueError, match="不能小于 1"):
        xlsx.as_int("0", "人数", lo=1)
    for text in ("2026-07-01", "2026/7/1", "2026.7.1", "2026年7月1日", "20260701", "2026-07-01 00:00"):
        assert xlsx.as_date(text, "日期") == date(2026, 7, 1)
    with pytest.raises(ValueError, match="这一天不存在"):
        xlsx.as_date("2026-02-30", "日期")
    assert xlsx.as_bool("√", "达标") is True and xlsx.as_bool("不达标", "达标") is False
    assert xlsx.as_choice("待 命", "状态", ("待命", "出动")) == "待命"
    with pytest.raises(ValueError, match="可选：待命、出动"):
        xlsx.as_choice("休息", "状态", ("待命", "出动"))
    assert xlsx.cell_text(datetime(2026, 7, 1)) == "2026-07-01"
    assert xlsx.cell_text(3.0) == "3" and xlsx.cell_text("１２３") == "123"


def test_cli_import_export_template(demo_path, tmp_path, capsys):
    out = tmp_path / "c.xlsx"
    assert cli.main(["export", "contacts", str(out), "--db", str(demo_path)]) == 0
    assert "已导出通讯录" in capsys.readouterr().out
    bad = bureau_sheet(tmp_path / "bad.xlsx", GOOD + [("王五", "不存在的单位", "", "13907519999", "")])
    digest = file_digest(demo_path)
    assert cli.main(["import", "contacts", str(bad), "--db", str(demo_path)]) == 1
    err = capsys.readouterr().err
    assert "有 1 行数据有误" in err and "第 6 行：找不到单位" in err
    assert file_digest(demo_path) == digest
    good = bureau_sheet(tmp_path / "good.xlsx", GOOD)
    assert cli.main(["import", "contacts", str(good), "--db", str(demo_path), "--dry-run"]) == 0
    assert "试运行，未写入" in capsys.readouterr().out
    assert cli.main(["import", "contacts", str(good), "--db", str(demo_path)]) == 0
    assert "新增 2 人" in capsys.readouterr().out
    assert cli.main(["template", "contacts", str(tmp_path / "t.xlsx")]) == 0
    assert load_workbook(tmp_path / "t.xlsx").active["B2"].value == "姓名*"
    assert cli.main(["template", "roster", str(tmp_path / "r.xlsx")]) == 0
    with pytest.raises(SystemExit) as bad_kind:
        cli.main(["export", "people", str(out), "--db", str(demo_path)])
    assert bad_kind.value.code == 2
    assert "无效的登记表类别 'people'" in capsys.readouterr().err
    assert cli.main(["import", "contacts", str(good), "--db", str(tmp_path / "none.db")]) == 1
    assert "找不到数据库文件" in capsys.readouterr().err
    assert cli.main(["export", "roster", str(out), "--db", str(demo_path), "--month", "2026-13"]) == 1
    assert "格式不对" in capsys.readouterr().err
