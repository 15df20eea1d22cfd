"""Who may do what: the permission matrix as data, and ``require`` for the services.

Roles are those of issue 7. An account may hold several roles; it may do an action when any
of its roles may. 只读 may only 查看. The matrix is the single source: the console greys out
what ``allowed`` refuses, and the services call ``require`` so that the rule holds whatever
the UI does. (Enforcement inside each service is not wired in yet.)
"""

from __future__ import annotations

from typing import Protocol

from .errors import UserError

ROLES = ("值班员", "带班领导", "指挥长", "新闻发布", "管理员", "只读")

ADMIN = "管理员"
READ_ONLY = "只读"

# Action → the roles that may do it.
ACTIONS: dict[str, tuple[str, ...]] = {
    "查看": ROLES,
    "接报登记": ("值班员", "带班领导", "指挥长"),
    "记录报送": ("值班员", "带班领导"),
    "签发报告": ("带班领导",),
    "启动响应": ("指挥长",),          # and then only a decider the plan allows (the plan's rule)
    "调整响应级别": ("指挥长",),
    "下达指令": ("带班领导", "指挥长"),
    "发布信息审核": ("新闻发布", "指挥长"),   # 三审: 初审/复审 by the release office, 终审 by the commander
    "发布信息": ("新闻发布",),
    "管理资源登记": ("值班员", "带班领导"),
    "物资出入库": ("值班员", "带班领导"),
    "编辑预案": ("带班领导", "管理员"),
    "管理参考数据": ("管理员",),
    "管理账户": ("管理员",),
    "备份恢复": ("管理员",),
}


class PermissionDenied(UserError):
    """The signed-in account may not do this action."""

    def __init__(self, message: str, action: str) -> None:
        super().__init__(message)
        self.action = action


class HasRoles(Protocol):
    login: str
    roles: frozenset[str]
    active: bool


def roles_for(action: str) -> tuple[str, ...]:
    """The roles that may do ``action``; KeyError for an action the matrix does not know
    (a programming error, not a user's)."""
    return ACTIONS[action]


def allowed(account: HasRoles | None, action: str) -> bool:
    roles = roles_for(action)
    return account is not None and account.active and any(r in roles for r in account.roles)


def actions_for(roles: frozenset[str] | set[str] | tuple[str, ...]) -> list[str]:
    """Every action some role of ``roles`` may do, in the matrix's order."""
    return [action for action, allowed_roles in ACTIONS.items() if set(roles) & set(allowed_roles)]


def require(account: HasRoles | None, action: str) -> None:
    """Refuse ``action`` with a Chinese PermissionDenied naming it and the roles that may."""
    roles = roles_for(action)
    if account is None:
        raise PermissionDenied(f"请先登录后再{action}", action)
    if not account.active:
        raise PermissionDenied(f"账户 {account.login} 已停用，不能{action}", action)
    if not any(r in roles for r in account.roles):
        held = "、".join(r for r in ROLES if r in account.roles) or "无"
        raise PermissionDenied(
            f"无权{action}：此操作仅限{'、'.join(roles)}，当前账户 {account.login} 的角色为{held}",
            action)
