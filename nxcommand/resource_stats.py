"""Numbers for the resource charts (ui/charts.py), built on the registers' own queries:
``supplies.stock_vs_minimum`` / ``stock_list`` / ``expiry_timeline`` and
``resources.readiness_by_town``; only the insurance dates are read here.

Supply items have different units (箱, 顶, 台 …), so quantities never add up across items:
a depot or category is measured by its stock lines (how many are at or under their
minimum), and a single depot's lines by stock as a share of the line's own minimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from . import resources, supplies


@dataclass(frozen=True)
class StockGroup:
    label: str            # the depot or category
    lines: int            # stock lines with a minimum set
    below: int            # of them, under the minimum
    coverage: float       # mean of min(quantity / minimum, 1); 1.0 = all at or above

    @property
    def ok(self) -> int:
        return self.lines - self.below


@dataclass(frozen=True)
class StockLine:
    label: str            # item name (and spec)
    quantity: int
    minimum: int
    unit: str

    @property
    def below(self) -> bool:
        return self.quantity < self.minimum

    @property
    def percent(self) -> float:
        """Stock as a percentage of the minimum (100 = exactly the minimum)."""
        return 100.0 * self.quantity / self.minimum


@dataclass(frozen=True)
class Readiness:
    town: str
    ready: int            # 待命 and 达标
    other: int            # 待命 but 未达标, or 返回
    out: int              # 出动 or 在场

    @property
    def total(self) -> int:
        return self.ready + self.other + self.out


@dataclass(frozen=True)
class DatedItem:
    lane: str             # 队伍保险 / 物资有效期 / 物资轮换
    subject: str
    when: date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


LANES = ("队伍保险", "物资有效期", "物资轮换")


def stock_groups(db: Database, by: str = "depot") -> list[StockGroup]:
    """Per depot (``by="depot"``) or per level-2 category (``by="category"``)."""
    return [StockGroup(r["label"], r["lines"], r["below"], r["coverage"])
            for r in supplies.stock_vs_minimum(db, by=by)]


def depot_choices(db: Database) -> list[tuple[int, str]]:
    return [(d["id"], d["name"]) for d in supplies.depots(db)]


def depot_lines(db: Database, depot_id: int) -> list[StockLine]:
    """One depot's stock lines that have a minimum, in catalogue order."""
    return [StockLine(r["name"] + (f"（{r['spec']}）" if r["spec"] else ""), r["quantity"],
                      r["minimum"], r["unit"])
            for r in supplies.stock_list(db, supplies.StockQuery(depot_id=depot_id))
            if r["minimum"] > 0]


def readiness(db: Database) -> list[Readiness]:
    """Active teams per town: ready (待命·达标), other, out (出动/在场)."""
    return [Readiness(r["town"], r["ready_teams"], r["teams"] - r["ready_teams"] - r["out_teams"],
                      r["out_teams"]) for r in resources.readiness_by_town(db)]


def dated_items(db: Database, today: date) -> list[DatedItem]:
    """Team insurance expiry and supply expiry/rotation dates, by date; past ones included."""
    found = [DatedItem("队伍保险", r["name"], date.fromisoformat(r["insurance_expiry"]),
                       (date.fromisoformat(r["insurance_expiry"]) - today).days)
             for r in db.query("SELECT name, insurance_expiry FROM teams WHERE active = 1 "
                               "AND insurance_expiry IS NOT NULL")]
    for r in supplies.expiry_timeline(db, today):
        lane = "物资有效期" if r["kind"] == "有效期" else "物资轮换"
        found.append(DatedItem(lane, f"{r['depot']}：{r['item']}", r["date"], r["days_left"]))
    return sorted(found, key=lambda d: (d.when, LANES.index(d.lane), d.subject))
