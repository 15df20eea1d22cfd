"""一个前方指挥部: the forward HQ of the selected response, as a console page. Without an HQ
it offers the set-up form; with one it shows the location and the link to the centre (a
badge and its log), the 现场指挥官 (or who acts until one is named), deputies, the working
groups present, the "四合一" kit as four tiles coloured by status, and the resources on scene
(from dispatch); each with its action. The core validates; dialogs stay open on refusal."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from sqlite_utils import Database

from nxcommand import dispatch, equipment, forward_hq
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import ValidationError
from nxcommand.forward_hq import HQInput

from .desk_models import DictTableModel
from .dispatch_widget import people_combo, recorder_combo
from .forms import ServiceForm, record_table, text_box, time_edit, time_text
from .register_tab import combo_value, town_combo

KIT_COLOURS = {"在线": ("#2e7d32", "#e8f5e9"), "离线": ("#e65100", "#fff3e0"), "故障": ("#c62828", "#fde2e1"),
               None: ("#8a8f98", "#f1f2f4")}
LINK_COLOURS = {"连通": "#2e7d32", "中断": "#c62828", None: "#8a8f98"}


class LinkModel(DictTableModel):
    """The link log, its state column coloured (连通 green, 中断 red)."""

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole and index.column() == 0:
            return QBrush(QColor(LINK_COLOURS[self.rows[index.row()]["state"]]))
        return super().data(index, role)


class ActionDialog(ServiceForm):
    """A small form whose rows are given and whose save runs ``action()``."""

    def __init__(self, title: str, save_text: str, rows: list[tuple[str, QWidget, str]],
                 action: Callable[[], int | None], parent=None) -> None:
        super().__init__(title, parent)
        self.buttons.button(self.buttons.StandardButton.Save).setText(save_text)
        self.action = action
        self.widgets: dict[str, QWidget] = {}
        for label, widget, field in rows:
            self.add_row(label, widget, field)
            self.widgets[field] = widget

    def submit(self) -> int | None:
        return self.action()


def coordinate(lo: float, hi: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox(decimals=4, minimum=lo - 1, maximum=hi + 1, singleStep=0.001)
    box.setSpecialValueText("（不填）")
    box.setValue(box.minimum())
    return box


def _value(box: QDoubleSpinBox) -> float | None:
    return None if box.value() == box.minimum() else box.value()


def tile(role: str, items: list[dict]) -> QFrame:
    """One 四合一 role: its items with call sign, operator and status since; coloured by the
    worst status (故障 > 离线 > 在线), grey when the HQ has none."""
    worst = next((s for s in ("故障", "离线", "在线") if any(i["status"] == s for i in items)), None)
    fg, bg = KIT_COLOURS[worst]
    frame = QFrame(objectName="kitTile")
    frame.setProperty("status", worst or "无")
    frame.setStyleSheet(f"QFrame#kitTile {{ background: {bg}; border: 2px solid {fg}; border-radius: 6px; }}")
    layout = QVBoxLayout(frame)
    title = QLabel(f"{role}　{worst or '未配备'}", objectName="kitTitle")
    title.setStyleSheet(f"color: {fg}; font-weight: bold; font-size: 15px;")
    layout.addWidget(title)
    for item in items:
        colour = KIT_COLOURS[item["status"]][0]
        text = (f"<b>{item['call_sign'] or item['name']}</b> <span style='color:{colour}'>● {item['status']}</span>"
                f"<br>{item['name']} · 操作员 {item['operator'] or '—'}<br>"
                f"<span style='color:#555'>自 {item['since'][5:]}{'　' + item['note'] if item['note'] else ''}</span>")
        layout.addWidget(QLabel(text, wordWrap=True))
    if not items:
        layout.addWidget(QLabel("前方指挥部尚无此项装备", wordWrap=True))
    layout.addStretch(1)
    return frame


class ForwardHQTab(QWidget):
    """The forward HQ of one response (``set_response``)."""

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, notify: Callable[[str], None] | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.db, self.clock = db, clock
        self.notify = notify or (lambda message: None)
        self.response_id: int | None = None
        self.hq: dict | None = None
        self.run_dialog: Callable[[QDialog], bool] = lambda d: d.exec() == QDialog.DialogCode.Accepted
        self.confirm: Callable[[str, str], bool] = (
            lambda title, text: QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes)
        self.buttons: dict[str, QPushButton] = {}
        self.stack = QStackedWidget()
        self.stack.addWidget(self._setup_page())
        self.stack.addWidget(self._hq_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.set_response(None)

    # -- layout
    def _button(self, text: str, slot, primary: bool = False) -> QPushButton:
        button = QPushButton(text, objectName="primaryButton" if primary else "")
        button.clicked.connect(lambda _=False: slot())
        self.buttons[text.rstrip("…")] = button
        return button

    def _setup_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.setup_text = QLabel(objectName="hqSetupText", wordWrap=True)
        self.setup_text.setStyleSheet("font-size: 16px;")
        self.setup_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)
        layout.addWidget(self.setup_text)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self._button("开设前方指挥部…", self.establish, primary=True))
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        return page

    def _hq_page(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(4, 4, 4, 4)
        head = QHBoxLayout()
        self.location = QLabel(objectName="hqLocation", wordWrap=True)
        self.location.setStyleSheet("font-size: 15px;")
        self.link_badge = QLabel(objectName="linkBadge")
        head.addWidget(self.location, 1)
        head.addWidget(self.link_badge)
        head.addWidget(self._button("链路中断…", lambda: self.link("中断")))
        head.addWidget(self._button("链路恢复…", lambda: self.link("连通")))
        outer.addLayout(head)

        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        command = QGroupBox("指挥")
        cl = QVBoxLayout(command)
        self.commander = QLabel(objectName="commanderLabel", wordWrap=True)
        cl.addWidget(self.commander)
        self.deputy_model = DictTableModel([("side", "方面"), ("name", "副指挥"), ("org", "单位"), ("phone", "电话"),
                                            (lambda r: r["named_at"][5:], "任命")], self)
        self.deputy_table = self._table(self.deputy_model, "deputyTable", (52, 70, 110, 100))
        cl.addWidget(self.deputy_table)
        row = QHBoxLayout()
        row.addWidget(self._button("任命现场指挥官…", self.name_commander))
        row.addWidget(self._button("增加副指挥…", self.add_deputy))
        row.addStretch(1)
        cl.addLayout(row)
        grid.addWidget(command, 0, 0)

        groups = QGroupBox("工作组进驻")
        gl = QVBoxLayout(groups)
        self.group_model = DictTableModel([("name", "工作组"), ("lead_org", "牵头单位"), ("leader", "组长"),
                                           (lambda r: r["present"][5:] if r["present"] else "未进驻", "进驻")], self)
        self.group_table = self._table(self.group_model, "groupTable", (90, 110, 60))
        gl.addWidget(self.group_table)
        row = QHBoxLayout()
        row.addWidget(self._button("工作组进驻…", self.add_group))
        row.addStretch(1)
        gl.addLayout(row)
        grid.addWidget(groups, 0, 1)

        kit = QGroupBox("“四合一”应急指挥保障")
        kl = QVBoxLayout(kit)
        self.tiles = QHBoxLayout()
        kl.addLayout(self.tiles)
        row = QHBoxLayout()
        row.addWidget(self._button("调入装备…", self.add_kit))
        row.addWidget(self._button("更新装备状态…", self.kit_status))
        row.addStretch(1)
        kl.addLayout(row)
        grid.addWidget(kit, 1, 0, 1, 2)

        scene = QGroupBox("现场力量（已到达）")
        sl = QVBoxLayout(scene)
        self.scene_model = DictTableModel([("kind", "类别"), ("name", "名称"), ("amount", "数量"),
                                           ("destination", "位置"), (lambda r: r["arrived_at"][5:], "到达")], self)
        self.scene_table = self._table(self.scene_model, "sceneTable", (44, 200, 60, 150))
        sl.addWidget(self.scene_table)
        grid.addWidget(scene, 2, 0)

        link = QGroupBox("与指挥中心链路记录")
        ll = QVBoxLayout(link)
        self.link_model = LinkModel([("state", "状态"), (lambda r: r["at"][5:], "时间"), ("means", "方式"),
                                          ("note", "说明"), ("recorded_by", "记录人")], self)
        self.link_table = self._table(self.link_model, "linkTable", (44, 86, 44, 150))
        ll.addWidget(self.link_table)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self._button("撤收前方指挥部…", self.withdraw))
        ll.addLayout(row)
        grid.addWidget(link, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        return page

    def _table(self, model, name: str, widths: tuple[int, ...]):
        view = record_table(model, name, row_height=24)
        header = view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
        view.setMinimumHeight(120)
        return view

    # -- data
    def set_response(self, response_id: int | None) -> None:
        self.response_id = response_id
        self.refresh()

    def refresh(self) -> None:
        self.hq = forward_hq.view(self.db, self.response_id) if self.response_id is not None else None
        if self.hq is None:
            self.stack.setCurrentIndex(0)
            live = self.response_id is not None and dispatch.response_row(self.db, self.response_id)["live"]
            self.setup_text.setText("未选择应急响应" if self.response_id is None else
                                    "该响应尚未开设前方指挥部。每个响应只设一个前方指挥部。" if live else
                                    "该响应已解除，未开设前方指挥部。")
            self.buttons["开设前方指挥部"].setEnabled(live)
            return
        self.stack.setCurrentIndex(1)
        hq = self.hq
        coords = f"（{hq['lon']:.4f}, {hq['lat']:.4f}）" if hq["lon"] is not None else ""
        state = f"　已于 {hq['withdrawn_at']} 撤收" if hq["withdrawn_at"] else ""
        self.location.setText(f"<b>前方指挥部</b>　{hq['town']} {hq['place']}{coords}　开设于 {hq['established_at']}"
                              + (f"　电话 {hq['phone']}" if hq["phone"] else "") + state)
        colour = LINK_COLOURS[hq["link"]]
        self.link_badge.setText(f"与指挥中心：{hq['link'] or '未建立'}" + (f"（自 {hq['link_since'][5:]}）"
                                                                      if hq["link_since"] else ""))
        self.link_badge.setStyleSheet(f"color: white; background: {colour}; border-radius: 4px; padding: 4px 10px;"
                                      " font-weight: bold;")
        self.commander.setText(commander_text(hq["commander"]))
        self.deputy_model.set_rows(hq["deputies"])
        self.group_model.set_rows(hq["groups"])
        self.scene_model.set_rows(hq["on_scene"])
        self.link_model.set_rows(hq["link_log"])
        while self.tiles.count():
            widget = self.tiles.takeAt(0).widget()
            widget.deleteLater()
        for role in equipment.FOUR_IN_ONE:
            self.tiles.addWidget(tile(role, hq["kit"][role]), 1)
        open_ = not hq["withdrawn_at"]
        for name in ("链路中断", "链路恢复", "任命现场指挥官", "增加副指挥", "工作组进驻", "调入装备", "更新装备状态",
                     "撤收前方指挥部"):
            self.buttons[name].setEnabled(open_)
        self.buttons["链路中断"].setEnabled(open_ and hq["link"] == "连通")
        self.buttons["链路恢复"].setEnabled(open_ and hq["link"] != "连通")

    # -- actions
    def _run(self, dialog: ServiceForm, message: Callable[[], str]) -> bool:
        """Run the dialog; when saved, refresh and say ``message()`` (read after the save)."""
        if self.run_dialog(dialog):
            self.refresh()
            self.notify(message())
            return True
        return False

    def _time_and_recorder(self) -> tuple[QWidget, QComboBox]:
        return time_edit(self.clock.now()), recorder_combo(self.db, self.clock)

    def establish(self) -> None:
        response = dispatch.response_row(self.db, self.response_id)
        town = town_combo(self.db)
        town.setCurrentIndex(town.findData(response["event_town_id"]))
        place, phone, note = QLineEdit(placeholderText="如：油山镇人民政府院内"), QLineEdit(), text_box(52)
        lon, lat = coordinate(73, 136), coordinate(3, 54)
        when, by = self._time_and_recorder()
        dialog = ActionDialog("开设前方指挥部", "开设", [
            ("所在镇（街道） *", town, "所在镇（街道）"), ("具体地点 *", place, "具体地点"), ("经度", lon, "经度"),
            ("纬度", lat, "纬度"), ("开设时间 *", when, "开设时间"), ("前指电话", phone, "前指电话"), ("备注", note, "备注"),
            ("记录人 *", by, "记录人")],
            lambda: forward_hq.establish(self.db, self.response_id, HQInput(
                town_id=combo_value(town), place=place.text(), recorded_by=by.currentText(), lon=_value(lon),
                lat=_value(lat), established_at=time_text(when), phone=phone.text(), note=note.toPlainText()),
                self.clock), self)
        self._run(dialog, lambda: f"已开设前方指挥部：{town.currentText()} {place.text().strip()}")

    def name_commander(self) -> None:
        person = people_combo(self.db)
        when, by = self._time_and_recorder()
        dialog = ActionDialog("任命现场指挥官", "任命", [("现场指挥官 *", person, "现场指挥官"), ("任命时间 *", when, "任命时间"),
                                                  ("记录人 *", by, "记录人")],
                              lambda: forward_hq.name_commander(self.db, self.hq["id"], combo_value(person),
                                                                time_text(when), recorded_by=by.currentText(),
                                                                clock=self.clock), self)
        self._run(dialog, lambda: f"已任命现场指挥官：{person.currentText().split('（')[0]}")

    def add_deputy(self) -> None:
        side = QComboBox()
        side.addItems(forward_hq.SIDES)
        person = people_combo(self.db)
        when, by = self._time_and_recorder()
        dialog = ActionDialog("增加副指挥", "保存", [
            ("所属方面 *", side, "所属方面"), ("副指挥 *", person, "副指挥"), ("任命时间 *", when, "任命时间"),
            ("记录人 *", by, "记录人")],
            lambda: forward_hq.add_deputy(self.db, self.hq["id"], combo_value(person), side.currentText(),
                                          at=time_text(when), recorded_by=by.currentText(), clock=self.clock), self)
        dialog.add_row("", QLabel("解放军（人武部）和武警各可派一名副指挥。"))
        self._run(dialog, lambda: f"已增加副指挥：{person.currentText().split('（')[0]}")

    def add_group(self) -> None:
        group = QComboBox()
        for g in self.hq["groups"]:
            if not g["present"]:
                group.addItem(g["name"], g["id"])
        when, by = self._time_and_recorder()

        def save():
            if group.currentData() is None:
                raise ValidationError("没有可进驻的工作组", "工作组")
            return forward_hq.add_group(self.db, self.hq["id"], group.currentData(), time_text(when),
                                        recorded_by=by.currentText(), clock=self.clock)

        dialog = ActionDialog("工作组进驻前方指挥部", "进驻", [("工作组 *", group, "工作组"), ("进驻时间 *", when, "进驻时间"),
                                                      ("记录人 *", by, "记录人")], save, self)
        self._run(dialog, lambda: f"{group.currentText()}已进驻前方指挥部")

    def add_kit(self) -> None:
        item = QComboBox()
        for k in forward_hq.kit_choices(self.db):
            item.addItem(f"{k['role']}：{k['name']}（{k['call_sign'] or k['holder']}，操作员 {k['operator'] or '—'}）",
                         k["id"])
        operator = people_combo(self.db)
        operator.setPlaceholderText("默认为装备登记的操作员")
        status = QComboBox()
        status.addItems(forward_hq.KIT_STATUSES)
        when, by = self._time_and_recorder()

        def save():
            if item.currentData() is None:
                raise ValidationError("没有完好待命的“四合一”装备可调入", "装备")
            return forward_hq.add_kit_item(self.db, self.hq["id"], item.currentData(), combo_value(operator),
                                           status.currentText(), time_text(when), recorded_by=by.currentText(),
                                           clock=self.clock)

        dialog = ActionDialog("调入“四合一”装备", "调入", [
            ("装备 *", item, "装备"), ("现场操作员", operator, "操作员"), ("状态 *", status, "状态"),
            ("到位时间 *", when, "到位时间"), ("记录人 *", by, "记录人")], save, self)
        self._run(dialog, lambda: f"已调入：{item.currentText().split('（')[0]}")

    def kit_status(self) -> None:
        item = QComboBox()
        for role, items in self.hq["kit"].items():
            for k in items:
                item.addItem(f"{role}：{k['call_sign'] or k['name']}（现 {k['status']}）", k["id"])
        status = QComboBox()
        status.addItems(forward_hq.KIT_STATUSES)
        note = QLineEdit(placeholderText="如：终端进水无法开机")
        when, by = self._time_and_recorder()

        def save():
            if item.currentData() is None:
                raise ValidationError("前方指挥部尚无“四合一”装备", "装备")
            forward_hq.set_kit_status(self.db, item.currentData(), status.currentText(), time_text(when), note.text(),
                                      recorded_by=by.currentText(), clock=self.clock)
            return item.currentData()

        dialog = ActionDialog("更新装备状态", "保存", [
            ("装备 *", item, "装备"), ("状态 *", status, "状态"), ("说明", note, "说明"), ("时间 *", when, "时间"),
            ("记录人 *", by, "记录人")], save, self)
        self._run(dialog, lambda: f"已更新装备状态：{item.currentText().split('（')[0]} → {status.currentText()}")

    def link(self, state: str) -> None:
        means = QComboBox()
        means.addItems(("",) + forward_hq.MEANS)
        note = QLineEdit(placeholderText="如：暴雨导致卫星信号衰减")
        when, by = self._time_and_recorder()
        title = "链路中断" if state == "中断" else "链路恢复"
        dialog = ActionDialog(f"登记{title}", "登记", [("通信方式", means, "通信方式"), ("说明", note, "说明"),
                                                      ("时间 *", when, "时间"), ("记录人 *", by, "记录人")],
                              lambda: forward_hq.set_link(self.db, self.hq["id"], state, time_text(when),
                                                          means.currentText(), note.text(),
                                                          recorded_by=by.currentText(), clock=self.clock), self)
        self._run(dialog, lambda: f"已登记与指挥中心{title}")

    def withdraw(self) -> None:
        if not self.confirm("撤收前方指挥部", "撤收后前方指挥部不再登记新的情况，“四合一”装备恢复为完好待命。确定撤收吗？"):
            return
        when, by = self._time_and_recorder()
        dialog = ActionDialog("撤收前方指挥部", "撤收", [("撤收时间 *", when, "撤收时间"), ("记录人 *", by, "记录人")],
                              lambda: forward_hq.withdraw(self.db, self.hq["id"], time_text(when),
                                                          recorded_by=by.currentText(), clock=self.clock), self)
        self._run(dialog, lambda: "前方指挥部已撤收")


def commander_text(person: dict | None) -> str:
    if person is None:
        return ("<span style='color:#c62828; font-size:15px'><b>现场指挥官：未任命</b></span>"
                "<br>尚无单位到场；首个到场单位负责人到场后代行指挥。")
    who = f"<b>{person['name']}</b>　{person['org']} {person['post']}　{person['phone']}"
    if person["acting"]:
        return (f"<span style='color:#e65100; font-size:15px'>现场指挥官（代行）：{who}</span>"
                f"<br>{person['basis']}（{person['since'][5:]} 到场），请尽快任命现场指挥官。")
    return f"<span style='font-size:15px'>现场指挥官：{who}</span><br>任命于 {person['since']}"
