"""交接班: the outgoing officer reviews every open item and hands over; the incoming officer
accepts explicitly. One dialog for both steps: it shows the pending record when there is one."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QTreeWidget, QTreeWidgetItem
from sqlite_utils import Database

from nxcommand import contacts, handover
from nxcommand.clock import Clock

from .forms import ServiceForm, text_box


def items_tree(items: list[dict]) -> QTreeWidget:
    """Open items grouped by section, each with its due time."""
    tree = QTreeWidget()
    tree.setHeaderLabels(["事项", "时限"])
    tree.setColumnWidth(0, 520)
    groups: dict[str, QTreeWidgetItem] = {}
    for section in handover.SECTIONS:
        group = QTreeWidgetItem([section, ""])
        groups[section] = group
        tree.addTopLevelItem(group)
    for item in items:
        QTreeWidgetItem(groups[item["section"]], [item["text"], item["due_at"] or ""])
    for section, group in groups.items():
        group.setText(0, f"{section}（{group.childCount()}）" if group.childCount() else f"{section}（无）")
        group.setExpanded(True)
    return tree


class HandoverDialog(ServiceForm):
    def __init__(self, db: Database, officer: str, clock: Clock, parent=None) -> None:
        self.record = handover.pending(db)
        super().__init__("交接班", parent)
        self.db, self.officer, self.clock = db, officer, clock
        self.resize(760, 640)
        names = [p["name"] for p in contacts.with_role(db, "值班员")]
        if self.record is None:                      # the outgoing officer hands over
            self.buttons.button(self.buttons.StandardButton.Save).setText("生成交接班记录")
            self.add_row("交班人", QLabel(officer))
            self.incoming = QComboBox(editable=True)
            self.incoming.addItems([n for n in names if n != officer])
            self.incoming.setCurrentIndex(-1)
            expected = handover.expected_incoming(db, officer, clock.now())
            if expected:
                self.incoming.setCurrentText(expected)
            self.add_row("接班人 *", self.incoming, "接班人")
            self.remarks = text_box(80)
            self.add_row("交班说明", self.remarks)
            items = handover.open_items(db, clock.now())
        else:                                        # the incoming officer accepts
            self.buttons.button(self.buttons.StandardButton.Save).setText("确认接班")
            self.add_row("交班人", QLabel(self.record["outgoing"]))
            self.add_row("接班人", QLabel(self.record["incoming"]))
            self.add_row("生成时间", QLabel(self.record["created_at"]))
            remarks = QPlainTextEdit(self.record["remarks"], readOnly=True)
            remarks.setFixedHeight(70)
            self.add_row("交班说明", remarks)
            self.confirm = QComboBox(editable=True)
            self.confirm.addItems(names)
            self.confirm.setCurrentIndex(-1)
            self.add_row("接班人确认 *", self.confirm, "接班人")
            items = self.record["items"]
        self.body.insertWidget(2, QLabel(f"未结事项 {len(items)} 项："))
        self.tree = items_tree(items)
        self.body.insertWidget(3, self.tree, 1)

    def submit(self) -> int:
        if self.record is None:
            return handover.create(self.db, self.officer, self.incoming.currentText(),
                                   self.remarks.toPlainText(), self.clock)
        handover.accept(self.db, self.record["id"], self.confirm.currentText(), self.clock)
        return self.record["id"]
