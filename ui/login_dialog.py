"""Signing in at start: the first administrator, the login, the forced password change.

``sign_in`` is the whole flow run() uses: on a database without accounts it asks for the
first administrator (and signs them in); otherwise it asks for a login and, when the
administrator has set a temporary password, for a new one before the console opens.
Every check is nxcommand.accounts'; the dialogs only show its Chinese messages.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit
from sqlite_utils import Database

from nxcommand import accounts, session
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError, ValidationError
from nxcommand.org import is_demo
from nxcommand.permissions import ADMIN, READ_ONLY, ROLES
from nxcommand.startup import title_suffix

from .forms import ServiceForm

APP_TITLE = "nxcommand 应急指挥值班台"
PASSWORD_HINT = (f"至少 {accounts.PASSWORD_MIN} 个字符，不能全是数字，不能与用户名相同")
DEMO_ROLES_NOTE = ("这是演示数据库：已预先勾选全部角色，便于一个账户试用值班、带班、指挥、"
                   "新闻发布各项功能。正式使用时请只勾选本人岗位的角色。")

RunDialog = Callable[[QDialog], bool]


def exec_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


def password_edit(name: str = "") -> QLineEdit:
    edit = QLineEdit(objectName=name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(accounts.PASSWORD_MAX)
    return edit


def role_boxes(chosen: frozenset[str] | set[str] = frozenset(),
               offered: tuple[str, ...] = ROLES) -> tuple[QHBoxLayout, dict[str, QCheckBox]]:
    row, boxes = QHBoxLayout(), {}
    for role in offered:
        box = QCheckBox(role, checked=role in chosen)
        boxes[role] = box
        row.addWidget(box)
    row.addStretch(1)
    return row, boxes


def checked(boxes: dict[str, QCheckBox]) -> list[str]:
    return [role for role, box in boxes.items() if box.isChecked()]


def confirm_same(first: QLineEdit, second: QLineEdit, field: str) -> None:
    """Typing the password twice is the form's own check; the policy is the service's."""
    if first.text() and first.text() != second.text():
        raise ValidationError("两次输入的密码不一致，请重新输入", field)


class _Form(ServiceForm):
    """A ServiceForm with its own button texts and a line of explanation at the top."""

    def __init__(self, title: str, ok: str, cancel: str, note: str = "", parent=None) -> None:
        super().__init__(title, parent)
        self.setMinimumWidth(440)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setIcon(QIcon())   # not a 保存
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel)
        self.note = QLabel(note, wordWrap=True, objectName="loginNote")
        self.note.setVisible(bool(note))
        self.body.insertWidget(0, self.note)


class FirstAdminDialog(_Form):
    """First start: nobody has an account yet; the first one is the administrator."""

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__("首次使用：创建管理员账户", "创建并登录", "退出",
                         "本数据库还没有任何账户。请先创建管理员账户；管理员登录后可在“系统管理”中"
                         "为其他值班人员建立账户。", parent)
        self.db, self.clock = db, clock
        self.account: accounts.Account | None = None
        self.login = QLineEdit(objectName="login")
        self.login.setPlaceholderText("英文字母、数字或 . _ -，如 admin")
        self.name = QLineEdit(objectName="displayName")
        self.name.setPlaceholderText("如 张三")
        self.password = password_edit("password")
        self.password.setPlaceholderText(PASSWORD_HINT)
        self.password2 = password_edit("password2")
        demo = is_demo(db)
        offered = tuple(r for r in ROLES if r != READ_ONLY)      # 只读 cannot go with 管理员
        row, self.roles = role_boxes(set(offered) if demo else {ADMIN}, offered)
        self.roles[ADMIN].setEnabled(False)
        self.roles[ADMIN].setToolTip("第一个账户必须是管理员")
        self.add_row("用户名 *", self.login)
        self.add_row("姓名 *", self.name)
        self.add_row("密码 *", self.password)
        self.add_row("确认密码 *", self.password2)
        self.add_row("角色 *", row)
        self.fields["角色"] = self.roles[ROLES[0]]
        self.demo_note = QLabel(DEMO_ROLES_NOTE if demo else "", wordWrap=True, objectName="demoNote")
        self.demo_note.setVisible(demo)
        self.form.addRow("", self.demo_note)

    def submit(self) -> int:
        confirm_same(self.password, self.password2, "确认密码")
        roles = checked(self.roles)
        with session.acting(self.db, session.system("首次启动")):     # named in the audit trail
            account_id = accounts.create_account(self.db, None, self.login.text(), self.name.text(),
                                                 self.password.text(), roles, clock=self.clock)
        self.account = accounts.get(self.db, account_id)
        return account_id


class LoginDialog(_Form):
    """Login and password; refused logins show the service's message and keep the login."""

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, cancel: str = "退出",
                 login: str = "", parent=None) -> None:
        suffix = title_suffix(db)
        super().__init__("登录", "登录", cancel, f"{APP_TITLE}\n{suffix}" if suffix else APP_TITLE,
                         parent)
        self.note.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.db, self.clock = db, clock
        self.account: accounts.Account | None = None
        self.login = QLineEdit(login, objectName="login")
        self.password = password_edit("password")
        self.add_row("用户名", self.login)
        self.add_row("密码", self.password)
        (self.password if login else self.login).setFocus()

    def submit(self) -> int:
        try:
            self.account = accounts.authenticate(self.db, self.login.text(), self.password.text(),
                                                 self.clock)
        except UserError:
            self.password.clear()
            self.password.setFocus()
            raise
        return self.account.id

    def show_error(self, message: str, field: str | None = None) -> None:
        super().show_error(message, field)
        if field is None:
            self.password.setFocus()


class ChangePasswordDialog(_Form):
    """The signed-in user's new password. ``forced`` after a reset by the administrator:
    the old (temporary) password is the one just typed at login and is not asked again."""

    def __init__(self, db: Database, account: accounts.Account, clock: Clock = SYSTEM_CLOCK,
                 old_password: str | None = None, forced: bool = False, parent=None) -> None:
        note = ("管理员为您设置了临时密码。请先设置您自己的新密码，然后才能使用值班台。"
                if forced else "")
        super().__init__("修改密码", "确定", "返回登录" if forced else "取消", note, parent)
        self.db, self.clock, self.account = db, clock, account
        self.known_old = old_password
        self.add_row("用户名", QLabel(f"{account.login}（{account.display_name}）"))
        self.old = password_edit("oldPassword")
        if old_password is None:
            self.add_row("原密码 *", self.old)
        self.new = password_edit("newPassword")
        self.new.setPlaceholderText(PASSWORD_HINT)
        self.new2 = password_edit("newPassword2")
        self.add_row("新密码 *", self.new)
        self.add_row("确认新密码 *", self.new2)

    def submit(self) -> int:
        confirm_same(self.new, self.new2, "确认新密码")
        old = self.known_old if self.known_old is not None else self.old.text()
        accounts.change_password(self.db, self.account.id, old, self.new.text(), self.clock)
        return self.account.id


def sign_in(db: Database, clock: Clock = SYSTEM_CLOCK, run_dialog: RunDialog = exec_dialog,
            cancel: str = "退出", parent=None) -> accounts.Account | None:
    """The account that signs in, or None when the user cancels. Creates the first
    administrator on a database without accounts; makes an account whose password was
    reset choose a new one first (cancelling that returns to the login)."""
    if accounts.needs_bootstrap(db):
        first = FirstAdminDialog(db, clock, parent)
        return first.account if run_dialog(first) else None
    login = ""
    while True:
        dialog = LoginDialog(db, clock, cancel, login, parent)
        if not run_dialog(dialog):
            return None
        account = dialog.account
        if not account.must_change_password:
            return account
        login = account.login
        change = ChangePasswordDialog(db, account, clock, dialog.password.text(), forced=True,
                                      parent=parent)
        dialog.password.clear()
        if run_dialog(change):
            return accounts.get(db, account.id)
