"""The audit trail: every write records who, when, before and after; the hash chain and the
rows bound to it reveal any edit made outside the console, naming the first broken record."""

from __future__ import annotations

import sqlite3

import pytest

from nxcommand import accounts, audit, contacts, dutylog, session
from nxcommand.store import open_db

from . import outside
from .test_cli import nx

OFFICER = session.Actor("liming", "李明", frozenset({"值班员"}), account_id=7)


def _log_entry(db, clock, summary="油山镇来电：河水上涨") -> int:
    return dutylog.append(db, dutylog.LogInput(logged_at=clock.now(), kind="来电", summary=summary,
                                               recorded_by="李明"), clock)


def test_a_write_records_who_when_before_and_after(demo_db, clock):
    row = demo_db.execute("SELECT id, name, org_id, mobile, office_phone, note, version FROM people "
                          "ORDER BY id LIMIT 1").fetchone()
    person_id, name, org_id, mobile, office, note, version = row
    with session.acting(demo_db, OFFICER):
        contacts.update(demo_db, person_id, contacts.ContactInput(
            name=name, org_id=org_id, mobile=mobile or "", office_phone=office or "", note="夜间请拨手机"),
            expected_version=version, clock=clock)
    record = audit.entries(demo_db, table="people", limit=1)[0]
    assert record["actor"] == "李明（liming）" and record["op_title"] == "修改"
    assert record["table_title"] == "通讯录人员" and record["row_id"] == str(person_id)
    assert ("note", note, "夜间请拨手机") in record["changes"]
    assert len(record["at"]) == 19
    assert audit.verify(demo_db) == []


def test_nobody_signed_in_is_recorded_as_such(demo_db):
    session.set_fallback(None)
    from nxcommand import org
    org.set_meta(demo_db, "audit_probe", "1")
    assert audit.entries(demo_db, table="meta", limit=1)[0]["actor"] == session.NOBODY


def test_the_audit_log_itself_cannot_be_edited_or_deleted(demo_db, clock):
    _log_entry(demo_db, clock)
    for sql in ("UPDATE audit_log SET actor = '某人' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1",
                "UPDATE audit_log SET after = NULL, redacted = 1 WHERE tbl = 'log_entries'"):
        with pytest.raises(sqlite3.IntegrityError, match="审计记录不可"):
            demo_db.execute(sql)


def test_password_hashes_are_not_copied_into_the_trail(empty_db, clock):
    accounts.create_account(empty_db, None, "admin", "管理员甲", "Strong-pass-123", ["管理员"], clock=clock)
    digest = empty_db.execute("SELECT password_hash FROM accounts").fetchone()[0]
    images = " ".join(r[0] or "" for r in empty_db.execute("SELECT after FROM audit_log WHERE tbl = 'accounts'"))
    assert digest not in images and audit.sha(digest) in images
    assert audit.verify(empty_db) == []


def test_a_plain_sqlite_program_cannot_write_to_audited_tables(demo_path):
    conn = sqlite3.connect(demo_path)
    with pytest.raises(sqlite3.OperationalError, match="nx_actor"):
        conn.execute("UPDATE people SET note = 'x' WHERE id = 1")
    conn.close()


def _verify(path) -> list[str]:
    """What ``nxcommand check`` finds in the audit trail of the file at ``path``."""
    db = open_db(path, readonly=True)
    try:
        return audit.verify(db)
    finally:
        db.close()


def _tamper(path, *sql):
    conn = sqlite3.connect(path)
    outside.drop_triggers(conn)
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_a_log_entry_edited_outside_is_named(demo_path, clock):
    db = open_db(demo_path)
    entry = _log_entry(db, clock)
    _log_entry(db, clock, "第二条")
    db.close()
    _tamper(demo_path, f"UPDATE log_entries SET summary = '改过的' WHERE id = {entry}")
    problems = _verify(demo_path)
    assert any("审计触发器缺失" in p for p in problems)
    assert f"值班日志 #{entry} 与其最后一条审计记录不符：在控制台之外被修改" in problems


def test_rows_added_or_removed_outside_are_named(demo_path):
    db = open_db(demo_path)
    from nxcommand import org
    org.set_meta(db, "doomed", "1")
    db.close()
    _tamper(demo_path, "INSERT INTO meta(key, value) VALUES ('planted', 'x')",
            "DELETE FROM meta WHERE key = 'doomed'")
    problems = _verify(demo_path)
    assert any(p.startswith("设置 #") and p.endswith("没有审计记录：在控制台之外新增") for p in problems)
    assert any(p.startswith("设置 #") and p.endswith("在控制台之外被删除（审计记录中它仍存在）") for p in problems)


def test_a_changed_audit_record_breaks_the_chain_there(demo_path, clock):
    db = open_db(demo_path)
    _log_entry(db, clock)
    seq = audit.head(db)[0]
    db.close()
    _tamper(demo_path, f"UPDATE audit_log SET actor = '王五' WHERE seq = {seq - 3}")
    problems = _verify(demo_path)
    assert problems[0].startswith(f"审计链断开：第 {seq - 3} 条审计记录")


def test_removed_audit_records_break_the_chain(demo_path, clock):
    db = open_db(demo_path)
    for n in range(3):
        _log_entry(db, clock, f"第{n}条")
    seq = audit.head(db)[0]
    db.close()
    _tamper(demo_path, f"DELETE FROM audit_log WHERE seq IN ({seq - 2}, {seq - 1})")
    problems = _verify(demo_path)
    assert problems[0].startswith(f"审计链断开：第 {seq - 2} 至 {seq - 1} 条审计记录被删除")


def test_a_rewritten_record_with_a_recomputed_payload_still_breaks_the_links(demo_path, clock):
    """Recomputing the record's own payload hash is not enough: its link hash no longer fits."""
    db = open_db(demo_path)
    entry = _log_entry(db, clock)
    db.close()
    conn = sqlite3.connect(demo_path)
    audit.register(conn, lambda: "篡改者")
    seq, after = conn.execute("SELECT seq, after FROM audit_log WHERE tbl = 'log_entries' "
                              "AND row_id = ? ORDER BY seq DESC LIMIT 1", [str(entry)]).fetchone()
    forged = after.replace("油山镇来电", "无事")
    outside.drop_triggers(conn)
    conn.execute("UPDATE audit_log SET after = ?, payload_hash = nx_payload(NULL, ?) WHERE seq = ?",
                 [forged, forged, seq])
    conn.execute("UPDATE log_entries SET summary = replace(summary, '油山镇来电', '无事') WHERE id = ?", [entry])
    conn.commit()
    conn.close()
    problems = _verify(demo_path)
    assert problems[0].startswith(f"审计链断开：第 {seq} 条审计记录")


def test_new_columns_renew_the_triggers_and_keep_the_chain(demo_path, clock):
    db = open_db(demo_path)
    db.execute("ALTER TABLE teams ADD COLUMN radio_call_sign TEXT")
    assert audit.install(db.conn) is True
    assert audit.install(db.conn) is False                 # idempotent
    assert audit.verify(db) == []
    team = db.execute("SELECT id FROM teams LIMIT 1").fetchone()
    if team:
        db.execute("UPDATE teams SET radio_call_sign = '雄州1' WHERE id = ?", [team[0]])
        assert ("radio_call_sign", None, "雄州1") in audit.entries(db, table="teams", limit=1)[0]["changes"]
    assert audit.verify(db) == []
    db.close()


def test_redaction_is_for_personal_tables_only(demo_db):
    with pytest.raises(ValueError):
        audit.redact(demo_db, "log_entries", [1])


def test_check_names_the_first_broken_record(demo_path, clock):
    db = open_db(demo_path)
    entry = _log_entry(db, clock)
    db.close()
    sound = nx("check", "--db", demo_path)
    assert sound.returncode == 0 and "审计链：" in sound.stdout
    _tamper(demo_path, f"UPDATE log_entries SET summary = '改过的' WHERE id = {entry}")
    broken = nx("check", "--db", demo_path)
    assert broken.returncode == 1
    assert f"值班日志 #{entry} 与其最后一条审计记录不符" in broken.stderr


def test_reopening_the_console_after_tampering_does_not_launder_the_edit(demo_path, clock):
    """The console renews dropped triggers at its next open, but the rows changed or added
    while they were gone stay unbound: check still names them."""
    db = open_db(demo_path)
    entry = _log_entry(db, clock)
    db.close()
    _tamper(demo_path, f"UPDATE log_entries SET summary = '改过的' WHERE id = {entry}",
            "INSERT INTO meta(key, value) VALUES ('planted', 'x')")
    db = open_db(demo_path)                    # the console's open renews the triggers
    problems = audit.verify(db)
    _log_entry(db, clock, "之后的正常记录")     # and goes on auditing new writes
    after = audit.verify(db)
    db.close()
    assert not any("审计触发器" in p for p in problems)
    assert any(p.startswith("防篡改触发器缺失或被改动（") and "log_entries_no_update" in p for p in problems)
    assert f"值班日志 #{entry} 与其最后一条审计记录不符：在控制台之外被修改" in problems
    assert any(p.startswith("设置 #") and "没有审计记录" in p for p in problems)
    assert after == problems
