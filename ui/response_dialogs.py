"""Dialogs of a response: open (启动), raise/lower/end (提级/降级/解除), checklist item done,
relief target met, working group. Each says what it will do; the service refuses bad input
(a decider the plan does not allow …) and the dialog stays open with the message. Orders and
会商 are in ``order_dialogs``."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit
from sqlite_utils import Database

from nxcommand import early_warning, incidents, plans, response, response_groups
from nxcommand.clock import Clock
from nxcommand.response import LevelChange, ResponseInput

from .forms import ServiceForm, searchable_combo, text_box, time_edit, time_text
from .plan_dialogs import unit_combo

VERB = {"提级": "确认提级", "降级": "确认降级", "解除": "确认解除"}


def people_combo(db: Database, current: int | None = None) -> QComboBox:
    from nxcommand import contacts

    ids = contacts.search(db, contacts.Query())
    rows = contacts.rows(db, ids)
    combo = searchable_combo([("（未指定）", None)] + [(f"{rows[i]['name']}　{rows[i]['org']}", i) for i in ids])
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def fill_deciders(combo: QComboBox, candidates: list[dict], keep: int | None = None) -> None:
    """Allowed deciders first (marked √), then the others after a separator (the service
    refuses them, saying who may decide)."""
    combo.clear()
    for c in candidates:
        if not c["allowed"] and combo.count() and combo.itemText(combo.count() - 1).startswith("√"):
            combo.insertSeparator(combo.count())
        combo.addItem(("√ " if c["allowed"] else "") + c["label"], c["id"])
    index = combo.findData(keep) if keep is not None else -1
    combo.setCurrentIndex(index if index >= 0 else (0 if candidates else -1))


def label(text: str = "", name: str = "") -> QLabel:
    widget = QLabel(text, objectName=name, wordWrap=True)
    widget.setMinimumWidth(420)
    return widget


class OpenResponseDialog(ServiceForm):
    """启动应急响应: event → plans for its hazard → level (criteria and who may start it) → decider.
    Opened from a warning (``warning_id``), the response cites it, and may start early with
    no event yet: the first choice is then "据预警提前启动（暂无事件）"."""

    save_text = "确认启动"

    def __init__(self, db: Database, clock: Clock, recorder: str, event_id: int | None = None, parent=None,
                 warning_id: int | None = None) -> None:
        super().__init__("启动应急响应", parent)
        self.db, self.clock, self.recorder = db, clock, recorder
        self.warning = early_warning.get(db, warning_id) if warning_id is not None else None
        self.setMinimumWidth(620)
        self.event = QComboBox(objectName="eventBox")
        if self.warning is not None:
            self.event.addItem(f"据预警提前启动（暂无事件）：{self.warning['title']}", None)
        for e in incidents.open_events(db):
            self.event.addItem(("【演练】" if e["is_drill"] else "") + e["title"], e["id"])
        if event_id is not None:
            self.event.setCurrentIndex(max(0, self.event.findData(event_id)))
        self.plan = QComboBox(objectName="planBox")
        self.level = QComboBox(objectName="levelBox")
        self.criteria = label(name="criteriaLabel")
        self.deciders_text = label(name="decidersLabel")
        self.decider = QComboBox(objectName="deciderBox")
        self.decided_at = time_edit(clock.now())
        self.expected = time_edit(clock.now() + timedelta(days=1))
        self.matter = text_box(56)
        self.measures = text_box(72)
        self.drill = QCheckBox("演练（不计入真实统计）")
        self.drill.setEnabled(False)
        self.summary = label(name="openSummary")
        if self.warning is not None:
            self.add_row("依据预警", label(f"{self.warning['title']}（{self.warning['issued_at']} 发布）",
                                          name="warningLabel"))
        self.add_row("事件 *", self.event)
        self.add_row("预案 *", self.plan)
        self.add_row("响应级别 *", self.level, "级别")
        self.add_row("启动条件", self.criteria)
        self.add_row("可决定启动", self.deciders_text)
        self.add_row("决定人 *", self.decider)
        self.add_row("决定时间", self.decided_at)
        self.add_row("响应事项 *", self.matter)
        self.add_row("措施 *", self.measures)
        self.add_row("预计期限", self.expected)
        self.add_row("", self.drill, "演练")
        self.add_row("", self.summary, "_summary")
        self.event.currentIndexChanged.connect(self._event_changed)
        self.plan.currentIndexChanged.connect(self._plan_changed)
        self.level.currentIndexChanged.connect(self._level_changed)
        self._event_changed()

    def _event_changed(self) -> None:
        event_id = self.event.currentData()
        self.plan.blockSignals(True)
        self.plan.clear()
        if event_id is not None:
            event = incidents.get_event(self.db, event_id)
            self.drill.setChecked(bool(event["is_drill"]))
            found = (plans.plans_for_subtype(self.db, event["subtype_id"]) if event["subtype_id"]
                     else plans.list_plans(self.db, plans.PlanQuery(kind="总体", status="现行")))
            for p in found:
                if p["level_list"]:
                    self.plan.addItem(p["name"], p["id"])
            if not self.matter.toPlainText():
                self.matter.setPlainText(f"{event['title'].split('，')[0]}应急处置")
        elif self.warning is not None:
            self.drill.setChecked(False)
            for p in early_warning.plans_for_warning(self.db, self.warning["id"]):
                if p["level_list"]:
                    self.plan.addItem(p["name"], p["id"])
            if not self.matter.toPlainText():
                self.matter.setPlainText(f"{self.warning['title']}防御应对")
        self.plan.blockSignals(False)
        self._plan_changed()

    def _plan_changed(self) -> None:
        self.level.blockSignals(True)
        self.level.clear()
        self.levels = response.level_choices(self.db, self.plan.currentData()) if self.plan.currentData() else []
        for lv in self.levels:
            self.level.addItem(lv["roman"] + "响应", lv["level"])
        self.level.blockSignals(False)
        self._level_changed()

    def _level_changed(self) -> None:
        lv = next((x for x in self.levels if x["level"] == self.level.currentData()), None)
        self.criteria.setText(lv["criteria"] if lv else "")
        self.deciders_text.setText(lv["deciders"] if lv else "")
        keep = self.decider.currentData()
        fill_deciders(self.decider, response.decider_candidates(self.db, self.plan.currentData(), lv["level"])
                      if lv else [], keep)
        if lv:
            below = sum(x["actions"] for x in self.levels if x["level"] >= lv["level"])
            self.summary.setText(f"将启动《{self.plan.currentText()}》{lv['roman']}应急响应，生成处置清单 {below} 项"
                                 "（Ⅳ级起逐级累加）并按预案组建工作组。")

    def submit(self) -> int:
        return response.open_response(self.db, ResponseInput(
            plan_id=self.plan.currentData(), level=self.level.currentData(), matter=self.matter.toPlainText(),
            measures=self.measures.toPlainText(), decider_id=self.decider.currentData(),
            decided_at=time_text(self.decided_at), recorded_by=self.recorder, event_id=self.event.currentData(),
            warning_id=self.warning["id"] if self.warning is not None else None,
            expected_until=time_text(self.expected), is_drill=self.drill.isChecked()), self.clock)


class LevelChangeDialog(ServiceForm):
    """提级 / 降级 / 解除 of a live response; says what it will do and, for 解除, lists what
    is still open (it stays open in the record)."""

    def __init__(self, db: Database, clock: Clock, recorder: str, response_id: int, kind: str, parent=None) -> None:
        self.save_text = VERB[kind]
        super().__init__({"提级": "提升响应级别", "降级": "降低响应级别", "解除": "解除应急响应"}[kind], parent)
        self.db, self.clock, self.recorder, self.kind = db, clock, recorder, kind
        self.setMinimumWidth(600)
        self.r = response.get_response(db, response_id)
        current = self.r["level"]
        self.levels = [lv for lv in response.level_choices(db, self.r["plan_id"])
                       if (lv["level"] < current if kind == "提级" else lv["level"] > current)]
        self.level = QComboBox(objectName="levelBox")
        for lv in (reversed(self.levels) if kind == "降级" else self.levels):     # one step first
            self.level.addItem(lv["roman"] + "响应", lv["level"])
        self.criteria = label(name="criteriaLabel")
        self.decider = QComboBox(objectName="deciderBox")
        self.decided_at = time_edit(clock.now())
        self.reason = text_box(64)
        self.measures = text_box(56)
        self.summary = label(name="changeSummary")
        self.add_row("当前", label(f"《{self.r['plan']}》{self.r['roman']}响应，{self.r['started_at']} 启动"))
        if kind != "解除":
            self.add_row("调整为 *", self.level, "级别")
        if kind == "提级":
            self.add_row("启动条件", self.criteria)
        self.add_row("决定人 *", self.decider)
        self.add_row("决定时间", self.decided_at)
        self.add_row("理由 *", self.reason)
        if kind == "提级":
            self.add_row("措施", self.measures)
        self.add_row("", self.summary, "_summary")
        if kind == "解除":
            left = response.open_items(db, response_id)
            lines = [f"清单（{c['roman']}）：{c['action']} — {c['owner'] or '—'}" for c in left["checklist"]]
            lines += [f"指令 → {o['recipient']}：{o['content']}（{o['state']}）" for o in left["orders"]]
            self.open_items = QPlainTextEdit("\n".join(lines) or "无", objectName="openItems", readOnly=True)
            self.open_items.setFixedHeight(120)
            self.add_row(f"尚未完成（{len(lines)}）", self.open_items, "未完成")
        self.level.currentIndexChanged.connect(self._changed)
        self._changed()

    def _changed(self) -> None:
        r, current = self.r, self.r["level"]
        target = self.level.currentData()
        lv = next((x for x in self.levels if x["level"] == target), None)
        self.criteria.setText(lv["criteria"] if lv else "")
        who = target if self.kind == "提级" and target else current
        fill_deciders(self.decider, response.decider_candidates(self.db, r["plan_id"], who), self.decider.currentData())
        if self.kind == "提级" and lv:
            added = sum(x["actions"] for x in self.levels if x["level"] >= target)
            self.summary.setText(f"将把应急响应由{r['roman']}提升至{lv['roman']}，处置清单新增 {added} 项；"
                                 f"决定人须为有权启动{lv['roman']}响应的人员。")
        elif self.kind == "降级" and lv:
            self.summary.setText(f"将把应急响应由{r['roman']}降低至{lv['roman']}；已生成的清单和指令保留，"
                                 f"未完成的仍需跟踪。决定人须为有权启动{r['roman']}响应的人员。")
        elif self.kind == "解除":
            self.summary.setText(f"将宣布解除《{r['plan']}》{r['roman']}应急响应。未完成的事项不会被关闭，"
                                 f"仍保留在记录中。决定人须为有权启动{r['roman']}响应的人员。")
        else:
            self.summary.setText("预案中没有可调整到的级别")

    def submit(self) -> int:
        data = LevelChange(self.decider.currentData(), time_text(self.decided_at), self.reason.toPlainText(),
                           self.recorder, self.level.currentData(), self.measures.toPlainText())
        if self.kind == "提级":
            response.raise_level(self.db, self.r["id"], data, self.clock)
        elif self.kind == "降级":
            response.lower_level(self.db, self.r["id"], data, self.clock)
        else:
            response.end_response(self.db, self.r["id"], data, self.clock)
        return self.r["id"]


class ItemDoneDialog(ServiceForm):
    """A checklist item done: when, by whom, how."""

    save_text = "标记完成"

    def __init__(self, db: Database, clock: Clock, item: dict, parent=None) -> None:
        super().__init__("处置事项完成", parent)
        self.db, self.clock, self.item = db, clock, item
        self.done_at = time_edit(clock.now())
        self.done_by = QLineEdit(item["owner"] or "", objectName="doneBy")
        self.note = text_box(56)
        self.add_row("事项", label(f"{item['roman']}：{item['action']}（时限 {item['due_at'] or '无'}）"))
        self.add_row("完成时间", self.done_at)
        self.add_row("完成人/单位 *", self.done_by, "完成人")
        self.add_row("完成情况", self.note)

    def submit(self) -> int:
        response.mark_item_done(self.db, self.item["id"], time_text(self.done_at), self.done_by.text(),
                                self.note.toPlainText(), self.clock)
        return self.item["id"]


class TargetMetDialog(ServiceForm):
    """A relief target reached (e.g. 受灾群众初步救助)."""

    save_text = "记录达成"

    def __init__(self, db: Database, clock: Clock, recorder: str, response_id: int, target: dict, parent=None) -> None:
        super().__init__("救助时限目标达成", parent)
        self.db, self.clock, self.recorder, self.response_id, self.target = db, clock, recorder, response_id, target
        self.met_at = time_edit(clock.now())
        self.note = QLineEdit(objectName="targetNote")
        self.add_row("目标", label(f"{target['name']}（时限 {target['due_at']}）"))
        self.add_row("达成时间", self.met_at)
        self.add_row("说明", self.note)

    def submit(self) -> int:
        response.mark_target_met(self.db, self.response_id, self.target["id"], time_text(self.met_at), self.recorder,
                                 self.note.text(), self.clock)
        return self.target["id"]


class ResponseGroupDialog(ServiceForm):
    """A working group of this response: lead unit, leader, contact, members, duties."""

    def __init__(self, db: Database, clock: Clock, recorder: str, response_id: int, group: dict | None = None,
                 parent=None) -> None:
        super().__init__("编辑工作组" if group else "增设工作组", parent)
        self.db, self.clock, self.recorder, self.response_id, self.group = db, clock, recorder, response_id, group
        g = group or {}
        self.name = QComboBox(editable=True, objectName="groupName")
        self.name.addItems(plans.GROUP_NAMES)
        self.name.setCurrentText(g.get("name", ""))
        self.lead = unit_combo(db, g.get("lead_org_id"))
        if not group:
            self.lead.setCurrentIndex(-1)
        self.leader = people_combo(db, g.get("leader_id"))
        self.phone = QLineEdit(g.get("contact_phone", ""), objectName="groupPhone")
        self.phone.setPlaceholderText("留空则取组长手机")
        self.members = text_box(56)
        self.members.setPlainText(g.get("members_text", ""))
        self.members.setPlaceholderText("单位全称或简称，用“、”分隔")
        self.duties = text_box(72)
        self.duties.setPlainText(g.get("duties", ""))
        self.add_row("工作组名称 *", self.name)
        self.add_row("牵头单位 *", self.lead)
        self.add_row("组长", self.leader)
        self.add_row("联系电话", self.phone)
        self.add_row("成员单位", self.members)
        self.add_row("职责", self.duties)

    def submit(self) -> int:
        lead = self.lead.currentData() if self.lead.currentIndex() >= 0 and self.lead.currentText() else None
        data = response_groups.GroupInput(self.name.currentText(), lead, self.leader.currentData(), self.phone.text(),
                                          self.duties.toPlainText(), self.members.toPlainText())
        if self.group is None:
            return response_groups.add_group(self.db, self.response_id, data, self.recorder, self.clock)
        response_groups.update_group(self.db, self.group["id"], data, self.recorder,
                                     expected_version=self.group["version"], clock=self.clock)
        return self.group["id"]
