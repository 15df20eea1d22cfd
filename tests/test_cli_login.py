"""Signing in on the command line: the commands that write need an account allowed to, once
the database has accounts; a refused command writes nothing of its own."""

from __future__ import annotations

import getpass
import io
import os
import shutil
import subprocess
import sys

import pytest

from nxcommand import accounts, audit, backup, cli, cli_login
from nxcommand.clock import FixedClock
from nxcommand.store import open_db

from .conftest import NOW, file_digest
from .test_xlsx import GOOD, bureau_sheet

PW = {"admin": "Guan-li-yuan-01", "zhangsan": "Zhi-ban-yuan-01", "reader": "Zhi-du-zhang-01",
      "fresh": "Chu-shi-mi-ma-01"}        # fresh: the administrator's initial password, unchanged


def people(path) -> int:
    db = open_db(path, readonly=True)
    try:
        return db.execute("SELECT count(*) FROM people").fetchone()[0]
    finally:
        db.close()


def newest_actor(path, table: str) -> str:
    db = open_db(path, readonly=True)
    try:
        return audit.entries(db, table=table, limit=1)[0]["actor"]
    finally:
        db.close()


@pytest.fixture(scope="module")
def accounts_template(demo_template, tmp_path_factory):
    """The demo database after the console's first start: an administrator, an officer, a
    read-only account (their own passwords set), and one still on its initial password."""
    clock = FixedClock(NOW)
    path = tmp_path_factory.mktemp("accounts") / "accounts.db"
    shutil.copy(demo_template, path)
    db = open_db(path)
    accounts.create_account(db, None, "admin", "系统管理员", PW["admin"], ["管理员"], clock=clock)
    admin = accounts.authenticate(db, "admin", PW["admin"], clock)
    for login, name, roles in (("zhangsan", "张三", ["值班员"]), ("reader", "李读", ["只读"]),
                               ("fresh", "王新", ["值班员"])):
        initial = PW[login] if login == "fresh" else PW[login] + "-tmp"
        account_id = accounts.create_account(db, admin, login, name, initial, roles, clock=clock)
        if login != "fresh":
            accounts.change_password(db, account_id, initial, PW[login], clock)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def with_accounts(accounts_template, tmp_path):
    path = tmp_path / "accounts.db"
    shutil.copy(accounts_template, path)
    return path


@pytest.fixture
def sheet(tmp_path):
    return bureau_sheet(tmp_path / "联络员.xlsx", GOOD)


@pytest.fixture
def password(monkeypatch):
    def use(value: str | None):
        if value is None:
            monkeypatch.delenv(cli_login.PASSWORD_ENV, raising=False)
        else:
            monkeypatch.setenv(cli_login.PASSWORD_ENV, value)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))        # no terminal unless a test says so
    use(None)
    return use


def run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


# ---- import -------------------------------------------------------------------------------

def test_before_any_account_the_command_line_acts_by_itself(demo_path, sheet, capsys, password):
    code, out, err = run(capsys, "import", "contacts", sheet, "--db", demo_path)
    assert code == 0, err
    assert "新增 2 人" in out
    assert newest_actor(demo_path, "people") == cli_login.FIRST_START


def test_with_accounts_import_needs_a_user(with_accounts, sheet, capsys, password):
    before = people(with_accounts)
    code, _out, err = run(capsys, "import", "contacts", sheet, "--db", with_accounts)
    assert code == 1
    assert "须登录：请加 --user 用户名" in err and "NXCOMMAND_PASSWORD" in err and "未做任何改动" in err
    assert people(with_accounts) == before


def test_a_wrong_password_imports_nothing_and_counts_towards_the_lockout(with_accounts, sheet, capsys,
                                                                          password):
    before = people(with_accounts)
    password("Not-the-password-1")
    code, _out, err = run(capsys, "import", "contacts", sheet, "--db", with_accounts, "--user", "zhangsan")
    assert code == 1 and "登录失败：用户名或密码不正确" in err
    assert people(with_accounts) == before
    db = open_db(with_accounts, readonly=True)
    assert accounts.login_events(db, limit=1)[0]["result"] == "密码错误"
    db.close()


def test_the_right_account_imports_and_the_audit_names_it(with_accounts, sheet, capsys, password):
    password(PW["zhangsan"])
    code, out, err = run(capsys, "import", "contacts", sheet, "--db", with_accounts, "--user", "zhangsan")
    assert code == 0, err
    assert "新增 2 人" in out
    assert newest_actor(with_accounts, "people") == "张三（zhangsan）"


def test_an_account_without_the_permission_is_refused(with_accounts, sheet, capsys, password):
    before = file_digest(with_accounts)
    password(PW["reader"])
    code, _out, err = run(capsys, "import", "contacts", sheet, "--db", with_accounts, "--user", "reader")
    assert code == 1
    assert "无权维护通讯录" in err and "值班员、带班领导" in err and "角色为只读" in err
    assert people(with_accounts) == 252
    assert file_digest(with_accounts) != before          # only the login record was written


def test_an_initial_password_is_changed_in_the_console_first(with_accounts, sheet, capsys, password):
    password(PW["fresh"])
    code, _out, err = run(capsys, "import", "contacts", sheet, "--db", with_accounts, "--user", "fresh")
    assert code == 1 and "须先在控制台登录并修改初始密码" in err
    assert people(with_accounts) == 252


def test_the_password_is_asked_on_a_terminal(with_accounts, sheet, capsys, password, monkeypatch):
    asked = []

    def typed(prompt):
        asked.append(prompt)
        return PW["zhangsan"]

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(""))
    monkeypatch.setattr(getpass, "getpass", typed)
    code, _out, err = run(capsys, "import", "contacts", sheet, "--db", with_accounts, "--user", "zhangsan")
    assert code == 0, err
    assert asked == ["密码："]


def test_no_password_and_no_terminal_is_refused(with_accounts, sheet, capsys, password):
    code, _out, err = run(capsys, "import", "contacts", sheet, "--db", with_accounts, "--user", "zhangsan")
    assert code == 1 and "未提供密码" in err and "NXCOMMAND_PASSWORD" in err
    assert people(with_accounts) == 252


def test_a_dry_run_and_the_reading_commands_need_no_login(with_accounts, sheet, tmp_path, capsys,
                                                          password):
    code, out, err = run(capsys, "import", "contacts", sheet, "--db", with_accounts, "--dry-run")
    assert code == 0, err
    assert "试运行，未写入" in out
    assert run(capsys, "export", "contacts", tmp_path / "c.xlsx", "--db", with_accounts)[0] == 0
    assert run(capsys, "check", "--db", with_accounts)[0] == 0
    assert run(capsys, "backup", "--list", "--db", with_accounts, "--to", tmp_path / "bk")[0] == 0


# ---- backup and restore -------------------------------------------------------------------

def test_backup_needs_the_administrator(with_accounts, tmp_path, capsys, password):
    folder = tmp_path / "bk"
    code, _out, err = run(capsys, "backup", "--db", with_accounts, "--to", folder)
    assert code == 1 and "须登录" in err
    password(PW["zhangsan"])
    code, _out, err = run(capsys, "backup", "--db", with_accounts, "--to", folder, "--user", "zhangsan")
    assert code == 1 and "无权备份恢复：此操作仅限管理员" in err
    assert backup.list_backups(folder) == []
    password(PW["admin"])
    code, out, err = run(capsys, "backup", "--db", with_accounts, "--to", folder, "--user", "admin")
    assert code == 0, err
    assert "已备份" in out and len(backup.list_backups(folder)) == 1


def test_restore_signs_in_when_the_current_database_has_accounts(with_accounts, tmp_path, capsys,
                                                                 password, clock):
    folder = tmp_path / "bk"
    made = backup.make_backup(with_accounts, folder, clock, reason="手动")
    before = file_digest(with_accounts)
    code, _out, err = run(capsys, "restore", made, "--db", with_accounts, "--yes")
    assert code == 1 and "须登录" in err
    assert file_digest(with_accounts) == before
    password(PW["zhangsan"])
    code, _out, err = run(capsys, "restore", made, "--db", with_accounts, "--yes", "--user", "zhangsan")
    assert code == 1 and "无权备份恢复" in err
    assert [i.reason for i in backup.list_backups(folder)] == ["手动"]      # no safety copy either
    password(PW["admin"])
    code, out, err = run(capsys, "restore", made, "--db", with_accounts, "--yes", "--user", "admin")
    assert code == 0, err
    assert "已恢复" in out


def test_a_damaged_database_is_restored_without_a_login(with_accounts, tmp_path, capsys, password, clock):
    made = backup.make_backup(with_accounts, tmp_path / "bk", clock, reason="手动")
    with_accounts.write_bytes(b"\x00" * 4096)                 # nothing can be asked of it
    code, out, err = run(capsys, "restore", made, "--db", with_accounts, "--yes")
    assert code == 0, err
    assert "已恢复" in out and file_digest(with_accounts) == file_digest(made)


def test_a_real_process_signs_in_from_the_environment(with_accounts, tmp_path):
    """As a scheduled job would: NXCOMMAND_PASSWORD and --user, no terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ("NXCOMMAND_DB", cli_login.PASSWORD_ENV)}

    def nx(*args, password=None):
        extra = {cli_login.PASSWORD_ENV: password} if password else {}
        return subprocess.run([sys.executable, "-m", "nxcommand", *map(str, args)], capture_output=True,
                              text=True, env={**env, **extra}, stdin=subprocess.DEVNULL, timeout=120)

    folder = tmp_path / "bk"
    refused = nx("backup", "--db", with_accounts, "--to", folder, "--user", "admin", password="Wrong-pass-99")
    assert refused.returncode == 1 and "登录失败：用户名或密码不正确" in refused.stderr
    assert not folder.exists() or backup.list_backups(folder) == []
    done = nx("backup", "--db", with_accounts, "--to", folder, "--user", "admin", password=PW["admin"])
    assert done.returncode == 0, done.stderr
    assert len(backup.list_backups(folder)) == 1
