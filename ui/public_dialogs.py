"""Forms of the 预警 panel and the 一个窗口发布 tab: issue/adjust and lift a warning; the
spokesperson and releasing unit; a release's text; one review step; publication. Each saves
through its core service; bad input keeps the form open with the Chinese message."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QWidget)
from sqlite_utils import Database

from nxcommand import early_warning as ew
from nxcommand import org, refdata, releases, roster
from nxcommand.clock import Clock

from .forms import ServiceForm, searchable_combo, text_box, time_edit, time_text


def current_officer(db: Database, clock: Clock) -> str:
    """Who records: the duty officer on the roster now (the desk's default)."""
    shift = roster.current_shift(db, clock.now())
    if shift and shift.officers:
        return shift.officers[0].name
    return "值班员"


def people_combo(db: Database, current: int | None = None, first_role: str | None = None,
                 name: str = "") -> QComboBox:
    """Active people as 'name（unit post）'; those holding ``first_role`` listed first."""
    combo = searchable_combo([("（请选择）", None)] + [
        (f"{r['name']}（{r['unit']} {r['post']}）", r["id"]) for r in releases.people_choices(db, first_role)])
    combo.setObjectName(name)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


class WarningDialog(ServiceForm):
    """Issue a warning (政府预警) or relay a signal (气象预警信号), or adjust one in force."""

    def __init__(self, db: Database, clock: Clock, recorder: str, source: str,
                 adjust_of: int | None = None, parent=None) -> None:
        is_signal = source == ew.SIGNAL
        title = ("调整预警" if adjust_of else "转发气象预警信号" if is_signal else "发布预警")
        super().__init__(title, parent)
        self.save_text = "保存"
        self.db, self.clock, self.source, self.adjust_of = db, clock, source, adjust_of
        self.recorder = recorder
        self.setMinimumWidth(620)
        base = ew.input_from(db, adjust_of, recorder) if adjust_of else None
        now = clock.now()

        self.category = QComboBox(objectName="warnCategory")
        self.subtype = QComboBox(objectName="warnSubtype")
        self._categories = refdata.categories(db)
        for c in self._categories:
            self.category.addItem(c["name"], c["id"])
        self.category.currentIndexChanged.connect(self._fill_subtypes)
        self.level = QComboBox(objectName="warnLevel")
        for row in ew.levels(db):
            self.level.addItem(f"{row['color_name']}（{row['name']}）", row["id"])
            swatch = QPixmap(14, 14)
            swatch.fill(QColor(row["color_hex"]))
            self.level.setItemIcon(self.level.count() - 1, QIcon(swatch))
        self.signal_name = QLineEdit(objectName="signalName")
        self.signal_name.setPlaceholderText("如 暴雨橙色预警信号")
        self.title_edit = QLineEdit(objectName="warnTitle")
        self.title_edit.setPlaceholderText("可留空：按灾种和颜色生成，如 防汛黄色预警")
        self.issued = time_edit(now)
        self.starts = time_edit(now)
        self.relayed = time_edit(now)
        self.towns = QListWidget(objectName="warnTowns")
        for name, town_id in ew.towns(db):
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, town_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.towns.addItem(item)
        self.towns.setFlow(QListWidget.Flow.LeftToRight)
        self.towns.setWrapping(True)
        line = self.towns.fontMetrics().height() + 8
        self.towns.setGridSize(QSize(self.towns.fontMetrics().horizontalAdvance("帽子峰镇") + 44, line))
        self.towns.setMinimumHeight(line * 4 + 8)
        self.all_towns = QCheckBox("全市")
        self.all_towns.toggled.connect(self._check_all)
        self.matters = text_box(70)
        self.matters.setObjectName("warnMatters")
        self.measures = text_box(70)
        self.measures.setObjectName("warnMeasures")
        self.issuer = searchable_combo([("（请选择）", None)] + [(n, (k, i)) for n, k, i in ew.issuers(db)])
        self.issuer.setObjectName("warnIssuer")
        self.relayer = searchable_combo([("（请选择）", None)] + [(n, i) for n, k, i in ew.issuers(db) if k == "org"])
        self.reason = QLineEdit(objectName="adjustReason")

        if adjust_of:
            old = ew.get(db, adjust_of)
            self.add_row("原预警", QLabel(f"{old['title']}（{old['color_name']}，{old['issued_at']}发布，第{old['revision']}版）"))
        self.add_row("来源", QLabel(ew.SOURCE_LABELS[source]))
        self.add_row("类别 *", self.category)
        self.add_row("灾种 *", self.subtype)
        self.fields["类别"], self.fields["灾种"] = self.category, self.subtype
        self.add_row("级别 *", self.level)
        if is_signal:
            self.add_row("信号名称 *", self.signal_name)
        else:
            self.add_row("预警标题", self.title_edit)
        self.add_row("发布单位 *", self.issuer)
        self.add_row("发布时间 *", self.issued)
        self.add_row("起始时间 *", self.starts)
        if is_signal:
            self.add_row("转发单位 *", self.relayer)
            self.add_row("转发时间 *", self.relayed)
        town_row = QWidget()
        town_layout = QHBoxLayout(town_row)
        town_layout.setContentsMargins(0, 0, 0, 0)
        town_layout.addWidget(self.towns, 1)
        town_layout.addWidget(self.all_towns, 0, Qt.AlignmentFlag.AlignTop)
        self.add_row("影响范围 *", town_row, "影响范围")
        self.fields["影响范围"] = self.towns
        self.add_row("警示事项 *", self.matters)
        self.add_row("防范措施 *", self.measures)
        if adjust_of:
            self.add_row("调整原因 *", self.reason)

        if is_signal:
            self._select_issuer(("org", self._org_id("气象局")))
            self._select(self.relayer, self._org_id("应急管理局"))
        if base:
            self._load(base)
        else:
            self._fill_subtypes()

    def _org_id(self, fragment: str) -> int | None:
        for name, kind, ident in ew.issuers(self.db):
            if kind == "org" and fragment in name:
                return ident
        return None

    @staticmethod
    def _select(combo: QComboBox, value) -> None:
        combo.setCurrentIndex(max(combo.findData(value), 0))

    def _select_issuer(self, value) -> None:
        for i in range(self.issuer.count()):
            if self.issuer.itemData(i) == value:
                self.issuer.setCurrentIndex(i)
                return

    def _fill_subtypes(self) -> None:
        self.subtype.clear()
        category = self.category.currentData()
        for c in self._categories:
            if c["id"] == category:
                for s in c["subtypes"]:
                    self.subtype.addItem(s["name"], s["id"])

    def _check_all(self, on: bool) -> None:
        for i in range(self.towns.count()):
            self.towns.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def set_towns(self, town_ids) -> None:
        wanted = set(town_ids)
        for i in range(self.towns.count()):
            item = self.towns.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted
                               else Qt.CheckState.Unchecked)

    def town_ids(self) -> list[int]:
        return [self.towns.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.towns.count())
                if self.towns.item(i).checkState() == Qt.CheckState.Checked]

    def _load(self, base: ew.WarningInput) -> None:
        self._select(self.category, base.category_id)
        self._fill_subtypes()
        self._select(self.subtype, base.subtype_id)
        self._select(self.level, base.level)
        self.signal_name.setText(base.signal_name)
        self._select_issuer(("body", base.issuer_body_id) if base.issuer_body_id else ("org", base.issuer_org_id))
        if base.relayed_org_id:
            self._select(self.relayer, base.relayed_org_id)
        self.set_towns(base.town_ids)
        self.matters.setPlainText(base.matters)
        self.measures.setPlainText(base.measures)

    def data(self) -> ew.WarningInput:
        issuer = self.issuer.currentData()
        kind, ident = issuer if issuer else (None, None)
        is_signal = self.source == ew.SIGNAL
        return ew.WarningInput(
            source=self.source, category_id=self.category.currentData(),
            subtype_id=self.subtype.currentData(), level=self.level.currentData(),
            starts_at=time_text(self.starts), town_ids=self.town_ids(),
            matters=self.matters.toPlainText(), measures=self.measures.toPlainText(),
            issued_at=time_text(self.issued), recorded_by=self.recorder,
            issuer_org_id=ident if kind == "org" else None,
            issuer_body_id=ident if kind == "body" else None,
            signal_name=self.signal_name.text() if is_signal else "",
            relayed_org_id=self.relayer.currentData() if is_signal else None,
            relayed_at=time_text(self.relayed) if is_signal else None,
            title="" if is_signal else self.title_edit.text())

    def submit(self) -> int:
        if self.adjust_of:
            return ew.adjust(self.db, self.adjust_of, self.data(), self.reason.text(), self.clock)
        return ew.issue(self.db, self.data(), self.clock)


class LiftDialog(ServiceForm):
    """解除 a warning in force."""

    save_text = "解除预警"

    def __init__(self, db: Database, clock: Clock, recorder: str, warning_id: int, parent=None) -> None:
        super().__init__("解除预警", parent)
        self.db, self.clock, self.recorder, self.warning_id = db, clock, recorder, warning_id
        w = ew.get(db, warning_id)
        self.at = time_edit(clock.now())
        self.reason = QLineEdit(objectName="liftReason")
        self.reason.setPlaceholderText("如 降雨减弱，风险降低")
        self.lifted_by = QLineEdit(w["issuer"], objectName="liftedBy")
        self.add_row("预警", QLabel(f"{w['title']}（{w['color_name']}），影响范围{'、'.join(w['towns'])}",
                                     wordWrap=True))
        self.add_row("解除时间 *", self.at)
        self.add_row("解除原因", self.reason)
        self.add_row("解除发布单位", self.lifted_by)

    def submit(self) -> int:
        ew.lift(self.db, self.warning_id, time_text(self.at), self.recorder, self.reason.text(),
                self.lifted_by.text(), self.clock)
        return self.warning_id


# ---------------------------------------------------------------- releases

class WindowDialog(ServiceForm):
    """Name (or change) the response's spokesperson and releasing unit."""

    def __init__(self, db: Database, clock: Clock, recorder: str, response_id: int, parent=None) -> None:
        current = releases.window(db, response_id)
        super().__init__("更换新闻发言人和发布单位" if current else "指定新闻发言人和发布单位", parent)
        self.db, self.clock, self.recorder, self.response_id = db, clock, recorder, response_id
        self.person = people_combo(db, None, "新闻发言人", "spokesperson")
        self.unit = searchable_combo([("（请选择）", None)] + [(o["name"], o["id"]) for o in org.organizations(db)])
        self.unit.setObjectName("releaseUnit")
        self.reason = QLineEdit(objectName="windowReason")
        if current:
            self.person.setCurrentIndex(max(self.person.findData(current["spokesperson_id"]), 0))
            self.unit.setCurrentIndex(max(self.unit.findData(current["org_id"]), 0))
            self.add_row("现任", QLabel(f"{current['spokesperson']}，{current['org']}（{current['set_at']}起）"))
        self.add_row("新闻发言人 *", self.person)
        self.add_row("发布单位 *", self.unit)
        if current:
            self.add_row("变更原因 *", self.reason)

    def submit(self) -> int:
        return releases.set_window(self.db, self.response_id, self.person.currentData(),
                                   self.unit.currentData(), self.recorder, self.reason.text(),
                                   clock=self.clock)


class ReleaseDialog(ServiceForm):
    """A new release draft, or a new version of one (``release_id``)."""

    def __init__(self, db: Database, clock: Clock, recorder: str, response_id: int,
                 release_id: int | None = None, parent=None) -> None:
        super().__init__("修改稿件（生成新版本）" if release_id else "新建稿件", parent)
        self.db, self.clock, self.recorder = db, clock, recorder
        self.response_id, self.release_id = response_id, release_id
        self.setMinimumWidth(640)
        self.title_edit = QLineEdit(objectName="releaseTitle")
        self.body = text_box(220)
        self.body.setObjectName("releaseBody")
        self.note = QLineEdit(objectName="releaseNote")
        self.note.setPlaceholderText("如 按初审意见更新转移人数")
        if release_id:
            current = releases.get(db, release_id)
            self.title_edit.setText(current["title"])
            self.body.setPlainText(current["body"])
            if current["state"] in (releases.IN_REVIEW, releases.APPROVED, releases.RETURNED):
                hint = QLabel("修改后将生成新版本，须重新送审（三审重新开始）。", wordWrap=True)
                hint.setStyleSheet("color: #a0461b;")
                self.body_hint = hint
                self.form.addRow(hint)
        self.add_row("标题 *", self.title_edit, "标题")
        self.add_row("正文 *", self.body, "正文")
        if release_id:
            self.add_row("修改说明", self.note)

    def submit(self) -> int:
        if self.release_id:
            releases.edit(self.db, self.release_id, self.title_edit.text(), self.body.toPlainText(),
                          self.recorder, self.note.text(), clock=self.clock)
            return self.release_id
        return releases.create(self.db, self.response_id, self.title_edit.text(),
                               self.body.toPlainText(), self.recorder, clock=self.clock)


class ReviewDialog(ServiceForm):
    """One 三审 step: pass it, or return the release with a comment."""

    def __init__(self, db: Database, clock: Clock, recorder: str, release_id: int, stage: str,
                 passed: bool, parent=None) -> None:
        super().__init__(f"{stage}{'通过' if passed else '退回'}", parent)
        self.save_text = "确认"
        self.db, self.clock, self.recorder = db, clock, recorder
        self.release_id, self.stage, self.passed = release_id, stage, passed
        release = releases.get(db, release_id)
        self.reviewer = people_combo(db, None, None, "reviewer")
        self.at = time_edit(clock.now())
        self.comment = text_box(80)
        self.comment.setObjectName("reviewComment")
        self.add_row("稿件", QLabel(f"《{release['title']}》第{release['number']}版", wordWrap=True))
        self.add_row("审核人 *", self.reviewer, "审核人")
        self.add_row("审核时间 *", self.at, "审核时间")
        self.add_row("审核意见 *" if not passed else "审核意见", self.comment, "审核意见")

    def submit(self) -> int:
        return releases.review(self.db, self.release_id, self.stage, self.passed,
                               self.reviewer.currentData(), self.recorder, self.comment.toPlainText(),
                               time_text(self.at), self.clock)


class PublishDialog(ServiceForm):
    """Publish an approved release: time and channels."""

    save_text = "发布"

    def __init__(self, db: Database, clock: Clock, recorder: str, release_id: int, parent=None) -> None:
        super().__init__("发布稿件", parent)
        self.db, self.clock, self.recorder, self.release_id = db, clock, recorder, release_id
        release = releases.get(db, release_id)
        window = releases.window(db, release["response_id"])
        self.at = time_edit(clock.now())
        self.channels: dict[str, QCheckBox] = {}
        row = QWidget(objectName="channelBoxes")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for channel in releases.CHANNELS:
            box = QCheckBox(channel)
            self.channels[channel] = box
            layout.addWidget(box)
        self.add_row("稿件", QLabel(f"《{release['title']}》第{release['number']}版（已通过三审）", wordWrap=True))
        self.add_row("发布单位", QLabel(window["org"] if window else "（未指定）"))
        self.add_row("新闻发言人", QLabel(window["spokesperson"] if window else "（未指定）"))
        self.add_row("发布时间 *", self.at, "发布时间")
        self.add_row("发布渠道 *", row, "发布渠道")

    def chosen(self) -> list[str]:
        return [c for c, box in self.channels.items() if box.isChecked()]

    def submit(self) -> int:
        releases.publish(self.db, self.release_id, self.chosen(), self.recorder, time_text(self.at), self.clock)
        return self.release_id
