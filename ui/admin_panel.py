"""系统管理: the administrator's panel (only accounts holding 管理员 see it in the rail).
Tabs: 账户, 参考数据, 审计记录; others (备份与恢复, 个人信息清除) join through ``add_tab``."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget
from sqlite_utils import Database

from nxcommand.clock import SYSTEM_CLOCK, Clock

from .admin_accounts import AccountsTab
from .admin_audit import AuditTab
from .admin_refdata import RefdataTab


class LazyPage(QWidget):
    """A page whose widget is built by ``build`` the first time it is shown."""

    def __init__(self, build: Callable[[], QWidget]) -> None:
        super().__init__()
        self.build, self.page = build, None
        self.setLayout(QVBoxLayout())
        self.layout().setContentsMargins(0, 0, 0, 0)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.page is None:
            self.page = self.build()
            self.layout().addWidget(self.page)
            self.page.show()            # added to a parent already shown: not shown by itself
        super().showEvent(event)


class AdminPanel(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK,
                 notify: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        self.tabs = QTabWidget(objectName="adminTabs")
        self.accounts = AccountsTab(db, clock, self.notify)
        self.refdata = RefdataTab(db, self.notify)
        self.audit = AuditTab(db, clock)
        self.add_tab(self.accounts, "账户")
        self.add_tab(self.refdata, "参考数据")
        self.add_tab(self.audit, "审计记录")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a page (e.g. 备份与恢复); returns its tab index."""
        return self.tabs.addTab(widget, title)

    def add_lazy_tab(self, build: Callable[[], QWidget], title: str) -> int:
        """Add a page built only when first shown (one that reads files or starts threads)."""
        return self.add_tab(LazyPage(build), title)

    def show_tab(self, title: str) -> None:
        titles = [self.tabs.tabText(i) for i in range(self.tabs.count())]
        self.tabs.setCurrentIndex(titles.index(title))
