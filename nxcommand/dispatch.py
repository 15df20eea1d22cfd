"""Dispatch (调派): teams, equipment and supplies from the registers sent to a response.

Each dispatch names the response, what goes (a team with the people sent, an equipment item,
or a quantity of one supply out of one depot), the destination (town and place), the task,
who ordered it and when it left; later when it arrived and (teams and equipment) when it came
back. Each time is later than the previous one and none is in the future.

The registers follow: a team goes 出动 when dispatched, 在场 on arrival, and 返回 then 待命
when back (``teams.set_status``, timed at the recorded moment); an equipment item goes 在用 and
back to 完好待命. A supply leaves its depot through ``ledger.issue`` (its ``ref`` names the
response and the destination) in the same transaction as the dispatch record, so a dispatch of
more than the depot holds is refused with the ledger's message and writes nothing.

Every dispatch, arrival and return leaves its entry in the duty log (处置). Drill responses
(演练) are marked 【演练】 there and kept out of the county-wide queries unless asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from . import equipment, ledger, session, teams
from . import resources as res
from .clock import SYSTEM_CLOCK, Clock, FixedClock, fmt_minute, parse_minute
from .errors import NotFound, ValidationError
from .incidents import trace
from .store import writing
from .timeline import Deadline, Entry

KINDS = ("队伍", "装备", "物资")
LOG_KIND = "处置"
PLACE_MAX, TASK_MAX, BY_MAX = 60, 200, 32


# ------------------------------------------------------------------ shared with forward_hq

def response_row(db: Database, response_id: int) -> dict:
    """The response with what the field needs: status, drill flag, start, the event (id,
    title, town, received time) and ``earliest``, the first moment field records may carry
    (the event's 接报 or the response's start, whichever is earlier)."""
    row = next(db.query(
        """SELECT r.id, r.status, r.is_drill, r.started_at, r.event_id, r.matter, r.level,
                  e.title AS event_title, e.received_at, e.town_id AS event_town_id,
                  coalesce(u.name, '') AS event_town
           FROM responses r LEFT JOIN events e ON e.id = r.event_id
           LEFT JOIN admin_units u ON u.id = e.town_id WHERE r.id = ?""", [response_id]), None)
    if row is None:
        raise NotFound("该应急响应不存在")
    row["earliest"] = min(t for t in (row["started_at"][:16], (row["received_at"] or "9")[:16]))
    row["live"] = row["status"] == "响应中"
    return row


def moment(value: str | datetime | None, label: str, clock: Clock, not_before: str | None = None,
           after: str | None = None, after_label: str = "") -> str:
    """A recorded time to the minute (now when empty): never in the future, not before
    ``not_before``, strictly after ``after`` (whose meaning ``after_label`` names)."""
    now = clock.now().replace(second=0, microsecond=0)
    at = now if value is None or value == "" else parse_minute(value, label)
    if at > now:
        raise ValidationError(f"{label}不能晚于当前时间", label)
    text = fmt_minute(at)
    if not_before and text < not_before:
        raise ValidationError(f"{label}不能早于{not_before}（事件接报或响应启动时间）", label)
    if after and text <= after:
        raise ValidationError(f"{label}须晚于{after_label}（{after}）", label)
    return text


def recorder(value: str) -> str:
    return res.short(value, "记录人", BY_MAX, required=True)


def drill_mark(response: dict) -> str:
    return "【演练】" if response["is_drill"] else ""


def person_name(db: Database, person_id: int | None) -> str:
    row = db.execute("SELECT name FROM people WHERE id = ?", [person_id]).fetchone()
    return row[0] if row else ""


# ------------------------------------------------------------------ input and validation

@dataclass
class DispatchInput:
    """What the dispatch forms submit (the thing sent is chosen separately)."""

    town_id: int | None
    ordered_by: int | None
    recorded_by: str
    place: str = ""
    task: str = ""
    dispatched_at: str | datetime | None = None      # empty: now
    expected_arrival: str | datetime | None = None   # optional: then the board runs a clock
    headcount: int | str | None = None               # teams: people sent (default: all)


def _common(db: Database, response: dict, data: DispatchInput, clock: Clock) -> dict:
    if not response["live"]:
        raise ValidationError("该应急响应已解除，不能再派出力量或物资")
    at = moment(data.dispatched_at, "派出时间", clock, response["earliest"])
    expected = None
    if data.expected_arrival not in (None, ""):
        expected = fmt_minute(parse_minute(data.expected_arrival, "预计到达时间"))
        if expected <= at:
            raise ValidationError("预计到达时间须晚于派出时间", "预计到达时间")
    return {
        "response_id": response["id"],
        "town_id": res.check_town(db, data.town_id, "目的地（镇/街道）"),
        "place": res.short(data.place, "具体地点", PLACE_MAX),
        "task": res.short(data.task, "任务", TASK_MAX, multiline=True),
        "ordered_by": res.check_person(db, data.ordered_by, "下令人", required=True),
        "dispatched_at": at, "expected_arrival": expected,
        "recorded_by": recorder(data.recorded_by),
    }


def _destination(db: Database, record: dict) -> str:
    town = db.execute("SELECT name FROM admin_units WHERE id = ?", [record["town_id"]]).fetchone()[0]
    return town + (f" {record['place']}" if record["place"] else "")


def _open_dispatch(db: Database, column: str, thing_id: int) -> dict | None:
    """The thing's dispatch not yet back, to a live response (None if there is none)."""
    return next(db.query(
        f"""SELECT d.id, d.dispatched_at, u.name AS town, d.place FROM dispatches d
            JOIN responses r ON r.id = d.response_id JOIN admin_units u ON u.id = d.town_id
            WHERE d.{column} = ? AND d.returned_at IS NULL AND r.status = '响应中'""", [thing_id]), None)


def _insert(db: Database, record: dict, clock: Clock) -> int:
    now = clock.stamp()
    record = {**record, "created_at": now, "updated_at": now}
    cols = ", ".join(record)
    return db.execute(f"INSERT INTO dispatches ({cols}) VALUES ({', '.join('?' * len(record))})",
                      list(record.values())).lastrowid


def _trace(db: Database, clock: Clock, response: dict, summary: str, by: str, at: str) -> None:
    trace(db, clock, LOG_KIND, drill_mark(response) + summary, by, at, response["event_id"])


def _order_phrase(db: Database, record: dict) -> str:
    parts = [f"任务：{record['task']}" if record["task"] else "",
             f"下令人：{person_name(db, record['ordered_by'])}"]
    return "；".join(p for p in parts if p)


# ------------------------------------------------------------------ dispatching

def dispatch_team(db: Database, response_id: int, team_id: int, data: DispatchInput,
                  clock: Clock = SYSTEM_CLOCK) -> int:
    """派出队伍. Refused for a retired team, a team already out with a live response, or one
    whose register status shows it busy elsewhere (出动/在场)."""
    session.require(db, "调度派遣")
    response = response_row(db, response_id)
    team = db.execute("SELECT name, headcount, active, status FROM teams WHERE id = ?", [team_id]).fetchone()
    if team is None:
        raise NotFound("该队伍不存在")
    name, full, active, status = team
    if not active:
        raise ValidationError(f"{name}已撤编，不能派出", "队伍")
    record = _common(db, response, data, clock)
    current = _open_dispatch(db, "team_id", team_id)
    if current is not None:
        raise ValidationError(f"{name}已于 {current['dispatched_at']} 派往{current['town']}{current['place']}，"
                              "尚未返回，不能重复派出", "队伍")
    if status in ("出动", "在场"):
        raise ValidationError(f"{name}当前状态为“{status}”（正在执行其他任务），请先在队伍名册中将其改回待命",
                              "队伍")
    people = full if data.headcount in (None, "") else res.count(data.headcount, "派出人数", 1, full)
    record.update(kind="队伍", team_id=team_id, quantity=people)
    with writing(db):
        dispatch_id = _insert(db, record, clock)
        teams.set_status(db, team_id, "出动", FixedClock(parse_minute(record["dispatched_at"], "")),
                         note=f"派往{_destination(db, record)}")
        _trace(db, clock, response, f"派出队伍：{name}（{people}人）→ {_destination(db, record)}；"
               + _order_phrase(db, record), record["recorded_by"], record["dispatched_at"])
    return dispatch_id


def dispatch_equipment(db: Database, response_id: int, equipment_id: int, data: DispatchInput,
                       clock: Clock = SYSTEM_CLOCK) -> int:
    """派出装备: only an item 完好待命 (not in use, under repair or out of service)."""
    session.require(db, "调度派遣")
    response = response_row(db, response_id)
    item = equipment.get(db, equipment_id)
    label = f"{item['name']}（{item['holder']}）"
    record = _common(db, response, data, clock)
    if _open_dispatch(db, "equipment_id", equipment_id) is not None:
        raise ValidationError(f"{label}已派出且尚未返回，不能重复派出", "装备")
    if item["status"] != "完好待命":
        raise ValidationError(f"{label}当前状态为“{item['status']}”，只有完好待命的装备可以派出", "装备")
    record.update(kind="装备", equipment_id=equipment_id, quantity=item["quantity"])
    with writing(db):
        dispatch_id = _insert(db, record, clock)
        equipment.set_status(db, equipment_id, "在用", clock)
        _trace(db, clock, response, f"派出装备：{label} {item['quantity']}{item['unit']} → "
               f"{_destination(db, record)}；" + _order_phrase(db, record),
               record["recorded_by"], record["dispatched_at"])
    return dispatch_id


def supply_ref(response: dict, destination: str) -> str:
    """The ledger's 去向 text of a dispatch: the response and the destination."""
    what = response["event_title"] or response["matter"]
    head = f"{drill_mark(response)}应急响应#{response['id']}"
    room = ledger.REF_MAX - len(head) - len(destination) - 4
    return f"{head}（{what[:max(room, 0)]}）→ {destination}"[:ledger.REF_MAX]


def dispatch_supply(db: Database, response_id: int, depot_id: int, item_id: int, quantity: int | str,
                    data: DispatchInput, clock: Clock = SYSTEM_CLOCK) -> int:
    """调拨物资出库: ``quantity`` of one item out of one depot, through ``ledger.issue`` in the
    same transaction. More than the depot holds is refused by the ledger; nothing is written."""
    session.require(db, "调度派遣")
    response = response_row(db, response_id)
    record = _common(db, response, data, clock)
    amount = res.count(quantity, "数量", 1, 1_000_000_000)
    destination = _destination(db, record)
    with writing(db):
        movement = ledger.issue(db, depot_id, item_id, amount, clock=clock, at=record["dispatched_at"],
                                reason=f"应急调拨：{record['task'] or '支援' + destination}"[:ledger.REASON_MAX],
                                who=ledger.Who(record["recorded_by"]), ref=supply_ref(response, destination))
        record.update(kind="物资", depot_id=depot_id, item_id=item_id, quantity=amount, movement_id=movement)
        dispatch_id = _insert(db, record, clock)
        row = get(db, dispatch_id)
        _trace(db, clock, response, f"调拨物资出库：{row['depot']} {row['name']} {amount}{row['unit']} → "
               f"{destination}；" + _order_phrase(db, record), record["recorded_by"], record["dispatched_at"])
    return dispatch_id


# ------------------------------------------------------------------ arrival and return

def _change(db: Database, dispatch_id: int, expected_version: int | None) -> dict:
    row = get(db, dispatch_id)
    if expected_version is not None and row["version"] != expected_version:
        raise ValidationError("该调派记录已被他人修改，请刷新后再操作")
    return row


def _save(db: Database, dispatch_id: int, column: str, at: str, clock: Clock) -> None:
    cur = db.execute(f"UPDATE dispatches SET {column} = ?, updated_at = ?, version = version + 1 "
                     f"WHERE id = ? AND {column} IS NULL", [at, clock.stamp(), dispatch_id])
    if cur.rowcount != 1:
        raise ValidationError("该调派记录已被他人修改，请刷新后再操作")


def mark_arrived(db: Database, dispatch_id: int, at: str | datetime | None = None, *, recorded_by: str,
                 expected_version: int | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
    """到达: after the dispatch, not in the future; a team goes 在场."""
    session.require(db, "调度派遣")
    row = _change(db, dispatch_id, expected_version)
    if row["arrived_at"]:
        raise ValidationError(f"{row['name']}已于 {row['arrived_at']} 到达", "到达时间")
    if row["returned_at"]:
        raise ValidationError(f"{row['name']}已返回，不能再登记到达", "到达时间")
    when = moment(at, "到达时间", clock, after=row["dispatched_at"], after_label="派出时间")
    by = recorder(recorded_by)
    response = response_row(db, row["response_id"])
    with writing(db):
        _save(db, dispatch_id, "arrived_at", when, clock)
        if row["kind"] == "队伍" and row["team_status"] != "在场":
            teams.set_status(db, row["team_id"], "在场", FixedClock(parse_minute(when, "")),
                             note=f"到达{row['destination']}")
        verb = "送达" if row["kind"] == "物资" else "到达"
        _trace(db, clock, response, f"{row['kind']}{verb}：{row['name']} → {row['destination']}"
               f"（{row['dispatched_at'][11:]}派出）", by, when)


def mark_returned(db: Database, dispatch_id: int, at: str | datetime | None = None, *, recorded_by: str,
                  expected_version: int | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
    """返回 (teams and equipment; also a recall before arrival): later than the arrival, or the
    dispatch when it never arrived. A team goes 返回 then 待命, an item back to 完好待命."""
    session.require(db, "调度派遣")
    row = _change(db, dispatch_id, expected_version)
    if row["kind"] == "物资":
        raise ValidationError("物资出库后不办理返回；未用完的物资请在储备库办理入库")
    if row["returned_at"]:
        raise ValidationError(f"{row['name']}已于 {row['returned_at']} 返回", "返回时间")
    previous, previous_label = ((row["arrived_at"], "到达时间") if row["arrived_at"]
                                else (row["dispatched_at"], "派出时间"))
    when = moment(at, "返回时间", clock, after=previous, after_label=previous_label)
    by = recorder(recorded_by)
    response = response_row(db, row["response_id"])
    with writing(db):
        _save(db, dispatch_id, "returned_at", when, clock)
        back = FixedClock(parse_minute(when, ""))
        if row["kind"] == "队伍":
            still_out = db.execute("SELECT 1 FROM dispatches WHERE team_id = ? AND returned_at IS NULL",
                                   [row["team_id"]]).fetchone()
            if not still_out:
                if row["team_status"] != "返回":
                    teams.set_status(db, row["team_id"], "返回", back, note=f"撤离{row['destination']}")
                teams.set_status(db, row["team_id"], "待命", back, note="归队待命")
        elif db.execute("SELECT status FROM equipment WHERE id = ?", [row["equipment_id"]]).fetchone()[0] == "在用":
            equipment.set_status(db, row["equipment_id"], "完好待命", clock)
        _trace(db, clock, response, f"{row['kind']}返回：{row['name']} 撤离{row['destination']}", by, when)


# ------------------------------------------------------------------ reading

SELECT = """
    SELECT d.*, u.name AS town, p.name AS ordered_by_name,
           CASE d.kind WHEN '队伍' THEN t.name
                       WHEN '装备' THEN e.name || '（' || coalesce(et.name, eo.name, '') || '）'
                       ELSE i.name END AS name,
           CASE d.kind WHEN '队伍' THEN tu.name
                       WHEN '装备' THEN coalesce(et.name, eo.name, '')
                       ELSE dp.name END AS source,
           CASE d.kind WHEN '队伍' THEN '人' WHEN '装备' THEN e.unit ELSE i.unit END AS unit,
           coalesce(i.spec, '') AS spec, coalesce(dp.name, '') AS depot,
           t.status AS team_status, t.leader_id AS team_leader_id, e.four_in_one,
           r.is_drill, r.status AS response_status
    FROM dispatches d JOIN admin_units u ON u.id = d.town_id
    JOIN responses r ON r.id = d.response_id
    JOIN people p ON p.id = d.ordered_by
    LEFT JOIN teams t ON t.id = d.team_id LEFT JOIN admin_units tu ON tu.id = t.town_id
    LEFT JOIN equipment e ON e.id = d.equipment_id
    LEFT JOIN teams et ON et.id = e.team_id LEFT JOIN organizations eo ON eo.id = e.org_id
    LEFT JOIN supply_items i ON i.id = d.item_id LEFT JOIN depots dp ON dp.id = d.depot_id
    WHERE d.id IN ({marks})"""


def status_of(row: dict) -> str:
    """已派出 (on the way), 在场 (arrived), 已返回; a supply is 在途 or 已送达."""
    if row["kind"] == "物资":
        return "已送达" if row["arrived_at"] else "在途"
    if row["returned_at"]:
        return "已返回"
    return "在场" if row["arrived_at"] else "已派出"


def _decorate(row: dict) -> dict:
    row["destination"] = row["town"] + (f" {row['place']}" if row["place"] else "")
    row["status"] = status_of(row)
    row["amount"] = f"{row['quantity']}{row['unit']}" if row["quantity"] is not None else ""
    return row


def rows(db: Database, ids: list[int]) -> dict[int, dict]:
    """Display rows by id: the dispatch plus name, source (team's base town, item holder or
    depot), unit, amount, destination, ordered_by_name and status."""
    return {k: _decorate(v) for k, v in res.fetch(db, SELECT, ids).items()}


def get(db: Database, dispatch_id: int) -> dict:
    row = rows(db, [dispatch_id]).get(dispatch_id)
    if row is None:
        raise NotFound("该调派记录不存在")
    return row


def ids(db: Database, response_id: int, kind: str | None = None) -> list[int]:
    """A response's dispatches, latest first."""
    sql = "SELECT id FROM dispatches WHERE response_id = ?" + (" AND kind = ?" if kind else "")
    return [r[0] for r in db.execute(sql + " ORDER BY dispatched_at DESC, id DESC",
                                     [response_id] + ([kind] if kind else []))]


def listing(db: Database, response_id: int, kind: str | None = None) -> list[dict]:
    found = rows(db, ids(db, response_id, kind))
    return [found[i] for i in ids(db, response_id, kind)]


def summary(db: Database, response_id: int) -> dict[str, dict[str, int]]:
    """Counts per kind: {"队伍": {"已派出": n, "在场": n, "已返回": n, "人数": people out}, …};
    supplies count lines 在途 / 已送达."""
    result: dict[str, dict[str, int]] = {
        "队伍": {"已派出": 0, "在场": 0, "已返回": 0, "人数": 0},
        "装备": {"已派出": 0, "在场": 0, "已返回": 0},
        "物资": {"在途": 0, "已送达": 0}}
    for row in listing(db, response_id):
        result[row["kind"]][row["status"]] += 1
        if row["kind"] == "队伍" and row["status"] != "已返回":
            result["队伍"]["人数"] += row["quantity"]
    return result


def on_scene(db: Database, response_id: int) -> list[dict]:
    """Teams and equipment arrived and not back, earliest arrival first (the forward HQ's
    "resources on scene")."""
    return sorted((r for r in listing(db, response_id) if r["status"] == "在场"),
                  key=lambda r: (r["arrived_at"], r["id"]))


def supplies_issued(db: Database, response_id: int) -> list[dict]:
    """Supplies that left a depot for the response, per item: item, spec, unit, quantity
    (total), lines, destinations."""
    totals: dict[int, dict] = {}
    for row in reversed(listing(db, response_id, "物资")):
        entry = totals.setdefault(row["item_id"], {"item_id": row["item_id"], "item": row["name"],
                                                   "spec": row["spec"], "unit": row["unit"], "quantity": 0,
                                                   "lines": 0, "destinations": []})
        entry["quantity"] += row["quantity"]
        entry["lines"] += 1
        if row["destination"] not in entry["destinations"]:
            entry["destinations"].append(row["destination"])
    return sorted(totals.values(), key=lambda e: e["item"])


def resources_by_town(db: Database, response_id: int | None = None, include_drills: bool = False,
                      include_returned: bool = False) -> list[dict]:
    """Per destination town (for the brief): teams, people, equipment items and supply lines
    sent there and not back. All live responses when ``response_id`` is None; drills only
    when asked for (or when ``response_id`` names one)."""
    where, params = ["1 = 1"], []
    if response_id is not None:
        where.append("d.response_id = ?")
        params.append(response_id)
    else:
        where.append("r.status = '响应中'")
        if not include_drills:
            where.append("r.is_drill = 0")
    if not include_returned:
        where.append("d.returned_at IS NULL")
    found = [r[0] for r in db.execute(
        f"SELECT d.id FROM dispatches d JOIN responses r ON r.id = d.response_id WHERE {' AND '.join(where)}",
        params)]
    towns: dict[int, dict] = {}
    for row in sorted(rows(db, found).values(), key=lambda r: (r["dispatched_at"], r["id"])):
        town = towns.setdefault(row["town_id"], {"town_id": row["town_id"], "town": row["town"], "teams": 0,
                                                 "people": 0, "equipment": 0, "supplies": []})
        if row["kind"] == "队伍":
            town["teams"] += 1
            town["people"] += row["quantity"]
        elif row["kind"] == "装备":
            town["equipment"] += 1
        else:
            town["supplies"].append({"item": row["name"], "unit": row["unit"], "quantity": row["quantity"]})
    return sorted(towns.values(), key=lambda t: (-t["people"], t["town"]))


def available_teams(db: Database) -> list[dict]:
    """Teams that may be dispatched now: active, not out (出动/在场), not on an open dispatch."""
    return list(db.query(
        """SELECT t.id, t.name, t.kind, t.headcount, t.status, u.name AS town FROM teams t
           JOIN admin_units u ON u.id = t.town_id
           WHERE t.active = 1 AND t.status NOT IN ('出动', '在场')
             AND NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.team_id = t.id AND d.returned_at IS NULL)
           ORDER BY t.kind, u.name, t.name"""))


def available_equipment(db: Database) -> list[dict]:
    """Equipment items 完好待命 and not on an open dispatch."""
    return list(db.query(
        """SELECT e.id, e.name, e.quantity, e.unit, coalesce(t.name, o.name) AS holder FROM equipment e
           LEFT JOIN teams t ON t.id = e.team_id LEFT JOIN organizations o ON o.id = e.org_id
           WHERE e.status = '完好待命'
             AND NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.equipment_id = e.id AND d.returned_at IS NULL)
           ORDER BY e.kind, e.name, e.id"""))


# ------------------------------------------------------------------ board contributions

def timeline_entries(db: Database, response_id: int) -> list[Entry]:
    """派出 / 到达 / 返回 of every dispatch of the response."""
    entries: list[Entry] = []
    for row in reversed(listing(db, response_id)):
        ref = ("dispatch", row["id"])
        what = f"{row['name']} {row['amount']}" if row["kind"] != "队伍" else f"{row['name']}（{row['amount']}）"
        entries.append(Entry(parse_minute(row["dispatched_at"], ""), "派出",
                             f"派出{row['kind']}：{what} → {row['destination']}", ref, row["ordered_by_name"]))
        if row["arrived_at"]:
            entries.append(Entry(parse_minute(row["arrived_at"], ""), "到达",
                                 f"{row['name']}{'送达' if row['kind'] == '物资' else '到达'}{row['destination']}",
                                 ref, row["recorded_by"]))
        if row["returned_at"]:
            entries.append(Entry(parse_minute(row["returned_at"], ""), "返回",
                                 f"{row['name']}撤离{row['destination']}返回", ref, row["recorded_by"]))
    return sorted(entries, key=lambda e: e.at)


def deadlines(db: Database, response_id: int, now: datetime) -> list[Deadline]:
    """A clock for every dispatch given an expected arrival time (met when it arrives)."""
    return [Deadline(f"到达：{row['name']} → {row['destination']}", parse_minute(row["expected_arrival"], ""),
                     parse_minute(row["arrived_at"], "") if row["arrived_at"] else None, "到达",
                     ("dispatch", row["id"]))
            for row in listing(db, response_id)
            if row["expected_arrival"] and (row["arrived_at"] or not row["returned_at"])]


def stock_choices(db: Database, depot_id: int) -> list[dict]:
    """A depot's supply lines holding stock (for the dispatch form): item_id, name, spec,
    unit, code, quantity."""
    return list(db.query(
        "SELECT i.id AS item_id, i.name, i.spec, i.unit, i.code, s.quantity FROM depot_stock s "
        "JOIN supply_items i ON i.id = s.item_id WHERE s.depot_id = ? AND s.quantity > 0 ORDER BY i.code, i.name",
        [depot_id]))
