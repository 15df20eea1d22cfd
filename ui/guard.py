"""Grey out what the signed-in account may not do.

The services refuse (session.require) whatever the UI does; this only spares a 只读 or a
值班员 a click that would be refused. ``guard`` is a one-shot: use it on buttons whose enabled
state nothing else changes. For buttons a panel enables by selection, AND the panel's own
condition with ``session.allowed`` and set the tooltip with ``refusal``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton

from nxcommand import permissions, session


def refusal(action: str) -> str:
    """The tooltip of a greyed-out button, e.g. "无权启动响应：仅限带班领导、指挥长"."""
    return f"无权{action}：仅限{'、'.join(permissions.roles_for(action))}"


def guard(button: QAbstractButton, db, action: str) -> bool:
    """Disable ``button`` with a tooltip naming ``action`` and who may, unless the account
    signed in on ``db`` may do it; returns whether it may."""
    may = session.allowed(db, action)
    if not may:
        button.setEnabled(False)
        button.setToolTip(refusal(action))
    return may


def note(button: QAbstractButton, may: bool, action: str) -> None:
    """Set the refusal tooltip on a button a panel enables itself (``may`` false)."""
    if not may:
        button.setToolTip(refusal(action))
