"""ENGINE's kinds for the whole demo county: they render, cover every glyph, say the right
things, and refuse wrong ids without leaving a file. The CLI runs as a real process."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from nxcommand.errors import NotFound, ValidationError
from nxcommand.reports import check, fonts, registry

from .test_cli import nx

KINDS = [("event", "4"), ("duty-daily", "2026-07-01"), ("handover", "1"), ("roster", "2026-07")]


def text_of(path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.replace("\n", "").replace(" ", "")


def build(db, kind, item, tmp_path, clock, **kw):
    out = tmp_path / f"{kind}.pdf"
    with fonts.recording() as drawn:
        built = registry.build(db, kind, out, item=item, clock=clock, **kw)
    return built, drawn


@pytest.mark.parametrize("kind,item", KINDS)
def test_each_kind_renders_covered_and_on_a4(kind, item, full_demo_db, tmp_path, clock):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    steps = []
    with fonts.recording() as drawn:
        built = registry.build(full_demo_db, kind, tmp_path / "x.pdf", item=item, clock=clock,
                               progress=lambda done, total: steps.append((done, total)))
    assert built.path.exists() and built.pages >= 1
    assert check.uncovered(drawn) == {}
    assert len(drawn) >= 3                              # title, body and heading faces
    assert steps and steps[-1][0] == steps[-1][1]       # progress reaches the end
    assert [s[0] for s in steps] == sorted(s[0] for s in steps)
    if check.available():
        assert check.geometry(built.path).a4
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]  # no temporary left behind


def test_initial_report_follows_the_element_order(full_demo_db, tmp_path, clock):
    built, _ = build(full_demo_db, "event", "4", tmp_path, clock, serial=1)
    text = text_of(built.path)
    order = ["突发事件信息快报", "油山镇上朔村发生山洪灾害，造成1人失联、3人被困，正在处置", "初报",
             "接报时间：2026年7月1日8时15分", "信息来源", "事发时间：2026年7月1日7时50分", "事发地点",
             "起因、性质和经过", "持续强降雨引发山洪", "人员伤亡和财产损失", "影响范围和发展趋势",
             "已采取的措施和领导到位情况", "请求事项和下一步工作", "现场负责人", "梁国栋",
             "签发：田立新", "报：韶关市应急管理局。"]
    positions = [text.find(s) for s in order]
    assert -1 not in positions, [s for s, p in zip(order, positions) if p < 0]
    assert positions == sorted(positions)


def test_follow_up_report_states_only_what_changed(full_demo_db, tmp_path, clock):
    built, _ = build(full_demo_db, "event", "4", tmp_path, clock, serial=2)
    text = text_of(built.path)
    assert "续报（一）" in text and "被困失联人员已全部找到" in built.title
    assert "失联人员由1人减至0人" in text and "累计转移群众由120人增至486人" in text
    assert "持续强降雨引发山洪" not in text            # the initial course is not restated
    assert "接报时间" not in text
    assert "10时40分，田子健主持会商" in text           # a new measure since the 初报
    assert "派出队伍：油山镇应急救援队" not in text      # measures before the 初报 are not repeated
    latest, _ = build(full_demo_db, "event", "4", tmp_path, clock)  # without --serial: the latest
    assert latest.title == built.title


def test_final_report_and_a_draft_when_nothing_was_written(full_demo_db, tmp_path, clock):
    final, _ = build(full_demo_db, "event", "1", tmp_path, clock)
    assert final.title.startswith("终报：") and "处置工作结束" in final.title
    draft, _ = build(full_demo_db, "event", "3", tmp_path, clock)
    assert draft.title.startswith("初报（稿）：帽子峰镇")


def test_duty_daily_has_shifts_log_events_rate_and_open_items(full_demo_db, tmp_path, clock):
    built, _ = build(full_demo_db, "duty-daily", "2026-07-01", tmp_path, clock)
    text = text_of(built.path)
    for part in ("值班信息", "值班日报", "值班情况", "田立新", "值班日志", "当日共记录值班日志125条",
                 "突发事件及信息报送", "油山镇上朔村发生山洪灾害", "上报及时率", "待办事项"):
        assert part in text, part


def test_handover_and_roster_documents(full_demo_db, tmp_path, clock):
    built, _ = build(full_demo_db, "handover", None, tmp_path, clock)   # the latest handover
    text = text_of(built.path)
    for part in ("交接班记录", "交班人：聂浩宇", "接班人：刘艳玲", "在办事件", "待报信息",
                 "刘艳玲于2026年7月1日8时42分确认接收", "乌迳镇滑坡点仍需监测"):
        assert part in text, part
    built, _ = build(full_demo_db, "roster", "2026-07", tmp_path, clock)
    text = text_of(built.path)
    assert "2026年7月应急值班表" in text and "带班领导" in text and "7月1日" in text


@pytest.mark.parametrize("kind,item,error", [
    ("event", "99", NotFound), ("event", "abc", ValidationError), ("handover", "7", NotFound),
    ("duty-daily", "2026-13-01", ValidationError), ("duty-daily", "2020-01-01", NotFound),
    ("roster", "2026-7x", ValidationError), ("roster", "2020-01", NotFound)])
def test_wrong_items_are_refused_and_leave_no_file(kind, item, error, full_demo_db, tmp_path, clock):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(error) as exc:
        registry.build(full_demo_db, kind, tmp_path / "x.pdf", item=item, clock=clock)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))
    assert list(tmp_path.iterdir()) == []


def test_serial_beyond_the_reports_is_refused(full_demo_db, tmp_path, clock):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(NotFound, match="只有2份书面报告"):
        registry.build(full_demo_db, "event", tmp_path / "x.pdf", item="4", serial=3, clock=clock)
    assert list(tmp_path.iterdir()) == []


def test_items_are_newest_first_without_drills(full_demo_db, clock):
    events = registry.items(full_demo_db, "event")
    assert [i.key for i in events][:2] == ["3", "4"]
    assert registry.latest(full_demo_db, "event", clock.now()).key == "3"
    assert registry.items(full_demo_db, "roster")[0].key >= "2026-07"
    assert registry.latest(full_demo_db, "duty-daily", clock.now()).key == "2026-07-01"


def test_cli_options_mirror_the_registry():
    from nxcommand import cli_report
    assert cli_report.OPTIONS == {k: v[2] for k, v in registry.KINDS.items()}
    assert cli_report.TITLES == {k: v[0] for k, v in registry.KINDS.items()}


def test_cli_report_list_build_and_refusals(full_demo_template, tmp_path):
    db = tmp_path / "full.db"
    shutil.copy(full_demo_template, db)
    listed = nx("report", "--list", "--db", db)
    assert listed.returncode == 0, listed.stderr
    assert "event（突发事件信息报告）" in listed.stdout and "--event 4" in listed.stdout
    assert "--date 2026-07-01" in listed.stdout and "--month 2026-07" in listed.stdout
    out = tmp_path / "r.pdf"
    done = nx("report", "event", "--db", db, "--out", out, "--event", "4", "--serial", "1")
    assert done.returncode == 0, done.stderr
    assert out.exists() and "已生成突发事件信息报告" in done.stdout
    out.unlink()
    wrong = nx("report", "event", "--db", db, "--out", out, "--event", "99")
    assert wrong.returncode == 1 and "事件 #99 不存在" in wrong.stderr and not out.exists()
    foreign = nx("report", "roster", "--db", db, "--out", out, "--event", "4")
    assert foreign.returncode == 2 and "不接受选项 --event" in foreign.stderr and not out.exists()
    serial = nx("report", "handover", "--db", db, "--out", out, "--serial", "2")
    assert serial.returncode == 2 and "--serial" in serial.stderr
    latest = nx("report", "handover", "--db", db, "--out", out)     # no id: the latest one
    assert latest.returncode == 0 and out.exists()


def test_duty_daily_offers_no_future_day(full_demo_db, clock):
    """The roster runs ten days ahead; the daily report is offered only for days the desk has
    already worked (the demo was loaded at the fixture clock, 2026-07-01)."""
    from nxcommand.reports import registry

    keys = [i.key for i in registry.items(full_demo_db, "duty-daily")]
    assert keys and max(keys) <= clock.now().date().isoformat()
