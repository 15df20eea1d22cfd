"""系统管理 · 账户: the accounts with their roles and state, the administrator's actions on
them (new account, temporary password, roles, 停用/启用) and the login record.

Every change goes through nxcommand.accounts as the signed-in administrator; what it refuses
(the last administrator, a weak password, an edit made meanwhile) is shown in Chinese."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QDialog, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QSplitter, QVBoxLayout, QWidget)
from sqlite_utils import Database

from nxcommand import accounts, session
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError
from nxcommand.permissions import ADMIN, ROLES

from .desk_models import DictTableModel
from .forms import ServiceForm, record_table
from .login_dialog import PASSWORD_HINT, checked, confirm_same, password_edit, role_boxes

MUTED = QColor("#8a94a3")
NEW_ACCOUNT_NOTE = "新账户首次登录时须修改初始密码。“只读”只能单独授予。"
RESET_NOTE = "设置一个临时密码并告知本人；本人下次登录时须改为自己的密码。重置同时解除锁定。"


def roles_text(roles: frozenset[str]) -> str:
    return "、".join(r for r in ROLES if r in roles)


class AccountModel(DictTableModel):
    """Accounts; stopped ones greyed, locked ones red in the 锁定至 column."""

    def __init__(self, now: Callable, parent=None) -> None:
        self.now = now
        super().__init__([
            (lambda a: a.login, "用户名"), (lambda a: a.display_name, "姓名"),
            (lambda a: roles_text(a.roles), "角色"),
            (lambda a: "在用" if a.active else "已停用", "状态"),
            (lambda a: a.locked_until[:16] if a.locked(self.now()) else "", "锁定至"),
            (lambda a: "是" if a.must_change_password else "", "须改密码"),
            (lambda a: (a.last_login_at or "")[:16], "最近登录"),
        ], parent)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole:
            account = self.rows[index.row()]
            if not account.active:
                return QBrush(MUTED)
            if index.column() == 4 and account.locked(self.now()):
                return QBrush(QColor("#c62828"))
        return super().data(index, role)


class AccountDialog(ServiceForm):
    """新建账户: login, name, initial password twice, roles."""

    save_text = "创建"

    def __init__(self, db: Database, clock: Clock, parent=None) -> None:
        super().__init__("新建账户", parent)
        self.db, self.clock = db, clock
        self.login = QLineEdit(objectName="login")
        self.login.setPlaceholderText("英文字母、数字或 . _ -，如 zhangsan")
        self.name = QLineEdit(objectName="displayName")
        self.password = password_edit("password")
        self.password.setPlaceholderText(PASSWORD_HINT)
        self.password2 = password_edit("password2")
        row, self.roles = role_boxes({"值班员"})
        self.add_row("用户名 *", self.login)
        self.add_row("姓名 *", self.name)
        self.add_row("初始密码 *", self.password)
        self.add_row("确认密码 *", self.password2)
        self.add_row("角色 *", row)
        self.fields["密码"] = self.password
        self.fields["角色"] = self.roles[ROLES[0]]
        self.form.addRow("", QLabel(NEW_ACCOUNT_NOTE, wordWrap=True))

    def submit(self) -> int:
        confirm_same(self.password, self.password2, "确认密码")
        return accounts.create_account(self.db, session.current(self.db), self.login.text(),
                                       self.name.text(), self.password.text(),
                                       checked(self.roles), clock=self.clock)


class ResetPasswordDialog(ServiceForm):
    save_text = "重置"

    def __init__(self, db: Database, account: accounts.Account, clock: Clock, parent=None) -> None:
        super().__init__(f"重置密码：{account.display_name}（{account.login}）", parent)
        self.db, self.clock, self.account = db, clock, account
        self.password = password_edit("password")
        self.password.setPlaceholderText(PASSWORD_HINT)
        self.password2 = password_edit("password2")
        self.add_row("临时密码 *", self.password)
        self.add_row("确认密码 *", self.password2)
        self.fields["新密码"] = self.password
        self.form.addRow("", QLabel(RESET_NOTE, wordWrap=True))

    def submit(self) -> int:
        confirm_same(self.password, self.password2, "确认密码")
        accounts.reset_password(self.db, session.current(self.db), self.account.id,
                                self.password.text(), self.clock)
        return self.account.id


class RolesDialog(ServiceForm):
    def __init__(self, db: Database, account: accounts.Account, clock: Clock, parent=None) -> None:
        super().__init__(f"设置角色：{account.display_name}（{account.login}）", parent)
        self.db, self.clock, self.account = db, clock, account
        row, self.roles = role_boxes(account.roles)
        self.add_row("角色 *", row)
        self.fields["角色"] = self.roles[ROLES[0]]
        self.form.addRow("", QLabel("“只读”只能单独授予；至少要保留一个在用的管理员。", wordWrap=True))

    def submit(self) -> int:
        accounts.set_roles(self.db, session.current(self.db), self.account.id, checked(self.roles),
                           self.account.version, self.clock)
        return self.account.id


class AccountsTab(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        # Replaceable in tests: run a dialog (True when accepted), ask yes/no, show a refusal.
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.confirm: Callable[[str, str], bool] = self._confirm
        self.warn: Callable[[str, str], None] = lambda title, text: QMessageBox.warning(self, title, text)

        self.model = AccountModel(clock.now, self)
        self.view = record_table(self.model, "accountTable")
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._selected())
        self.count_label = QLabel(objectName="countLabel")
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label)
        buttons.addStretch(1)
        self.new_button = self._button(buttons, "新建账户", self.new_account)
        self.reset_button = self._button(buttons, "重置密码", self.reset_password)
        self.roles_button = self._button(buttons, "设置角色", self.set_roles)
        self.active_button = self._button(buttons, "停用", self.toggle_active)

        self.event_model = DictTableModel([("at", "时间"), ("login", "输入的用户名"), ("result", "结果")], self)
        self.event_view = record_table(self.event_model, "loginEvents")
        self.event_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.event_view.horizontalHeader().setStretchLastSection(True)
        self.event_box = QGroupBox("登录记录（全部账户）")
        QVBoxLayout(self.event_box).addWidget(self.event_view)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.view, 1)
        top_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.event_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.refresh()

    def _button(self, row: QHBoxLayout, text: str, slot: Callable) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    def _confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    # ---- reading ----------------------------------------------------------------------------

    def refresh(self, keep: int | None = None) -> None:
        keep = keep if keep is not None else getattr(self.current(), "id", None)
        rows = accounts.all_accounts(self.db)
        self.model.set_rows(rows)
        admins = sum(1 for a in rows if a.active and ADMIN in a.roles)
        self.count_label.setText(f"共 {len(rows)} 个账户，在用管理员 {admins} 个")
        row = next((i for i, a in enumerate(rows) if a.id == keep), None)
        if row is not None:
            self.view.selectRow(row)
        self._selected()

    def current(self) -> accounts.Account | None:
        index = self.view.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def select_login(self, login: str) -> None:
        row = next(i for i, a in enumerate(self.model.rows) if a.login == login)
        self.view.selectRow(row)

    def _selected(self) -> None:
        account = self.current()
        for button in (self.reset_button, self.roles_button, self.active_button):
            button.setEnabled(account is not None)
        self.active_button.setText("启用" if account is not None and not account.active else "停用")
        if account is None:
            self.event_box.setTitle("登录记录（全部账户）")
            self.event_model.set_rows(accounts.login_events(self.db))
        else:
            self.event_box.setTitle(f"登录记录：{account.display_name}（{account.login}）")
            self.event_model.set_rows(accounts.login_events(self.db, account.id))

    # ---- actions ----------------------------------------------------------------------------

    def new_account(self) -> None:
        dialog = AccountDialog(self.db, self.clock, self)
        if self.run_dialog(dialog):
            self.refresh(dialog.saved_id)
            self.notify(f"已新建账户 {dialog.login.text().strip()}，首次登录须修改密码")

    def reset_password(self) -> None:
        account = self.current()
        if account is None:
            return
        if self.run_dialog(ResetPasswordDialog(self.db, account, self.clock, self)):
            self.refresh(account.id)
            self.notify(f"已重置 {account.login} 的密码，下次登录须修改")

    def set_roles(self) -> None:
        account = self.current()
        if account is None:
            return
        if self.run_dialog(RolesDialog(self.db, account, self.clock, self)):
            self.refresh(account.id)
            self.notify(f"已更新 {account.login} 的角色")

    def toggle_active(self) -> None:
        account = self.current()
        if account is None:
            return
        actor = session.current(self.db)
        try:
            if account.active:
                if not self.confirm("停用账户", f"停用 {account.display_name}（{account.login}）后该账户不能再登录，"
                                                "记录保留。确定停用？"):
                    return
                accounts.deactivate(self.db, actor, account.id, account.version, self.clock)
                self.notify(f"已停用账户 {account.login}")
            else:
                accounts.reactivate(self.db, actor, account.id, account.version, self.clock)
                self.notify(f"已启用账户 {account.login}")
        except UserError as exc:
            self.warn("无法完成", str(exc))
        self.refresh(account.id)
