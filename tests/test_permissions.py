"""The permission matrix: every action for every role, and the fixed facts of issue 7."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from nxcommand import permissions
from nxcommand.errors import UserError
from nxcommand.permissions import ACTIONS, ROLES, PermissionDenied, allowed, require


@dataclass(frozen=True)
class Who:
    login: str
    roles: frozenset[str]
    active: bool = True


def who(*roles: str, active: bool = True) -> Who:
    return Who("tester", frozenset(roles), active)


def test_the_six_roles_and_every_action_names_known_roles():
    assert ROLES == ("值班员", "带班领导", "指挥长", "新闻发布", "管理员", "只读")
    assert len(ACTIONS) >= 15
    for action, roles in ACTIONS.items():
        assert roles and set(roles) <= set(ROLES), action


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_for_every_role(action, role):
    account = who(role)
    if role in ACTIONS[action]:
        assert allowed(account, action)
        require(account, action)
    else:
        assert not allowed(account, action)
        with pytest.raises(PermissionDenied) as err:
            require(account, action)
        message = str(err.value)
        assert message.startswith(f"无权{action}")
        assert all(r in message for r in ACTIONS[action])        # names who may
        assert f"角色为{role}" in message
        assert err.value.action == action
        assert isinstance(err.value, UserError)


def allowed_roles(action: str) -> set[str]:
    return {role for role in ROLES if allowed(who(role), action)}


def test_fixed_facts_of_the_issue():
    assert allowed_roles("签发报告") == {"带班领导"}
    assert allowed_roles("审核发布稿") == {"新闻发布"}           # 初审, 复审
    assert allowed_roles("终审发布稿") == {"指挥长"}             # 终审
    assert allowed_roles("发布信息") == {"新闻发布"}
    # the 带班领导 records a commander's decision taken by phone; nobody else opens a level
    assert allowed_roles("启动响应") == allowed_roles("调整响应级别") == {"带班领导", "指挥长"}
    assert allowed_roles("管理参考数据") == {"管理员"}
    assert allowed_roles("管理账户") == {"管理员"}
    assert allowed_roles("查看") == set(ROLES)
    assert permissions.actions_for({"只读"}) == ["查看"]
    for action in ACTIONS:
        if action != "查看":
            assert "只读" not in allowed_roles(action), action       # 只读 writes nothing


# A service that calls another protected service: whoever may do the outer action must be
# allowed the inner one too, or the call would fail half-way for a role the matrix allows.
NESTED = [("调度派遣", "物资出入库"), ("调度派遣", "管理资源登记"), ("前方指挥部", "管理资源登记"),
          ("管理资源登记", "维护通讯录"), ("管理资源登记", "物资出入库")]


@pytest.mark.parametrize("outer, inner", NESTED)
def test_nested_services_need_no_more_than_the_outer_action(outer, inner):
    assert allowed_roles(outer) <= allowed_roles(inner)


def test_several_roles_add_up():
    both = who("值班员", "管理员")
    assert allowed(both, "接报登记") and allowed(both, "管理账户")
    assert not allowed(both, "签发报告")


def test_no_account_or_a_stopped_one_may_do_nothing():
    for action in ACTIONS:
        assert not allowed(None, action)
        assert not allowed(who(*ROLES, active=False), action)
    with pytest.raises(PermissionDenied, match="请先登录"):
        require(None, "查看")
    with pytest.raises(PermissionDenied, match="已停用"):
        require(who("管理员", active=False), "管理账户")


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        require(who("管理员"), "删库")
