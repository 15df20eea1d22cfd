"""The supplies tab's forms: 入库 / 出库 / 调拨 / 盘点 (one dialog, four shapes), registering a
supply item, a stock line's settings, and a depot. The core validates; a refused movement
keeps the dialog open with its Chinese message."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDoubleSpinBox, QLabel, QLineEdit,
                               QSpinBox)
from sqlite_utils import Database

from nxcommand import contacts, ledger, org, supplies
from nxcommand.clock import SYSTEM_CLOCK, Clock
from nxcommand.errors import ValidationError

from .forms import ServiceForm, searchable_combo, time_edit, time_text

MAX_QUANTITY = 1_000_000_000


def combo_value(combo: QComboBox):
    """The chosen item's data; None when the typed text matches no item."""
    index = combo.currentIndex()
    if index < 0 or combo.itemText(index) != combo.currentText().strip():
        return None
    return combo.itemData(index)


def item_text(item: dict) -> str:
    spec = f"（{item['spec']}）" if item["spec"] else ""
    return f"{item['name']}{spec}  [{item['code']}·{item['unit']}]"


def depot_combo(db: Database) -> QComboBox:
    return searchable_combo([(d["name"], d["id"]) for d in supplies.depots(db)])


def people_combo(db: Database) -> QComboBox:
    ids = contacts.search(db, contacts.Query())
    rows = contacts.rows(db, ids)
    return searchable_combo([(f"{rows[i]['name']}（{rows[i]['org']}）", i) for i in ids])


class MovementDialog(ServiceForm):
    """入库, 出库, 调拨 or 盘点 of one item; ``stock`` (a stock row) preselects depot and item."""

    QUANTITY_LABEL = {"入库": "入库数量", "出库": "出库数量", "调拨": "调拨数量", "盘点": "实盘数量"}

    def __init__(self, db: Database, kind: str, stock: dict | None = None,
                 clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__(f"物资{kind}", parent)
        self.db, self.kind, self.clock = db, kind, clock
        self.save_button = self.buttons.button(self.buttons.StandardButton.Save)
        self.save_button.setText(f"确认{kind}")
        self.depot = depot_combo(db)
        self.item = searchable_combo([(item_text(i), i["id"]) for i in supplies.items(db)])
        self.to_depot = depot_combo(db)
        self.book = QLabel(objectName="bookLabel")
        self.quantity = QSpinBox(maximum=MAX_QUANTITY)
        self.quantity.setMinimum(0 if kind == "盘点" else 1)
        self.who = people_combo(db)
        self.when = time_edit(clock.now())
        self.reason = QLineEdit(placeholderText=self._reason_hint())
        self.ref = QLineEdit(placeholderText="送往的事件、安置点或单位，如：珠玑镇强降雨转移"
                             if kind == "出库" else "来源，如：省应急管理厅下拨、政府采购")
        label = "调出储备库" if kind == "调拨" else "储备库"
        self.add_row(f"{label} *", self.depot, "储备库")
        self.add_row("物资 *", self.item, "物资")
        if kind == "调拨":
            self.add_row("调入储备库 *", self.to_depot, "调入储备库")
        self.add_row("账面库存", self.book)
        self.add_row(f"{self.QUANTITY_LABEL[kind]} *", self.quantity, "数量")
        for name in self.QUANTITY_LABEL.values():
            self.fields[name] = self.quantity
        self.add_row("经办人 *", self.who, "经办人")
        self.add_row("时间 *", self.when, "时间")
        self.add_row("事由 *", self.reason, "事由")
        if kind in ("入库", "出库"):
            self.add_row("去向" if kind == "出库" else "来源", self.ref)
        if stock is not None:
            self.depot.setCurrentIndex(self.depot.findData(stock["depot_id"]))
            self.item.setCurrentIndex(self.item.findData(stock["item_id"]))
        else:
            self.item.setCurrentIndex(-1)
        keeper = supplies.get_depot(db, combo_value(self.depot))["keeper_id"] if combo_value(self.depot) else None
        self.who.setCurrentIndex(self.who.findData(keeper) if keeper else -1)
        if kind == "调拨":
            self.to_depot.setCurrentIndex(-1)
        self.depot.currentIndexChanged.connect(lambda _i: self.show_book())
        self.item.currentIndexChanged.connect(lambda _i: self.show_book())
        self.show_book()

    def _reason_hint(self) -> str:
        return {"入库": "如：政府采购入库、上级下拨", "出库": "如：安置点发放、抢险使用",
                "调拨": "如：汛前前置、补充镇储备点", "盘点": "如：季度盘点，账实相符；盘亏 2 顶（破损）"}[self.kind]

    def show_book(self) -> None:
        depot_id, item_id = combo_value(self.depot), combo_value(self.item)
        if depot_id is None or item_id is None:
            self.book.setText("—")
            return
        item = supplies.get_item(self.db, item_id)
        book = ledger.stock_balance(self.db, depot_id, item_id)
        self.book.setText(f"{book} {item['unit']}")
        if self.kind == "盘点" and self.quantity.value() == 0:
            self.quantity.setValue(book)

    def who_value(self) -> ledger.Who:
        person_id = combo_value(self.who)
        if person_id is not None:
            return ledger.Who(person_id=person_id)
        return ledger.Who(self.who.currentText().strip())    # a name typed in, not in the directory

    def submit(self) -> int:
        depot_id, item_id = combo_value(self.depot), combo_value(self.item)
        if depot_id is None:
            raise ValidationError("请选择储备库", "储备库")
        if item_id is None:
            raise ValidationError("请选择物资（新物资请先点“登记物资”）", "物资")
        common = {"reason": self.reason.text(), "who": self.who_value(), "at": time_text(self.when),
                  "clock": self.clock}
        quantity = self.quantity.value()
        if self.kind == "入库":
            return ledger.receive(self.db, depot_id, item_id, quantity, ref=self.ref.text(), **common)
        if self.kind == "出库":
            return ledger.issue(self.db, depot_id, item_id, quantity, ref=self.ref.text(), **common)
        if self.kind == "调拨":
            to_depot = combo_value(self.to_depot)
            if to_depot is None:
                raise ValidationError("请选择调入储备库", "调入储备库")
            return ledger.transfer(self.db, depot_id, to_depot, item_id, quantity, **common)
        return ledger.stocktake(self.db, depot_id, item_id, quantity, **common)


class ItemDialog(ServiceForm):
    """登记物资: a supply item with its level-4 catalogue code (the path shows as you type)."""

    def __init__(self, db: Database, clock: Clock = SYSTEM_CLOCK, parent=None, code: str = "") -> None:
        super().__init__("登记物资", parent)
        self.db, self.clock = db, clock
        self.code = QLineEdit(code, placeholderText="7位第4级编码，如 1010101")
        self.path = QLabel(objectName="codePath", wordWrap=True)
        self.name = QLineEdit()
        self.spec = QLineEdit(placeholderText="如：12平方米、550ml×24瓶")
        self.unit = QComboBox(editable=True)
        self.unit.addItems(supplies.UNITS)
        self.unit.setCurrentIndex(-1)
        self.add_row("物资编码 *", self.code, "物资编码")
        self.add_row("分类", self.path)
        self.add_row("物资名称 *", self.name, "物资名称")
        self.add_row("规格型号", self.spec, "规格型号")
        self.add_row("计量单位 *", self.unit, "计量单位")
        self.code.textChanged.connect(lambda _t: self.show_path())
        self.show_path()

    def show_path(self) -> None:
        try:
            code = supplies.validate_code(self.code.text(), self.db)
        except ValidationError as exc:
            self.path.setText(str(exc) if self.code.text().strip() else "—")
            return
        self.path.setText(" › ".join(name for _c, name in supplies.category_path(self.db, code)))
        if not self.name.text():
            self.name.setPlaceholderText(supplies.category_path(self.db, code)[-1][1])

    def submit(self) -> int:
        return supplies.add_item(self.db, supplies.ItemInput(
            code=self.code.text(), name=self.name.text(), spec=self.spec.text(),
            unit=self.unit.currentText()), self.clock)


class StockTermsDialog(ServiceForm):
    """库存设置: minimum stock, expiry and rotation dates, location (never the quantity)."""

    def __init__(self, db: Database, stock: dict, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__(f"库存设置 — {stock['depot']} {stock['name']}", parent)
        self.db, self.stock, self.clock = db, stock, clock
        self.minimum = QSpinBox(maximum=MAX_QUANTITY, value=stock["minimum"])
        self.minimum.setSuffix(f" {stock['unit']}")
        self.expiry, self.has_expiry = self._date(stock["expiry_date"])
        self.rotation, self.has_rotation = self._date(stock["rotation_date"])
        self.location = QLineEdit(stock["location"])
        self.add_row("库存数量", QLabel(f"{stock['quantity']} {stock['unit']}（数量只能通过出入库、调拨、盘点改变）"))
        self.add_row("最低库存", self.minimum, "最低库存")
        self.add_row("有效期", self.has_expiry)
        self.add_row("有效期至", self.expiry, "有效期至")
        self.add_row("轮换", self.has_rotation)
        self.add_row("轮换日期", self.rotation, "轮换日期")
        self.add_row("货位", self.location, "货位")

    def _date(self, value: str | None) -> tuple[QDateEdit, QCheckBox]:
        edit = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        edit.setDate(QDate.fromString(value, "yyyy-MM-dd") if value else QDate(self.clock.now().date().year + 1, 1, 1))
        check = QCheckBox("设定日期", checked=bool(value))
        edit.setEnabled(bool(value))
        check.toggled.connect(edit.setEnabled)
        return edit, check

    def submit(self) -> int:
        def text(edit: QDateEdit, check: QCheckBox) -> str:
            return edit.date().toString("yyyy-MM-dd") if check.isChecked() else ""
        return supplies.set_stock_terms(
            self.db, self.stock["depot_id"], self.stock["item_id"], minimum=self.minimum.value(),
            expiry_date=text(self.expiry, self.has_expiry), rotation_date=text(self.rotation, self.has_rotation),
            location=self.location.text(), expected_version=self.stock["version"], clock=self.clock)


class DepotDialog(ServiceForm):
    """新增 or 编辑 a depot (储备库/点)."""

    def __init__(self, db: Database, depot: dict | None = None, clock: Clock = SYSTEM_CLOCK, parent=None) -> None:
        super().__init__("编辑储备库" if depot else "新增储备库", parent)
        self.db, self.depot, self.clock = db, depot, clock
        self.name = QLineEdit()
        self.level = QComboBox()
        self.level.addItems(supplies.DEPOT_LEVELS)
        self.ownership = QComboBox()
        self.ownership.addItems(supplies.OWNERSHIPS)
        self.holder = QLineEdit(placeholderText="企业代储时填写代储企业")
        self.town = searchable_combo([("（不指定）", None)] + [(t["name"], t["id"]) for t in org.towns(db)])
        self.village = QComboBox()
        self.address = QLineEdit()
        self.keeper = people_combo(db)
        self.keeper.insertItem(0, "（未指定）", None)
        self.phone = QLineEdit()
        self.lon, self.lat = QDoubleSpinBox(decimals=6, minimum=0, maximum=180), QDoubleSpinBox(decimals=6, minimum=0, maximum=90)
        self.lon.setSpecialValueText("—")
        self.lat.setSpecialValueText("—")
        self.area = QDoubleSpinBox(decimals=0, maximum=1e7, suffix=" ㎡", specialValueText="—")
        self.note = QLineEdit()
        for label, widget in (("名称 *", self.name), ("级别 *", self.level), ("储备方式 *", self.ownership),
                              ("代储企业", self.holder), ("镇（街道）", self.town), ("村（社区）", self.village),
                              ("地址", self.address), ("保管员", self.keeper), ("联系电话", self.phone),
                              ("经度", self.lon), ("纬度", self.lat), ("面积", self.area), ("备注", self.note)):
            self.add_row(label, widget)
        self.fields["储备库名称"] = self.name
        self.town.currentIndexChanged.connect(lambda _i: self._fill_villages())
        self._fill_villages()
        if depot:
            self.name.setText(depot["name"])
            self.level.setCurrentText(depot["level"])
            self.ownership.setCurrentText(depot["ownership"])
            self.holder.setText(depot["holder"])
            self.town.setCurrentIndex(max(0, self.town.findData(depot["town_id"])))
            self.village.setCurrentIndex(max(0, self.village.findData(depot["village_id"])))
            self.address.setText(depot["address"])
            self.keeper.setCurrentIndex(max(0, self.keeper.findData(depot["keeper_id"])))
            self.phone.setText(depot["phone"] or "")
            self.lon.setValue(depot["lon"] or 0)
            self.lat.setValue(depot["lat"] or 0)
            self.area.setValue(depot["area_m2"] or 0)
            self.note.setText(depot["note"])

    def _fill_villages(self) -> None:
        self.village.clear()
        self.village.addItem("（不指定）", None)
        town_id = combo_value(self.town)
        if town_id is not None:
            for v in org.villages(self.db, town_id):
                self.village.addItem(v["name"], v["id"])

    def submit(self) -> int:
        located = self.lon.value() > 0 and self.lat.value() > 0
        data = supplies.DepotInput(
            name=self.name.text(), level=self.level.currentText(), ownership=self.ownership.currentText(),
            holder=self.holder.text(), town_id=combo_value(self.town), village_id=self.village.currentData(),
            address=self.address.text(), keeper_id=combo_value(self.keeper), phone=self.phone.text(),
            lon=self.lon.value() if located else None, lat=self.lat.value() if located else None,
            area_m2=self.area.value() or None, capacity_m3=self.depot["capacity_m3"] if self.depot else None,
            note=self.note.text())
        if self.depot is None:
            return supplies.add_depot(self.db, data, self.clock)
        supplies.update_depot(self.db, self.depot["id"], data, expected_version=self.depot["version"],
                              clock=self.clock)
        return self.depot["id"]
