"""The bad-input corpus (issue 7, Faults): every item goes through the real services, the
Excel engine or ``open_db``/``check``; each is refused with a Chinese message naming the field
or the file, and changes nothing (the database file's sha256 after a WAL checkpoint)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from nxcommand import contacts, dutylog, excel_kinds, incidents, store, xlsx
from nxcommand.errors import UserError, ValidationError
from nxcommand.store import StoreError, open_db

from .conftest import file_digest

TEN_MB = "山" * (10 * 1024 * 1024)
INJECTION = "'; DROP TABLE people; --"
DDE = "=cmd|' /C calc'!A0"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def digest(db) -> str:
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return file_digest(store.db_path(db))


def refused(call, names: str) -> UserError:
    """``call`` raises a UserError in Chinese whose field or text names ``names``."""
    with pytest.raises(UserError) as info:
        call()
    exc = info.value
    message = str(exc)
    assert CHINESE.search(message), message
    assert names in message or getattr(exc, "field", None) == names, (names, message)
    return exc


# ------------------------------------------------------------------ the duty log

LOG = dutylog.LogInput(logged_at="2026-07-01 14:00", kind="来电", summary="油山镇来电报告山火",
                       recorded_by="值班员")

LOG_CASES = {
    "summary-bytes": (dict(summary="山火".encode()), "摘要"),
    "summary-list": (dict(summary=["山火"]), "摘要"),
    "recorder-number": (dict(recorded_by=12345), "记录人"),
    "time-number": (dict(logged_at=202607011400), "记录时间"),
    "time-before-2000": (dict(logged_at="1999-12-31 23:59"), "记录时间"),
    "time-far-future": (dict(logged_at="9999-12-31 23:59"), "记录时间"),
    "time-impossible-day": (dict(logged_at="2026-02-30 10:00"), "记录时间"),
    "town-wrong-type": (dict(town_id=[1]), "镇（街道）"),
    "town-too-large": (dict(town_id=2 ** 70), "镇（街道）"),
    "town-negative": (dict(town_id=-1), "镇（街道）"),
    "event-as-text": (dict(event_id="1"), "关联事件"),
    "event-too-large": (dict(event_id=2 ** 63), "关联事件"),
    "summary-10MB": (dict(summary=TEN_MB), "摘要"),
    "actions-10MB": (dict(actions=TEN_MB), "处置情况"),
    "summary-NUL": (dict(summary="山火\x00蔓延"), "摘要"),
    "summary-escape": (dict(summary="山火\x1b[31m蔓延"), "摘要"),
    "summary-DEL": (dict(summary="山火\x7f"), "摘要"),
    "summary-bidi-override": (dict(summary="来电\u202e号码倒置"), "摘要"),
    "summary-only-zero-width": (dict(summary="\u200b\ufeff"), "摘要"),
    "summary-lone-surrogate": (dict(summary="山火\ud800"), "摘要"),
    "source-bell": (dict(source="\x07来电"), "来源"),
    "kind-injection": (dict(kind=INJECTION), "类别"),
    "kind-list": (dict(kind=["来电"]), "类别"),
    "summary-blank": (dict(summary=" \u3000\n "), "摘要"),
    "reported-before-logged": (dict(reported_to="带班领导", reported_at="2026-07-01 13:00"), "报告时间"),
}


@pytest.mark.parametrize("change, field", LOG_CASES.values(), ids=LOG_CASES.keys())
def test_duty_log_entry_refused(demo_db, clock, change, field):
    before, count = digest(demo_db), dutylog.count(demo_db)
    refused(lambda: dutylog.append(demo_db, replace(LOG, **change), clock), field)
    assert dutylog.count(demo_db) == count and digest(demo_db) == before


# ------------------------------------------------------------------ the directory

def _contact(**change) -> contacts.ContactInput:
    return replace(contacts.ContactInput(name="王建军", org_id=1, mobile="13900007777"), **change)


CONTACT_CASES = {
    "name-10MB": (dict(name=TEN_MB), "姓名"),
    "name-digits": (dict(name="王建军1"), "姓名"),
    "name-bytes": (dict(name="王建军".encode()), "姓名"),
    "name-NUL": (dict(name="王\x00建军"), "姓名"),
    "name-bidi-override": (dict(name="王\u202e建军"), "姓名"),
    "name-lone-surrogate": (dict(name="王\udfff"), "姓名"),
    "note-escape": (dict(note="备注\x1b[2J"), "备注"),
    "post-10MB": (dict(post=TEN_MB), "职务"),
    "unit-missing": (dict(org_id=None), "单位"),
    "unit-unknown": (dict(org_id=999999), "单位"),
    "unit-wrong-type": (dict(org_id=[1]), "单位"),
    "unit-too-large": (dict(org_id=2 ** 70), "单位"),
    "unit-bool": (dict(org_id=True), "单位"),
    "mobile-injection": (dict(mobile=INJECTION), "手机"),
    "mobile-too-long": (dict(mobile="139000077771234"), "手机"),
    "mobile-float": (dict(mobile=1.39e10), "手机"),
    "mobile-letters": (dict(mobile="1390000abcd"), "手机"),
    "office-injection": (dict(mobile="", office_phone="0751-5551234' OR 1=1"), "办公电话"),
    "no-phone": (dict(mobile=""), "手机"),
    "roles-not-a-list": (dict(roles=None), "角色"),
    "roles-injection": (dict(roles=[INJECTION]), "角色"),
}


@pytest.mark.parametrize("change, field", CONTACT_CASES.values(), ids=CONTACT_CASES.keys())
def test_contact_refused(demo_db, clock, change, field):
    before, count = digest(demo_db), contacts.count(demo_db, include_retired=True)
    refused(lambda: contacts.add(demo_db, _contact(**change), clock), field)
    assert contacts.count(demo_db, include_retired=True) == count and digest(demo_db) == before


@pytest.mark.parametrize("change, field", [CONTACT_CASES[k] for k in ("name-10MB", "unit-too-large", "mobile-injection")],
                         ids=["name-10MB", "unit-too-large", "mobile-injection"])
def test_contact_edit_refused(demo_db, clock, change, field):
    person = contacts.get(demo_db, 1)
    before = digest(demo_db)
    refused(lambda: contacts.update(demo_db, 1, _contact(**change), expected_version=person["version"],
                                    clock=clock), field)
    assert contacts.get(demo_db, 1) == person and digest(demo_db) == before


def test_injection_text_is_stored_as_text_and_searched_as_text(demo_db, clock):
    """Where SQL text is legitimate input (a free-text field, a search) it is data: stored
    literally, found literally, and the tables are all still there."""
    entry = dutylog.append(demo_db, replace(LOG, summary=f"来电人原话：{INJECTION}"), clock)
    assert INJECTION in dutylog.get(demo_db, entry)["summary"]
    people = contacts.count(demo_db)
    assert contacts.search(demo_db, contacts.Query(text=INJECTION)) == []
    assert dutylog.count(demo_db, dutylog.LogQuery(text=INJECTION)) >= 0
    assert contacts.count(demo_db) == people and store.check(store.db_path(demo_db)) == []


# ------------------------------------------------------------------ the intake form

FIGURE_CASES = {
    "deaths-text": (dict(deaths="3"), "死亡"),
    "deaths-float": (dict(deaths=2.5), "死亡"),
    "deaths-bool": (dict(deaths=True), "死亡"),
    "injured-negative": (dict(injured=-1), "受伤"),
    "evacuated-too-large": (dict(evacuated=10 ** 14), "转移群众"),
    "loss-too-large": (dict(direct_loss_yuan=2 ** 70), "直接经济损失"),
    "serious-above-injured": (dict(injured=1, serious_injured=2), "其中重伤"),
}


def _intake(demo_db, **change) -> incidents.EventInput:
    town = demo_db.execute("SELECT id FROM admin_units WHERE level = 'town' ORDER BY id LIMIT 1").fetchone()[0]
    category = demo_db.execute("SELECT id FROM event_categories ORDER BY id LIMIT 1").fetchone()[0]
    return replace(incidents.EventInput(
        received_at="2026-07-01 14:00", source_kind="电话", occurred_at="2026-07-01 13:40", town_id=town,
        category_id=category, cause="山体滑坡", recorded_by="值班员", caller_name="李四",
        caller_phone="13900008888", grade=4), **change)


@pytest.mark.parametrize("figures, field", FIGURE_CASES.values(), ids=FIGURE_CASES.keys())
def test_intake_figures_refused(demo_db, clock, figures, field):
    before = digest(demo_db)
    data = _intake(demo_db, figures=incidents.Figures(**figures))
    refused(lambda: incidents.create_event(demo_db, data, clock), field)
    assert demo_db["events"].count == 0 and digest(demo_db) == before


INTAKE_CASES = {
    "cause-10MB": (dict(cause=TEN_MB), "起因经过"),
    "cause-NUL": (dict(cause="滑坡\x00"), "起因经过"),
    "grade-out-of-range": (dict(grade=7), "事件级别"),
    "source-kind-injection": (dict(source_kind=INJECTION), "来源方式"),
    "phone-injection": (dict(caller_phone=INJECTION), "联系电话"),
    "received-garbage": (dict(received_at="昨天下午"), "接报时间"),
    "town-unknown": (dict(town_id=999999), "事发镇街"),
}


@pytest.mark.parametrize("change, field", INTAKE_CASES.values(), ids=INTAKE_CASES.keys())
def test_intake_refused(demo_db, clock, change, field):
    before = digest(demo_db)
    refused(lambda: incidents.create_event(demo_db, _intake(demo_db, **change), clock), field)
    assert demo_db["events"].count == 0 and digest(demo_db) == before


# ------------------------------------------------------------------ Excel

CONTACTS = excel_kinds.kind("contacts")


def _sheet(demo_db, tmp_path, *rows, name="通讯录.xlsx"):
    """A contacts import file: the template with ``rows`` (序号 first), cells starting with =
    kept as text cells unless the row is marked as a formula row."""
    path = tmp_path / name
    xlsx.write_template(demo_db, CONTACTS, path)
    wb = load_workbook(path)
    ws = wb.active
    for row in rows:
        formula = row and row[0] == "formula"
        ws.append(list(row[1:] if formula else row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("=") and not formula:
                cell.data_type = "s"
    wb.save(path)
    return path


def _unit(demo_db) -> str:
    return demo_db.execute("SELECT name FROM organizations ORDER BY id LIMIT 1").fetchone()[0]


def test_formula_text_in_cells_imports_as_text_and_exports_as_text(demo_db, tmp_path, clock):
    path = _sheet(demo_db, tmp_path, [1, "王建军", _unit(demo_db), DDE, "13900007777", "", "", "=1+1"])
    report = xlsx.import_file(demo_db, CONTACTS, path, clock)
    assert report.added == 1
    row = demo_db.execute("SELECT post, note FROM people WHERE mobile = '13900007777'").fetchone()
    assert row == (DDE, "=1+1")                        # plain text, never computed
    out = tmp_path / "导出.xlsx"
    xlsx.export(demo_db, CONTACTS, out, clock)
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "cmd|" in sheet      # a text cell, no formula anywhere
    cells = [c for r in load_workbook(out).active.iter_rows() for c in r if c.value in (DDE, "=1+1")]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)


def _excel_cases():
    unit = "{unit}"
    return {
        "formula-without-result": ([("formula", 1, "王建军", unit, "", "13900007777", "", "", DDE)], "备注"),
        "name-10MB": ([(1, "山" * 100_000, unit, "", "13900007777")], "姓名"),
        "name-formula-text": ([(1, DDE, unit, "", "13900007777")], "姓名"),
        "mobile-out-of-range": ([(1, "王建军", unit, "", 13900007777123)], "手机"),
        "mobile-injection": ([(1, "王建军", unit, "", INJECTION)], "手机"),
        "unit-injection": ([(1, "王建军", INJECTION, "", "13900007777")], "单位"),
        "one-bad-row-of-two": ([(1, "王建军", unit, "", "13900007777"), (2, "李建国", unit, "", "abc")], "手机"),
    }


@pytest.mark.parametrize("name", _excel_cases().keys())
def test_excel_rows_refused_and_nothing_imported(demo_db, tmp_path, clock, name):
    rows, field = _excel_cases()[name]
    unit = _unit(demo_db)
    rows = [tuple(unit if v == "{unit}" else v for v in row) for row in rows]
    path = _sheet(demo_db, tmp_path, *rows)
    before, people = digest(demo_db), contacts.count(demo_db, include_retired=True)
    exc = refused(lambda: xlsx.import_file(demo_db, CONTACTS, path, clock), "文件")
    errors = [str(e) for e in exc.report.errors]
    assert errors and all(CHINESE.search(e) for e in errors)
    assert any(f"「{field}」" in e or field in e for e in errors), errors
    assert contacts.count(demo_db, include_retired=True) == people and digest(demo_db) == before


def _bad_files(tmp_path, good):
    data = good.read_bytes()
    files = {
        "random-bytes": b"\x00\x01not a workbook" * 500,
        "truncated-half": data[: len(data) // 2],
        "truncated-tail": data[:-200],
        "zero-length": b"",
        "text-renamed": "姓名,单位,手机\n王建军,应急管理局,13900007777\n".encode(),
        "sqlite-renamed": b"SQLite format 3\x00" + b"\x00" * 4000,
    }
    zipped = tmp_path / "zip-without-workbook.xlsx"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("readme.txt", "不是工作簿")
    files["zip-without-workbook"] = zipped.read_bytes()
    scribbled = bytearray(data)
    scribbled[len(data) // 3: len(data) // 3 + 400] = b"\xff" * 400
    files["scribbled-middle"] = bytes(scribbled)
    return files


BAD_FILES = ["random-bytes", "truncated-half", "truncated-tail", "zero-length", "text-renamed",
             "sqlite-renamed", "zip-without-workbook", "scribbled-middle", "legacy-xls", "directory",
             "missing"]


@pytest.mark.parametrize("name", BAD_FILES)
def test_malformed_xlsx_refused_naming_the_file(demo_db, tmp_path, clock, name):
    good = _sheet(demo_db, tmp_path, [1, "王建军", _unit(demo_db), "", "13900007777"], name="good.xlsx")
    path = tmp_path / f"{name}.xlsx"
    if name == "legacy-xls":
        path = tmp_path / "旧表.xls"
        path.write_bytes(good.read_bytes())
    elif name == "directory":
        path.mkdir()
    elif name != "missing":
        path.write_bytes(_bad_files(tmp_path, good)[name])
    before, people = digest(demo_db), contacts.count(demo_db, include_retired=True)
    exc = refused(lambda: xlsx.import_file(demo_db, CONTACTS, path, clock), "文件")
    assert isinstance(exc, ValidationError) and (path.name in str(exc) or str(path) in str(exc)), str(exc)
    assert contacts.count(demo_db, include_retired=True) == people and digest(demo_db) == before


# ------------------------------------------------------------------ damaged database files

def _damage(path, how):
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    if how == "truncated":
        path.write_bytes(bytes(data[: len(data) // 3]))
    elif how == "truncated-to-header":
        path.write_bytes(bytes(data[:100]))
    elif how == "scribbled-pages":
        for offset in range(2 * page, len(data) - page, page * 7):
            data[offset:offset + 128] = b"\xa5" * 128
        path.write_bytes(bytes(data))
    elif how == "scribbled-header":
        data[0:16] = b"SQLite format 2\x00"
        path.write_bytes(bytes(data))
    elif how == "zero-length":
        path.write_bytes(b"")
    elif how == "directory":
        path.unlink()
        path.mkdir()
    elif how == "schema-scribbled":       # sqlite_master's page (page 1) overwritten past the header
        data[100:page] = b"\x00" * (page - 100)
        path.write_bytes(bytes(data))


DAMAGE = ["truncated", "truncated-to-header", "scribbled-pages", "scribbled-header", "zero-length",
          "directory", "schema-scribbled"]


@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_database_refused_untouched(demo_path, how):
    _damage(demo_path, how)
    before = None if demo_path.is_dir() else file_digest(demo_path)
    exc = refused(lambda: open_db(demo_path), str(demo_path))
    assert isinstance(exc, StoreError)
    problems = store.check(demo_path)             # what `nxcommand check` prints
    assert problems and all(CHINESE.search(p) for p in problems)
    assert str(demo_path) in problems[0]
    if before is not None:
        assert file_digest(demo_path) == before
        wal = demo_path.with_name(demo_path.name + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
    else:
        assert list(demo_path.iterdir()) == []



def test_pasted_text_keeps_its_words_without_zero_width_characters(demo_db, clock):
    """Text pasted from Word or a chat app often carries zero-width spaces and a BOM: the
    entry is accepted with them dropped (a bidi override is still refused, see the corpus)."""
    from nxcommand import dutylog
    from nxcommand.text import clean

    assert clean("\ufeff油山镇\u200b报告", "摘要", 100) == "油山镇报告"
    assert clean("第一行\u200b\n第二行", "情况", 100, multiline=True) == "第一行\n第二行"
    entry = dutylog.append(demo_db, dutylog.LogInput(
        logged_at=clock.now(), kind="来电", summary="\ufeff油山镇来电\u200b：水位上涨", recorded_by="刘艳玲"), clock)
    assert dutylog.get(demo_db, entry)["summary"] == "油山镇来电：水位上涨"
