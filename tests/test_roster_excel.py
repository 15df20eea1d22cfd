"""The roster in Excel: export a month, import the sheets bureaus really send, all or nothing.

Every file here is a real .xlsx built with openpyxl, the way Excel would save it."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from nxcommand import contacts, org, roster
from nxcommand.errors import ValidationError
from nxcommand.roster_excel import RosterImportError, dry_run, export_month, import_roster

from .test_roster import make_days, pid, staff, table_counts


def write_xlsx(path, rows, merges=(), title="值班表"):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(list(row))
    for merge in merges:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def people_of(db, day: date) -> list[tuple[str, list[str]]]:
    return [(s.leader.name if s.leader else "", [p.name for p in s.officers])
            for s in roster.shifts_between(db, day, day)]


def test_export_has_the_bureau_shape(demo_db, clock, tmp_path):
    shifts = make_days(demo_db, clock, date(2026, 11, 1), 30)
    staff(demo_db, clock, shifts)
    roster.assign(demo_db, shifts[2].id, pid(demo_db, "田立新"), [pid(demo_db, "郭俊杰"), pid(demo_db, "聂浩宇")],
                  reason="加强值守", clock=clock)
    path = tmp_path / "十一月.xlsx"
    assert export_month(demo_db, 2026, 11, path) == 30
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "南雄市应急管理局2026年11月值班表"
    assert rows[1] == ("日期", "星期", "班次", "带班领导", "电话", "值班员", "电话")
    assert len(rows) == 32
    assert rows[4] == (datetime(2026, 11, 3), "星期二", "全天", "田立新", "13900006778",
                       "郭俊杰、聂浩宇", "13900002663、13900001459")
    with pytest.raises(ValidationError, match=".xlsx"):
        export_month(demo_db, 2026, 11, tmp_path / "十一月.xls")


def test_an_exported_month_reimports_and_restores_it(demo_db, clock, tmp_path):
    shifts = make_days(demo_db, clock, date(2026, 11, 1), 30)
    staff(demo_db, clock, shifts)
    path = tmp_path / "roster.xlsx"
    export_month(demo_db, 2026, 11, path)
    roster.assign(demo_db, shifts[5].id, pid(demo_db, "李少红"), [pid(demo_db, "沈玉珍")], reason="临时调整",
                  clock=clock)
    report = dry_run(demo_db, path)
    assert report.ok and len(report.rows) == 30 and report.errors == []
    assert "检查通过：30 个班次" in report.summary()
    assert people_of(demo_db, date(2026, 11, 6)) == [("李少红", ["沈玉珍"])]     # a dry run writes nothing
    report = import_roster(demo_db, path, clock=clock)
    assert report.applied and report.created_shifts == 0 and report.changed_places == 2
    assert people_of(demo_db, date(2026, 11, 6)) == [("田立新", ["郭俊杰"])]
    imported = [c for c in roster.history(demo_db) if c.kind == "导入"]
    assert [(c.old_name, c.new_name, c.reason) for c in imported] == [
        ("李少红", "田立新", "Excel导入"), ("沈玉珍", "郭俊杰", "Excel导入")]


def test_real_world_variations_are_accepted(demo_db, clock, tmp_path):
    """序号 column, other header words, no title, full-width digits, padded names, text dates,
    a phone typed beside a name, notes and blank rows at the end."""
    make_days(demo_db, clock, date(2026, 11, 3), 3)
    path = write_xlsx(tmp_path / "v.xlsx", [
        ("序号", "值班日期", "星期", "班次", "值班领导", "联系电话", "值班人员", "手机"),
        ("１", "２０２６／１１／３", "星期二", "全天", "张　建中", "13900000001", "张金龙，肖文静", ""),
        (2, datetime(2026, 11, 4), "星期三", "", "钟 国平", "", "郭俊杰 13900002663", ""),
        (3, "2026年11月5日", "星期四", "24小时", "田立新", "", "聂浩宇 / 刘艳玲", ""),
        (None, None, None, None, None, None, None, None),
        ("注：如需换班，须经带班领导同意并报办公室备案。", None, None, None, None, None, None, None),
        (None,) * 8, (None,) * 8,
    ])
    report = import_roster(demo_db, path, clock=clock)
    assert [(r.row, r.day, r.shift_name) for r in report.rows] == [
        (2, date(2026, 11, 3), "全天"), (3, date(2026, 11, 4), "全天"), (4, date(2026, 11, 5), "全天")]
    assert people_of(demo_db, date(2026, 11, 3)) == [("张建中", ["张金龙", "肖文静"])]
    assert people_of(demo_db, date(2026, 11, 4)) == [("钟国平", ["郭俊杰"])]
    assert people_of(demo_db, date(2026, 11, 5)) == [("田立新", ["聂浩宇", "刘艳玲"])]


def test_merged_two_row_header_and_year_from_the_title(demo_db, clock, tmp_path):
    path = write_xlsx(tmp_path / "merged.xlsx", [
        ("南雄市应急管理局２０２６年１２月值班安排表", None, None, None, None, None, None),
        ("日期", "班次", "带班领导", None, "值班员", None, None),
        (None, None, "姓名", "电话", "姓名", "电话", "备注"),
        ("12月1日", "白班", "张建中", "13900000001", "张金龙", "13900006802", ""),
        (None, "夜班", "张建中", "13900000001", "肖文静", "13900008891", ""),
        ("12月2日（星期三）", "白班", "钟国平", "13900000677", "郭俊杰", "", "节前检查"),
        ("12月2日（星期三）", "夜班", "钟国平", "13900000677", "聂浩宇", "", ""),
    ], merges=["A1:G1", "A2:A3", "B2:B3", "C2:D2", "E2:F2", "G2:G3"])
    report = import_roster(demo_db, path, clock=clock)       # no shifts yet: they are created
    assert report.created_shifts == 4
    dec1 = roster.shifts_between(demo_db, date(2026, 12, 1), date(2026, 12, 1))
    assert [(s.name, s.starts_at, s.ends_at, s.leader.name, [p.name for p in s.officers]) for s in dec1] == [
        ("白班", datetime(2026, 12, 1, 8, 30), datetime(2026, 12, 1, 20, 30), "张建中", ["张金龙"]),
        ("夜班", datetime(2026, 12, 1, 20, 30), datetime(2026, 12, 2, 8, 30), "张建中", ["肖文静"])]


def test_the_year_comes_from_a_parameter_and_rolls_over_in_december(demo_db, clock, tmp_path):
    plain = write_xlsx(tmp_path / "plain.xlsx", [
        ("日期", "班次", "带班领导", "值班员"), ("11月3日", "全天", "张建中", "张金龙")])
    report = dry_run(demo_db, plain)
    assert [str(e) for e in report.errors] == ["第 2 行：日期“11月3日”没有年份，标题中也没有，请在导入时指定年份"]
    assert dry_run(demo_db, plain, year=2026).rows[0].day == date(2026, 11, 3)
    new_year = write_xlsx(tmp_path / "dec.xlsx", [
        ("2026年12月值班表",), ("日期", "班次", "带班领导", "值班员"),
        ("12月31日", "全天", "张建中", "张金龙"), ("1月1日", "全天", "钟国平", "肖文静")])
    assert [r.day for r in dry_run(demo_db, new_year).rows] == [date(2026, 12, 31), date(2027, 1, 1)]


def test_every_bad_row_is_reported_and_nothing_is_written(demo_db, clock, tmp_path):
    make_days(demo_db, clock, date(2026, 11, 1), 10)
    path = write_xlsx(tmp_path / "bad.xlsx", [
        ("南雄市应急管理局2026年11月值班表",),
        ("日期", "星期", "班次", "带班领导", "电话", "值班员", "电话"),
        ("2026-11-01", "", "全天", "张建中", "", "张金龙", ""),             # fine
        ("2026-11-02", "", "全天", "王大锤", "", "肖文静", ""),             # unknown person
        ("2026-11-03", "", "全天", "张金龙", "", "肖文静", ""),             # officer as leader
        ("2026-11-04", "", "全天", "钟国平", "", "", ""),                   # no officer
        ("2026-11-31", "", "全天", "钟国平", "", "郭俊杰", ""),             # no such day
        ("下周一", "", "全天", "钟国平", "", "郭俊杰", ""),                 # unreadable date
        ("2026-11-06", "", "全天", "田立新", "", "郭俊杰、聂浩宇、刘艳玲", ""),
        ("2026-11-07", "", "早班", "田立新", "", "郭俊杰", ""),             # no such shift
        ("2026-11-01", "", "全天", "李少红", "", "谢学军", ""),             # same shift twice
        ("2026-11-08", "", "全天", "", "", "郭俊杰", ""),                   # no leader
    ], merges=["A1:G1"])
    before = table_counts(demo_db)
    report = dry_run(demo_db, path)
    assert [(e.row, e.message) for e in report.errors] == [
        (4, "找不到在用人员“王大锤”（请核对姓名，或先在通讯录中登记）"),
        (5, "“张金龙”没有“带班领导”角色，不能担任带班领导"),
        (6, "缺少值班员"),
        (7, "日期“2026-11-31”不存在"),
        (8, "日期“下周一”无法识别（可写作 2026-11-03、2026/11/3 或 11月3日）"),
        (9, "每个班次最多 2 名值班员，这里有 3 名"),
        (10, "班次“早班”不在任何班次模式中（可用：全天、24小时班、24小时、24h、全天班、白班、夜班）"),
        (11, "与第 3 行是同一班次（11月1日 全天）"),
        (12, "缺少带班领导"),
    ]
    assert not report.ok and "有 9 行数据有误" in report.summary()
    with pytest.raises(RosterImportError, match="9 行数据有误，未导入任何内容") as caught:
        import_roster(demo_db, path, clock=clock)
    assert len(caught.value.report.errors) == 9
    assert table_counts(demo_db) == before


def test_same_names_are_told_apart_by_phone(demo_db, clock, tmp_path):
    unit = next(o["id"] for o in org.organizations(demo_db) if o["name"] == "南雄市水务局")
    contacts.add(demo_db, contacts.ContactInput("张金龙", unit, mobile="13900009999", roles=["值班员"]), clock)
    rows = [("2026年11月值班表",), ("日期", "班次", "带班领导", "电话", "值班员", "电话"),
            ("11月3日", "全天", "张建中", "", "张金龙", "")]
    report = dry_run(demo_db, write_xlsx(tmp_path / "a.xlsx", rows))
    assert report.errors[0].message.startswith("“张金龙”有 2 位在用人员同名（南雄市应急管理局、南雄市水务局）")
    rows[2] = ("11月3日", "全天", "张建中", "", "张金龙", "139 0000 9999")
    report = dry_run(demo_db, write_xlsx(tmp_path / "b.xlsx", rows))
    assert report.ok and report.rows[0].officers[0].mobile == "13900009999"


@pytest.mark.parametrize("name, content, message", [
    ("roster.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 600, "不支持旧版 Excel（.xls）"),
    ("roster.csv", "日期,带班领导,值班员\n".encode(), "只能导入 Excel 工作簿（.xlsx）"),
    ("roster.xlsx", "这不是一个表格".encode(), "不是有效的 Excel 工作簿，或已损坏、不完整"),
    ("empty.xlsx", b"", "不是有效的 Excel 工作簿，或已损坏、不完整"),
])
def test_files_that_are_not_rosters_get_a_clear_message(demo_db, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=message):
        dry_run(demo_db, path)


def test_truncated_and_headerless_workbooks_are_refused(demo_db, clock, tmp_path):
    staff(demo_db, clock, make_days(demo_db, clock, date(2026, 11, 1), 30))
    whole = tmp_path / "whole.xlsx"
    export_month(demo_db, 2026, 11, whole)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])   # a copy interrupted
    with pytest.raises(ValidationError, match="已损坏、不完整"):
        dry_run(demo_db, cut)
    other = write_xlsx(tmp_path / "other.xlsx", [("物资名称", "数量"), ("帐篷", 20)])
    with pytest.raises(ValidationError, match="找不到表头"):
        dry_run(demo_db, other)
    empty = write_xlsx(tmp_path / "empty.xlsx", [("日期", "带班领导", "值班员"), (None, None, None)])
    with pytest.raises(ValidationError, match="没有值班数据"):
        dry_run(demo_db, empty)
    with pytest.raises(ValidationError, match="找不到文件"):
        dry_run(demo_db, tmp_path / "missing.xlsx")


def test_import_keeps_the_in_post_mark_of_an_unchanged_leader(demo_db, clock, tmp_path):
    shift = make_days(demo_db, clock, date(2026, 10, 1), 1)[0]
    staff(demo_db, clock, [shift])
    clock.set(datetime(2026, 10, 1, 8, 35))
    from nxcommand.roster_checks import mark_leader_in_post

    mark_leader_in_post(demo_db, shift.id, clock)
    path = write_xlsx(tmp_path / "oct.xlsx", [
        ("日期", "班次", "带班领导", "值班员"), (date(2026, 10, 1), "全天", "张建中", "张金龙、肖文静")])
    clock.advance(minutes=30)
    assert import_roster(demo_db, path, clock=clock).changed_places == 1
    after = roster.get_shift(demo_db, shift.id)
    assert after.leader_in_post_at == datetime(2026, 10, 1, 8, 35)
    assert [p.name for p in after.officers] == ["张金龙", "肖文静"]
    assert roster.history(demo_db, shift.id)[-1].recorded_at == (clock.now()).strftime("%Y-%m-%d %H:%M:%S")
