"""人员信息: the response's name lists (伤亡、失联、被困、转移安置人员) with the count of each kind,
the add/edit form, 作废, and where the personal data stands under 第八十五条 (when it will be
purged, 延期保存 with its reason, or when it was purged) with the administrator's 延期保存 /
解除延期 / 立即清除. ``PersonalSettingsWidget`` sets the retention days (admin panel).

In the list the 身份证号 and phone are masked; the edit form shows them whole."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from nxcommand import personal, response, session, shelters
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import UserError

from .command_board import board_table
from .desk_models import DictTableModel
from .forms import ServiceForm, searchable_combo, text_box
from .register_tab import GREY, TownVillage, choice_combo, combo_value

STATE_STYLES = {   # purge status banner: background, border
    "已到期": ("#fde2e1", "#e8a6a2"), "延期保存": ("#fff1cc", "#e6c46a"), "已清除": ("#e8f5e9", "#a5d6a7"),
}


class PersonDialog(ServiceForm):
    def __init__(self, db: Database, clock: Clock, response_id: int, entry: dict | None = None,
                 town_id: int | None = None, parent=None) -> None:
        super().__init__("编辑人员信息" if entry else "登记人员信息", parent)
        self.db, self.clock, self.response_id, self.entry = db, clock, response_id, entry
        self.kind = choice_combo(personal.KINDS)
        self.name = QLineEdit()
        self.sex = QComboBox()
        for text, value in (("（按身份证号）", ""), ("男", "男"), ("女", "女")):
            self.sex.addItem(text, value)
        self.age = QLineEdit(placeholderText="不填则按身份证号计算")
        self.id_number = QLineEdit(placeholderText="18 位，末位可为 X")
        self.phone = QLineEdit(placeholderText="手机 11 位，或含区号的固定电话")
        self.place = TownVillage(db)
        self.address = QLineEdit(placeholderText="如 3组12号")
        self.status = QComboBox(editable=True)
        self.shelter = searchable_combo([("（无）", None)] + [
            (f"{s['name']}（{s['town']}）", s["id"]) for s in shelters.choices(db)])
        self.hospital = QLineEdit()
        self.next_of_kin = QLineEdit(placeholderText="姓名（关系）电话")
        self.notes = text_box(48)
        self.kind.currentTextChanged.connect(self._kind_changed)
        for label, widget, field in (
                ("类别 *", self.kind, "人员类别"), ("姓名 *", self.name, "姓名"), ("身份证号", self.id_number, "身份证号"),
                ("性别", self.sex, "性别"), ("年龄", self.age, "年龄"), ("联系电话", self.phone, "联系电话"),
                ("镇（街道）", self.place.town, "镇（街道）"), ("村（社区）", self.place.village, "村（社区）"),
                ("住址", self.address, "住址"), ("状态", self.status, "状态"), ("安置场所", self.shelter, "安置场所"),
                ("救治医院", self.hospital, "救治医院"), ("亲属联系人", self.next_of_kin, "亲属联系人"),
                ("备注", self.notes, "备注")):
            self.add_row(label, widget, field)
        note = QLabel("个人信息仅用于本次突发事件应对，响应结束后按期清除（突发事件应对法第八十五条）。",
                      wordWrap=True, objectName="privacyNote")
        note.setStyleSheet("color: #5b6675;")
        self.body.insertWidget(1, note)
        self._kind_changed(self.kind.currentText())
        if entry:
            self.kind.setCurrentText(entry["kind"])
            self.name.setText(entry["name"])
            self.sex.setCurrentIndex(max(0, self.sex.findData(entry["sex"])))
            self.age.setText("" if entry["age"] is None else str(entry["age"]))
            self.id_number.setText(entry["id_number"] or "")
            self.phone.setText(entry["phone"] or "")
            self.place.set(entry["town_id"], entry["village_id"])
            self.address.setText(entry["address"])
            self.status.setCurrentText(entry["status"])
            self.shelter.setCurrentIndex(max(0, self.shelter.findData(entry["shelter_id"])))
            self.hospital.setText(entry["hospital"])
            self.next_of_kin.setText(entry["next_of_kin"] or "")
            self.notes.setPlainText(entry["notes"])
        elif town_id is not None:
            self.place.set(town_id, None)

    def _kind_changed(self, kind: str) -> None:
        typed = self.status.currentText()
        self.status.clear()
        self.status.addItems(personal.STATUSES.get(kind, ()))
        self.status.setCurrentText(typed if typed and self.entry else "")

    def submit(self) -> int:
        data = personal.PersonInput(
            kind=self.kind.currentText(), name=self.name.text(), sex=self.sex.currentData(), age=self.age.text(),
            id_number=self.id_number.text(), phone=self.phone.text(), town_id=self.place.town_id(),
            village_id=self.place.village_id(), address=self.address.text(), status=self.status.currentText(),
            shelter_id=combo_value(self.shelter), hospital=self.hospital.text(), next_of_kin=self.next_of_kin.text(),
            notes=self.notes.toPlainText())
        if self.entry:
            personal.update(self.db, self.entry["id"], data, expected_version=self.entry["version"], clock=self.clock)
            return self.entry["id"]
        return personal.add(self.db, self.response_id, data, self.clock)


class HoldDialog(ServiceForm):
    save_text = "延期保存"

    def __init__(self, db: Database, clock: Clock, response_id: int, parent=None) -> None:
        super().__init__("延期保存个人信息", parent)
        self.db, self.clock, self.response_id = db, clock, response_id
        self.purpose = choice_combo(personal.PURPOSES)
        self.reason = text_box(64)
        self.approved_by = QLineEdit(placeholderText="批准延期保存的负责人")
        hint = QLabel("因依法作证或者调查、评估需要，经批准可延期保存；解除前不会清除。", wordWrap=True)
        self.body.insertWidget(1, hint)
        for label, widget, field in (("事由 *", self.purpose, "延期保存事由"), ("原因 *", self.reason, "延期保存原因"),
                                     ("批准人 *", self.approved_by, "批准人")):
            self.add_row(label, widget, field)

    def submit(self) -> int:
        return personal.place_hold(self.db, self.response_id, self.purpose.currentText(), self.reason.toPlainText(),
                                   self.approved_by.text(), self.clock)


class ReasonDialog(ServiceForm):
    """One reason, for 解除延期 and 作废."""

    def __init__(self, title: str, label: str, save: Callable[[str], object], parent=None) -> None:
        self.save_text = title
        super().__init__(title, parent)
        self.save = save
        self.reason = text_box(56)
        self.add_row(f"{label} *", self.reason, label)

    def submit(self) -> None:
        self.save(self.reason.toPlainText())


class PeopleModel(DictTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__([("kind", "类别"), ("name", "姓名"), ("sex", "性别"), ("age_text", "年龄"),
                          ("id_masked", "身份证号"), ("phone_masked", "联系电话"), ("place", "住址"),
                          ("status", "状态"), ("care", "安置场所/救治医院"), ("next_of_kin", "亲属联系人"),
                          ("notes", "备注")], parent)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole and self.rows[index.row()]["purged"]:
            return QBrush(GREY)
        return super().data(index, role)


def counts_text(counts: dict[str, int]) -> str:
    return "　".join(f"{kind} {n}" for kind, n in counts.items()) + f"　　共 {sum(counts.values())} 人"


class PersonalTab(QWidget):
    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, notify: Callable[[str], None] | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        self.response_id: int | None = None
        self.schedule: personal.Schedule | None = None
        # Replaceable in tests.
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.confirm: Callable[[str, str], bool] = (
            lambda title, text: QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes)
        self.warn: Callable[[str], None] = lambda text: QMessageBox.warning(self, "无法完成", text)

        self.status = QLabel(objectName="purgeStatus", wordWrap=True)
        self.counts = QLabel(objectName="peopleCounts")
        self.counts.setStyleSheet("font-weight: bold;")
        self.kind_filter = choice_combo(personal.KINDS, "全部类别")
        self.kind_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.model = PeopleModel(self)
        self.table = board_table(self.model, "peopleTable", 10, {0: 64, 1: 64, 2: 36, 3: 56, 4: 150, 5: 96,
                                                                 6: 150, 7: 72, 8: 170, 9: 170})
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.buttons: dict[str, QPushButton] = {}
        for text, slot in (("登记人员…", self.add), ("编辑…", self.edit), ("作废…", self.void),
                           ("延期保存…", self.hold), ("解除延期…", self.lift), ("立即清除…", self.purge_now)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.buttons[text] = button
        self.buttons["登记人员…"].setObjectName("primaryButton")

        top = QHBoxLayout()
        top.addWidget(self.counts, 1)
        top.addWidget(QLabel("类别"))
        top.addWidget(self.kind_filter)
        actions = QHBoxLayout()
        for text in ("延期保存…", "解除延期…", "立即清除…"):
            actions.addWidget(self.buttons[text])
        actions.addStretch(1)
        for text in ("作废…", "编辑…", "登记人员…"):
            actions.addWidget(self.buttons[text])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.status)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self.set_response(None)

    def set_response(self, response_id: int | None) -> None:
        self.response_id = response_id
        self.refresh()

    def refresh(self) -> None:
        rid = self.response_id
        if rid is None:
            self.schedule = None
            self.model.set_rows([])
            self.counts.setText("")
            self._banner("未选择应急响应", None)
        else:
            self.schedule = personal.schedule(self.db, rid, self.clock.now())
            self.model.set_rows(personal.people(self.db, rid, kind=self.kind_filter.currentData()))
            self.counts.setText(counts_text(personal.counts(self.db, rid)))
            self._banner(self.schedule.text, self.schedule.state)
        self._enable()

    def _banner(self, text: str, state: str | None) -> None:
        background, border = STATE_STYLES.get(state or "", ("#eef3fa", "#c9d6e8"))
        self.status.setText(f"个人信息　{text}")
        self.status.setStyleSheet(f"background: {background}; border: 1px solid {border}; padding: 6px;")

    def current(self) -> dict | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def _enable(self) -> None:
        state = self.schedule.state if self.schedule else None
        may_record = session.allowed(self.db, personal.RECORD)
        may_purge = session.allowed(self.db, personal.PURGE)
        chosen = self.current()
        open_ = state is not None and state != "已清除"
        editable = open_ and may_record and chosen is not None and not chosen["purged"]
        self.buttons["登记人员…"].setEnabled(open_ and may_record)
        self.buttons["编辑…"].setEnabled(editable)
        self.buttons["作废…"].setEnabled(editable)
        ended = state in ("待清除", "已到期")
        self.buttons["延期保存…"].setEnabled(may_purge and (ended or state == "响应中"))
        self.buttons["解除延期…"].setEnabled(may_purge and state == "延期保存")
        self.buttons["立即清除…"].setEnabled(may_purge and ended)

    def _town(self) -> int | None:
        r = response.get_response(self.db, self.response_id)
        return r["event_town_id"]

    def _open(self, dialog: QDialog, done: str) -> bool:
        if self.run_dialog(dialog):
            self.refresh()
            self.notify(done)
            return True
        return False

    # -- actions
    def add(self) -> None:
        if self.response_id is not None:
            self._open(PersonDialog(self.db, self.clock, self.response_id, town_id=self._town(), parent=self),
                       "人员信息已登记")

    def edit(self) -> None:
        chosen = self.current()
        if chosen is None or not self.buttons["编辑…"].isEnabled():
            return
        entry = personal.get(self.db, chosen["id"])
        self._open(PersonDialog(self.db, self.clock, self.response_id, entry, parent=self), "人员信息已保存")

    def void(self) -> None:
        chosen = self.current()
        if chosen is None:
            return
        self._open(ReasonDialog("作废", "作废原因", lambda reason: personal.void(
            self.db, chosen["id"], reason, expected_version=chosen["version"], clock=self.clock), self),
            f"已作废：{chosen['name']}")

    def hold(self) -> None:
        if self.response_id is not None:
            self._open(HoldDialog(self.db, self.clock, self.response_id, self), "个人信息已延期保存")

    def lift(self) -> None:
        if self.response_id is not None:
            self._open(ReasonDialog("解除延期", "解除原因", lambda reason: personal.lift_hold(
                self.db, self.response_id, reason, self.clock), self), "已解除延期保存，到期后清除")

    def purge_now(self) -> None:
        rid = self.response_id
        if rid is None:
            return
        left = personal.pending(self.db, rid)
        if not self.confirm("立即清除个人信息", f"将清除本响应 {left} 人的姓名、身份证号、电话、住址、亲属联系人和备注，"
                            "审计记录中的副本一并清除，不可恢复。类别、性别、年龄段、所在镇、状态、安置场所和医院保留用于统计。\n\n确定清除？"):
            return
        try:
            result = personal.purge(self.db, rid, self.clock)
        except UserError as exc:
            self.warn(str(exc))
            return
        self.refresh()
        self.notify(f"已清除 {result.rows} 人的个人信息")


class PersonalSettingsWidget(QWidget):
    """个人信息保存期限 (the administrator's setting) and the purges due now."""

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, notify: Callable[[str], None] | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        self.days = QSpinBox(objectName="retentionDays", minimum=0, maximum=personal.MAX_RETENTION, suffix=" 天")
        self.save = QPushButton("保存", objectName="saveRetention")
        self.save.clicked.connect(self.apply)
        self.error = QLabel(objectName="formError", wordWrap=True)
        self.error.hide()
        self.due = QLabel(objectName="purgesDue", wordWrap=True)
        explain = QLabel("伤亡、失联、被困、转移安置人员的个人信息在应急响应解除后保存的天数，期满由系统自动清除"
                         "（突发事件应对法第八十五条）。0 表示响应解除后即清除。需作证或调查、评估的，在该响应的"
                         "“人员信息”页延期保存。", wordWrap=True)
        row = QHBoxLayout()
        row.addWidget(QLabel("响应解除后保存"))
        row.addWidget(self.days)
        row.addWidget(self.save)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.due)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        self.days.setValue(personal.retention_days(self.db))
        self.save.setEnabled(session.allowed(self.db, personal.SETTINGS))
        due = personal.due(self.db, self.clock.now())
        self.due.setText(f"已到期待清除：{len(due)} 个响应、{sum(d['rows'] for d in due)} 人（控制台启动时及每日自动清除）"
                         if due else "目前没有到期待清除的个人信息。")

    def apply(self) -> None:
        try:
            days = personal.set_retention_days(self.db, self.days.value())
        except UserError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.error.hide()
        self.refresh()
        self.notify(f"个人信息保存期限已设为响应解除后 {days} 天")
