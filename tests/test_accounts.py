"""Local accounts: Argon2id hashes, lockout, login record, password policy, bootstrap."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from nxcommand import accounts
from nxcommand.accounts import AuthError, authenticate
from nxcommand.errors import ValidationError
from nxcommand.permissions import PermissionDenied

PW = "Huo-zai-2026"
ADMIN_PW = "Guan-li-yuan-01"


@pytest.fixture
def admin(empty_db, clock):
    accounts.create_account(empty_db, None, "admin", "系统管理员", ADMIN_PW, ["管理员"], clock=clock)
    return authenticate(empty_db, "admin", ADMIN_PW, clock)


@pytest.fixture
def officer(empty_db, admin, clock):
    return accounts.create_account(empty_db, admin, "zhangsan", "张三", PW, ["值班员"], clock=clock)


def stored_hash(db, account_id):
    return db.execute("SELECT password_hash FROM accounts WHERE id = ?", [account_id]).fetchone()[0]


def dump(db) -> str:
    return "\n".join(db.conn.iterdump())


# ---- hashing ------------------------------------------------------------------------------

def test_no_plaintext_is_stored_and_the_hash_verifies(empty_db, admin, officer):
    digest = stored_hash(empty_db, officer)
    assert digest.startswith("$argon2id$v=19$m=65536,t=3,p=2$")
    assert PW not in dump(empty_db) and ADMIN_PW not in dump(empty_db)
    assert accounts.hasher().verify(digest, PW)


def test_the_same_password_gives_different_hashes(empty_db, admin, clock):
    a = accounts.create_account(empty_db, admin, "wang.wu", "王五", PW, ["值班员"], clock=clock)
    b = accounts.create_account(empty_db, admin, "li-si", "李四", PW, ["值班员"], clock=clock)
    assert stored_hash(empty_db, a) != stored_hash(empty_db, b)
    assert authenticate(empty_db, "wang.wu", PW, clock).id == a
    assert authenticate(empty_db, "li-si", PW, clock).id == b


def test_a_hash_made_with_old_parameters_is_redone_at_login(empty_db, admin, officer, clock,
                                                            monkeypatch):
    old = stored_hash(empty_db, officer)
    monkeypatch.setitem(accounts.HASH_PARAMS, "time_cost", 4)
    authenticate(empty_db, "zhangsan", PW, clock)
    new = stored_hash(empty_db, officer)
    assert new != old and "t=4" in new and "t=3" in old
    authenticate(empty_db, "zhangsan", PW, clock)
    assert stored_hash(empty_db, officer) == new       # current parameters: left alone


# ---- signing in ---------------------------------------------------------------------------

def test_login_is_case_insensitive_and_unique(empty_db, admin, officer, clock):
    assert authenticate(empty_db, "ZhangSan", PW, clock).id == officer
    with pytest.raises(ValidationError, match="已被使用"):
        accounts.create_account(empty_db, admin, "ZHANGSAN", "张三二", PW, ["值班员"], clock=clock)
    with pytest.raises(sqlite3.IntegrityError):
        empty_db.execute("UPDATE accounts SET login = 'ADMIN' WHERE id = ?", [officer])


def test_unknown_login_and_wrong_password_get_the_same_message(empty_db, admin, officer, clock):
    with pytest.raises(AuthError) as unknown:
        authenticate(empty_db, "nobody", PW, clock)
    with pytest.raises(AuthError) as wrong:
        authenticate(empty_db, "zhangsan", "Wrong-password-1", clock)
    assert str(unknown.value) == str(wrong.value) == "用户名或密码不正确"


def test_lockout_after_five_failures_for_fifteen_minutes(empty_db, admin, officer, clock):
    start = clock.now()
    for _ in range(4):
        with pytest.raises(AuthError, match="用户名或密码不正确"):
            authenticate(empty_db, "zhangsan", "Wrong-password-1", clock)
        clock.advance(seconds=10)
    assert authenticate(empty_db, "zhangsan", PW, clock).id == officer   # 4 then success: reset
    for _ in range(5):
        with pytest.raises(AuthError, match="用户名或密码不正确"):
            authenticate(empty_db, "zhangsan", "Wrong-password-1", clock)
    locked_at = clock.now()
    with pytest.raises(AuthError, match="已锁定"):                       # the right password, refused
        authenticate(empty_db, "zhangsan", PW, clock)
    clock.set(locked_at + timedelta(minutes=14, seconds=59))
    with pytest.raises(AuthError, match="已锁定"):
        authenticate(empty_db, "zhangsan", PW, clock)
    clock.set(locked_at + timedelta(minutes=15))
    assert authenticate(empty_db, "zhangsan", PW, clock).id == officer
    assert clock.now() > start
    results = [e["result"] for e in reversed(accounts.login_events(empty_db, officer))]
    assert results == ["密码错误"] * 4 + ["成功"] + ["密码错误"] * 5 + ["已锁定"] * 2 + ["成功"]


def test_lockout_numbers_are_settings(empty_db, admin, officer, clock):
    assert accounts.LOCKOUT == {"max_failures": 5, "minutes": 15}
    assert accounts.lockout_settings(empty_db) == (5, 15)
    empty_db.execute("INSERT INTO meta (key, value) VALUES ('lockout_max_failures', '2'), "
                     "('lockout_minutes', '30')")
    for _ in range(2):
        with pytest.raises(AuthError, match="用户名或密码不正确"):
            authenticate(empty_db, "zhangsan", "Wrong-password-1", clock)
    clock.advance(minutes=29)
    with pytest.raises(AuthError, match="已锁定"):
        authenticate(empty_db, "zhangsan", PW, clock)
    clock.advance(minutes=1)
    assert authenticate(empty_db, "zhangsan", PW, clock).id == officer


def test_login_events_are_recorded_without_passwords(empty_db, admin, officer, clock):
    with pytest.raises(AuthError):
        authenticate(empty_db, "nobody", "Secret-guess-1", clock)
    with pytest.raises(AuthError):
        authenticate(empty_db, "zhangsan", "Secret-guess-2", clock)
    authenticate(empty_db, "zhangsan", PW, clock)
    events = accounts.login_events(empty_db)
    assert [(e["login"], e["result"], e["account_id"]) for e in events[:3]] == [
        ("zhangsan", "成功", officer), ("zhangsan", "密码错误", officer), ("nobody", "密码错误", None)]
    assert events[0]["at"] == clock.stamp()
    text = dump(empty_db)
    for secret in ("Secret-guess-1", "Secret-guess-2", PW, ADMIN_PW):
        assert secret not in text
    with pytest.raises(sqlite3.IntegrityError, match="不可修改"):
        empty_db.execute("UPDATE login_events SET result = '成功'")
    with pytest.raises(sqlite3.IntegrityError, match="不可删除"):
        empty_db.execute("DELETE FROM login_events")


def test_a_deactivated_account_cannot_sign_in(empty_db, admin, officer, clock):
    accounts.deactivate(empty_db, admin, officer, clock=clock)
    with pytest.raises(AuthError, match="用户名或密码不正确"):     # a guesser learns nothing
        authenticate(empty_db, "zhangsan", "Wrong-password-1", clock)
    with pytest.raises(AuthError, match="已停用"):
        authenticate(empty_db, "zhangsan", PW, clock)
    assert accounts.login_events(empty_db, officer)[0]["result"] == "已停用"
    accounts.reactivate(empty_db, admin, officer, clock=clock)
    assert authenticate(empty_db, "zhangsan", PW, clock).active


# ---- policy and administration ------------------------------------------------------------

@pytest.mark.parametrize("login, message", [
    ("", "请填写用户名"),
    ("ab", "3–32"),
    ("a" * 33, "3–32"),
    ("张三", "英文字母"),
    ("zhang san", "英文字母"),
    ("zhang@x", "英文字母"),
])
def test_login_rules(empty_db, admin, clock, login, message):
    with pytest.raises(ValidationError, match=message) as err:
        accounts.create_account(empty_db, admin, login, "某人", PW, ["值班员"], clock=clock)
    assert err.value.field == "用户名"


@pytest.mark.parametrize("password, message", [
    ("", "请填写密码"),
    ("Short-1", "至少需要 10 个字符"),
    ("1234567890123", "不能全是数字"),
    ("Zhaoliu.99", "不能与用户名相同"),
    ("Abcdefghij\x00k", "控制字符"),
    ("x" * 129, "不能超过 128 个字符"),
])
def test_password_policy(empty_db, admin, clock, password, message):
    with pytest.raises(ValidationError, match=message) as err:
        accounts.create_account(empty_db, admin, "zhaoliu.99", "赵六", password, ["值班员"], clock=clock)
    assert err.value.field == "密码"
    assert accounts.by_login(empty_db, "zhaoliu.99") is None


def test_full_width_login_is_accepted_as_ascii(empty_db, admin, clock):
    account_id = accounts.create_account(empty_db, admin, "ｚｈｏｕ７", "周七", PW, ["只读"], clock=clock)
    assert accounts.get(empty_db, account_id).login == "zhou7"


def test_bootstrap_first_account_must_be_an_administrator(empty_db, clock):
    assert accounts.needs_bootstrap(empty_db)
    with pytest.raises(ValidationError, match="第一个账户必须是管理员"):
        accounts.create_account(empty_db, None, "first", "第一人", PW, ["值班员"], clock=clock)
    first = accounts.create_account(empty_db, None, "first", "第一人", PW, ["管理员", "值班员"],
                                    clock=clock)
    assert not accounts.needs_bootstrap(empty_db)
    assert not accounts.get(empty_db, first).must_change_password    # chose it themselves
    with pytest.raises(PermissionDenied, match="请先登录"):              # no more anonymous creation
        accounts.create_account(empty_db, None, "second", "第二人", PW, ["管理员"], clock=clock)


def test_only_an_administrator_manages_accounts(empty_db, admin, officer, clock):
    me = authenticate(empty_db, "zhangsan", PW, clock)
    with pytest.raises(PermissionDenied, match="无权管理账户：此操作仅限管理员"):
        accounts.create_account(empty_db, me, "other", "他人", PW, ["值班员"], clock=clock)
    with pytest.raises(PermissionDenied):
        accounts.reset_password(empty_db, me, admin.id, "Taken-over-01", clock=clock)
    with pytest.raises(PermissionDenied):
        accounts.set_roles(empty_db, me, officer, ["管理员"], clock=clock)
    with pytest.raises(PermissionDenied):
        accounts.deactivate(empty_db, me, admin.id, clock=clock)
    assert accounts.get(empty_db, officer).roles == {"值班员"}


def test_roles_and_the_last_administrator(empty_db, admin, officer, clock):
    current = accounts.get(empty_db, officer)
    accounts.set_roles(empty_db, admin, officer, ["带班领导", "值班员"], current.version, clock=clock)
    assert accounts.get(empty_db, officer).roles == {"带班领导", "值班员"}
    with pytest.raises(ValidationError, match="已被他人修改"):            # stale form
        accounts.set_roles(empty_db, admin, officer, ["值班员"], current.version, clock=clock)
    with pytest.raises(ValidationError, match="只读.*不能与其他角色"):
        accounts.set_roles(empty_db, admin, officer, ["只读", "值班员"], clock=clock)
    with pytest.raises(ValidationError, match="未知的角色"):
        accounts.set_roles(empty_db, admin, officer, ["局长"], clock=clock)
    with pytest.raises(ValidationError, match="至少选择一个角色"):
        accounts.set_roles(empty_db, admin, officer, [], clock=clock)
    with pytest.raises(ValidationError, match="至少要保留一个在用的管理员"):
        accounts.set_roles(empty_db, admin, admin.id, ["值班员"], clock=clock)
    with pytest.raises(ValidationError, match="最后一个在用的管理员"):
        accounts.deactivate(empty_db, admin, admin.id, clock=clock)
    with pytest.raises(sqlite3.IntegrityError):                           # the schema agrees
        empty_db.execute("INSERT INTO account_roles (account_id, role) VALUES (?, '局长')", [officer])


def test_reset_then_change_password(empty_db, admin, officer, clock):
    assert accounts.get(empty_db, officer).must_change_password         # initial password
    accounts.change_password(empty_db, officer, PW, "Xin-mi-ma-2026", clock)
    assert not authenticate(empty_db, "zhangsan", "Xin-mi-ma-2026", clock).must_change_password
    for _ in range(5):                                                   # locked out …
        with pytest.raises(AuthError):
            authenticate(empty_db, "zhangsan", "Wrong-password-1", clock)
    accounts.reset_password(empty_db, admin, officer, "Lin-shi-mi-ma-1", clock=clock)
    me = authenticate(empty_db, "zhangsan", "Lin-shi-mi-ma-1", clock)    # … reset unlocks
    assert me.must_change_password
    with pytest.raises(AuthError, match="用户名或密码不正确"):
        authenticate(empty_db, "zhangsan", "Xin-mi-ma-2026", clock)
    with pytest.raises(AuthError, match="原密码不正确"):
        accounts.change_password(empty_db, officer, "Xin-mi-ma-2026", "Zui-zhong-mi-ma", clock)
    with pytest.raises(ValidationError, match="新密码至少需要 10 个字符"):
        accounts.change_password(empty_db, officer, "Lin-shi-mi-ma-1", "short", clock)
    with pytest.raises(ValidationError, match="新密码不能与原密码相同"):
        accounts.change_password(empty_db, officer, "Lin-shi-mi-ma-1", "Lin-shi-mi-ma-1", clock)
    accounts.change_password(empty_db, officer, "Lin-shi-mi-ma-1", "Zui-zhong-mi-ma", clock)
    me = authenticate(empty_db, "zhangsan", "Zui-zhong-mi-ma", clock)
    assert not me.must_change_password


def test_an_account_may_be_linked_to_a_person(demo_db, clock):
    person_id, name = demo_db.execute("SELECT id, name FROM people ORDER BY id LIMIT 1").fetchone()
    account_id = accounts.create_account(demo_db, None, "duty.admin", "", PW, ["管理员"],
                                         person_id=person_id, clock=clock)
    account = accounts.get(demo_db, account_id)
    assert (account.person_id, account.display_name) == (person_id, name)
    admin = authenticate(demo_db, "duty.admin", PW, clock)
    with pytest.raises(ValidationError, match="所选人员不存在"):
        accounts.create_account(demo_db, admin, "ghost", "某人", PW, ["只读"], person_id=10 ** 9,
                                clock=clock)
