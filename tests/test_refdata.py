"""Reference data: the 生产安全事故 grading rule, editable thresholds and rules, holidays."""

from __future__ import annotations

from datetime import date

import pytest

from nxcommand import holidays, refdata
from nxcommand.errors import ValidationError

YI = 100_000_000
WAN = 10_000


@pytest.mark.parametrize("deaths, injuries, loss, grade", [
    (0, 0, 0, 4),
    (2, 9, 1000 * WAN - 1, 4),
    (3, 0, 0, 3),                  # "以上" includes the figure itself
    (0, 10, 0, 3),
    (0, 0, 1000 * WAN, 3),
    (9, 49, 5000 * WAN - 1, 3),
    (10, 0, 0, 2),
    (0, 50, 0, 2),
    (0, 0, 5000 * WAN, 2),
    (29, 99, YI - 1, 2),
    (30, 0, 0, 1),
    (0, 100, 0, 1),
    (0, 0, YI, 1),
    (1, 60, 0, 2),                 # the highest grade reached by any criterion
    (3, 0, YI, 1),
])
def test_production_safety_grade(empty_db, deaths, injuries, loss, grade):
    rules = refdata.thresholds(empty_db)
    assert refdata.grade_production_safety(deaths, injuries, loss, rules) == grade


@pytest.mark.parametrize("figures", [(-1, 0, 0), (0, -3, 0), (0, 0, -1), (1.5, 0, 0), ("3", 0, 0)])
def test_grading_refuses_bad_figures(empty_db, figures):
    with pytest.raises(ValidationError):
        refdata.grade_production_safety(*figures, refdata.thresholds(empty_db))


def test_thresholds_are_editable_but_stay_ordered(empty_db):
    refdata.set_threshold(empty_db, refdata.Threshold(3, 5, 10, 1000 * WAN))
    assert refdata.grade_production_safety(4, 0, 0, refdata.thresholds(empty_db)) == 4
    assert refdata.grade_production_safety(5, 0, 0, refdata.thresholds(empty_db)) == 3
    with pytest.raises(ValidationError, match="逐级递减"):
        refdata.set_threshold(empty_db, refdata.Threshold(3, 10, 10, 1000 * WAN))
    assert refdata.thresholds(empty_db)[2].deaths == 5


def test_default_reference_data(empty_db):
    names = [c["name"] for c in refdata.categories(empty_db)]
    assert names == ["自然灾害", "事故灾难", "公共卫生事件", "社会安全事件"]
    colours = [(w["name"], w["color_name"]) for w in refdata.levels(empty_db, "warning_levels")]
    assert colours == [("一级", "红色"), ("二级", "橙色"), ("三级", "黄色"), ("四级", "蓝色")]
    assert [r["roman"] for r in refdata.levels(empty_db, "response_levels")] == ["Ⅰ级", "Ⅱ级", "Ⅲ级", "Ⅳ级"]
    rules = {r["name"]: r for r in refdata.deadline_rules(empty_db)}
    assert rules["较大及以上或敏感事件：电话报告"]["due_minutes"] == 30
    assert rules["较大及以上或敏感事件：书面报告"]["due_minutes"] == 60
    assert rules["自然灾害：续报"]["daily_at"] == "09:00"


def test_deadline_rules_validate_before_writing(empty_db):
    before = len(refdata.deadline_rules(empty_db, active_only=False))
    for bad in ({"name": "", "report_kind": "续报", "due_minutes": 30},
                {"name": "x", "report_kind": "快报", "due_minutes": 30},
                {"name": "x", "report_kind": "续报"},
                {"name": "x", "report_kind": "续报", "due_minutes": -5},
                {"name": "x", "report_kind": "续报", "daily_at": "25:00"}):
        with pytest.raises(ValidationError):
            refdata.save_deadline_rule(empty_db, bad)
    assert len(refdata.deadline_rules(empty_db, active_only=False)) == before
    rule_id = refdata.save_deadline_rule(empty_db, {"name": "本地规定：电话报告", "report_kind": "电话报告",
                                                    "due_minutes": 15, "max_grade": 3})
    refdata.save_deadline_rule(empty_db, {"id": rule_id, "name": "本地规定：电话报告",
                                          "report_kind": "电话报告", "due_minutes": 20})
    assert [r["due_minutes"] for r in refdata.deadline_rules(empty_db) if r["id"] == rule_id] == [20]


def test_level_colours_are_editable(empty_db):
    refdata.set_level_colour(empty_db, "warning_levels", 4, "#0055AA")
    assert refdata.levels(empty_db, "warning_levels")[3]["color_hex"] == "#0055AA"
    with pytest.raises(ValidationError):
        refdata.set_level_colour(empty_db, "warning_levels", 4, "blue")


def test_statutory_holidays_and_makeup_days(empty_db):
    national = holidays.day_info(empty_db, date(2026, 10, 1))
    assert national.is_statutory and national.name == "国庆节" and national.known
    makeup = holidays.day_info(empty_db, date(2026, 10, 10))  # Saturday worked
    assert makeup.is_makeup_workday and not makeup.is_holiday
    weekend = holidays.day_info(empty_db, date(2026, 11, 21))
    assert weekend.is_holiday and not weekend.is_statutory


def test_unknown_year_is_flagged_and_overrides_fill_it(empty_db):
    info = holidays.day_info(empty_db, date(2030, 5, 1))
    assert not info.known
    holidays.set_override(empty_db, date(2030, 5, 1), "holiday", "劳动节")
    info = holidays.day_info(empty_db, date(2030, 5, 1))
    assert info.known and info.is_statutory and info.name == "劳动节"
    with pytest.raises(ValidationError):
        holidays.set_override(empty_db, date(2030, 5, 2), "day-off")
