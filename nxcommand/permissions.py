"""Who may do what: the permission matrix as data, and ``require`` for the services.

Roles are those of issue 7. An account may hold several roles; it may do an action when any
of its roles may. 只读 may only 查看. The matrix is the single source: the console greys out
what ``allowed`` refuses, and the services call ``require`` so that the rule holds whatever
the UI does.
"""

from __future__ import annotations

from typing import Protocol

from .errors import UserError

ROLES = ("值班员", "带班领导", "指挥长", "新闻发布", "管理员", "只读")

ADMIN = "管理员"
READ_ONLY = "只读"

DUTY = ("值班员", "带班领导")               # the desk's own work
DESK = ("值班员", "带班领导", "指挥长")      # desk work a commander also does himself
LEADERS = ("带班领导", "指挥长")             # decisions: the 带班领导 records a commander's
                                            # decision taken by phone

# Action → the roles that may do it. Every service of nxcommand/ that writes calls
# ``session.require(db, action)`` first (tests/test_permissions_coverage.py holds them to it).
# A service that calls another protected service needs an action whose roles the inner one
# also allows (dispatch → 物资出入库, 管理资源登记; registers → 维护通讯录).
ACTIONS: dict[str, tuple[str, ...]] = {
    "查看": ROLES,
    # the duty desk
    "值班记录": DUTY,           # duty log and its corrections, 备忘, 查岗点名, 带班领导在岗, 五个一
    "交接班": DUTY,
    "编排值班表": DUTY,         # shifts, patterns, assignments, 换班/替班, roster import, special periods
    "接报登记": DESK,           # events: intake, figures, closing; leaders' 批示 and their follow-up
    "预警登记": DUTY,           # warnings issued, adjusted, lifted (as the issuing body decided)
    "记录报送": DUTY,           # 电话报告
    "签发报告": ("带班领导",),   # written reports (初报/续报/终报/核报) and the daily duty report
    # registers
    "维护通讯录": DUTY,
    "管理资源登记": DUTY,       # teams, experts, equipment, shelters, vulnerable people, depots, items
    "物资出入库": DUTY,         # the ledger: receive, issue, transfer, stocktake
    "调度派遣": DUTY,           # dispatch of teams, equipment, supplies; arrivals and returns
    # the response
    "启动响应": LEADERS,        # and then only a decider the plan allows (the plan's rule, by person)
    "调整响应级别": LEADERS,    # 提级, 降级, 解除
    "下达指令": LEADERS,        # orders and 会商 with their orders
    "响应编组": LEADERS,        # the response's working groups
    "跟踪落实": DESK,           # 签收/反馈 of orders, checklist items done, targets met
    "前方指挥部": DUTY,         # the forward HQ as reported from the scene (its kit moves equipment)
    "登记人员信息": DESK,       # name lists of a response: 伤亡、失联、被困、转移安置人员 (nxcommand.personal)
    # releases (一个窗口发布, 三审, 先审后发)
    "指定发言人": ("新闻发布", "指挥长"),
    "撰写发布稿": ("新闻发布",),   # drafts, new versions, 送审
    "审核发布稿": ("新闻发布",),   # 初审 and 复审
    "终审发布稿": ("指挥长",),     # 终审
    "发布信息": ("新闻发布",),
    # plans, reference data, administration
    "编辑预案": ("带班领导", ADMIN),
    "管理参考数据": (ADMIN,),    # categories, thresholds, colours, deadline rules, holidays, org …
    "管理账户": (ADMIN,),
    "备份恢复": (ADMIN,),
    "清除个人信息": (ADMIN,),    # 立即清除 and 延期保存 (第八十五条); the scheduled purge runs as the system
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
